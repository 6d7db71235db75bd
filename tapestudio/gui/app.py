"""Start the desktop app: build the QApplication, open a project and run the event loop."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication

from tapestudio.studio import ProjectError, list_examples, load_example, resolve_project

from .main_window import MainWindow

logger = logging.getLogger(__name__)

DEFAULT_EXAMPLE = "weighted-gradients"


def run_app(project: str | None = None) -> int:
    """Open ``project`` (an example name or a path to a project file) and run the app.

    Without a project the ``weighted-gradients`` example opens. A project that fails to load is
    reported in a message box over a window with the default example. Returns the exit code
    of the Qt event loop.
    """
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("TapeStudio")
    app.setApplicationName("TapeStudio")

    name = project or DEFAULT_EXAMPLE
    error_text = None
    try:
        window = MainWindow(resolve_project(name), path=None if _is_example(name) else name)
    except (OSError, ProjectError) as error:
        error_text = f"Could not open {name}:\n{error}"
        window = MainWindow(load_example(DEFAULT_EXAMPLE))

    window.show()
    if error_text is not None:
        window.show_error("Could not open project", error_text)
    return app.exec()


def _is_example(name: str) -> bool:
    return name in list_examples()
