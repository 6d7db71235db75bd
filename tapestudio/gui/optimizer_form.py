"""The optimizer form: one tape's optimizer and a field for each of its hyperparameters.

The fields are built from the optimizer's hyperparameter declarations, for built-in and plugin
optimizers alike: a check box for a flag, a text field for a number with its allowed range
next to it, and the declaration's description as tooltip. A value outside the range is
rejected through the model's ``edit_rejected`` message, and the field goes back to the
current value.

The form computes nothing and changes nothing itself: every edit goes through the tapes table
model, which emits an edited copy of the project for the window to apply. Optimizer and
hyperparameter changes are live, so the form stays editable during a run.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from tapestudio import optimizers
from tapestudio.optimizers import Hyperparameter

from .tape_table import TapeTableModel

logger = logging.getLogger(__name__)

RANGE_STYLE = "color: #707070;"


class OptimizerComboBox(QComboBox):
    """A combo box of the registered optimizers that reads the registry again when opened.

    Plugins installed or removed while the app runs therefore appear without a restart.
    """

    def refresh_names(self) -> None:
        """Fill the list from ``optimizers.names()``, keeping the current choice."""
        current = self.currentText()
        names = optimizers.names()
        if current and current not in names:
            # A project can use an optimizer whose plugin is gone; keep showing its name.
            names = [*names, current]

        with QSignalBlocker(self):
            self.clear()
            self.addItems(names)
            self.setCurrentText(current)

    def showPopup(self) -> None:  # noqa: N802 - Qt name
        self.refresh_names()
        super().showPopup()


def format_value(value: Any) -> str:
    """Return a hyperparameter value as the text its field shows (``0.001``, ``1e-07``)."""
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def field_tooltip(name: str, declaration: Hyperparameter) -> str:
    """Return the tooltip of a hyperparameter field: description, range and default."""
    text = f"{name}: {declaration.description}"
    if declaration.kind is bool:
        return f"{text}\nDefault {declaration.default}."
    return f"{text}\nRange {declaration.range_text()}, default {format_value(declaration.default)}."


class OptimizerForm(QGroupBox):
    """Edits the optimizer of one tape of ``model``'s session; ``set_tape`` picks the tape."""

    def __init__(self, model: TapeTableModel, parent: QWidget | None = None) -> None:
        super().__init__("Optimizer", parent)
        self.model = model
        self._tape_name: str | None = None
        # The (tape, optimizer) pair the fields were built for.
        self._built_for: tuple[str, str] | None = None
        self.fields: dict[str, QLineEdit | QCheckBox] = {}

        self.optimizer_combo = OptimizerComboBox(self)
        self.optimizer_combo.setToolTip("The optimizer that applies this tape's gradients; editable during a run")
        self.optimizer_combo.activated.connect(self._choose_optimizer)
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.description.setStyleSheet(RANGE_STYLE)

        self.fields_layout = QFormLayout()
        self.fields_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.fields_layout.addRow("optimizer", self.optimizer_combo)

        layout = QVBoxLayout(self)
        # The form never shrinks below what its fields need; the scroll area around it scrolls.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.description)
        layout.addLayout(self.fields_layout)
        layout.addStretch(1)

        model.refreshed.connect(self.refresh)
        self.refresh()

    # -- which tape ----------------------------------------------------------------------

    @property
    def tape_name(self) -> str | None:
        """The tape whose optimizer the form shows, or None when the project has no tapes."""
        return self._tape_name

    def set_tape(self, name: str | None) -> None:
        """Show the optimizer of tape ``name`` (None: the first tape)."""
        self._tape_name = name
        self.refresh()

    def refresh(self) -> None:
        """Show the session's current values; rebuild the fields when the optimizer changed."""
        project = self.model.session.project
        names = [tape.name for tape in project.tapes]
        if self._tape_name not in names:
            self._tape_name = names[0] if names else None

        if self._tape_name is None:
            self._clear_fields()
            self._built_for = None
            self.setTitle("Optimizer (no tape)")
            self.setEnabled(False)
            return

        self.setEnabled(True)
        tape = project.tape(self._tape_name)
        self.setTitle(f"Optimizer of tape {tape.name}")
        if self._built_for != (tape.name, tape.optimizer.name):
            self._build_fields(tape.optimizer.name)
            self._built_for = (tape.name, tape.optimizer.name)
        self._show_values()

    # -- building ------------------------------------------------------------------------

    def _clear_fields(self) -> None:
        while self.fields_layout.rowCount() > 1:
            self.fields_layout.removeRow(1)
        self.fields = {}

    def _build_fields(self, optimizer_name: str) -> None:
        self._clear_fields()
        self.optimizer_combo.setCurrentText(optimizer_name)
        self.optimizer_combo.refresh_names()
        self.optimizer_combo.setCurrentText(optimizer_name)

        try:
            optimizer_class = optimizers.get_class(optimizer_name)
        except ValueError as error:
            self.description.setText(str(error))
            return

        self.description.setText(optimizer_class.description)
        for name, declaration in optimizer_class.hyperparameters.items():
            self._add_field(name, declaration)

    def _add_field(self, name: str, declaration: Hyperparameter) -> None:
        tooltip = field_tooltip(name, declaration)
        label = QLabel(name, self)
        label.setToolTip(tooltip)

        if declaration.kind is bool:
            field = QCheckBox(self)
            field.toggled.connect(lambda checked, key=name: self._edit(key, bool(checked)))
            row: QWidget = field
        else:
            field = QLineEdit(self)
            field.setAlignment(Qt.AlignmentFlag.AlignRight)
            field.editingFinished.connect(lambda key=name: self._finish_text(key))
            range_label = QLabel(declaration.range_text(), self)
            range_label.setStyleSheet(RANGE_STYLE)
            range_label.setToolTip(tooltip)
            row = QWidget(self)
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            row_layout.addWidget(field, 1)
            row_layout.addWidget(range_label)

        field.setObjectName(f"hyperparameter-{name}")
        field.setToolTip(tooltip)
        self.fields[name] = field
        self.fields_layout.addRow(label, row)

    def _show_values(self) -> None:
        tape = self.model.session.project.tape(self._tape_name)
        declarations = _declarations_of(tape.optimizer.name)

        for name, field in self.fields.items():
            declaration = declarations.get(name)
            if declaration is None:
                continue
            value = tape.optimizer.hyperparameters.get(name, declaration.default)
            with QSignalBlocker(field):
                if isinstance(field, QCheckBox):
                    field.setChecked(bool(value))
                elif not field.hasFocus() or not field.isModified():
                    field.setText(format_value(value))
                    field.setModified(False)

    # -- edits ---------------------------------------------------------------------------

    def _choose_optimizer(self, position: int) -> None:
        name = self.optimizer_combo.itemText(position)
        if self._tape_name is None:
            return

        row = self.model.row_of(self._tape_name)
        if not self.model.set_optimizer(row, name):
            self.refresh()

    def _finish_text(self, name: str) -> None:
        field = self.fields.get(name)
        if not isinstance(field, QLineEdit) or not field.isModified():
            return

        field.setModified(False)
        text = field.text().strip()
        declaration = _declarations_of(self.model.session.project.tape(self._tape_name).optimizer.name)[name]
        try:
            number = float(text)
        except ValueError:
            self._reject_field(name, f"{name}: enter a number in {declaration.range_text()}, not {text!r}.")
            return

        try:
            declaration.check(name, number)
        except (TypeError, ValueError) as error:
            self._reject_field(name, str(error))
            return
        self._edit(name, number)

    def _edit(self, name: str, value: float | bool) -> None:
        if self._tape_name is None:
            return

        self.model.set_hyperparameter(self.model.row_of(self._tape_name), name, value)
        self._show_values()

    def _reject_field(self, name: str, message: str) -> None:
        self.model.reject_edit(f"Tape {self._tape_name} rejected {name}: {message}")
        self._show_values()


def _declarations_of(optimizer_name: str) -> dict[str, Hyperparameter]:
    try:
        return optimizers.hyperparameter_declarations(optimizer_name)
    except ValueError:
        return {}
