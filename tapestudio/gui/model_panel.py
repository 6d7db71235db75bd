"""The model panel: input size, Dense layers, objective and seed of the project.

Every edit is structural: the panel emits ``project_edited`` with an edited copy of the project
and the window rebuilds the session with it. The panel is disabled during a run.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tapestudio.keras import activations
from tapestudio.studio import OBJECTIVES, DataSpec, LayerSpec, Project

logger = logging.getLogger(__name__)

# The activations most projects use come first in the combo box, then the others by name.
COMMON_ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax"]

MAX_UNITS = 4096
# QSpinBox takes a signed 32-bit int. A larger seed (the studio accepts up to 2**32 - 1) is
# shown clamped and stays unchanged in the project unless the seed is edited here.
MAX_SEED = 2**31 - 1


def activation_names() -> list[str]:
    """Return the activation names a layer accepts, the common ones first."""
    known = activations.names()
    common = [name for name in COMMON_ACTIVATIONS if name in known]
    return common + [name for name in known if name not in common]


def layer_names(project: Project) -> list[str]:
    """Return the Keras layer names (``dense``, ``dense_1``, ...) in model order."""
    names: list[str] = []
    for path in project.variable_names():
        layer = path.split("/")[0]
        if layer not in names:
            names.append(layer)
    return names


def rename_tape_variables(old: Project, new: Project, new_indices: list[int | None]) -> None:
    """Rewrite the tapes of ``new`` after a layer edit, in place.

    ``new_indices[i]`` is the index in ``new`` of the old layer ``i``, or None if it was removed.
    A variable that no longer exists is dropped from every tape.
    """
    old_names = layer_names(old)
    new_names = layer_names(new)
    renamed = {}
    for old_index, new_index in enumerate(new_indices):
        if new_index is not None and old_index < len(old_names) and new_index < len(new_names):
            renamed[old_names[old_index]] = new_names[new_index]

    valid = set(new.variable_names())
    for tape in new.tapes:
        paths = []
        for path in tape.variables:
            layer, _, variable = path.partition("/")
            if layer in renamed:
                paths.append(f"{renamed[layer]}/{variable}")
        tape.variables = [path for path in paths if path in valid]


def describe_data(data: DataSpec) -> str:
    if data.kind == "normal":
        noun = "sample" if data.samples == 1 else "samples"
        return f"{data.samples} {noun} from N(0, 1)"
    if data.kind == "bundled":
        return f"bundled data set {data.name}"
    if data.kind == "csv":
        return f"CSV file {data.path}"
    return data.kind


class _LayerRow:
    """The widgets of one layer in the layers grid."""

    def __init__(self, parent: QWidget) -> None:
        self.name = QLabel(parent)
        self.units = QSpinBox(parent)
        self.units.setRange(1, MAX_UNITS)
        self.units.setKeyboardTracking(False)
        self.activation = QComboBox(parent)
        self.activation.addItems(activation_names())
        self.bias = QCheckBox(parent)
        self.bias.setToolTip("Use a bias vector")
        self.remove = QToolButton(parent)
        self.remove.setText("\N{MINUS SIGN}")
        self.remove.setToolTip("Remove this layer")

    def widgets(self) -> list[QWidget]:
        return [self.name, self.units, self.activation, self.bias, self.remove]

    def show_layer(self, name: str, layer: LayerSpec, removable: bool) -> None:
        blockers = [QSignalBlocker(widget) for widget in self.widgets()]
        self.name.setText(name)
        self.units.setValue(layer.units)
        if self.activation.findText(layer.activation) < 0:
            self.activation.addItem(layer.activation)
        self.activation.setCurrentText(layer.activation)
        self.bias.setChecked(layer.use_bias)
        self.remove.setEnabled(removable)
        del blockers


class ModelPanel(QWidget):
    """Editor of the project's model; emits ``project_edited(Project)`` with an edited copy."""

    project_edited = Signal(object)

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project = project
        self._rows: list[_LayerRow] = []

        self.input_size = QSpinBox(self)
        self.input_size.setRange(1, MAX_UNITS)
        self.input_size.setKeyboardTracking(False)
        self.input_size.valueChanged.connect(self._edit_input_size)

        self.objective = QComboBox(self)
        self.objective.addItems(list(OBJECTIVES))
        self.objective.currentTextChanged.connect(self._edit_objective)

        self.seed = QSpinBox(self)
        self.seed.setRange(0, MAX_SEED)
        self.seed.setKeyboardTracking(False)
        self.seed.valueChanged.connect(self._edit_seed)

        self.data_label = QLabel(self)
        self.data_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Input size", self.input_size)
        form.addRow("Data", self.data_label)
        form.addRow("Objective", self.objective)
        form.addRow("Seed", self.seed)

        self._layers_box = QGroupBox("Dense layers", self)
        self._grid = QGridLayout(self._layers_box)
        for column, title in enumerate(["Layer", "Units", "Activation", "Bias", ""]):
            self._grid.addWidget(QLabel(f"<b>{title}</b>", self._layers_box), 0, column)

        self.add_layer_button = QPushButton("Add layer", self)
        self.add_layer_button.clicked.connect(self._add_layer)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addWidget(self._layers_box)
        layout.addWidget(self.add_layer_button)
        layout.addStretch(1)

        self.set_project(project)

    @property
    def layer_rows(self) -> list[_LayerRow]:
        return list(self._rows)

    def set_project(self, project: Project) -> None:
        """Show ``project``; widgets that already exist are reused, extra ones removed later."""
        self._project = project
        self._show_scalars(project)

        layers = project.model.layers
        while len(self._rows) > len(layers):
            for widget in self._rows.pop().widgets():
                self._grid.removeWidget(widget)
                widget.deleteLater()
        while len(self._rows) < len(layers):
            self._rows.append(self._new_row(len(self._rows)))

        names = layer_names(project)
        for index, (row, layer) in enumerate(zip(self._rows, layers)):
            name = names[index] if index < len(names) else f"layer {index}"
            row.show_layer(name, layer, removable=len(layers) > 1)

    def _show_scalars(self, project: Project) -> None:
        blockers = [QSignalBlocker(w) for w in (self.input_size, self.objective, self.seed)]
        self.input_size.setValue(project.model.input_size)
        if self.objective.findText(project.objective) < 0:
            self.objective.addItem(project.objective)
        self.objective.setCurrentText(project.objective)
        self.seed.setValue(project.seed)
        self.data_label.setText(describe_data(project.data))
        del blockers

    def _new_row(self, index: int) -> _LayerRow:
        row = _LayerRow(self._layers_box)
        for column, widget in enumerate(row.widgets()):
            self._grid.addWidget(widget, index + 1, column)

        row.units.valueChanged.connect(lambda units, i=index: self._edit_layer(i, units=units))
        row.activation.currentTextChanged.connect(
            lambda name, i=index: self._edit_layer(i, activation=name)
        )
        row.bias.toggled.connect(lambda checked, i=index: self._edit_layer(i, use_bias=checked))
        row.remove.clicked.connect(lambda _checked=False, i=index: self._remove_layer(i))
        return row

    # -- edits ----------------------------------------------------------------------------

    def _emit_edit(self, change: Callable[[Project], None]) -> None:
        project = copy.deepcopy(self._project)
        change(project)
        self.project_edited.emit(project)

    def _edit_input_size(self, size: int) -> None:
        self._emit_edit(lambda project: setattr(project.model, "input_size", size))

    def _edit_objective(self, objective: str) -> None:
        self._emit_edit(lambda project: setattr(project, "objective", objective))

    def _edit_seed(self, seed: int) -> None:
        self._emit_edit(lambda project: setattr(project, "seed", seed))

    def _edit_layer(self, index: int, **fields: object) -> None:
        old = self._project
        project = copy.deepcopy(old)
        layer = project.model.layers[index]
        for name, value in fields.items():
            setattr(layer, name, value)

        same_layers = list(range(len(project.model.layers)))
        rename_tape_variables(old, project, same_layers)
        self.project_edited.emit(project)

    def _add_layer(self) -> None:
        old = self._project
        project = copy.deepcopy(old)
        units = project.model.layers[-1].units if project.model.layers else 1
        project.model.layers.append(LayerSpec(units=units, activation="linear"))
        self.project_edited.emit(project)

    def _remove_layer(self, index: int) -> None:
        old = self._project
        project = copy.deepcopy(old)
        del project.model.layers[index]

        new_indices: list[int | None] = []
        for old_index in range(len(old.model.layers)):
            if old_index == index:
                new_indices.append(None)
            else:
                new_indices.append(old_index - 1 if old_index > index else old_index)
        rename_tape_variables(old, project, new_indices)
        self.project_edited.emit(project)
