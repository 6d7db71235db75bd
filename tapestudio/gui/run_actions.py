"""Window actions for new initial weights and for exporting steps, weights and plots.

``RunActions(window)`` adds "New Weights" to the Run menu and the run toolbar, and "Export
Steps as CSV...", "Export Weights as CSV..." and "Save Plot as PNG..." to the File menu, next
to the window's own Export CSV action. Reset keeps the project's weight seed, so a changed
tape assignment replays from the same start; New Weights draws another seed and records it in
the project as an undoable edit.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QSpinBox,
    QStyle,
    QWidget,
)

from tapestudio.studio import write_csv
from tapestudio.studio.export import write_weights_csv
from tapestudio.studio.seeds import with_new_weight_seed

logger = logging.getLogger(__name__)

NEW_WEIGHTS_SHORTCUT = "Ctrl+Shift+R"
# How long New Weights waits for a paused worker's stop signal to reach the window.
STOP_DELIVERY_SECONDS = 2.0
CSV_FILTER = "CSV files (*.csv);;All files (*)"


class StepRangeDialog(QDialog):
    """A dialog for the first and last step to export, within the steps of the history."""

    def __init__(self, first_step: int, last_step: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export steps as CSV")

        self.first = QSpinBox(self)
        self.last = QSpinBox(self)
        for box in (self.first, self.last):
            box.setRange(first_step, last_step)
            box.setGroupSeparatorShown(True)
        self.first.setValue(first_step)
        self.last.setValue(last_step)
        # The range stays ordered: the last step can never be set below the first.
        self.first.valueChanged.connect(self.last.setMinimum)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        form = QFormLayout(self)
        form.addRow("From step", self.first)
        form.addRow("To step", self.last)
        form.addRow(buttons)

    def step_range(self) -> tuple[int, int]:
        """Return the chosen (first, last) steps, both included."""
        return self.first.value(), self.last.value()


class RunActions:
    """The actions above, added to the menus and toolbar of ``window`` (a ``MainWindow``)."""

    def __init__(self, window) -> None:
        self.window = window
        self.new_weights = QAction("New &Weights", window)
        self.new_weights.setIcon(window.style().standardIcon(QStyle.StandardPixmap.SP_DialogResetButton))
        self.new_weights.setShortcut(NEW_WEIGHTS_SHORTCUT)
        self.new_weights.setStatusTip("Draw new initial weights with a new weight seed and clear the history")
        self.new_weights.setToolTip(f"Draw new initial weights ({NEW_WEIGHTS_SHORTCUT})")
        self.new_weights.triggered.connect(lambda _checked=False: self.draw_new_weights())

        self.export_steps = QAction("Export &Steps as CSV...", window)
        self.export_steps.setStatusTip("Write the metrics of a range of steps as CSV files into a folder")
        self.export_steps.triggered.connect(lambda _checked=False: self.choose_step_range())

        self.export_weights = QAction("Export &Weights as CSV...", window)
        self.export_weights.setStatusTip("Write the current weights as a table: variable,row,column,value")
        self.export_weights.triggered.connect(lambda _checked=False: self.choose_weights_path())

        self.save_plot = QAction("Save &Plot as PNG...", window)
        self.save_plot.setStatusTip("Save one of the plots as a PNG image")
        self.save_plot.triggered.connect(lambda _checked=False: self.choose_plot())

        self._add_to_menus()
        window.plots.set_folder_store(window.settings)
        window.plots.png_saved.connect(lambda path: window.statusBar().showMessage(f"Saved {path}", 8000))

    def _add_to_menus(self) -> None:
        actions = self.window.actions
        for container in actions.reset.associatedObjects():
            container.addAction(self.new_weights)

        for container in actions.export_csv.associatedObjects():
            following = _action_after(container, actions.export_csv)
            for action in (self.export_steps, self.export_weights, self.save_plot):
                container.insertAction(following, action)

    # -- new weights -------------------------------------------------------------------------

    def draw_new_weights(self) -> bool:
        """Pause, give the project a new weight seed and rebuild; return True when applied.

        The data keeps its seed (see ``with_new_weight_seed``), and the edit can be undone.
        """
        window = self.window
        if window.is_running():
            window.controller.pause(wait=True)
            # The worker's stop signal may still be on its way from the worker thread: process
            # events until it arrives, so that the window no longer counts as running.
            deadline = time.monotonic() + STOP_DELIVERY_SECONDS
            while window.is_running() and time.monotonic() < deadline:
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)

        project = with_new_weight_seed(window.session.project)
        if not window.apply_project_edit(project, "New initial weights"):
            return False

        window.statusBar().showMessage(f"New initial weights from seed {project.seed}; the history is empty.", 8000)
        logger.info("Drew new initial weights with seed %d", project.seed)
        return True

    # -- exports -----------------------------------------------------------------------------

    def choose_step_range(self) -> list[Path]:
        """Ask for a step range and a folder, then export; return the written paths."""
        steps = self.window.session.history.steps()
        if len(steps) == 0:
            self.window.statusBar().showMessage("There are no steps to export yet.", 8000)
            return []

        dialog = StepRangeDialog(int(steps[0]), int(steps[-1]), self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return []
        first, last = dialog.step_range()

        folder = QFileDialog.getExistingDirectory(self.window, "Export steps into folder", self._last_folder())
        if not folder:
            return []
        self.window.settings.set_last_folder(folder)
        return self.export_step_range(folder, first, last)

    def export_step_range(self, folder: str | Path, first_step: int, last_step: int) -> list[Path]:
        """Write the CSV tables and run.json of steps ``first_step`` to ``last_step`` into ``folder``."""
        window = self.window
        try:
            paths = write_csv(window.session, window.session.project, folder, first_step, last_step)
        except (OSError, ValueError) as error:
            window.show_error("Could not export CSV", f"Could not write CSV files to {folder}:\n{error}")
            return []

        window.statusBar().showMessage(f"Exported steps {first_step} to {last_step} to {folder}", 8000)
        logger.info("Exported steps %d to %d to %s", first_step, last_step, folder)
        return [Path(path) for path in paths]

    def choose_weights_path(self) -> Path | None:
        """Ask for a file name and write the current weights there as CSV."""
        suggested = str(Path(self._last_folder()) / f"{self.window.session.project.name}-weights.csv")
        path, _ = QFileDialog.getSaveFileName(self.window, "Export weights as CSV", suggested, CSV_FILTER)
        if not path:
            return None
        self.window.settings.set_last_folder(str(Path(path).parent))
        return self.export_weights_to(path)

    def export_weights_to(self, path: str | Path) -> Path | None:
        """Write the weights of the latest step to ``path``; return it, or None on an error."""
        window = self.window
        try:
            written = write_weights_csv(window.session.weights(), path)
        except (OSError, ValueError) as error:
            window.show_error("Could not export weights", f"Could not write {path}:\n{error}")
            return None

        window.statusBar().showMessage(f"Exported the weights to {written}", 8000)
        return written

    def choose_plot(self) -> None:
        """Ask which plot to save, then for a file name."""
        plots = self.window.plots
        cards = {card.title: card for card in plots.cards if card is not plots.regions_plot or plots.regions_plot.available}
        title, accepted = QInputDialog.getItem(self.window, "Save plot as PNG", "Plot:", list(cards), 0, False)
        if accepted:
            plots.show_card(cards[title])
            cards[title].choose_png_path()

    def _last_folder(self) -> str:
        project_path = self.window.project_path
        if project_path is not None:
            return str(Path(project_path).parent)
        return str(self.window.settings.last_folder())


def _action_after(container, action: QAction) -> QAction | None:
    """Return the action that follows ``action`` in a menu or toolbar, or None at the end."""
    actions = container.actions()
    position = actions.index(action)
    return actions[position + 1] if position + 1 < len(actions) else None
