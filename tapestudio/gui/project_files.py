"""The File menu's work: New, Open, Open Recent, Save and Save As, with their dialogs.

Dialogs and questions open without blocking (``open()``, not ``exec()``): the action goes
on from the dialog's signal. Before New, Open or closing discards unsaved changes, the user
is asked whether to save them, when the window's ``ask_to_save`` is set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from tapestudio.studio import load_example

if TYPE_CHECKING:
    from .main_window import MainWindow

logger = logging.getLogger(__name__)

PROJECT_SUFFIX = ".json"
PROJECT_FILTER = "TapeStudio projects (*.json);;All files (*)"
# File > New opens a copy of this example under the name below.
NEW_PROJECT_EXAMPLE = "weighted-gradients"
NEW_PROJECT_NAME = "untitled"


def with_project_suffix(path: str | Path) -> Path:
    """Return ``path`` with ``.json`` appended when it has no suffix at all."""
    path = Path(path)
    return path if path.suffix else path.with_name(path.name + PROJECT_SUFFIX)


class ProjectFiles(QObject):
    """New, Open, Open Recent, Save and Save As for one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    # -- asking before discarding ---------------------------------------------------------

    def confirm_discard(self, then: Callable[[], object], doing: str = "continuing") -> QMessageBox | None:
        """Call ``then`` once unsaved changes are saved or the user chose to discard them.

        Without unsaved changes (or when the window does not ask) ``then`` runs at once.
        Otherwise a message box offers Save, Discard and Cancel, and is returned. ``doing``
        completes the question "Save the changes to NAME before ...?".
        """
        window = self._window
        if not (window.ask_to_save and window.isWindowModified()):
            then()
            return None

        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Save changes?",
            f"Save the changes to {window.document_name()} before {doing}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            window,
        )
        box.setInformativeText("Changes that are not saved will be lost.")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answer(_result: int = 0) -> None:
            button = box.standardButton(box.clickedButton())
            if button == QMessageBox.StandardButton.Save:
                self.save(then=then)
            elif button == QMessageBox.StandardButton.Discard:
                then()

        box.finished.connect(answer)
        box.open()
        return box

    # -- new and open ---------------------------------------------------------------------

    def new_project(self) -> None:
        """Open a copy of the default example named "untitled", with no file."""
        self.confirm_discard(self._open_new, "creating a new project")

    def _open_new(self) -> None:
        project = load_example(NEW_PROJECT_EXAMPLE)
        project.name = NEW_PROJECT_NAME
        project.description = ""
        self._window.open_project(project, path=None)

    def open_example(self, name: str) -> None:
        self.confirm_discard(lambda: self._window.open_example(name), f"opening the example {name}")

    def choose_project_file(self) -> QFileDialog:
        """Show the Open dialog. The chosen file opens after the save question, if any."""
        dialog = QFileDialog(self._window, "Open project", str(self._window.settings.last_folder()))
        dialog.setNameFilter(PROJECT_FILTER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self._open_chosen)
        dialog.open()
        return dialog

    def _open_chosen(self, path: str) -> None:
        if not path:
            return
        self._window.settings.set_last_folder(Path(path).parent)
        self.confirm_discard(lambda: self._window.open_project_file(path), f"opening {Path(path).name}")

    def open_recent(self, path: str | Path) -> None:
        """Open a recent file, or remove it from the list when it no longer exists."""
        path = Path(path)
        if not path.is_file():
            self._window.settings.remove_recent_file(path)
            self._window.show_error(
                "Recent file not found",
                f"{path} no longer exists, so it was removed from the recent files.",
            )
            return
        self.confirm_discard(lambda: self._window.open_project_file(path), f"opening {path.name}")

    def fill_recent_menu(self, menu: QMenu) -> None:
        """Fill ``menu`` with the recent files, numbered for keyboard access, and a Clear item."""
        menu.clear()
        recent = self._window.settings.recent_files()
        for number, path in enumerate(recent, start=1):
            label = f"&{number} {path.name}" if number < 10 else f"1&0 {path.name}"
            action = menu.addAction(label)
            action.setData(str(path))
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _checked=False, chosen=path: self.open_recent(chosen))

        if not recent:
            menu.addAction("No recent files").setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("&Clear Recent Files")
        clear.setEnabled(bool(recent))
        clear.triggered.connect(self._window.settings.clear_recent_files)

    # -- save -----------------------------------------------------------------------------

    def save(self, then: Callable[[], object] | None = None) -> None:
        """Save to the project's file, or ask for one first. ``then`` runs after a save."""
        path = self._window.project_path
        if path is None:
            self.choose_save_path(then)
        elif self._window.save_project_file(path) and then is not None:
            then()

    def choose_save_path(self, then: Callable[[], object] | None = None) -> QFileDialog:
        """Show the Save As dialog. ``then`` runs after the project was saved.

        The dialog appends ``.json`` to a name without a suffix and confirms before it
        replaces an existing file.
        """
        window = self._window
        folder = window.project_path.parent if window.project_path else window.settings.last_folder()
        suggested = folder / f"{window.session.project.name}{PROJECT_SUFFIX}"

        dialog = QFileDialog(window, "Save project as", str(folder))
        dialog.setNameFilter(PROJECT_FILTER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(PROJECT_SUFFIX.lstrip("."))
        dialog.selectFile(str(suggested))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self._save_chosen(path, then))
        dialog.open()
        return dialog

    def _save_chosen(self, path: str, then: Callable[[], object] | None) -> None:
        if not path:
            return

        # A native dialog may leave out the default suffix. It then asked about replacing
        # the name without the suffix, so replacing the full name needs its own question.
        chosen = with_project_suffix(path)
        if chosen != Path(path) and chosen.exists():
            self._confirm_replace(chosen, then)
            return
        self._save_to(chosen, then)

    def _confirm_replace(self, path: Path, then: Callable[[], object] | None) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Replace file?",
            f"{path.name} already exists in {path.parent}. Replace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self._window,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(
            lambda _result: self._save_to(path, then)
            if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes
            else None
        )
        box.open()

    def _save_to(self, path: Path, then: Callable[[], object] | None) -> None:
        self._window.settings.set_last_folder(path.parent)
        if self._window.save_project_file(path) and then is not None:
            then()
