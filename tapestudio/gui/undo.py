"""Undo and redo of project edits: every edit is a command that contains two whole projects.

A panel never applies an edit itself. It builds an edited copy of the session's project and
hands it to ``MainWindow.apply_project_edit``, which applies it and pushes a
``ProjectEditCommand`` holding the project before and after. Undo and redo apply those
projects through the same function, so an undone edit goes the same way as the edit did:
an edit that changes only live tape settings (hyperparameter values, the optimizer, the
penalty weight and persistence) is applied to the running session, and any other edit
rebuilds the session, which waits for a pause.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from tapestudio import optimizers
from tapestudio.studio import OptimizerSpec, Project, Session, TapeSpec
from tapestudio.studio.project import layer_name

logger = logging.getLogger(__name__)

# Edits kept for undo; older ones are dropped first.
UNDO_LIMIT = 500

# Tape settings the session changes live, before its next step, by the Session method that
# sets each one. Optimizer hyperparameter values are live as well (``set_hyperparameter``).
LIVE_TAPE_SETTERS = {
    "optimizer": "set_optimizer",
    "penalty_weight": "set_penalty_weight",
    "persistent": "set_persistent",
}
HYPERPARAMETER = "hyperparameter"


@dataclass(frozen=True)
class LiveChange:
    """One tape setting that a session can change during a run.

    ``field`` is ``"hyperparameter"`` (then ``name`` is the hyperparameter and ``value`` the
    number or flag, or None to go back to the optimizer's default) or a key of
    ``LIVE_TAPE_SETTERS`` (then ``value`` is an ``OptimizerSpec``, a float or a bool).
    """

    tape: str
    field: str
    value: Any
    name: str = ""


def live_changes(old: Project, new: Project) -> list[LiveChange] | None:
    """Return the live tape settings that differ between two projects.

    Returns None when anything else differs as well (the model, the data, the tapes or the
    variables they watch), because such an edit needs a rebuild. An empty list means the
    projects are equal.
    """
    if _without_live_settings(old) != _without_live_settings(new):
        return None

    changes: list[LiveChange] = []
    for before, after in zip(old.tapes, new.tapes, strict=True):
        if before.optimizer.name != after.optimizer.name:
            changes.append(LiveChange(after.name, "optimizer", copy.deepcopy(after.optimizer)))
        else:
            changes.extend(_hyperparameter_changes(after.name, before.optimizer, after.optimizer))

        for field in LIVE_TAPE_SETTERS:
            if field != "optimizer" and getattr(before, field) != getattr(after, field):
                changes.append(LiveChange(after.name, field, getattr(after, field)))
    return changes


def _without_live_settings(project: Project) -> Project:
    stripped = copy.deepcopy(project)
    for tape in stripped.tapes:
        tape.optimizer.hyperparameters = {}
        for field in LIVE_TAPE_SETTERS:
            setattr(tape, field, getattr(_DEFAULT_TAPE, field))
    return stripped


_DEFAULT_TAPE = TapeSpec(name="", variables=[], optimizer=OptimizerSpec())


def _hyperparameter_changes(tape: str, before: OptimizerSpec, after: OptimizerSpec) -> list[LiveChange]:
    changes = []
    old_values = before.hyperparameters
    new_values = after.hyperparameters
    for name in [*old_values, *(key for key in new_values if key not in old_values)]:
        if old_values.get(name) != new_values.get(name):
            changes.append(LiveChange(tape, HYPERPARAMETER, new_values.get(name), name))
    return changes


def apply_live_changes(session: Session, changes: list[LiveChange]) -> None:
    """Apply tape settings to the session live, taking effect before its next step.

    Raises KeyError for an unknown tape or hyperparameter and TypeError or ValueError for a
    value the session rejects. The changes before the failing one stay applied; the caller
    takes them back with ``live_changes(session.project, previous_project)``.
    """
    for change in changes:
        if change.field == HYPERPARAMETER:
            _set_hyperparameter(session, change.tape, change.name, change.value)
        elif change.field == "optimizer":
            session.set_optimizer(change.tape, change.value.name, dict(change.value.hyperparameters))
        else:
            getattr(session, LIVE_TAPE_SETTERS[change.field])(change.tape, change.value)


def _set_hyperparameter(session: Session, tape_name: str, name: str, value: float | bool | None) -> None:
    if value is not None:
        session.set_hyperparameter(tape_name, name, value)
        return

    optimizer = session.project.tape(tape_name).optimizer
    defaults = optimizers.hyperparameters(optimizer.name)
    if name not in defaults:
        raise KeyError(f"{optimizer.name} has no hyperparameter {name!r}; it takes: {', '.join(defaults)}")
    session.set_hyperparameter(tape_name, name, defaults[name])
    # The worker reads the optimizer objects, not this dict, so removing the key only changes
    # what a save writes: the project again leaves the value to the optimizer's default.
    optimizer.hyperparameters.pop(name, None)


def describe_edit(old: Project, new: Project) -> str:
    """Return a short imperative description of the edit from ``old`` to ``new``.

    Used as the undo and redo text (``Undo Add tape tape3``) when the caller gives none.
    """
    changes = live_changes(old, new)
    if changes:
        return _describe_live(changes)

    descriptions = [
        _describe_tape_list(old, new),
        _describe_model(old, new),
        _describe_scalar("objective", old.objective, new.objective),
        _describe_scalar("seed", old.seed, new.seed),
        "Change data" if old.data != new.data else "",
        _describe_tapes(old, new),
        "Rename project" if old.name != new.name else "",
    ]
    for description in descriptions:
        if description:
            return description
    return "Edit project"


def _describe_live(changes: list[LiveChange]) -> str:
    if len(changes) > 1:
        return f"Change settings of {', '.join(sorted({change.tape for change in changes}))}"

    [change] = changes
    if change.field == "optimizer":
        return f"Change optimizer of {change.tape} to {change.value.name}"
    if change.field == HYPERPARAMETER and change.value is None:
        return f"Reset {change.name} of {change.tape}"

    name = change.name or change.field.replace("_", " ")
    value_text = change.value if isinstance(change.value, bool) else f"{change.value:g}"
    return f"Set {name} of {change.tape} to {value_text}"


def _describe_tape_list(old: Project, new: Project) -> str:
    old_names = [tape.name for tape in old.tapes]
    new_names = [tape.name for tape in new.tapes]
    added = [name for name in new_names if name not in old_names]
    removed = [name for name in old_names if name not in new_names]

    if added and not removed:
        return f"Add tape {', '.join(added)}"
    if removed and not added:
        return f"Remove tape {', '.join(removed)}"
    if len(added) == 1 and len(removed) == 1:
        return f"Rename tape {removed[0]} to {added[0]}"
    return ""


def _describe_model(old: Project, new: Project) -> str:
    old_layers = old.model.layers
    new_layers = new.model.layers
    if len(new_layers) > len(old_layers):
        return "Add layer"
    if len(new_layers) < len(old_layers):
        return "Remove layer"

    for index, (before, after) in enumerate(zip(old_layers, new_layers, strict=True)):
        if before != after:
            return f"Edit layer {layer_name(index)}"
    return _describe_scalar("input size", old.model.input_size, new.model.input_size)


def _describe_scalar(name: str, before: object, after: object) -> str:
    return f"Change {name} to {after}" if before != after else ""


def _describe_tapes(old: Project, new: Project) -> str:
    for before, after in zip(old.tapes, new.tapes, strict=False):
        if before.optimizer.name != after.optimizer.name:
            return f"Change optimizer of {after.name} to {after.optimizer.name}"
        if before.variables != after.variables:
            return f"Change variables of {after.name}"
        if before != after:
            return f"Edit tape {after.name}"
    return ""


class ProjectEditCommand(QUndoCommand):
    """One applied edit: undo applies ``old`` and redo applies ``new`` through ``apply``.

    ``apply(project)`` returns False when it could not apply the project (a rebuild failed).
    The command then marks itself obsolete, and QUndoStack drops it.
    """

    def __init__(self, apply: Callable[[Project], bool], old: Project, new: Project, text: str) -> None:
        super().__init__(text)
        self._apply = apply
        self.old = copy.deepcopy(old)
        self.new = copy.deepcopy(new)
        # The edit was applied before the push, so the redo that push() calls does nothing.
        self._applied = True

    def is_live(self) -> bool:
        """Return True when undo and redo change only hyperparameters, which works during a run."""
        return live_changes(self.old, self.new) is not None

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._apply_or_drop(self.new, "redo")

    def undo(self) -> None:
        self._apply_or_drop(self.old, "undo")

    def _apply_or_drop(self, project: Project, verb: str) -> None:
        if not self._apply(copy.deepcopy(project)):
            logger.warning("Could not %s %r; the edit is removed from the undo history", verb, self.text())
            self.setObsolete(True)


class ProjectUndoStack(QUndoStack):
    """The undo stack of one window's project; clean means the project matches its file."""

    def __init__(self, apply: Callable[[Project], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._apply = apply
        self.setUndoLimit(UNDO_LIMIT)

    def push_applied(self, old: Project, new: Project, text: str) -> None:
        """Record an edit from ``old`` to ``new`` that has already been applied."""
        self.push(ProjectEditCommand(self._apply, old, new, text))
        logger.debug("Edit: %s", text)

    def next_undo(self) -> ProjectEditCommand | None:
        """Return the command that ``undo`` would undo, or None."""
        return self.command(self.index() - 1) if self.canUndo() else None

    def next_redo(self) -> ProjectEditCommand | None:
        """Return the command that ``redo`` would redo, or None."""
        return self.command(self.index()) if self.canRedo() else None
