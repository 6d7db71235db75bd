"""Fixtures for the GUI tests: Qt on the offscreen platform and a window on an example."""

import os

# Qt reads the platform when the QApplication is created; a developer may still set another.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from tapestudio.gui import MainWindow  # noqa: E402
from tapestudio.gui.recovery import DATA_FOLDER_VARIABLE  # noqa: E402
from tapestudio.studio import load_example  # noqa: E402

# How long a test waits for training steps in the worker thread, in milliseconds.
RUN_TIMEOUT_MS = 20_000


@pytest.fixture(autouse=True)
def app_folders(tmp_path_factory, monkeypatch):
    """Point the app's settings and autosaves at temporary folders, away from the user's own.

    Returns the folder that holds ``settings`` and ``data``.
    """
    folder = tmp_path_factory.mktemp("app")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "settings"))
    monkeypatch.setenv(DATA_FOLDER_VARIABLE, str(folder / "data"))
    return folder


@pytest.fixture
def window(qtbot):
    """A shown main window on the weighted-gradients example; closed after the test."""
    main_window = MainWindow(load_example("weighted-gradients"))
    qtbot.addWidget(main_window)
    main_window.show()
    qtbot.waitExposed(main_window)
    return main_window


@pytest.fixture
def wait_for_steps(qtbot):
    """Return a function that waits until a window's history contains at least ``count`` steps."""

    def wait(window, count):
        qtbot.waitUntil(lambda: len(window.session.history) >= count, timeout=RUN_TIMEOUT_MS)

    return wait


@pytest.fixture
def wait_idle(qtbot):
    """Return a function that waits until a window's training worker is idle."""

    def wait(window):
        qtbot.waitUntil(lambda: not window.is_running(), timeout=RUN_TIMEOUT_MS)

    return wait
