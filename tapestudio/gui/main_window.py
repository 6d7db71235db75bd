"""The main window: panels around the live plots, run control, project files and CSV export.

The window owns one studio ``Session``. Edits from the panels come back as edited copies of the
project, and the window applies them with ``session.rebuild`` while no run is in progress.
Hyperparameter edits go to the session directly, also during a run. A ``RunController`` steps
the session in a worker thread, and a timer redraws the plots and the status bar at about 30
frames per second.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QWidget

from tapestudio.studio import (
    Project,
    ProjectError,
    Session,
    list_examples,
    load_example,
    load_project,
    save_project,
    write_csv,
)

from .actions import create_actions
from .log_panel import LogPanel
from .model_panel import ModelPanel
from .plots import PlotsPanel
from .tapes_panel import TapesPanel
from .worker import RunController

logger = logging.getLogger(__name__)

FRAME_INTERVAL_MS = 33
# Steps per second are measured over this window of recent frames, in seconds.
RATE_WINDOW_SECONDS = 1.0
STATUS_MESSAGE_MS = 8000
PROJECT_FILTER = "TapeStudio projects (*.json);;All files (*)"



class MainWindow(QMainWindow):
    """The TapeStudio main window for one project; ``path`` is its file, if it has one."""

    def __init__(
        self, project: Project, path: str | Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        # The log panel attaches first, so that it shows how the session was built.
        self.log_panel = LogPanel(self)
        self.log_panel.attach()
        try:
            self.session = Session(project)
        except ProjectError:
            self.log_panel.detach()
            raise
        self.project_path: Path | None = Path(path) if path is not None else None
        self._rate_samples: deque[tuple[float, int]] = deque()

        self.controller = RunController(self.session, self)
        self.controller.run_started.connect(self._show_run_state)
        self.controller.run_stopped.connect(self._show_run_state)
        self.controller.run_failed.connect(self._show_run_failure)

        self._create_panels()
        self.actions = create_actions(self, list_examples())
        for dock in (self.model_dock, self.tapes_dock, self.log_dock):
            self.actions.view_menu.addAction(dock.toggleViewAction())
        self._create_status_bar()

        self.frame_timer = QTimer(self)
        self.frame_timer.setInterval(FRAME_INTERVAL_MS)
        self.frame_timer.timeout.connect(self.refresh_view)
        self.frame_timer.start()

        self.resize(1440, 900)
        self._show_run_state()
        self._update_title()
        self.refresh_view()
        logger.info("Opened project %s", project.name)

    # -- layout ---------------------------------------------------------------------------

    def _create_panels(self) -> None:
        self.plots = PlotsPanel(self.session, self)
        self.setCentralWidget(self.plots)

        self.model_panel = ModelPanel(self.session.project, self)
        self.model_panel.project_edited.connect(self.apply_project_edit)
        self.model_dock = self._add_dock("Model", self.model_panel, Qt.DockWidgetArea.LeftDockWidgetArea)

        self.tapes_panel = TapesPanel(self.session, self)
        self.tapes_panel.model.structure_edited.connect(self.apply_project_edit)
        self.tapes_panel.model.hyperparameter_changed.connect(self._mark_modified)
        self.tapes_panel.model.edit_rejected.connect(self._show_status)
        self.tapes_dock = self._add_dock("Tapes", self.tapes_panel, Qt.DockWidgetArea.BottomDockWidgetArea)

        self.log_dock = self._add_dock("Log", self.log_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self.tapes_dock, self.log_dock, Qt.Orientation.Horizontal)
        self.resizeDocks([self.tapes_dock, self.log_dock], [840, 600], Qt.Orientation.Horizontal)
        self.resizeDocks([self.tapes_dock], [180], Qt.Orientation.Vertical)
        self.resizeDocks([self.model_dock], [330], Qt.Orientation.Horizontal)

    def _add_dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title.lower()}-dock")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _create_status_bar(self) -> None:
        self.step_label = QLabel(self)
        self.rate_label = QLabel(self)
        self.state_label = QLabel(self)
        for label in (self.state_label, self.step_label, self.rate_label):
            label.setMinimumWidth(110)
            self.statusBar().addPermanentWidget(label)

    # -- run control ----------------------------------------------------------------------

    def is_running(self) -> bool:
        return self.controller.is_running()

    def run(self) -> None:
        """Train until paused."""
        self.controller.start()

    def pause(self) -> None:
        """Stop after the step in progress."""
        self.controller.pause()

    def step_once(self) -> None:
        """Run exactly one training step, in the worker thread; ignored during a run."""
        self.controller.start(max_steps=1)

    def reset(self) -> None:
        """Pause, restore the initial weights of the project seed and clear the history."""
        self.controller.pause(wait=True)
        self.session.reset()
        self._rate_samples.clear()
        self.plots.invalidate()
        self.refresh_view()
        self._show_status("Reset to the initial weights; the history is empty.")

    def _show_run_state(self) -> None:
        running = self.is_running()
        self.actions.run.setEnabled(not running)
        self.actions.pause.setEnabled(running)
        self.actions.step.setEnabled(not running)
        self.model_panel.setEnabled(not running)
        self.model_panel.setToolTip("Pause the run to edit the model." if running else "")
        self.tapes_panel.set_running(running)
        self.state_label.setText("Running" if running else "Paused")
        if not running:
            self._rate_samples.clear()
            self.plots.invalidate()
            self.refresh_view()

    def _show_run_failure(self, message: str, step: int) -> None:
        history_note = f"The history up to step {step - 1} is kept and can be exported."
        self.show_error("Run stopped", f"Training stopped because {message}.\n\n{history_note}")

    # -- drawing --------------------------------------------------------------------------

    def refresh_view(self) -> None:
        """Redraw the plots and the status bar from the session; runs on the frame timer."""
        self.plots.refresh()

        step = self.session.step_count
        self.step_label.setText(f"Step {step}")
        self.rate_label.setText(f"{self._steps_per_second(step):.0f} steps/s")

    def _steps_per_second(self, step: int) -> float:
        if not self.is_running():
            return 0.0

        now = time.monotonic()
        self._rate_samples.append((now, step))
        while self._rate_samples and now - self._rate_samples[0][0] > RATE_WINDOW_SECONDS:
            self._rate_samples.popleft()

        first_time, first_step = self._rate_samples[0]
        if now <= first_time:
            return 0.0
        return (step - first_step) / (now - first_time)

    # -- project edits --------------------------------------------------------------------

    def apply_project_edit(self, project: Project) -> bool:
        """Rebuild the session with an edited project; return False if it was not applied.

        An invalid edit is reported, and the session keeps its project and history.
        """
        applied = False
        if self.is_running():
            self._show_status("Pause the run to change the model or the tapes.")
        else:
            try:
                self.session.rebuild(project)
            except ProjectError as error:
                self.show_error("Invalid edit", f"The edit was not applied: {error}")
            else:
                self._mark_modified()
                applied = True

        self._show_project()
        return applied

    def _show_project(self) -> None:
        """Show the session's project in every panel after a rebuild, reset or file change."""
        self.model_panel.set_project(self.session.project)
        self.tapes_panel.model.refresh()
        self.plots.set_session(self.session)
        self._rate_samples.clear()
        self.refresh_view()
        self._update_title()

    def _set_session(self, session: Session) -> None:
        self.controller.set_session(session)
        self.session = session
        self.tapes_panel.model.set_session(session)
        self._show_project()

    def _mark_modified(self) -> None:
        self.setWindowModified(True)

    def _update_title(self) -> None:
        name = self.project_path.name if self.project_path else self.session.project.name
        self.setWindowTitle(f"{name}[*] \N{EN DASH} TapeStudio")

    # -- files ----------------------------------------------------------------------------

    def open_project_file(self, path: str | Path) -> bool:
        """Open a project file; on an error show it and keep the current project."""
        try:
            session = Session(load_project(path))
        except (OSError, ProjectError) as error:
            self.show_error("Could not open project", f"Could not open {path}:\n{error}")
            return False

        self.project_path = Path(path)
        self._set_session(session)
        self.setWindowModified(False)
        logger.info("Opened project file %s", path)
        return True

    def open_example(self, name: str) -> bool:
        """Open one of the bundled example projects by name."""
        try:
            session = Session(load_example(name))
        except (OSError, ProjectError) as error:
            self.show_error("Could not open example", f"Could not open the example {name}:\n{error}")
            return False

        self.project_path = None
        self._set_session(session)
        self.setWindowModified(False)
        logger.info("Opened example %s", name)
        return True

    def save_project_file(self, path: str | Path) -> bool:
        """Save the session's project (with live hyperparameter edits) to ``path``."""
        try:
            save_project(self.session.project, path)
        except (OSError, ValueError) as error:
            self.show_error("Could not save project", f"Could not save {path}:\n{error}")
            return False

        self.project_path = Path(path)
        self.setWindowModified(False)
        self._update_title()
        self._show_status(f"Saved {path}")
        return True

    def export_csv(self, folder: str | Path) -> list[Path]:
        """Write the CSV tables and the run sidecar into ``folder``; return the written paths."""
        try:
            paths = write_csv(self.session, self.session.project, folder)
        except (OSError, ValueError) as error:
            self.show_error("Could not export CSV", f"Could not write CSV files to {folder}:\n{error}")
            return []

        names = ", ".join(Path(path).name for path in paths)
        self._show_status(f"Exported {names} to {folder}")
        logger.info("Exported %s to %s", names, folder)
        return [Path(path) for path in paths]

    def save(self) -> None:
        if self.project_path is None:
            self.choose_save_path()
        else:
            self.save_project_file(self.project_path)

    def choose_project_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", self._last_folder(), PROJECT_FILTER)
        if path:
            self._remember_folder(path)
            self.open_project_file(path)

    def choose_save_path(self) -> None:
        suggested = str(Path(self._last_folder()) / f"{self.session.project.name}.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save project", suggested, PROJECT_FILTER)
        if path:
            self._remember_folder(path)
            self.save_project_file(path)

    def choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export CSV into folder", self._last_folder())
        if folder:
            QSettings().setValue("last_folder", folder)
            self.export_csv(folder)

    def _last_folder(self) -> str:
        if self.project_path is not None:
            return str(self.project_path.parent)
        return str(QSettings().value("last_folder", str(Path.home())))

    def _remember_folder(self, path: str) -> None:
        QSettings().setValue("last_folder", str(Path(path).parent))

    # -- messages -------------------------------------------------------------------------

    def show_error(self, title: str, text: str) -> QMessageBox:
        """Log an error, show it in the status bar and in a message box that does not block."""
        logger.error("%s: %s", title, text)
        self._show_status(f"{title}: {text.splitlines()[0]}")

        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_MESSAGE_MS)

    # -- closing --------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        """Stop the run and the training thread before the window goes away."""
        self.frame_timer.stop()
        self.controller.shutdown()
        self.log_panel.detach()
        super().closeEvent(event)
