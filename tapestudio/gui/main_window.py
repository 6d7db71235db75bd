"""The main window: panels around the live plots, run control, project files and CSV export.

The window owns one studio ``Session``. Edits from the panels come back as edited copies of the
project, and ``apply_project_edit`` applies each as one undoable edit (see ``undo``). Live
tape settings such as hyperparameters go to the session at once, also during a run. Other
edits rebuild the session while no run is in progress. A ``RunController`` steps
the session in a worker thread, and a timer redraws the plots and the status bar at about 30
frames per second.
"""

from __future__ import annotations

import copy
import logging
import time
from collections import deque
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QWidget

from tapestudio.studio import (
    Project,
    ProjectError,
    Session,
    list_examples,
    load_example,
    save_project,
    write_csv,
)
from tapestudio.studio.inspection import NonFiniteReport
from tapestudio.studio.requirements import (
    MissingPlugin,
    explain_stand_ins,
    load_file_with_stand_ins,
    project_with_stand_ins,
    still_missing,
)

from .actions import create_actions
from .data_panel import DataPanel
from .inspector import InspectorPanel
from .log_panel import LogPanel
from .model_panel import ModelPanel
from .plots import PlotsPanel
from .run_actions import RunActions
from .plugins_dialog import PluginsDialog, add_plugins_menu
from .project_files import ProjectFiles
from .recovery import Autosave
from .settings import AppSettings
from .tapes_panel import TapesPanel
from .undo import LiveChange, ProjectUndoStack, apply_live_changes, describe_edit, live_changes
from .worker import RunController

logger = logging.getLogger(__name__)

# A precise 30 ms timer leaves headroom above 30 frames per second; a coarse 33 ms timer gave
# slightly under 30 whenever a frame was late.
FRAME_INTERVAL_MS = 30
# Steps per second are measured over this window of recent frames, in seconds.
RATE_WINDOW_SECONDS = 1.0
STATUS_MESSAGE_MS = 8000



