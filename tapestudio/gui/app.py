"""Start the desktop app: build the QApplication, open a project and run the event loop."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from tapestudio.studio import ProjectError, list_examples, load_example
from tapestudio.studio.requirements import load_with_stand_ins

from .main_window import MainWindow
from .recovery import data_folder, offer_recovery
from .settings import APPLICATION, ORGANIZATION, AppSettings

logger = logging.getLogger(__name__)

DEFAULT_EXAMPLE = "weighted-gradients"


def run_app(project: str | None = None) -> int:
    """Open ``project`` (an example name or a path to a project file) and run the app.

    Without a project the ``weighted-gradients`` example opens. Returns the exit code of the
    Qt event loop. See ``open_main_window`` for what the window keeps between runs.
    """
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)

    window = open_main_window(project)
    exit_code = app.exec()
    logger.debug("Event loop ended with %d after closing %s", exit_code, window.document_name())
    return exit_code


def open_main_window(
    project: str | None = None,
    settings: AppSettings | None = None,
    folder: Path | None = None,
) -> MainWindow:
    """Build and show the app's window on ``project`` and return it.

    The window restores its layout from ``settings`` (default: the user's settings), adds
    the opened file to the recent files, autosaves unsaved changes under ``folder``
    (default: ``recovery.data_folder()``) and asks before it discards them. A project that
    fails to load is reported in a message box over a window with the default example. A
    project that names ops or optimizers that are not installed opens with stand-ins, and a
    message box names what is missing. When an earlier process crashed with unsaved changes,
    the window offers to recover them.
    """
    settings = settings if settings is not None else AppSettings.for_user()
    folder = folder if folder is not None else data_folder()
    options = {"settings": settings, "data_folder": folder, "ask_to_save": True}

    name = project or DEFAULT_EXAMPLE
    path = None if _is_example(name) else Path(name)
    error_text = None
    missing = []
    try:
        opened, missing = load_with_stand_ins(name)
        window = MainWindow(opened, path=path, **options)
    except (OSError, ProjectError) as error:
        error_text = f"Could not open {name}:\n{error}"
        path, missing = None, []
        window = MainWindow(load_example(DEFAULT_EXAMPLE), **options)

    settings.restore_layout(window)
    window.show()
    if path is not None:
        settings.add_recent_file(path)
    if error_text is not None:
        window.show_error("Could not open project", error_text)
    if missing:
        window.show_missing_plugins(missing)
    offer_recovery(window, folder)
    return window


def _is_example(name: str) -> bool:
    return name in list_examples()
