"""The tapes table: which tape watches which variable, and each tape's optimizer settings.

Rows are the project's tapes and columns its variables (check boxes), then the optimizer and
one column per hyperparameter of the optimizers in use, as the optimizer registry lists them.
Every edit goes to the window as an edited copy of the project, which the window applies as
one undoable edit. Ticking a variable or choosing another optimizer is a structural edit that
the window applies with ``session.rebuild``, so it is possible only while no run is in
progress. Hyperparameters are live: the window applies an edit of one at any time, also
during a run.
"""

from __future__ import annotations

import copy
import logging
import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDoubleValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tapestudio import optimizers
from tapestudio.studio import OptimizerSpec, Project, Session, TapeSpec

logger = logging.getLogger(__name__)

OPTIMIZER_HEADER = "optimizer"
SHARED_VARIABLE_BRUSH = QBrush(QColor(255, 228, 181))
DEFAULT_VALUE_BRUSH = QBrush(QColor(128, 128, 128))
# Role under which a cell offers a fixed list of choices to its editor (the optimizer names).
CHOICES_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex


def _hyperparameter_names(project: Project) -> list[str]:
    """Return the hyperparameters of the tapes' optimizers, learning_rate first, then in order."""
    names: list[str] = []
    for tape in project.tapes:
        for name in optimizers.hyperparameters(tape.optimizer.name):
            if name not in names:
                names.append(name)

    if "learning_rate" in names:
        names.remove("learning_rate")
        names.insert(0, "learning_rate")
    return names


