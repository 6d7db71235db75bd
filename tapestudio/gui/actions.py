"""The window's actions, menus and toolbar, with their shortcuts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar

RUN_SHORTCUT = "F5"
PAUSE_SHORTCUT = "F6"
STEP_SHORTCUT = "F10"
RESET_SHORTCUT = "Ctrl+R"
EXPORT_SHORTCUT = "Ctrl+E"
# Some platforms have no key binding for QKeySequence.StandardKey.Quit (Windows, and Qt's
# generic platform theme), so Quit gets this one there.
QUIT_FALLBACK_SHORTCUT = "Ctrl+Q"


@dataclass
class WindowActions:
    """The actions of the main window; tests trigger them as a user would."""

    new: QAction
    open: QAction
    save: QAction
    save_as: QAction
    export_csv: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    run: QAction
    pause: QAction
    step: QAction
    reset: QAction
    examples_menu: QMenu
    recent_menu: QMenu
    edit_menu: QMenu
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
    if isinstance(shortcut, QKeySequence.StandardKey):
        # All of the platform's bindings, such as both Ctrl+Y and Ctrl+Shift+Z for Redo.
        action.setShortcuts(shortcut)
    elif shortcut is not None:
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
    """Create the File, Edit, Run and View menus and the toolbar of ``window`` (a ``MainWindow``)."""
    pixmap = QStyle.StandardPixmap
    files = window.files
    actions = WindowActions(
        new=_action(window, "&New", files.new_project, QKeySequence.StandardKey.New,
                    "Start an untitled project from the default example"),
        open=_action(window, "&Open...", files.choose_project_file, QKeySequence.StandardKey.Open),
        save=_action(window, "&Save", files.save, QKeySequence.StandardKey.Save),
        save_as=_action(window, "Save &As...", files.choose_save_path, QKeySequence.StandardKey.SaveAs),
        export_csv=_action(
            window, "&Export CSV...", window.choose_export_folder, EXPORT_SHORTCUT,
            tip="Write the metrics of this run as CSV files into a folder",
        ),
        quit=_action(window, "&Quit", window.close, _quit_shortcut()),
        undo=_action(window, "&Undo", window.undo, QKeySequence.StandardKey.Undo),
        redo=_action(window, "&Redo", window.redo, QKeySequence.StandardKey.Redo),
        run=_action(window, "&Run", window.run, RUN_SHORTCUT, "Train until paused", pixmap.SP_MediaPlay),
        pause=_action(window, "&Pause", window.pause, PAUSE_SHORTCUT, "Pause after the current step",
                      pixmap.SP_MediaPause),
        step=_action(window, "&Step", window.step_once, STEP_SHORTCUT, "Run exactly one training step",
                     pixmap.SP_MediaSkipForward),
        reset=_action(window, "Rese&t", window.reset, RESET_SHORTCUT,
                      "Restore the initial weights (same seed) and clear the history",
                      pixmap.SP_BrowserReload),
        examples_menu=QMenu("Open E&xample", window),
        recent_menu=QMenu("Open &Recent", window),
        edit_menu=QMenu("&Edit", window),
        view_menu=QMenu("&View", window),
        toolbar=QToolBar("Run", window),
    )

    for name in examples:
        example = QAction(name, window)
        example.triggered.connect(lambda _checked=False, example_name=name: files.open_example(example_name))
        actions.examples_menu.addAction(example)
    actions.recent_menu.aboutToShow.connect(lambda: files.fill_recent_menu(actions.recent_menu))
    files.fill_recent_menu(actions.recent_menu)

    file_menu = window.menuBar().addMenu("&File")
    file_menu.addAction(actions.new)
    file_menu.addAction(actions.open)
    file_menu.addMenu(actions.recent_menu)
    file_menu.addMenu(actions.examples_menu)
    file_menu.addSeparator()
    file_menu.addAction(actions.save)
    file_menu.addAction(actions.save_as)
    file_menu.addAction(actions.export_csv)
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)

    _connect_undo(window.undo_stack, actions)
    window.menuBar().addMenu(actions.edit_menu)
    actions.edit_menu.addAction(actions.undo)
    actions.edit_menu.addAction(actions.redo)

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


def _connect_undo(stack: QUndoStack, actions: WindowActions) -> None:
    """Keep the Undo and Redo actions' text and enabled state in step with the undo stack."""

    def show_undo(text: str) -> None:
        actions.undo.setText(f"&Undo {text}" if text else "&Undo")
        actions.undo.setStatusTip(f"Undo {text}" if text else "Nothing to undo")

    def show_redo(text: str) -> None:
        actions.redo.setText(f"&Redo {text}" if text else "&Redo")
        actions.redo.setStatusTip(f"Redo {text}" if text else "Nothing to redo")

    stack.undoTextChanged.connect(show_undo)
    stack.redoTextChanged.connect(show_redo)
    stack.canUndoChanged.connect(actions.undo.setEnabled)
    stack.canRedoChanged.connect(actions.redo.setEnabled)
    show_undo(stack.undoText())
    show_redo(stack.redoText())
    actions.undo.setEnabled(stack.canUndo())
    actions.redo.setEnabled(stack.canRedo())


def _quit_shortcut() -> QKeySequence.StandardKey | str:
    if QKeySequence.keyBindings(QKeySequence.StandardKey.Quit):
        return QKeySequence.StandardKey.Quit
    return QUIT_FALLBACK_SHORTCUT