class MainWindow(QMainWindow):
    """The TapeStudio main window for one project; ``path`` is its file, if it has one.

    ``settings`` keeps the recent files and the last folder (in memory when None). With a
    ``data_folder`` the window autosaves unsaved changes there (see ``recovery``). With
    ``ask_to_save`` New, Open and closing ask before they discard unsaved changes.

    ``plugins_changed`` is emitted after the Plugins dialog has rescanned the installed
    plugins (after an install, say); panels that list ops or optimizers refresh on it.
    """

    plugins_changed = Signal()

    def __init__(
        self,
        project: Project,
        path: str | Path | None = None,
        parent: QWidget | None = None,
        *,
        settings: AppSettings | None = None,
        data_folder: Path | None = None,
        ask_to_save: bool = False,
    ) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else AppSettings.in_memory()
        self.ask_to_save = ask_to_save
        self._close_confirmed = False
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
        self.controller.run_paused.connect(self._show_nonfinite_pause)

        self.undo_stack = ProjectUndoStack(self._apply_project, self)
        self.undo_stack.cleanChanged.connect(self._show_clean_state)
        self.files = ProjectFiles(self)
        self.autosave = Autosave(data_folder, self._autosave_snapshot, self) if data_folder else None
        if self.autosave is not None:
            self.undo_stack.indexChanged.connect(self.autosave.schedule)

        self._create_panels()
        self.actions = create_actions(self, list_examples())
        self.run_actions = RunActions(self)
        docks = (self.data_dock, self.model_dock, self.tapes_dock, self.log_dock, self.inspector_dock)
        for dock in docks:
            self.actions.view_menu.addAction(dock.toggleViewAction())
        self._create_status_bar()

        # Ops and optimizers that the open project names but no plugin provides: the session
        # runs with stand-ins in their place (see tapestudio.studio.requirements).
        self.stand_ins: list[MissingPlugin] = []
        self.plugins_dialog: PluginsDialog | None = None
        self.plugins_action = add_plugins_menu(self)
        self.plugins_changed.connect(self._notice_installed_plugins)
        self.plugins_changed.connect(self.tapes_panel.refresh_optimizers)
        self.plugins_changed.connect(self.model_panel.refresh_activations)

        self.frame_timer = QTimer(self)
        self.frame_timer.setInterval(FRAME_INTERVAL_MS)
        self.frame_timer.setTimerType(Qt.TimerType.PreciseTimer)
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
        self.model_panel.set_project(self.session.project, self.session.dataset)
        self.model_panel.project_edited.connect(self.apply_project_edit)
        self.model_panel.status_message.connect(self._show_status)
        self.model_dock = self._add_dock("Model", self.model_panel, Qt.DockWidgetArea.LeftDockWidgetArea)

        # The data panel sits above the model panel in the left column.
        self.data_panel = DataPanel(self.session, self)
        self.data_panel.project_edited.connect(self.apply_project_edit)
        self.data_panel.status_message.connect(self._show_status)
        self.data_dock = self._add_dock("Data", self.data_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.splitDockWidget(self.data_dock, self.model_dock, Qt.Orientation.Vertical)

        self.tapes_panel = TapesPanel(self.session, self)
        self.tapes_panel.model.structure_edited.connect(self.apply_project_edit)
        self.tapes_panel.model.edit_rejected.connect(self._show_status)
        self.tapes_dock = self._add_dock("Tapes", self.tapes_panel, Qt.DockWidgetArea.BottomDockWidgetArea)

        self.log_dock = self._add_dock("Log", self.log_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self.tapes_dock, self.log_dock, Qt.Orientation.Horizontal)
        # The tapes table and the optimizer form next to it need more room than the log.
        self.resizeDocks([self.tapes_dock, self.log_dock], [1000, 440], Qt.Orientation.Horizontal)
        self.resizeDocks([self.tapes_dock], [250], Qt.Orientation.Vertical)
        self.resizeDocks([self.model_dock], [330], Qt.Orientation.Horizontal)

        self.inspector = InspectorPanel(self.controller, self)
        self.inspector_dock = self._add_dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self.resizeDocks([self.inspector_dock], [560], Qt.Orientation.Horizontal)

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
        self.data_panel.setEnabled(not running)
        self.data_panel.setToolTip("Pause the run to change the data." if running else "")
        self.tapes_panel.set_running(running)
        self.state_label.setText("Running" if running else "Paused")
        if not running:
            self._rate_samples.clear()
            self.plots.invalidate()
            self.refresh_view()

    def _show_nonfinite_pause(self, report: NonFiniteReport) -> None:
        """Show why the run paused, with the inspector open on the step that did it."""
        self.inspector_dock.show()
        self.inspector_dock.raise_()
        self.show_error("Run paused at a non-finite value", report.message)

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

    def apply_project_edit(self, project: Project, description: str = "") -> bool:
        """Apply an edited copy of the session's project as one undoable edit.

        Every panel edit comes here: the model, the data, the objective, the tapes and their
        hyperparameters. ``description`` is the undo text ("Add layer"). Without one, the text
        is worked out from the change. Returns False, keeping the session's project and history,
        when the edit is rejected: it is invalid, or it needs a rebuild during a run.
        """
        old = copy.deepcopy(self.session.project)
        if live_changes(old, project) == []:
            return True
        if not self._apply_project(project):
            return False

        self.undo_stack.push_applied(old, project, description or describe_edit(old, project))
        return True

    def _apply_project(self, project: Project) -> bool:
        """Make ``project`` the session's project, live when it can, for edits, undo and redo."""
        changes = live_changes(self.session.project, project)
        if changes is not None:
            return self._apply_live(changes)

        applied = False
        if self.is_running():
            self._show_status("Pause the run to change the model, the data or the tapes.")
        else:
            try:
                self.session.rebuild(project)
            except ProjectError as error:
                self.show_error("Invalid edit", f"The edit was not applied: {error}")
            else:
                applied = True

        self._show_project()
        return applied

    def _apply_live(self, changes: list[LiveChange]) -> bool:
        previous = copy.deepcopy(self.session.project)
        try:
            apply_live_changes(self.session, changes)
        except (KeyError, TypeError, ValueError) as error:
            apply_live_changes(self.session, live_changes(self.session.project, previous) or [])
            self._show_status(f"The edit was not applied: {error}")
            applied = False
        else:
            applied = True

        self.tapes_panel.model.refresh()
        return applied

    def undo(self) -> None:
        """Undo the latest edit, unless it needs a rebuild and a run is in progress."""
        command = self.undo_stack.next_undo()
        if command is not None and self._can_apply(command.is_live(), "undo", command.text()):
            self.undo_stack.undo()

    def redo(self) -> None:
        """Redo the latest undone edit, unless it needs a rebuild and a run is in progress."""
        command = self.undo_stack.next_redo()
        if command is not None and self._can_apply(command.is_live(), "redo", command.text()):
            self.undo_stack.redo()

    def _can_apply(self, live: bool, verb: str, text: str) -> bool:
        if live or not self.is_running():
            return True
        self._show_status(f"Pause the run to {verb} {text[:1].lower()}{text[1:]}.")
        return False

    def _show_project(self) -> None:
        """Show the session's project in every panel after a rebuild, reset or file change."""
        self.model_panel.set_project(self.session.project, self.session.dataset)
        self.data_panel.set_session(self.session)
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

    def _show_clean_state(self, clean: bool) -> None:
        self.setWindowModified(not clean)
        if clean and self.autosave is not None:
            self.autosave.clear()

    def _autosave_snapshot(self) -> tuple[Project, Path | None, bool]:
        return self.session.project, self.project_path, not self.undo_stack.isClean()

    def document_name(self) -> str:
        """Return the project's file name, or the project name when it has no file."""
        return self.project_path.name if self.project_path else self.session.project.name

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document_name()}[*] \N{EN DASH} TapeStudio")

    # -- files ----------------------------------------------------------------------------

    def open_project(self, project: Project, path: str | Path | None = None, modified: bool = False) -> bool:
        """Show ``project``, read from ``path`` if it has a file, in place of the current one.

        The undo history starts empty. With ``modified`` the project counts as having unsaved
        changes, as a recovered autosave does. On an error (the data cannot be loaded, say)
        shows it, keeps the current project and returns False.
        """
        try:
            project, missing = project_with_stand_ins(project)
            session = Session(project)
        except (OSError, ProjectError) as error:
            where = path or project.describe_source()
            self.show_error("Could not open project", f"Could not open {where}:\n{error}")
            return False

        self.project_path = Path(path) if path is not None else None
        self._set_session(session)
        self.undo_stack.clear()
        if modified:
            self.undo_stack.resetClean()
        self.setWindowModified(modified)
        if self.autosave is not None:
            self.autosave.save_now()
        if self.project_path is not None:
            self.settings.add_recent_file(self.project_path)
        self.stand_ins = []
        if missing:
            self.show_missing_plugins(missing)
        return True

    def open_project_file(self, path: str | Path) -> bool:
        """Open a project file; on an error show it and keep the current project."""
        try:
            project, missing = load_file_with_stand_ins(path)
        except (OSError, ProjectError) as error:
            self.show_error("Could not open project", f"Could not open {path}:\n{error}")
            return False

        if not self.open_project(project, path):
            return False
        if missing:
            self.show_missing_plugins(missing)
        logger.info("Opened project file %s", path)
        return True

    def open_example(self, name: str) -> bool:
        """Open one of the bundled example projects by name."""
        try:
            project = load_example(name)
        except (OSError, ProjectError) as error:
            self.show_error("Could not open example", f"Could not open the example {name}:\n{error}")
            return False

        if not self.open_project(project):
            return False
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
        self.undo_stack.setClean()
        self.settings.add_recent_file(self.project_path)
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

    def choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export CSV into folder", self._last_folder())
        if folder:
            self.settings.set_last_folder(folder)
            self.export_csv(folder)

    def _last_folder(self) -> str:
        if self.project_path is not None:
            return str(self.project_path.parent)
        return str(self.settings.last_folder())

    # -- messages -------------------------------------------------------------------------

    def show_error(self, title: str, text: str) -> QMessageBox:
        """Log an error, show it in the status bar and in a message box that does not block."""
        logger.error("%s: %s", title, text)
        self._show_status(f"{title}: {text.splitlines()[0]}")

        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def show_missing_plugins(self, missing: list[MissingPlugin]) -> QMessageBox:
        """Say which ops and optimizers the project lacks, how to install them, and which
        stand-ins the session uses in their place."""
        self.stand_ins = list(missing)
        return self.show_error("Missing plugins", explain_stand_ins(missing))

    # -- plugins --------------------------------------------------------------------------

    def show_plugins_dialog(self) -> PluginsDialog:
        """Show the Plugins dialog, created on first use, and return it."""
        if self.plugins_dialog is None:
            self.plugins_dialog = PluginsDialog(self)
            self.plugins_dialog.plugins_rescanned.connect(self.plugins_changed)
        self.plugins_dialog.show()
        self.plugins_dialog.raise_()
        self.plugins_dialog.activateWindow()
        return self.plugins_dialog

    def _notice_installed_plugins(self) -> None:
        if not self.stand_ins or still_missing(self.stand_ins):
            return
        names = ", ".join(item.name for item in self.stand_ins)
        self.stand_ins = []
        self._show_status(f"{names} installed: open the project file again to use them in place of the stand-ins.")

    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_MESSAGE_MS)

    # -- closing --------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        """Ask about unsaved changes, then stop the run and the training thread and close."""
        if not self._close_confirmed and self.ask_to_save and self.isWindowModified():
            event.ignore()
            self.files.confirm_discard(self._close_after_confirmation, "closing")
            return

        self.settings.save_layout(self)
        self.settings.sync()
        self.frame_timer.stop()
        self.controller.shutdown()
        if self.plugins_dialog is not None:
            self.plugins_dialog.shutdown()
        if self.autosave is not None:
            self.autosave.close()
        self.log_panel.detach()
        super().closeEvent(event)

    def _close_after_confirmation(self) -> None:
        self._close_confirmed = True
        self.close()
