"""Helpers for tests of the app's files, settings and recovery: windows, dialogs and boxes.

Message boxes and file dialogs open without blocking, so a test finds them with
``qtbot.waitUntil`` and clicks their buttons as a user would. Each search is limited to the dialogs
of one window, because windows of earlier tests may still show theirs until Qt deletes them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from tapestudio.gui import MainWindow
from tapestudio.gui.settings import AppSettings
from tapestudio.studio import load_example

DIALOG_TIMEOUT_MS = 5000


def data_folder(app_folders: Path) -> Path:
    """Return the data folder that the ``app_folders`` fixture points the app at."""
    return app_folders / "data"


def make_app_window(qtbot, app_folders: Path, example: str = "weighted-gradients") -> MainWindow:
    """Return a shown window as the app builds it: user settings, autosave, save questions.

    Before qtbot closes it at the end of the test, the window stops asking to save, so that
    a test that leaves unsaved changes still closes it.
    """
    window = MainWindow(
        load_example(example),
        settings=AppSettings.for_user(),
        data_folder=data_folder(app_folders),
        ask_to_save=True,
    )
    track_window(qtbot, window)
    window.show()
    qtbot.waitExposed(window)
    return window


def track_window(qtbot, window: MainWindow) -> None:
    """Let qtbot close ``window`` at the end of the test, without a save question."""
    qtbot.addWidget(window, before_close_func=_stop_asking)


def _stop_asking(window: MainWindow) -> None:
    window.ask_to_save = False


def visible_message_boxes(window: MainWindow) -> list[QMessageBox]:
    return _visible_dialogs(window, QMessageBox)


def _visible_dialogs(window: MainWindow, kind: type) -> list:
    # Only the window's own children are searched. A scan of QApplication.topLevelWidgets()
    # crashed the interpreter once in a full run, on a widget of an earlier test.
    return [dialog for dialog in window.findChildren(kind) if dialog.isVisible()]


def wait_for_message_box(qtbot, window: MainWindow, containing: str) -> QMessageBox:
    """Wait until a message box of ``window`` shows a text that contains ``containing``."""
    found: list[QMessageBox] = []

    def shown() -> bool:
        found[:] = [
            box
            for box in visible_message_boxes(window)
            if containing in box.text() or containing in box.informativeText()
        ]
        return bool(found)

    qtbot.waitUntil(shown, timeout=DIALOG_TIMEOUT_MS)
    return found[0]


def click(box: QMessageBox, button: QMessageBox.StandardButton | str) -> None:
    """Click a standard button, or a custom button by its text without the ``&``."""
    if isinstance(button, str):
        [target] = [item for item in box.buttons() if item.text().replace("&", "") == button]
    else:
        target = box.button(button)
    target.click()


def wait_for_file_dialog(qtbot, window: MainWindow) -> QFileDialog:
    found: list[QFileDialog] = []

    def shown() -> bool:
        found[:] = _visible_dialogs(window, QFileDialog)
        return bool(found)

    qtbot.waitUntil(shown, timeout=DIALOG_TIMEOUT_MS)
    return found[0]


def choose_file(qtbot, window: MainWindow, path: Path) -> None:
    """Type ``path`` into the file dialog that ``window`` shows and accept it."""
    dialog = wait_for_file_dialog(qtbot, window)
    dialog.selectFile(str(path))
    dialog.accept()


def shown_title(window: MainWindow) -> str:
    """Return the title as the platform shows it, with ``[*]`` replaced by ``*`` or nothing."""
    return window.windowHandle().title()