class TapeTableModel(QAbstractTableModel):
    """Table model over ``session.project.tapes``; reads the session on every ``data`` call.

    Signals: ``structure_edited(Project)`` carries an edited copy of the project, for any edit,
    to the window's ``apply_project_edit``; ``edit_rejected(message)`` reports an edit that
    the model rejected itself.
    """

    structure_edited = Signal(object)
    edit_rejected = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._running = False
        # The shape the views know about, read at the last model reset.
        self._tape_count = 0
        self._variables: list[str] = []
        self._hyperparameters: list[str] = []
        self._read_columns()

    # -- reading the session ------------------------------------------------------------

    def set_session(self, session: Session) -> None:
        self.beginResetModel()
        self._session = session
        self._read_columns()
        self.endResetModel()

    def refresh(self) -> None:
        """Show the session's current project, after a rebuild or an outside edit."""
        project = self._session.project
        same_shape = (
            list(self._session.variable_names) == self._variables
            and _hyperparameter_names(project) == self._hyperparameters
            and len(project.tapes) == self._tape_count
        )
        if not same_shape:
            self.set_session(self._session)
            return

        self._emit_all_changed()

    def set_running(self, running: bool) -> None:
        """Make the variable check boxes read-only during a run (they need a rebuild)."""
        self._running = running
        self._emit_all_changed()

    def _read_columns(self) -> None:
        self._tape_count = len(self._session.project.tapes)
        self._variables = list(self._session.variable_names)
        self._hyperparameters = _hyperparameter_names(self._session.project)

    def _emit_all_changed(self) -> None:
        if self.rowCount() and self.columnCount():
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)
        if self.columnCount():
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self.rowCount():
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, self.rowCount() - 1)

    # -- column layout ------------------------------------------------------------------

    def variable_column(self, variable: str) -> int:
        return self._variables.index(variable)

    def hyperparameter_column(self, name: str) -> int:
        return len(self._variables) + 1 + self._hyperparameters.index(name)

    def optimizer_column(self) -> int:
        return len(self._variables)

    def _column_kind(self, column: int) -> tuple[str, str]:
        """Return ("variable", path), ("optimizer", "") or ("hyperparameter", name)."""
        if column < len(self._variables):
            return "variable", self._variables[column]
        if column == self.optimizer_column():
            return "optimizer", ""
        return "hyperparameter", self._hyperparameters[column - len(self._variables) - 1]

    def _tape(self, row: int) -> TapeSpec:
        return self._session.project.tapes[row]

    def _watching_tapes(self, variable: str) -> list[str]:
        return self._session.project.watchers(variable)

    def _hyperparameter_value(self, tape: TapeSpec, name: str) -> tuple[Any, bool]:
        """Return (value, is_default): the project's value, or else the optimizer's default."""
        if name in tape.optimizer.hyperparameters:
            return tape.optimizer.hyperparameters[name], False
        defaults = optimizers.hyperparameters(tape.optimizer.name)
        return defaults.get(name), True

    # -- QAbstractTableModel ------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        if parent.isValid():
            return 0
        return self._tape_count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        if parent.isValid():
            return 0
        return len(self._variables) + 1 + len(self._hyperparameters)

    def headerData(  # noqa: N802 - Qt name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return self._tape_header(section, role)

        if not 0 <= section < self.columnCount():
            return None
        kind, name = self._column_kind(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return OPTIMIZER_HEADER if kind == "optimizer" else name
        if role == Qt.ItemDataRole.ToolTipRole and kind == "variable":
            return self._variable_tooltip(name)
        if role == Qt.ItemDataRole.ToolTipRole and kind == "hyperparameter":
            return f"{name}: editable at any time, also during a run"
        if role == Qt.ItemDataRole.ToolTipRole and kind == "optimizer":
            return "The optimizer that applies the tape's gradients; change it while paused"
        return None

    def _tape_header(self, row: int, role: int) -> Any:
        if not 0 <= row < self.rowCount():
            return None
        tape = self._tape(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return tape.name
        if role == Qt.ItemDataRole.ToolTipRole:
            details = ["persistent" if tape.persistent else "not persistent"]
            if tape.parent:
                details.append(f"nested in {tape.parent}")
            return f"{tape.name}: " + ", ".join(details)
        return None

    def _variable_tooltip(self, variable: str) -> str:
        watchers = self._watching_tapes(variable)
        if not watchers:
            return f"{variable}: no tape watches it, so it stays frozen"
        if len(watchers) > 1:
            return f"{variable}: updated by each of {', '.join(watchers)}"
        return f"{variable}: updated by {watchers[0]}"

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags

        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        kind, name = self._column_kind(index.column())
        if kind == "variable" and not self._running:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if kind == "optimizer" and not self._running:
            flags |= Qt.ItemFlag.ItemIsEditable
        if kind == "hyperparameter":
            value, _ = self._hyperparameter_value(self._tape(index.row()), name)
            if isinstance(value, bool):
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            elif value is not None:
                flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None

        tape = self._tape(index.row())
        kind, name = self._column_kind(index.column())
        if kind == "variable":
            return self._variable_data(tape, name, role)
        if kind == "optimizer":
            return self._optimizer_data(tape, role)
        return self._hyperparameter_data(tape, name, role)

    def _optimizer_data(self, tape: TapeSpec, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return tape.optimizer.name
        if role == CHOICES_ROLE:
            return optimizers.names()
        return None

    def _variable_data(self, tape: TapeSpec, variable: str, role: int) -> Any:
        watched = variable in tape.variables
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if watched else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._variable_tooltip(variable)
        if role == Qt.ItemDataRole.BackgroundRole and watched:
            if len(self._watching_tapes(variable)) > 1:
                return SHARED_VARIABLE_BRUSH
        return None

    def _hyperparameter_data(self, tape: TapeSpec, name: str, role: int) -> Any:
        value, is_default = self._hyperparameter_value(tape, name)
        if value is None:
            return None

        if isinstance(value, bool):
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
        elif role == Qt.ItemDataRole.DisplayRole:
            return f"{value:g}"
        elif role == Qt.ItemDataRole.EditRole:
            return float(value)
        elif role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        if role == Qt.ItemDataRole.ForegroundRole and is_default:
            return DEFAULT_VALUE_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole and is_default:
            return f"{name} = {value} (the {tape.optimizer.name} default)"
        return None

    def setData(  # noqa: N802 - Qt name
        self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if not index.isValid():
            return False

        kind, name = self._column_kind(index.column())
        if kind == "variable" and role == Qt.ItemDataRole.CheckStateRole:
            return self._set_watched(index.row(), name, Qt.CheckState(value) == Qt.CheckState.Checked)
        if kind == "optimizer" and role == Qt.ItemDataRole.EditRole:
            return self._set_optimizer(index.row(), str(value))
        if kind == "hyperparameter" and role == Qt.ItemDataRole.CheckStateRole:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            return self._set_hyperparameter(index, name, checked)
        if kind == "hyperparameter" and role == Qt.ItemDataRole.EditRole:
            return self._set_hyperparameter(index, name, value)
        return False

    # -- edits ----------------------------------------------------------------------------

    def _set_watched(self, row: int, variable: str, watched: bool) -> bool:
        if self._running:
            self.edit_rejected.emit("Pause the run to change which variables a tape watches.")
            return False

        project = copy.deepcopy(self._session.project)
        tape = project.tapes[row]
        chosen = set(tape.variables)
        if watched:
            chosen.add(variable)
        else:
            chosen.discard(variable)
        tape.variables = [path for path in self._variables if path in chosen]

        self.structure_edited.emit(project)
        return True

    def _set_optimizer(self, row: int, name: str) -> bool:
        if self._running:
            self.edit_rejected.emit("Pause the run to change a tape's optimizer.")
            return False
        if name not in optimizers.names():
            known = ", ".join(optimizers.names())
            self.edit_rejected.emit(f"Unknown optimizer {name!r}; choose one of: {known}.")
            return False

        project = copy.deepcopy(self._session.project)
        tape = project.tapes[row]
        if name == tape.optimizer.name:
            return False

        # Values the new optimizer also takes (such as learning_rate) carry over.
        accepted = optimizers.hyperparameters(name)
        carried = {key: value for key, value in tape.optimizer.hyperparameters.items() if key in accepted}
        tape.optimizer = OptimizerSpec(name=name, hyperparameters=carried)

        self.structure_edited.emit(project)
        return True

    def _set_hyperparameter(self, index: AnyIndex, name: str, value: Any) -> bool:
        tape = self._tape(index.row())
        if isinstance(value, bool):
            number: float | bool = value
        else:
            try:
                number = float(value)
            except (TypeError, ValueError):
                self.edit_rejected.emit(f"Invalid {name} {value!r} for tape {tape.name}: enter a number.")
                return False
            if not math.isfinite(number):
                self.edit_rejected.emit(f"Invalid {name} {number} for tape {tape.name}: enter a finite number.")
                return False

        project = copy.deepcopy(self._session.project)
        project.tape(tape.name).optimizer.hyperparameters[name] = number
        logger.debug("Requested %s = %s for tape %s", name, number, tape.name)
        self.structure_edited.emit(project)
        self.dataChanged.emit(index, index)
        return True

    def add_tape(self) -> None:
        """Emit a project copy with one more tape (SGD, default hyperparameters, no variables)."""
        project = copy.deepcopy(self._session.project)
        used_names = {tape.name for tape in project.tapes}
        number = len(project.tapes) + 1
        while f"tape{number}" in used_names:
            number += 1

        project.tapes.append(TapeSpec(name=f"tape{number}", variables=[], optimizer=OptimizerSpec()))
        self.structure_edited.emit(project)

    def remove_tapes(self, rows: list[int]) -> None:
        """Emit a project copy without the tapes in ``rows``."""
        project = copy.deepcopy(self._session.project)
        removed = set(rows)
        project.tapes = [tape for row, tape in enumerate(project.tapes) if row not in removed]
        self.structure_edited.emit(project)


class TapeCellDelegate(QStyledItemDelegate):
    """Edits a cell with choices (the optimizer) in a combo box and a number as text.

    Numbers are typed as text, so that values like 1e-4 keep all their digits.
    """

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt name
        choices = index.data(CHOICES_ROLE)
        if choices:
            combo = QComboBox(parent)
            combo.addItems(list(choices))
            return combo

        editor = QLineEdit(parent)
        validator = QDoubleValidator(editor)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        editor.setValidator(validator)
        return editor

    def setEditorData(self, editor, index):  # noqa: N802 - Qt name
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(value))
        else:
            editor.setText("" if value is None else f"{value:g}")

    def setModelData(self, editor, model, index):  # noqa: N802 - Qt name
        text = editor.currentText() if isinstance(editor, QComboBox) else editor.text()
        model.setData(index, text, Qt.ItemDataRole.EditRole)


class TapesPanel(QWidget):
    """The tapes table with buttons to add and remove tapes."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TapeTableModel(session, self)

        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setItemDelegate(TapeCellDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        self.add_button = QPushButton("Add tape", self)
        self.add_button.clicked.connect(self.model.add_tape)
        self.remove_button = QPushButton("Remove tape", self)
        self.remove_button.setToolTip("Remove the selected tapes")
        self.remove_button.clicked.connect(self._remove_selected)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view)
        layout.addLayout(buttons)

    def set_running(self, running: bool) -> None:
        self.model.set_running(running)
        self.add_button.setEnabled(not running)
        self.remove_button.setEnabled(not running)

    def _remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        if rows:
            self.model.remove_tapes(rows)
