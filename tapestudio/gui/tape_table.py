"""The tapes table model: one row per tape, its name, variables, nesting and optimizer.

Columns, left to right: the tape name, one check box per variable of the model, ``persistent``,
``nested in`` (the parent tape), ``penalty weight``, ``optimizer`` and ``learning_rate``. The
other hyperparameters are edited in the optimizer form next to the table.

Every edit leaves the session alone: the model builds an edited copy of the project and emits
it with ``structure_edited`` for the window's ``apply_project_edit``. The window applies live
settings (persistent, penalty weight, optimizer and hyperparameters) at once, also during a
run, and rebuilds the session for the others (name, variables, parent), which waits for a
pause. While a run is in progress the model therefore makes only the live columns editable.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import QWidget

from tapestudio import optimizers
from tapestudio.studio import OptimizerSpec, Project, Session, TapeSpec
from tapestudio.studio.nesting import ancestors
from tapestudio.studio.project import check_penalty_weight, check_tape_name

logger = logging.getLogger(__name__)

NAME_HEADER = "tape"
PERSISTENT_HEADER = "persistent"
PARENT_HEADER = "nested in"
PENALTY_HEADER = "penalty weight"
OPTIMIZER_HEADER = "optimizer"
# Hyperparameters with a column of their own; the form next to the table edits all of them.
TABLE_HYPERPARAMETERS = ("learning_rate",)
# The parent choice that means "not nested".
NO_PARENT = "(none)"

SHARED_COLOR = QColor(255, 214, 153)
FROZEN_COLOR = QColor(214, 228, 245)
SHARED_VARIABLE_BRUSH = QBrush(SHARED_COLOR)
FROZEN_VARIABLE_BRUSH = QBrush(FROZEN_COLOR)
DEFAULT_VALUE_BRUSH = QBrush(QColor(128, 128, 128))
# Role under which a cell offers a fixed list of choices to its editor (optimizers, parents).
CHOICES_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex


def color_icon(color: QColor, size: int = 12) -> QIcon:
    """Return a square icon filled with ``color``, as used in headers and the legend."""
    pixmap = QPixmap(size, size)
    pixmap.fill(color)
    return QIcon(pixmap)


def descendants(project: Project, name: str) -> list[str]:
    """Return the names of the tapes nested in tape ``name``, at any depth."""
    return [tape.name for tape in project.tapes if name in ancestors(project.tapes, tape.name)]


def parent_choices(project: Project, name: str) -> list[str]:
    """Return the tapes that tape ``name`` can be nested in, after ``NO_PARENT``.

    A tape cannot be nested in itself or in a tape nested in it, which would make a loop.
    """
    excluded = {name, *descendants(project, name)}
    return [NO_PARENT] + [tape.name for tape in project.tapes if tape.name not in excluded]


def _table_hyperparameters(project: Project) -> list[str]:
    """Return the hyperparameters of ``TABLE_HYPERPARAMETERS`` that some tape's optimizer takes."""
    names = []
    for name in TABLE_HYPERPARAMETERS:
        if any(name in _declarations(tape.optimizer.name) for tape in project.tapes):
            names.append(name)
    return names


def _declarations(optimizer_name: str) -> dict:
    """Return an optimizer's hyperparameter declarations, or none for an unknown optimizer.

    A project can name an optimizer whose plugin was removed since it was loaded.
    """
    try:
        return optimizers.hyperparameter_declarations(optimizer_name)
    except ValueError:
        return {}


