"""The window's actions, menus and toolbar, with their shortcuts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar

RUN_SHORTCUT = "F5"
PAUSE_SHORTCUT = "F6"
STEP_SHORTCUT = "F10"
RESET_SHORTCUT = "Ctrl+R"
EXPORT_SHORTCUT = "Ctrl+E"


@dataclass
class WindowActions:
    """The actions of the main window; tests trigger them as a user would."""

    open: QAction
    save: QAction
    save_as: QAction
    export_csv: QAction
    quit: QAction
    run: QAction
    pause: QAction
    step: QAction
    reset: QAction
    examples_menu: QMenu
    view_menu: QMenu
    toolbar: QToolBar


def _action(
    window: QMainWindow,
    text: str,
    slot: Callable[[], object],
    shortcut: QKeySequence | str | None = None,
    tip: str = "",
    icon: QStyle.StandardPixmap | None = None,
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))

    shortcut_text = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    status_tip = tip or text.replace("&", "").rstrip(".")
    action.setStatusTip(status_tip)
    action.setToolTip(f"{status_tip} ({shortcut_text})" if shortcut_text else status_tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def create_actions(window, examples: list[str]) -> WindowActions:
    """Create the File, Run and View menus and the toolbar of ``window`` (a ``MainWindow``)."""
    pixmap = QStyle.StandardPixmap
    actions = WindowActions(
        open=_action(window, "&Open...", window.choose_project_file, QKeySequence.StandardKey.Open),
        save=_action(window, "&Save", window.save, QKeySequence.StandardKey.Save),
        save_as=_action(window, "Save &As...", window.choose_save_path, QKeySequence.StandardKey.SaveAs),
        export_csv=_action(
            window, "&Export CSV...", window.choose_export_folder, EXPORT_SHORTCUT,
            tip="Write the metrics of this run as CSV files into a folder",
        ),
        quit=_action(window, "&Quit", window.close, QKeySequence.StandardKey.Quit),
        run=_action(window, "&Run", window.run, RUN_SHORTCUT, "Train until paused", pixmap.SP_MediaPlay),
        pause=_action(window, "&Pause", window.pause, PAUSE_SHORTCUT, "Pause after the current step",
                      pixmap.SP_MediaPause),
        step=_action(window, "&Step", window.step_once, STEP_SHORTCUT, "Run exactly one training step",
                     pixmap.SP_MediaSkipForward),
        reset=_action(window, "Rese&t", window.reset, RESET_SHORTCUT,
                      "Restore the initial weights (same seed) and clear the history",
                      pixmap.SP_BrowserReload),
        examples_menu=QMenu("Open E&xample", window),
        view_menu=QMenu("&View", window),
        toolbar=QToolBar("Run", window),
    )

    for name in examples:
        example = QAction(name, window)
        example.triggered.connect(lambda _checked=False, example_name=name: window.open_example(example_name))
        actions.examples_menu.addAction(example)

    file_menu = window.menuBar().addMenu("&File")
    file_menu.addAction(actions.open)
    file_menu.addMenu(actions.examples_menu)
    file_menu.addSeparator()
    file_menu.addAction(actions.save)
    file_menu.addAction(actions.save_as)
    file_menu.addAction(actions.export_csv)
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)

    run_menu = window.menuBar().addMenu("&Run")
    for action in (actions.run, actions.pause, actions.step, actions.reset):
        run_menu.addAction(action)

    window.menuBar().addMenu(actions.view_menu)

    actions.toolbar.setObjectName("run-toolbar")
    actions.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for action in (actions.run, actions.pause, actions.step, actions.reset):
        actions.toolbar.addAction(action)
    window.addToolBar(actions.toolbar)
    return actions
