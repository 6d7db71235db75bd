"""The Plugins dialog: the installed plugins with their statuses, installing and checking them.

The table lists every entry point of the ``tapestudio.ops`` and ``tapestudio.optimizers``
groups, as ``tapestudio plugins list`` does; the details pane shows the selected entry's error
and traceback. Installing runs pip in a ``QProcess`` with the command that
``tapestudio plugins install`` runs, shows its output as it comes, and rescans when pip ends.
After every rescan the dialog emits ``plugins_rescanned``, which the main window passes on as
``MainWindow.plugins_changed`` so that the panels refresh their choices of ops and optimizers.
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QProcess, QProcessEnvironment, Qt, Signal, Slot
from PySide6.QtGui import QAction, QBrush, QColor, QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tapestudio import optimizers, plugins
from tapestudio.plugins import installing

logger = logging.getLogger(__name__)

COLUMNS = ("Name", "Kind", "Distribution", "Version", "Status", "Error")
STATUS_COLUMN = COLUMNS.index("Status")

WHEEL_FILTER = "Wheels and source archives (*.whl *.tar.gz *.zip);;All files (*)"

# Status text colours: failures in red, a duplicate name (which still leaves one working) in amber.
_FAILED_COLOUR = QColor(180, 30, 30)
_DUPLICATE_COLOUR = QColor(170, 110, 0)

# Kept to the last lines of pip's output, so that a long install cannot fill the memory.
MAX_OUTPUT_LINES = 5000


class PluginsDialog(QDialog):
    """The installed plugins, an installer that runs pip, and a gradient check for ops.

    Signals:
        plugins_rescanned(): after every rescan, the one that follows an install included.
        install_finished(bool): when pip has ended; True when it succeeded.
    """

    plugins_rescanned = Signal()
    install_finished = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Plugins")
        self.setObjectName("plugins-dialog")
        self.resize(1000, 680)

        self._statuses: list[plugins.PluginStatus] = []
        self._process: QProcess | None = None
        self._work_folder: tempfile.TemporaryDirectory | None = None
        self._entries_before: set = set()
        self._cancelled = False
        self._own_session = False
        self._last_folder = str(Path.home())

        self._create_widgets()
        self._show_install_state()
        self.refresh()

    # -- layout -----------------------------------------------------------------------------

    def _create_widgets(self) -> None:
        self.show_builtins = QCheckBox("Show built-ins", self)
        self.show_builtins.toggled.connect(self.refresh)
        self.rescan_button = QPushButton("&Rescan", self)
        self.rescan_button.setToolTip("Discover the installed plugins again")
        self.rescan_button.clicked.connect(self.rescan)
        self.check_button = QPushButton("&Check Gradients", self)
        self.check_button.setToolTip("Check the selected op's VJPs against finite differences")
        self.check_button.clicked.connect(self.check_selected)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.itemSelectionChanged.connect(self._show_selection)

        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setPlaceholderText("Select a plugin to see its description, error and traceback.")

        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.show_builtins)
        list_buttons.addStretch(1)
        list_buttons.addWidget(self.check_button)
        list_buttons.addWidget(self.rescan_button)

        upper = QWidget(self)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(list_buttons)
        upper_layout.addWidget(self.table, 3)
        upper_layout.addWidget(self.details, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(upper)
        splitter.addWidget(self._create_install_box())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _create_install_box(self) -> QGroupBox:
        box = QGroupBox("Install", self)

        self.folder_button = QPushButton("From &Folder...", box)
        self.folder_button.setToolTip("Install the plugin distribution in a folder with a pyproject.toml")
        self.folder_button.clicked.connect(self.choose_folder)
        self.wheel_button = QPushButton("From &Wheel...", box)
        self.wheel_button.setToolTip("Install a wheel (.whl) or a source archive")
        self.wheel_button.clicked.connect(self.choose_wheel)
        self.requirement = QLineEdit(box)
        self.requirement.setPlaceholderText("Requirement, such as tapestudio-activations or name==1.0")
        self.requirement.returnPressed.connect(self.install_requirement)
        self.requirement_button = QPushButton("&Install", box)
        self.requirement_button.clicked.connect(self.install_requirement)
        self.cancel_button = QPushButton("Ca&ncel", box)
        self.cancel_button.setToolTip("Stop pip; it may leave part of the plugin installed")
        self.cancel_button.clicked.connect(self.cancel_install)

        self.pip_options = QLineEdit(box)
        self.pip_options.setPlaceholderText("Extra pip options, such as --no-deps or --index-url URL")
        self.output = QPlainTextEdit(box)
        self.output.setReadOnly(True)
        self.output.setMaximumBlockCount(MAX_OUTPUT_LINES)
        self.output.setPlaceholderText("pip's output appears here.")

        sources = QHBoxLayout()
        sources.addWidget(self.folder_button)
        sources.addWidget(self.wheel_button)
        sources.addWidget(self.requirement, 1)
        sources.addWidget(self.requirement_button)
        sources.addWidget(self.cancel_button)

        layout = QVBoxLayout(box)
        layout.addLayout(sources)
        layout.addWidget(self.pip_options)
        layout.addWidget(self.output, 1)
        return box

    # -- the table --------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Fill the table from the current registry (without discovering again)."""
        show_all = self.show_builtins.isChecked()
        self._statuses = [status for status in plugins.statuses() if show_all or not status.builtin]

        self.table.setRowCount(len(self._statuses))
        for row, status in enumerate(self._statuses):
            cells = (status.name, status.kind, status.distribution, status.version, status.status.value,
                     " ".join(status.error.split()))
            tooltip = _tooltip(status)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tooltip)
                self.table.setItem(row, column, item)
            colour = _status_colour(status)
            if colour is not None:
                self.table.item(row, STATUS_COLUMN).setForeground(QBrush(colour))

        self.table.resizeColumnsToContents()
        self._show_selection()

    def rows(self) -> list[dict[str, str]]:
        """Return the table's rows as dicts keyed by lowercase column name, as shown."""
        return [
            {name.lower(): self.table.item(row, column).text() for column, name in enumerate(COLUMNS)}
            for row in range(self.table.rowCount())
        ]

    def select(self, kind: str, name: str) -> bool:
        """Select the row of op or optimizer ``name``; return False when the table has none."""
        for row, status in enumerate(self._statuses):
            if status.kind == kind and status.name == name:
                self.table.selectRow(row)
                return True
        return False

    def selected_status(self) -> plugins.PluginStatus | None:
        """Return the status of the selected row, or None."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._statuses[rows[0].row()]

    @Slot()
    def _show_selection(self) -> None:
        status = self.selected_status()
        self.check_button.setEnabled(status is not None and status.kind == plugins.OP and status.loaded)
        self.details.setPlainText(_details(status) if status is not None else "")

    @Slot()
    def rescan(self) -> None:
        """Discover the installed plugins again, refresh the table and emit ``plugins_rescanned``."""
        plugins.rescan()
        self._after_rescan()

    def _after_rescan(self) -> None:
        self.refresh()
        logger.info("Rescanned the plugins: %d entry points", len(plugins.statuses()))
        self.plugins_rescanned.emit()

    # -- gradient check ---------------------------------------------------------------------

    @Slot()
    def check_selected(self) -> str:
        """Check the selected op's gradients; show and return the result as text."""
        status = self.selected_status()
        if status is None or status.kind != plugins.OP or not status.loaded:
            return ""
        return self.check_op(status.name)

    def check_op(self, name: str) -> str:
        """Run ``tapestudio.plugins.check_op`` on op ``name``; show and return the result."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            passed = plugins.check_op(name)
        except (AssertionError, ArithmeticError, RuntimeError, TypeError, ValueError) as error:
            # GradientCheckError is an AssertionError and PluginError a RuntimeError.
            result = f"op {name!r} failed its gradient check: {type(error).__name__}: {error}"
            logger.warning("%s", result)
        else:
            result = f"op {name!r} passed: " + "; ".join(passed) + "."
        finally:
            QGuiApplication.restoreOverrideCursor()

        self.message.setText(result)
        self.details.appendPlainText(f"\nGradient check: {result}")
        return result

    # -- installing -------------------------------------------------------------------------

    def is_installing(self) -> bool:
        """Return True while pip runs."""
        return self._process is not None

    @Slot()
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Install plugin from folder", self._last_folder)
        if folder:
            self._last_folder = folder
            self.install(folder)

    @Slot()
    def choose_wheel(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Install plugin wheel", self._last_folder, WHEEL_FILTER)
        if path:
            self._last_folder = str(Path(path).parent)
            self.install(path)

    @Slot()
    def install_requirement(self) -> None:
        self.install(self.requirement.text())

    def install(self, text: str) -> bool:
        """Start pip on a plugin folder, a wheel or a requirement; return False if it did not start.

        The options in the pip options field go to pip unchanged. A problem with the input is
        shown in the dialog, not raised.
        """
        if self.is_installing():
            self._show_message("pip is still running; wait for it or cancel it first.")
            return False

        try:
            target = installing.resolve_target(text)
            options = shlex.split(self.pip_options.text())
        except ValueError as error:
            self._show_message(f"Cannot install: {error}.")
            return False

        work_folder = tempfile.TemporaryDirectory(prefix="tapestudio-install-")
        try:
            constraints = installing.write_constraints(work_folder.name)
        except (RuntimeError, OSError) as error:
            work_folder.cleanup()
            self._show_message(f"Cannot install: {error}.")
            return False

        self._work_folder = work_folder
        self._entries_before = installing.installed_entry_keys()
        self._cancelled = False
        self._own_session = False
        self._start_process(installing.install_arguments(target, constraints, options))
        return True

    def _start_process(self, arguments: list[str]) -> None:
        process = QProcess(self)
        process.setProgram(sys.executable)
        process.setArguments(arguments)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)

        # Unbuffered, pip's output arrives line by line instead of in blocks at the end.
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert("PYTHONUNBUFFERED", "1")
        process.setProcessEnvironment(environment)
        self._own_session = _start_new_session(process)

        process.readyReadStandardOutput.connect(self._read_output)
        process.finished.connect(self._process_finished)
        process.errorOccurred.connect(self._process_error)

        self._process = process
        self.output.clear()
        self.output.appendPlainText(f"$ {shlex.join([sys.executable, *arguments])}\n")
        self._show_install_state()
        self._show_message("Installing...")
        logger.info("Running %s", shlex.join([sys.executable, *arguments]))
        process.start()

    @Slot()
    def cancel_install(self) -> None:
        """Stop pip and the processes it started (build back ends); ignored when pip is not running."""
        process = self._process
        if process is None:
            return

        self._cancelled = True
        self.output.appendPlainText("\nCancelling...")
        _kill(process, self._own_session)

    def shutdown(self) -> None:
        """Stop pip, if it runs, and wait for it; for closing the window."""
        process = self._process
        if process is None:
            return
        self.cancel_install()
        process.waitForFinished(5000)

    @Slot()
    def _read_output(self) -> None:
        process = self._process
        if process is None:
            return
        text = bytes(process.readAllStandardOutput().data()).decode("utf-8", errors="replace")
        if text:
            self.output.moveCursor(QTextCursor.MoveOperation.End)
            self.output.insertPlainText(text)
            self.output.ensureCursorVisible()

    @Slot(int, QProcess.ExitStatus)
    def _process_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        self._read_output()
        if self._cancelled:
            outcome, succeeded = "Installation cancelled; pip may have installed part of the plugin.", False
        elif exit_status != QProcess.ExitStatus.NormalExit:
            outcome, succeeded = "pip stopped unexpectedly (it crashed or was killed).", False
        elif exit_code != 0:
            outcome, succeeded = f"pip failed with exit status {exit_code}; its output is above.", False
        else:
            outcome, succeeded = "pip finished.", True
        self._end_install(outcome, succeeded)

    @Slot(QProcess.ProcessError)
    def _process_error(self, error: QProcess.ProcessError) -> None:
        # Only a failed start ends without finished(); the other errors are followed by it.
        if error == QProcess.ProcessError.FailedToStart and self._process is not None:
            self._end_install(f"pip could not start: {self._process.errorString()}.", False)

    def _end_install(self, outcome: str, succeeded: bool) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.deleteLater()
        if self._work_folder is not None:
            self._work_folder.cleanup()
            self._work_folder = None

        # Rescan after every ending, a cancelled one included: pip may have installed something.
        added = installing.statuses_added_since(self._entries_before)
        self.output.appendPlainText(f"\n{outcome}")
        self.output.appendPlainText(_describe_added(added))
        self._show_message(outcome)
        if succeeded:
            logger.info("Plugin install: %s", outcome)
        else:
            logger.warning("Plugin install: %s", outcome)

        self._show_install_state()
        self._after_rescan()
        self.install_finished.emit(succeeded)

    def _show_install_state(self) -> None:
        installing_now = self.is_installing()
        for widget in (self.folder_button, self.wheel_button, self.requirement_button, self.rescan_button):
            widget.setEnabled(not installing_now)
        self.cancel_button.setEnabled(installing_now)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)


# -- menu --------------------------------------------------------------------------------------


def add_plugins_menu(window: QMainWindow) -> QAction:
    """Add a Plugins menu to ``window`` (a ``MainWindow``); return its Manage Plugins action."""
    action = QAction("&Manage Plugins...", window)
    action.setStatusTip("List, install and check the plugins that add ops and optimizers")
    action.triggered.connect(lambda _checked=False: window.show_plugins_dialog())

    menu = window.menuBar().addMenu("&Plugins")
    menu.addAction(action)
    return action


# -- helpers -----------------------------------------------------------------------------------


def _tooltip(status: plugins.PluginStatus) -> str:
    if status.loaded:
        return f"{status.kind} {status.name} from {status.distribution} {status.version}: loaded"
    text = f"{status.status.value}: {status.error}"
    if status.traceback:
        text += "\n\n" + status.traceback.rstrip()
    return text


def _status_colour(status: plugins.PluginStatus) -> QColor | None:
    if status.loaded:
        return None
    if status.status is plugins.Status.DUPLICATE:
        return _DUPLICATE_COLOUR
    return _FAILED_COLOUR


def _details(status: plugins.PluginStatus) -> str:
    lines = [
        f"{status.kind} {status.name!r} from {status.distribution} {status.version}".rstrip(),
        f"Status: {status.status.value}",
        f"Entry point: {status.value}",
    ]
    description = _description(status)
    if description:
        lines.append(f"Description: {description}")
    if status.error:
        lines.append(f"Error: {status.error}")
    if status.traceback:
        lines += ["", status.traceback.rstrip()]
    return "\n".join(lines)


def _description(status: plugins.PluginStatus) -> str:
    if not status.loaded:
        return ""
    try:
        if status.kind == plugins.OP:
            return plugins.op(status.name).description
        return getattr(optimizers.get_class(status.name), "description", "")
    except ValueError:
        return ""


def _describe_added(added: list[plugins.PluginStatus]) -> str:
    if not added:
        return "No new ops or optimizers were found."
    lines = ["New plugin entry points:"]
    for status in added:
        line = f"  {status.kind} {status.name} from {status.distribution} {status.version}: {status.status.value}"
        if status.error:
            line += f" ({' '.join(status.error.split())})"
        lines.append(line)
    return "\n".join(lines)


def _start_new_session(process: QProcess) -> bool:
    """Make the process start in a session of its own, on POSIX with Qt 6.7 or later; return
    whether it will. Cancelling can then stop the build back ends that pip starts, too."""
    flag = getattr(getattr(QProcess, "UnixProcessFlag", None), "CreateNewSession", None)
    if os.name != "posix" or flag is None:
        return False

    parameters = QProcess.UnixProcessParameters()
    parameters.flags = flag
    process.setUnixProcessParameters(parameters)
    return True


def _kill(process: QProcess, own_session: bool) -> None:
    process_id = process.processId()
    if own_session and process_id > 0:
        try:
            # As the leader of its own session, pip leads a process group with its process id.
            os.killpg(process_id, signal.SIGKILL)
            return
        except ProcessLookupError:
            pass
    # NOTE: without a session of its own only pip is killed; a build back end it started
    # runs to its end.
    process.kill()