class TapeTableModel(QAbstractTableModel):
    """Table model over ``session.project.tapes``; reads the session on every ``data`` call.

    Signals: ``structure_edited(Project)`` carries an edited copy of the project, for any edit,
    to the window's ``apply_project_edit``. ``edit_rejected(message)`` reports an edit that the
    model rejected itself. ``refreshed()`` follows every change of what the model shows.
    """

    structure_edited = Signal(object)
    edit_rejected = Signal(str)
    refreshed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._running = False
        # The shape the views know about, read at the last model reset.
        self._tape_count = 0
        self._columns: list[tuple[str, str]] = []
        self._read_columns()

    # -- reading the session ------------------------------------------------------------

    @property
    def session(self) -> Session:
        """The session whose project the table shows."""
        return self._session

    @property
    def running(self) -> bool:
        """Whether a run is in progress, which leaves only the live settings editable."""
        return self._running

    def set_session(self, session: Session) -> None:
        self.beginResetModel()
        self._session = session
        self._read_columns()
        self.endResetModel()
        self.refreshed.emit()

    def refresh(self) -> None:
        """Show the session's current project, after a rebuild or a live edit."""
        project = self._session.project
        same_shape = len(project.tapes) == self._tape_count and self._column_layout(project) == self._columns
        if not same_shape:
            self.set_session(self._session)
            return

        self._emit_all_changed()
        self.refreshed.emit()

    def set_running(self, running: bool) -> None:
        """Make the structural columns read-only during a run (they need a rebuild)."""
        self._running = running
        self._emit_all_changed()

    def _read_columns(self) -> None:
        project = self._session.project
        self._tape_count = len(project.tapes)
        self._columns = self._column_layout(project)

    def _column_layout(self, project: Project) -> list[tuple[str, str]]:
        columns = [("name", "")]
        columns += [("variable", path) for path in self._session.variable_names]
        columns += [("persistent", ""), ("parent", ""), ("penalty_weight", ""), ("optimizer", "")]
        columns += [("hyperparameter", name) for name in _table_hyperparameters(project)]
        return columns

    def _emit_all_changed(self) -> None:
        if self.rowCount() and self.columnCount():
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)
        if self.columnCount():
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self.rowCount():
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, self.rowCount() - 1)

    # -- column layout ------------------------------------------------------------------

    def _column(self, kind: str, name: str = "") -> int:
        return self._columns.index((kind, name))

    def name_column(self) -> int:
        return self._column("name")

    def variable_column(self, variable: str) -> int:
        return self._column("variable", variable)

    def persistent_column(self) -> int:
        return self._column("persistent")

    def parent_column(self) -> int:
        return self._column("parent")

    def penalty_column(self) -> int:
        return self._column("penalty_weight")

    def optimizer_column(self) -> int:
        return self._column("optimizer")

    def hyperparameter_column(self, name: str) -> int:
        return self._column("hyperparameter", name)

    def tape(self, row: int) -> TapeSpec:
        """Return the tape shown in ``row``."""
        return self._session.project.tapes[row]

    def row_of(self, tape_name: str) -> int:
        """Return the row of the tape called ``tape_name``; raises KeyError when there is none."""
        for row, tape in enumerate(self._session.project.tapes):
            if tape.name == tape_name:
                return row
        raise KeyError(f"no tape {tape_name!r} in the table")

    def _hyperparameter_value(self, tape: TapeSpec, name: str) -> tuple[Any, bool]:
        """Return (value, is_default): the project's value, or else the optimizer's default."""
        if name in tape.optimizer.hyperparameters:
            return tape.optimizer.hyperparameters[name], False
        declaration = _declarations(tape.optimizer.name).get(name)
        return (declaration.default if declaration is not None else None), True

    # -- QAbstractTableModel ------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        if parent.isValid():
            return 0
        return self._tape_count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        if parent.isValid():
            return 0
        return len(self._columns)

    def headerData(  # noqa: N802 - Qt name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return self._tape_header(section, role)
        if not 0 <= section < self.columnCount():
            return None

        kind, name = self._columns[section]
        if kind == "variable":
            return self._variable_header(name, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS.get(kind, name)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TOOLTIPS.get(kind, f"{name}: editable at any time, also during a run")
        return None

    def _tape_header(self, row: int, role: int) -> Any:
        if not 0 <= row < self.rowCount():
            return None
        tape = self.tape(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return tape.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tape_tooltip(tape)
        return None

    def _tape_tooltip(self, tape: TapeSpec) -> str:
        details = ["persistent" if tape.persistent else "not persistent"]
        if tape.parent:
            details.append(f"nested in {tape.parent} with penalty weight {tape.penalty_weight:g}")
        children = [other.name for other in self._session.project.tapes if other.parent == tape.name]
        if children:
            details.append(f"contains {', '.join(children)}")
        return f"{tape.name}: " + ", ".join(details)

    def _variable_header(self, variable: str, role: int) -> Any:
        watchers = self._session.project.watchers(variable)
        if role == Qt.ItemDataRole.DisplayRole:
            return variable
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._variable_tooltip(variable)
        if role == Qt.ItemDataRole.DecorationRole and not watchers:
            return color_icon(FROZEN_COLOR)
        if role == Qt.ItemDataRole.DecorationRole and len(watchers) > 1:
            return color_icon(SHARED_COLOR)
        if role == Qt.ItemDataRole.FontRole and not watchers:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def _variable_tooltip(self, variable: str) -> str:
        watchers = self._session.project.watchers(variable)
        if not watchers:
            return f"{variable}: frozen, because no tape watches it; tick a box to train it"
        if len(watchers) > 1:
            return f"{variable}: shared, updated by each of {', '.join(watchers)} in every step"
        return f"{variable}: updated by {watchers[0]}"

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags

        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        kind, name = self._columns[index.column()]
        tape = self.tape(index.row())
        structural = not self._running

        if kind in ("name", "parent") and structural:
            flags |= Qt.ItemFlag.ItemIsEditable
        elif kind == "variable" and structural:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        elif kind == "persistent":
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        elif kind == "penalty_weight" and tape.parent is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        elif kind == "optimizer":
            flags |= Qt.ItemFlag.ItemIsEditable
        elif kind == "hyperparameter":
            value, _ = self._hyperparameter_value(tape, name)
            if isinstance(value, bool):
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            elif value is not None:
                flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None

        tape = self.tape(index.row())
        kind, name = self._columns[index.column()]
        if kind == "variable":
            return self._variable_data(tape, name, role)
        if kind == "hyperparameter":
            return self._hyperparameter_data(tape, name, role)
        return _CELL_READERS[kind](self, tape, role)

    def _name_data(self, tape: TapeSpec, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return tape.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tape_tooltip(tape)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _variable_data(self, tape: TapeSpec, variable: str, role: int) -> Any:
        watched = variable in tape.variables
        watchers = self._session.project.watchers(variable)
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if watched else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._variable_tooltip(variable)
        if role == Qt.ItemDataRole.BackgroundRole and not watchers:
            return FROZEN_VARIABLE_BRUSH
        if role == Qt.ItemDataRole.BackgroundRole and watched and len(watchers) > 1:
            return SHARED_VARIABLE_BRUSH
        return None

    def _persistent_data(self, tape: TapeSpec, role: int) -> Any:
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if tape.persistent else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TOOLTIPS["persistent"]
        return None

    def _parent_data(self, tape: TapeSpec, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return tape.parent if tape.parent is not None else NO_PARENT
        if role == CHOICES_ROLE:
            return parent_choices(self._session.project, tape.name)
        if role == Qt.ItemDataRole.ForegroundRole and tape.parent is None:
            return DEFAULT_VALUE_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TOOLTIPS["parent"]
        return None

    def _penalty_data(self, tape: TapeSpec, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{tape.penalty_weight:g}"
        if role == Qt.ItemDataRole.EditRole:
            return tape.penalty_weight
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and tape.parent is None:
            return DEFAULT_VALUE_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole and tape.parent is None:
            return "Only a nested tape adds a gradient penalty; choose a parent first"
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{tape.parent} trains on objective + {tape.penalty_weight:g} * ||g||^2, with g "
                f"the gradient of {tape.name}; editable during a run"
            )
        return None

    def _optimizer_data(self, tape: TapeSpec, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return tape.optimizer.name
        if role == CHOICES_ROLE:
            return optimizers.names()
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TOOLTIPS["optimizer"]
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
        if role == Qt.ItemDataRole.ToolTipRole:
            declaration = _declarations(tape.optimizer.name)[name]
            suffix = f" (the {tape.optimizer.name} default)" if is_default else ""
            return f"{name} = {value}{suffix}: {declaration.description} Range {declaration.range_text()}."
        return None

    def setData(  # noqa: N802 - Qt name
        self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if not index.isValid():
            return False

        row = index.row()
        kind, name = self._columns[index.column()]
        if role == Qt.ItemDataRole.CheckStateRole:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            if kind == "variable":
                return self.set_watched(row, name, checked)
            if kind == "persistent":
                return self.set_persistent(row, checked)
            if kind == "hyperparameter":
                return self.set_hyperparameter(row, name, checked)
            return False

        if role != Qt.ItemDataRole.EditRole:
            return False
        if kind == "name":
            return self.rename_tape(row, value)
        if kind == "parent":
            return self.set_parent(row, None if value in (None, "", NO_PARENT) else str(value))
        if kind == "penalty_weight":
            return self.set_penalty_weight(row, value)
        if kind == "optimizer":
            return self.set_optimizer(row, str(value))
        if kind == "hyperparameter":
            return self.set_hyperparameter(row, name, value)
        return False

    # -- edits ----------------------------------------------------------------------------
    # Each edit checks its value, then emits an edited copy of the project. They return
    # whether the edit was emitted; a rejected edit is reported through edit_rejected.

    def _emit_edit(self, change: Callable[[Project], None]) -> bool:
        project = copy.deepcopy(self._session.project)
        change(project)
        self.structure_edited.emit(project)
        return True

    def reject_edit(self, message: str) -> bool:
        """Report an edit that was not made, through ``edit_rejected``; returns False."""
        logger.info("Tape edit rejected: %s", message)
        self.edit_rejected.emit(message)
        return False

    def _reject_during_run(self, setting: str) -> bool:
        if self._running:
            self.reject_edit(f"Pause the run to change {setting}.")
        return self._running

    def set_watched(self, row: int, variable: str, watched: bool) -> bool:
        """Make the tape in ``row`` watch ``variable`` or not (a rebuild, so not during a run)."""
        if self._reject_during_run("which variables a tape watches"):
            return False

        order = self._session.variable_names

        def change(project: Project) -> None:
            tape = project.tapes[row]
            chosen = set(tape.variables)
            if watched:
                chosen.add(variable)
            else:
                chosen.discard(variable)
            tape.variables = [path for path in order if path in chosen]

        return self._emit_edit(change)

    def rename_tape(self, row: int, name: Any) -> bool:
        """Rename the tape in ``row``; the tapes nested in it follow (a rebuild)."""
        if self._reject_during_run("a tape's name"):
            return False

        old_name = self.tape(row).name
        others = [tape.name for index, tape in enumerate(self._session.project.tapes) if index != row]
        try:
            new_name = check_tape_name(str(name).strip() if isinstance(name, str) else name, others)
        except (TypeError, ValueError) as error:
            return self.reject_edit(f"Cannot rename tape {old_name}: {error}.")
        if new_name == old_name:
            return False

        def change(project: Project) -> None:
            project.tapes[row].name = new_name
            for tape in project.tapes:
                if tape.parent == old_name:
                    tape.parent = new_name

        return self._emit_edit(change)

    def set_parent(self, row: int, parent: str | None) -> bool:
        """Nest the tape in ``row`` in tape ``parent``, or in none (a rebuild)."""
        if self._reject_during_run("how tapes are nested"):
            return False

        tape = self.tape(row)
        choices = parent_choices(self._session.project, tape.name)
        if parent is not None and parent not in choices:
            allowed = ", ".join(choices[1:]) or "no other tape"
            return self.reject_edit(f"Tape {tape.name} cannot be nested in {parent!r}; choose one of: {allowed}.")
        if parent == tape.parent:
            return False

        def change(project: Project) -> None:
            project.tapes[row].parent = parent

        return self._emit_edit(change)

    def set_persistent(self, row: int, persistent: bool) -> bool:
        """Make the tape in ``row`` persistent or not (live, also during a run)."""
        if bool(persistent) == self.tape(row).persistent:
            return False

        def change(project: Project) -> None:
            project.tapes[row].persistent = bool(persistent)

        return self._emit_edit(change)

    def set_penalty_weight(self, row: int, value: Any) -> bool:
        """Set the penalty weight of the nested tape in ``row`` (live, also during a run)."""
        tape = self.tape(row)
        if tape.parent is None:
            return self.reject_edit(f"Tape {tape.name} is not nested in another tape; choose a parent first.")

        try:
            weight = check_penalty_weight(_as_number(value), f"penalty weight of tape {tape.name}")
        except (TypeError, ValueError) as error:
            return self.reject_edit(f"Invalid value {value!r}: {error}.")
        if weight == tape.penalty_weight:
            return False

        def change(project: Project) -> None:
            project.tapes[row].penalty_weight = weight

        return self._emit_edit(change)

    def set_optimizer(self, row: int, name: str) -> bool:
        """Give the tape in ``row`` another optimizer (live, also during a run).

        Values the new optimizer also takes (such as learning_rate) carry over.
        """
        tape = self.tape(row)
        if name not in optimizers.names():
            known = ", ".join(optimizers.names())
            return self.reject_edit(f"Unknown optimizer {name!r}; choose one of: {known}.")
        if name == tape.optimizer.name:
            return False

        accepted = _declarations(name)
        carried = {key: value for key, value in tape.optimizer.hyperparameters.items() if key in accepted}

        def change(project: Project) -> None:
            project.tapes[row].optimizer = OptimizerSpec(name=name, hyperparameters=carried)

        return self._emit_edit(change)

    def set_hyperparameter(self, row: int, name: str, value: Any) -> bool:
        """Set one hyperparameter of the optimizer of the tape in ``row`` (live).

        The value is checked against the optimizer's declaration (type and range) first.
        """
        tape = self.tape(row)
        declaration = _declarations(tape.optimizer.name).get(name)
        if declaration is None:
            return self.reject_edit(f"{tape.optimizer.name} has no hyperparameter {name!r}.")

        try:
            checked = declaration.check(name, _as_number(value) if declaration.kind is not bool else value)
        except (TypeError, ValueError) as error:
            return self.reject_edit(f"Tape {tape.name} rejected {name} = {value!r}: {error}")
        if tape.optimizer.hyperparameters.get(name) == checked and name in tape.optimizer.hyperparameters:
            return False

        def change(project: Project) -> None:
            # Projects store numbers as floats and flags as bools.
            stored = checked if isinstance(checked, bool) else float(checked)
            project.tapes[row].optimizer.hyperparameters[name] = stored

        logger.debug("Requested %s = %s for tape %s", name, checked, tape.name)
        return self._emit_edit(change)

    def add_tape(self) -> None:
        """Emit a project copy with one more tape (SGD, default hyperparameters, no variables)."""
        used_names = {tape.name for tape in self._session.project.tapes}
        number = len(used_names) + 1
        while f"tape{number}" in used_names:
            number += 1

        def change(project: Project) -> None:
            project.tapes.append(TapeSpec(name=f"tape{number}", variables=[], optimizer=OptimizerSpec()))

        self._emit_edit(change)

    def remove_tapes(self, rows: list[int]) -> None:
        """Emit a project copy without the tapes in ``rows``.

        A tape nested in a removed tape moves up to the nearest ancestor that stays.
        """
        removed = {self.tape(row).name for row in rows}

        def change(project: Project) -> None:
            for tape in project.tapes:
                chain = [tape.parent, *ancestors(project.tapes, tape.parent)] if tape.parent else []
                tape.parent = next((name for name in chain if name not in removed), None)
            project.tapes = [tape for tape in project.tapes if tape.name not in removed]

        self._emit_edit(change)


def _as_number(value: Any) -> Any:
    """Return text typed into a cell as a float; other values unchanged (checked later)."""
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value
    return value


_HEADERS = {
    "name": NAME_HEADER,
    "persistent": PERSISTENT_HEADER,
    "parent": PARENT_HEADER,
    "penalty_weight": PENALTY_HEADER,
    "optimizer": OPTIMIZER_HEADER,
}

_HEADER_TOOLTIPS = {
    "name": "The tape's name; double-click to rename it (while paused)",
    "persistent": (
        "A persistent tape keeps what it recorded after its gradient, so the latest step's "
        "tape can compute further gradients; editable during a run"
    ),
    "parent": (
        "The tape this one is opened inside. Its gradient is then taken inside the parent's "
        "context, and the parent trains on objective + penalty weight * ||gradient||^2 "
        "(change while paused)"
    ),
    "penalty_weight": (
        "Weight of this tape's squared gradient norm in its parent's objective; "
        "0 adds nothing; editable during a run"
    ),
    "optimizer": "The optimizer that applies the tape's gradients; editable during a run",
}

_CELL_READERS = {
    "name": TapeTableModel._name_data,
    "persistent": TapeTableModel._persistent_data,
    "parent": TapeTableModel._parent_data,
    "penalty_weight": TapeTableModel._penalty_data,
    "optimizer": TapeTableModel._optimizer_data,
}
