"""The model panel: input size, Dense layers, objective and seed of the project.

Every edit is structural: the panel emits ``project_edited`` with an edited copy of the project
and a short description for the undo history, and the window rebuilds the session with it.
The layer edits come from ``tapestudio.studio.model_edits``, so that tapes keep watching the
same layers when layers move. The panel is disabled during a run.
"""

from __future__ import annotations

import copy
import logging

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tapestudio import plugins
from tapestudio.keras import activations, initializers
from tapestudio.studio import OBJECTIVES, DataSpec, LayerSpec, Project
from tapestudio.studio.dataset import Dataset
from tapestudio.studio.fitting import fit_output_units
from tapestudio.studio.model_edits import add_layer, edit_layer, move_layer, remove_layer
from tapestudio.studio.objectives import OBJECTIVE_TITLES, objective_misfits
from tapestudio.studio.project import layer_name

logger = logging.getLogger(__name__)

# The activations most projects use come first in the combo box, then the others by name.
COMMON_ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax"]

MAX_UNITS = 4096
# QSpinBox takes a signed 32-bit int. A larger seed (the studio accepts up to 2**32 - 1) is
# shown clamped and stays unchanged in the project unless the seed is edited here.
MAX_SEED = 2**31 - 1

NAMING_NOTE = (
    "Layers are named by position: dense, dense_1, ... Adding, moving or removing a layer "
    "renames the layers after it, and each tape keeps watching the same layers under their "
    "new names."
)


def activation_names() -> list[str]:
    """Return the activation names a layer accepts, the common ones first."""
    known = activations.names()
    common = [name for name in COMMON_ACTIVATIONS if name in known]
    return common + [name for name in known if name not in common]


def activation_tooltip(name: str) -> str:
    """Return the op's one-line description, with the plugin distribution when it has one."""
    try:
        description = plugins.op(name).description
    except ValueError:
        return f"{name}: not provided by any installed plugin"

    status = plugins.status_of("op", name)
    if status is not None and not status.builtin:
        return f"{name}: {description} (from {status.distribution})"
    return f"{name}: {description}"


def describe_data(data: DataSpec) -> str:
    """Return a short description of where the data comes from."""
    if data.kind == "normal":
        noun = "sample" if data.samples == 1 else "samples"
        return f"{data.samples} {noun} from N(0, 1)"
    if data.kind == "synthetic":
        return f"synthetic data set {data.name}"
    if data.kind == "bundled":
        return f"bundled data set {data.name}"
    if data.kind == "csv":
        return f"CSV file {data.path}"
    return data.kind


def _fill_combo(combo: QComboBox, names: list[str], tooltip=None) -> None:
    """Replace the items of ``combo``, keeping its current text when it is still listed."""
    blocker = QSignalBlocker(combo)
    current = combo.currentText()
    combo.clear()
    for name in names:
        combo.addItem(name)
        if tooltip is not None:
            combo.setItemData(combo.count() - 1, tooltip(name), Qt.ItemDataRole.ToolTipRole)
    if current:
        _select_text(combo, current)
    del blocker


def _narrow_combo(combo: QComboBox, characters: int = 5) -> QComboBox:
    """Let ``combo`` shrink below its longest item, so the panel fits a narrow dock."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    return combo


def _select_text(combo: QComboBox, text: str) -> None:
    """Select ``text`` in ``combo``, adding it first when the combo does not list it."""
    if combo.findText(text) < 0:
        combo.addItem(text)
    combo.setCurrentText(text)


class _LayerRow:
    """The widgets of one layer: a frame with two rows of controls."""

    def __init__(self, parent: QWidget) -> None:
        self.frame = QFrame(parent)
        self.frame.setFrameShape(QFrame.Shape.StyledPanel)

        self.name = QLabel(self.frame)
        self.units = QSpinBox(self.frame)
        self.units.setRange(1, MAX_UNITS)
        self.units.setKeyboardTracking(False)
        self.units.setToolTip("Number of units (outputs) of the layer")
        self.activation = _narrow_combo(QComboBox(self.frame))
        self.activation.setToolTip("Activation applied to the layer's outputs")
        self.up = self._button("\N{UPWARDS ARROW}", "Move this layer one place towards the input")
        self.down = self._button(
            "\N{DOWNWARDS ARROW}", "Move this layer one place towards the output"
        )
        self.remove = self._button("\N{MINUS SIGN}", "Remove this layer")

        self.bias = QCheckBox("Bias", self.frame)
        self.bias.setToolTip("Use a bias vector")
        self.kernel_initializer = _narrow_combo(QComboBox(self.frame))
        self.kernel_initializer.setToolTip("Initializer of the kernel")
        self.bias_initializer = _narrow_combo(QComboBox(self.frame))
        self.bias_initializer.setToolTip("Initializer of the bias")
        self.refresh_choices()

        grid = QGridLayout(self.frame)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setHorizontalSpacing(4)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.units, 0, 1)
        grid.addWidget(self.activation, 0, 2)
        grid.addWidget(self.up, 0, 3)
        grid.addWidget(self.down, 0, 4)
        grid.addWidget(self.remove, 0, 5)
        grid.addWidget(self.bias, 1, 0)
        grid.addWidget(self.kernel_initializer, 1, 1, 1, 2)
        grid.addWidget(self.bias_initializer, 1, 3, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 2)

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self.frame)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    def widgets(self) -> list[QWidget]:
        return [
            self.name, self.units, self.activation, self.up, self.down, self.remove, self.bias,
            self.kernel_initializer, self.bias_initializer,
        ]

    def refresh_choices(self) -> None:
        """Fill the activation and initializer lists from the registries."""
        _fill_combo(self.activation, activation_names(), activation_tooltip)
        _fill_combo(self.kernel_initializer, initializers.names())
        _fill_combo(self.bias_initializer, initializers.names())

    def show_layer(self, index: int, count: int, layer: LayerSpec) -> None:
        blockers = [QSignalBlocker(widget) for widget in self.widgets()]
        self.name.setText(f"<b>{layer_name(index)}</b>")
        self.units.setValue(layer.units)
        _select_text(self.activation, layer.activation)
        self.activation.setToolTip(activation_tooltip(layer.activation))
        self.bias.setChecked(layer.use_bias)
        _select_text(self.kernel_initializer, layer.kernel_initializer)
        _select_text(self.bias_initializer, layer.bias_initializer)
        self.bias_initializer.setEnabled(layer.use_bias)
        self.up.setEnabled(index > 0)
        self.down.setEnabled(index < count - 1)
        self.remove.setEnabled(count > 1)
        del blockers


class ModelPanel(QWidget):
    """Editor of the project's model and objective.

    Emits ``project_edited(Project, str)`` with an edited copy and its undo text, and
    ``status_message(str)`` to explain a change the panel made alongside the edit (an output
    layer resized for the objective, say).
    """

    project_edited = Signal(object, str)
    status_message = Signal(str)

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project = project
        self._dataset: Dataset | None = None
        self._rows: list[_LayerRow] = []
        self._registry = None

        self.input_size = QSpinBox(self)
        self.input_size.setRange(1, MAX_UNITS)
        self.input_size.setKeyboardTracking(False)
        self.input_size.valueChanged.connect(self._edit_input_size)

        self.objective = _narrow_combo(QComboBox(self), 12)
        for name in OBJECTIVES:
            self.objective.addItem(name)
        self.objective.currentTextChanged.connect(self._edit_objective)
        self.objective_note = QLabel(self)
        self.objective_note.setWordWrap(True)
        self.objective_note.setStyleSheet("color: #666;")

        self.seed = QSpinBox(self)
        self.seed.setRange(0, MAX_SEED)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip("Seed of the initial weights")
        self.seed.valueChanged.connect(self._edit_seed)

        self.data_label = QLabel(self)
        self.data_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Input size", self.input_size)
        form.addRow("Data", self.data_label)
        form.addRow("Objective", self.objective)
        form.addRow("", self.objective_note)
        form.addRow("Weight seed", self.seed)

        self._layers_box = QGroupBox("Dense layers", self)
        self._layers_box.setToolTip(NAMING_NOTE)
        self._layers_layout = QVBoxLayout(self._layers_box)
        self._layers_layout.setContentsMargins(2, 2, 2, 2)
        self._layers_layout.setSpacing(3)

        self.add_layer_button = QPushButton("Add layer", self)
        self.add_layer_button.setToolTip("Add a linear Dense layer after the last one")
        self.add_layer_button.clicked.connect(self._add_layer)
        self.naming_note = QLabel(NAMING_NOTE, self)
        self.naming_note.setWordWrap(True)
        self.naming_note.setStyleSheet("color: #666;")

        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addWidget(self._layers_box)
        layout.addWidget(self.add_layer_button)
        layout.addWidget(self.naming_note)
        layout.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.set_project(project)

    @property
    def layer_rows(self) -> list[_LayerRow]:
        return list(self._rows)

    # -- showing --------------------------------------------------------------------------

    def set_project(self, project: Project, dataset: Dataset | None = None) -> None:
        """Show ``project``; ``dataset`` (its loaded data) decides which objectives fit.

        Layer widgets that already exist are reused. The activation lists are read again when
        the plugins were rescanned since the last call.
        """
        self._project = project
        if dataset is not None:
            self._dataset = dataset
        if self._registry is not plugins.current_registry():
            self.refresh_activations()

        self._show_scalars(project)
        self._show_objective_fit()

        layers = project.model.layers
        while len(self._rows) > len(layers):
            row = self._rows.pop()
            self._layers_layout.removeWidget(row.frame)
            row.frame.deleteLater()
        while len(self._rows) < len(layers):
            self._rows.append(self._new_row(len(self._rows)))

        for index, (row, layer) in enumerate(zip(self._rows, layers)):
            row.show_layer(index, len(layers), layer)

    def refresh_activations(self) -> None:
        """List the activations and initializers again, for example after a plugin install."""
        self._registry = plugins.current_registry()
        for row in self._rows:
            row.refresh_choices()
        for row, layer in zip(self._rows, self._project.model.layers):
            blocker = QSignalBlocker(row.activation)
            _select_text(row.activation, layer.activation)
            del blocker

    def _show_scalars(self, project: Project) -> None:
        blockers = [QSignalBlocker(w) for w in (self.input_size, self.objective, self.seed)]
        self.input_size.setValue(project.model.input_size)
        follows_data = project.data.kind != "normal"
        self.input_size.setEnabled(not follows_data)
        if follows_data:
            self.input_size.setToolTip(
                "The input size follows the data: it is the number of feature columns."
            )
        else:
            self.input_size.setToolTip("Number of input features of the normal batch")

        _select_text(self.objective, project.objective)
        self.seed.setValue(min(project.seed, MAX_SEED))
        self.data_label.setText(describe_data(project.data))
        del blockers

    def _show_objective_fit(self) -> None:
        """Disable the objectives the data does not allow, with the reason as tooltip."""
        model = self.objective.model()
        misfits = objective_misfits(self._dataset) if self._dataset is not None else {}
        by_reason: dict[str, list[str]] = {}
        for row in range(self.objective.count()):
            name = self.objective.itemText(row)
            reason = misfits.get(name)
            title = OBJECTIVE_TITLES.get(name, name)
            if isinstance(model, QStandardItemModel) and model.item(row) is not None:
                model.item(row).setEnabled(reason is None)
            tip = f"{title}: {reason}" if reason else title
            self.objective.setItemData(row, tip, Qt.ItemDataRole.ToolTipRole)
            if reason:
                by_reason.setdefault(reason, []).append(name)

        notes = []
        for reason, names in by_reason.items():
            if len(names) == 1:
                notes.append(f"Not offered: {names[0]} {reason}.")
            else:
                notes.append(f"Not offered: {', '.join(names)}; each {reason}.")
        self.objective_note.setText("\n".join(notes))
        self.objective_note.setVisible(bool(notes))
        self.objective.setToolTip(OBJECTIVE_TITLES.get(self.objective.currentText(), ""))

    def objective_enabled(self, name: str) -> bool:
        """Return True when the objective combo offers ``name`` (the data allows it)."""
        model = self.objective.model()
        row = self.objective.findText(name)
        return row >= 0 and model.item(row).isEnabled()

    def _new_row(self, index: int) -> _LayerRow:
        row = _LayerRow(self._layers_box)
        self._layers_layout.addWidget(row.frame)

        row.units.valueChanged.connect(lambda units, i=index: self._edit_layer(i, units=units))
        row.activation.currentTextChanged.connect(
            lambda name, i=index: self._edit_layer(i, activation=name)
        )
        row.bias.toggled.connect(lambda checked, i=index: self._edit_layer(i, use_bias=checked))
        row.kernel_initializer.currentTextChanged.connect(
            lambda name, i=index: self._edit_layer(i, kernel_initializer=name)
        )
        row.bias_initializer.currentTextChanged.connect(
            lambda name, i=index: self._edit_layer(i, bias_initializer=name)
        )
        row.up.clicked.connect(lambda _checked=False, i=index: self._move_layer(i, i - 1))
        row.down.clicked.connect(lambda _checked=False, i=index: self._move_layer(i, i + 1))
        row.remove.clicked.connect(lambda _checked=False, i=index: self._remove_layer(i))
        return row

    # -- edits ----------------------------------------------------------------------------

    def _emit(self, project: Project, description: str) -> None:
        self.project_edited.emit(project, description)

    def _edit_input_size(self, size: int) -> None:
        project = copy.deepcopy(self._project)
        project.model.input_size = size
        self._emit(project, f"Set input size to {size}")

    def _edit_objective(self, objective: str) -> None:
        project = copy.deepcopy(self._project)
        project.objective = objective

        # An objective the data allows also gets the output units it needs. One it does not
        # allow goes to the session unchanged, which rejects it with the reason.
        notes = []
        if self._dataset is not None and self.objective_enabled(objective):
            notes = fit_output_units(project, self._dataset)
        self._emit(project, f"Set objective to {objective}")
        for note in notes:
            self.status_message.emit(note)

    def _edit_seed(self, seed: int) -> None:
        project = copy.deepcopy(self._project)
        project.seed = seed
        self._emit(project, f"Set weight seed to {seed}")

    def _edit_layer(self, index: int, **fields: object) -> None:
        project = edit_layer(self._project, index, **fields)
        [(name, value)] = fields.items()
        shown = value
        if isinstance(value, bool):
            shown = "on" if value else "off"
        self._emit(project, f"Set {name.replace('_', ' ')} of {layer_name(index)} to {shown}")

    def _add_layer(self) -> None:
        project = add_layer(self._project)
        self._emit(project, f"Add layer {layer_name(len(self._project.model.layers))}")

    def _remove_layer(self, index: int) -> None:
        project = remove_layer(self._project, index)
        self._emit(project, f"Remove layer {layer_name(index)}")
        if index < len(project.model.layers):
            self.status_message.emit(
                f"Removed {layer_name(index)}; the layers after it are renumbered from "
                f"{layer_name(index)}, and the tapes follow them."
            )

    def _move_layer(self, index: int, new_index: int) -> None:
        project = move_layer(self._project, index, new_index)
        direction = "up" if new_index < index else "down"
        self._emit(project, f"Move layer {layer_name(index)} {direction}")
        self.status_message.emit(
            f"{layer_name(index)} is now {layer_name(new_index)} and {layer_name(new_index)} is "
            f"now {layer_name(index)}; the tapes follow the layers."
        )
