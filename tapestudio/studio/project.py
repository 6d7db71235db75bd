"""The project model: what an experiment is, and its JSON file format.

A project contains the model (input size and Dense layers), the data, the objective, the random
seed and the gradient tapes. Each tape watches some of the model's variables, named by their
Keras paths (``dense/kernel``, ``dense_1/bias``), and applies its gradients with its own
optimizer. A variable that no tape watches stays frozen; a variable several tapes watch is
updated by each of them.

A project file is a JSON object with ``"format": "tapestudio-project"`` and ``"version": 2``.
Version 2 added the tapes' ``penalty_weight``, the synthetic data sets, the train/validation
split, mini-batches, the CSV label task and the layer initializers. Version 1 files are read as
well, with the defaults of those fields: no penalty, no split, full batch and Keras' default
initializers.
Reading a file checks every field and raises ``ProjectError`` naming the file, the field (as
``tapes[1].optimizer.hyperparameters.learning_rate``) and what is wrong.
"""

from __future__ import annotations

import copy
import json
import math
import numbers
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from tapestudio.studio.atomic import write_text_atomic
from tapestudio.studio.csv_data import TASKS
from tapestudio.studio.datasets import bundled_dataset_names
from tapestudio.studio.errors import ProjectError
from tapestudio.studio.synthetic import (
    MAX_NOISE,
    MAX_SAMPLES,
    MIN_SAMPLES,
    SYNTHETIC_SETS,
    synthetic_dataset_names,
)

PROJECT_FORMAT = "tapestudio-project"
PROJECT_VERSION = 2

OBJECTIVES = ("sum", "mse", "softmax_cross_entropy", "sigmoid_cross_entropy")
DATA_KINDS = ("normal", "synthetic", "bundled", "csv")

# TensorFlow Playground trains on 10 to 90 percent of the data; at least 10 percent train here.
MAX_VALIDATION_FRACTION = 0.9
DEFAULT_SYNTHETIC_SAMPLES = 200
DEFAULT_KERNEL_INITIALIZER = "glorot_uniform"
DEFAULT_BIAS_INITIALIZER = "zeros"

# Keras' set_random_seed passes the seed to np.random.seed, which takes 0 to 2**32 - 1, so
# projects stay in that range and run the same under Keras.
MAX_SEED = 2**32 - 1


def layer_name(index: int) -> str:
    """Return the Keras name of the Dense layer at ``index`` (0-based): dense, dense_1, ..."""
    return "dense" if index == 0 else f"dense_{index}"


@dataclass
class LayerSpec:
    """One Dense layer: its width, activation name, whether it has a bias, and initializers.

    The initializers are names from ``tapestudio.keras.initializers.names()``.
    """

    units: int
    activation: str = "linear"
    use_bias: bool = True
    kernel_initializer: str = DEFAULT_KERNEL_INITIALIZER
    bias_initializer: str = DEFAULT_BIAS_INITIALIZER


@dataclass
class ModelSpec:
    """A stack of Dense layers on an input of ``input_size`` features."""

    input_size: int
    layers: list[LayerSpec] = field(default_factory=list)


@dataclass
class DataSpec:
    """Where the training data comes from.

    - ``"normal"``: a fixed batch of ``samples`` inputs drawn from N(0, 1), without labels.
    - ``"synthetic"``: ``samples`` points of the synthetic set ``name`` (``xor``, ``circles``,
      ``spirals``, ``moons`` or ``sine``, see ``tapestudio.studio.synthetic``) with Gaussian
      ``noise`` of that standard deviation.
    - ``"bundled"``: a data set shipped with TapeStudio, by ``name`` (e.g. ``"iris"``).
    - ``"csv"``: a CSV file with a header row. ``path`` is relative to the project file unless
      absolute, ``features`` lists the input columns and ``label`` is the target column or None.
      ``task`` is how to read the label: ``"classification"``, ``"regression"``, or None to
      read text as classes and numbers as numbers.

    For every kind, ``validation_fraction`` of the samples (0 to 0.9) are held out for the
    validation objective, and each step trains on ``batch_size`` samples drawn from the rest
    (None: all of them). ``seed`` draws the normal and synthetic samples, the split and the
    batches; None means the project seed. Fields that do not apply to the kind are ignored and
    not saved.
    """

    kind: str
    name: str | None = None
    samples: int = 1
    path: str | None = None
    features: list[str] | None = None
    label: str | None = None
    noise: float = 0.0
    task: str | None = None
    seed: int | None = None
    validation_fraction: float = 0.0
    batch_size: int | None = None

    def has_labels(self) -> bool:
        """Return True when the data has a target for each sample."""
        if self.kind in ("bundled", "synthetic"):
            return True
        return self.kind == "csv" and self.label is not None


@dataclass
class OptimizerSpec:
    """An optimizer by registry name, with the hyperparameters that differ from its defaults.

    Values are floats, or booleans for flags such as SGD's ``nesterov``.
    """

    name: str = "SGD"
    hyperparameters: dict[str, float] = field(default_factory=lambda: {"learning_rate": 0.01})


@dataclass
class TapeSpec:
    """A gradient tape: the variables it watches and the optimizer that applies its gradient.

    ``parent`` names the tape this one is nested in (opened inside), or is None. A nested tape
    adds ``penalty_weight * sum ||g||^2`` to its parent's objective, where ``g`` is its own
    gradient, so the parent trains on a gradient penalty; 0 adds nothing.
    """

    name: str
    variables: list[str]
    optimizer: OptimizerSpec
    persistent: bool = False
    parent: str | None = None
    penalty_weight: float = 0.0


# Characters a tape name must not contain: "/" separates tape, variable and metric in the
# column names of wide CSV files.
TAPE_NAME_FORBIDDEN = "/"


def check_tape_name(name: Any, others: list[str] = ()) -> str:
    """Return ``name`` when it can name a tape next to the tapes called ``others``.

    Raises TypeError for a name that is not a string, and ValueError for an empty name, one
    with spaces at either end or a "/", and one that ``others`` already uses.
    """
    if not isinstance(name, str):
        raise TypeError(f"a tape name must be a string, got {name!r}")
    if not name.strip():
        raise ValueError("a tape name must not be empty")
    if name != name.strip():
        raise ValueError(f"tape name {name!r} starts or ends with a space; remove it")
    forbidden = [character for character in TAPE_NAME_FORBIDDEN if character in name]
    if forbidden:
        raise ValueError(f"tape name {name!r} contains {forbidden[0]!r}, which names cannot have")
    if name in others:
        raise ValueError(f"another tape is already called {name!r}; choose another name")
    return name


def check_penalty_weight(value: Any, label: str = "penalty_weight") -> float:
    """Return a gradient penalty weight as float after checking it: finite and at least 0.

    ``label`` names the value in messages. Raises TypeError for a value that is not a number
    and ValueError for a negative or non-finite one.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{label} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{label} must be a finite number of at least 0, got {value!r}")
    return float(value)


@dataclass
class Project:
    """One experiment: model, data, objective, seed and tapes.

    ``source`` is where the project was read from: a file path, or a description for bundled
    examples. It is neither saved nor compared, and relative CSV paths start from its folder.
    """

    name: str
    model: ModelSpec
    data: DataSpec
    objective: str
    seed: int
    tapes: list[TapeSpec]
    description: str = ""
    source: Path | str | None = field(default=None, compare=False, repr=False)

    def variable_names(self) -> list[str]:
        """Return the Keras paths of the model's variables in model order.

        Example: ``["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]``.
        """
        names = []
        for index, layer in enumerate(self.model.layers):
            names.append(f"{layer_name(index)}/kernel")
            if layer.use_bias:
                names.append(f"{layer_name(index)}/bias")
        return names

    def tape(self, name: str) -> TapeSpec:
        """Return the tape called ``name``; raises KeyError when there is none."""
        for tape in self.tapes:
            if tape.name == name:
                return tape
        known = ", ".join(tape.name for tape in self.tapes) or "none"
        raise KeyError(f"project {self.name!r} has no tape {name!r}; its tapes are: {known}")

    def watchers(self, variable: str) -> list[str]:
        """Return the names of the tapes that watch ``variable``, in tape order."""
        return [tape.name for tape in self.tapes if variable in tape.variables]

    def frozen_variables(self) -> list[str]:
        """Return the variables that no tape watches; training leaves them unchanged."""
        return [name for name in self.variable_names() if not self.watchers(name)]

    def shared_variables(self) -> list[str]:
        """Return the variables that two or more tapes watch; each of them updates it."""
        return [name for name in self.variable_names() if len(self.watchers(name)) > 1]

    def data_seed(self) -> int:
        """Return the seed of the data's samples, split and batches (``data.seed`` or ``seed``)."""
        return self.data.seed if self.data.seed is not None else self.seed

    def describe_source(self) -> str:
        """Return ``source`` as text for messages, or the project name when it has none."""
        return str(self.source) if self.source is not None else f"project {self.name!r}"

    def resolve_data_path(self) -> Path | None:
        """Return the CSV path of ``csv`` data, made absolute against the project file's folder."""
        if self.data.path is None:
            return None

        path = Path(self.data.path).expanduser()
        if not path.is_absolute() and isinstance(self.source, Path):
            path = self.source.parent / path
        return path


# ---------------------------------------------------------------------------------------------
# Project to JSON


def project_to_dict(project: Project) -> dict[str, Any]:
    """Return the JSON-ready dict of ``project`` (the inverse of ``project_from_dict``)."""
    return {
        "format": PROJECT_FORMAT,
        "version": PROJECT_VERSION,
        "name": project.name,
        "description": project.description,
        "model": {
            "input_size": project.model.input_size,
            "layers": [_layer_to_dict(layer) for layer in project.model.layers],
        },
        "data": _data_to_dict(project.data),
        "objective": project.objective,
        "seed": project.seed,
        "tapes": [_tape_to_dict(tape) for tape in project.tapes],
    }


def _layer_to_dict(layer: LayerSpec) -> dict[str, Any]:
    # Default initializers are left out, so files without them read and write back unchanged.
    result: dict[str, Any] = {
        "units": layer.units,
        "activation": layer.activation,
        "use_bias": layer.use_bias,
    }
    if layer.kernel_initializer != DEFAULT_KERNEL_INITIALIZER:
        result["kernel_initializer"] = layer.kernel_initializer
    if layer.bias_initializer != DEFAULT_BIAS_INITIALIZER:
        result["bias_initializer"] = layer.bias_initializer
    return result


def _data_to_dict(data: DataSpec) -> dict[str, Any]:
    if data.kind == "normal":
        result: dict[str, Any] = {"kind": "normal", "samples": data.samples}
    elif data.kind == "synthetic":
        result = {"kind": "synthetic", "name": data.name, "samples": data.samples}
        result["noise"] = data.noise
    elif data.kind == "bundled":
        result = {"kind": "bundled", "name": data.name}
    else:
        result = {"kind": data.kind, "path": data.path}
        result["features"] = list(data.features) if data.features is not None else None
        result["label"] = data.label
        if data.label is not None and data.task is not None:
            result["task"] = data.task

    # Like the initializers, the split and batch fields are written only when they are set.
    if data.seed is not None:
        result["seed"] = data.seed
    if data.validation_fraction > 0:
        result["validation_fraction"] = data.validation_fraction
    if data.batch_size is not None:
        result["batch_size"] = data.batch_size
    return result


def _tape_to_dict(tape: TapeSpec) -> dict[str, Any]:
    return {
        "name": tape.name,
        "variables": list(tape.variables),
        "optimizer": {
            "name": tape.optimizer.name,
            "hyperparameters": dict(tape.optimizer.hyperparameters),
        },
        "persistent": tape.persistent,
        "parent": tape.parent,
        "penalty_weight": tape.penalty_weight,
    }


def save_project(project: Project, path: str | os.PathLike) -> Path:
    """Check ``project`` and write it to ``path`` as JSON, atomically.

    Returns the path written. Raises ProjectError when the project is invalid (nothing is
    written then) and OSError when the file cannot be written.
    """
    path = Path(path)
    data = project_to_dict(project)
    project_from_dict(data, source=str(path))

    return write_text_atomic(path, json.dumps(data, indent=2) + "\n")


# ---------------------------------------------------------------------------------------------
# JSON to project


def load_project(path: str | os.PathLike) -> Project:
    """Read and check the project file at ``path``.

    Raises ProjectError when the file cannot be read, is not JSON or has an invalid field.
    """
    path = Path(path)
    source = str(path)

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(source, None, "file not found; check the path") from None
    except IsADirectoryError:
        raise ProjectError(source, None, "is a folder, not a project file") from None
    except UnicodeDecodeError as error:
        raise ProjectError(source, None, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ProjectError(source, None, f"cannot be read: {error.strerror}") from None

    project = project_from_text(text, source)
    project.source = path
    return project


def project_from_text(text: str, source: str | None = None) -> Project:
    """Parse and check the JSON text of a project; ``source`` names it in error messages."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        problem = f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        raise ProjectError(source, None, problem) from None
    return project_from_dict(data, source)


def project_from_dict(data: Any, source: str | None = None) -> Project:
    """Check the decoded JSON of a project and return the Project it describes.

    ``source`` names the project in error messages (a file path, usually). Raises ProjectError
    naming the first invalid field. The input is not modified.
    """
    reader = _Reader(source or "project")
    data = copy.deepcopy(data)
    top = reader.object(
        data,
        "",
        required=("format", "version", "name", "model", "data", "objective", "seed", "tapes"),
        optional=("description",),
    )
    _check_format(reader, top)

    name = reader.string(top["name"], "name")
    description = reader.string(top.get("description", ""), "description", allow_empty=True)
    model = _read_model(reader, top["model"])
    data_spec = _read_data(reader, top["data"])
    objective = reader.choice(top["objective"], "objective", OBJECTIVES)
    seed = reader.integer(top["seed"], "seed", minimum=0, maximum=MAX_SEED)
    _check_objective_has_labels(reader, objective, data_spec)

    project = Project(name, model, data_spec, objective, seed, [], description)
    project.tapes = _read_tapes(reader, top["tapes"], project.variable_names())
    return project


def _check_format(reader: _Reader, top: dict) -> None:
    if top["format"] != PROJECT_FORMAT:
        reader.fail("format", f"expected {PROJECT_FORMAT!r}, got {_show(top['format'])}")

    version = reader.integer(top["version"], "version", minimum=1)
    if version > PROJECT_VERSION:
        problem = (
            f"format version {version} is newer than this TapeStudio reads "
            f"(version {PROJECT_VERSION}); update TapeStudio to open it"
        )
        reader.fail("version", problem)


def _read_model(reader: _Reader, value: Any) -> ModelSpec:
    model = reader.object(value, "model", required=("input_size", "layers"))
    input_size = reader.integer(model["input_size"], "model.input_size", minimum=1)

    layer_values = reader.array(model["layers"], "model.layers")
    if not layer_values:
        reader.fail("model.layers", "the model needs at least one layer")

    layers = []
    for index, layer_value in enumerate(layer_values):
        where = f"model.layers[{index}]"
        layer = reader.object(
            layer_value,
            where,
            required=("units",),
            optional=("activation", "use_bias", "kernel_initializer", "bias_initializer"),
        )
        layers.append(
            LayerSpec(
                units=reader.integer(layer["units"], f"{where}.units", minimum=1),
                activation=reader.string(layer.get("activation", "linear"), f"{where}.activation"),
                use_bias=reader.boolean(layer.get("use_bias", True), f"{where}.use_bias"),
                kernel_initializer=_read_initializer(
                    reader, layer, "kernel_initializer", DEFAULT_KERNEL_INITIALIZER, where
                ),
                bias_initializer=_read_initializer(
                    reader, layer, "bias_initializer", DEFAULT_BIAS_INITIALIZER, where
                ),
            )
        )
    return ModelSpec(input_size, layers)


def _read_initializer(reader: _Reader, layer: dict, key: str, default: str, where: str) -> str:
    from tapestudio.keras import initializers

    return reader.choice(layer.get(key, default), f"{where}.{key}", tuple(initializers.names()))


# Fields that every kind of data may have: the seed, the split and the batch size.
_COMMON_DATA_FIELDS = ("seed", "validation_fraction", "batch_size")


def _read_data(reader: _Reader, value: Any) -> DataSpec:
    # The kind decides which other fields are allowed, so read it before checking the rest.
    kind = reader.object(value, "data", required=("kind",), optional=None)["kind"]
    kind = reader.choice(kind, "data.kind", DATA_KINDS)

    if kind == "normal":
        data = reader.object(
            value, "data", required=("kind",), optional=("samples", *_COMMON_DATA_FIELDS)
        )
        samples = reader.integer(data.get("samples", 1), "data.samples", minimum=1)
        spec = DataSpec(kind, samples=samples)
    elif kind == "synthetic":
        spec = _read_synthetic(reader, value)
    elif kind == "bundled":
        data = reader.object(value, "data", required=("kind", "name"), optional=_COMMON_DATA_FIELDS)
        name = reader.choice(data["name"], "data.name", tuple(bundled_dataset_names()))
        spec = DataSpec(kind, name=name)
    else:
        spec = _read_csv_data(reader, value)

    _read_common_data_fields(reader, value, spec)
    return spec


def _read_synthetic(reader: _Reader, value: Any) -> DataSpec:
    data = reader.object(
        value,
        "data",
        required=("kind", "name"),
        optional=("samples", "noise", *_COMMON_DATA_FIELDS),
    )
    name = reader.choice(data["name"], "data.name", tuple(synthetic_dataset_names()))
    samples = reader.integer(
        data.get("samples", DEFAULT_SYNTHETIC_SAMPLES),
        "data.samples",
        minimum=MIN_SAMPLES,
        maximum=MAX_SAMPLES,
    )

    noise = reader.number(data.get("noise", SYNTHETIC_SETS[name].default_noise), "data.noise")
    if not 0.0 <= noise <= MAX_NOISE:
        reader.fail("data.noise", f"must be between 0 and {MAX_NOISE:g}, got {noise:g}")
    return DataSpec("synthetic", name=name, samples=samples, noise=noise)


def _read_common_data_fields(reader: _Reader, data: dict, spec: DataSpec) -> None:
    if data.get("seed") is not None:
        spec.seed = reader.integer(data["seed"], "data.seed", minimum=0, maximum=MAX_SEED)

    fraction = reader.number(data.get("validation_fraction", 0.0), "data.validation_fraction")
    if not 0.0 <= fraction <= MAX_VALIDATION_FRACTION:
        problem = f"must be between 0 and {MAX_VALIDATION_FRACTION:g}, got {fraction:g}"
        reader.fail("data.validation_fraction", problem)
    spec.validation_fraction = fraction

    if data.get("batch_size") is not None:
        spec.batch_size = reader.integer(data["batch_size"], "data.batch_size", minimum=1)


def _read_csv_data(reader: _Reader, value: Any) -> DataSpec:
    data = reader.object(
        value,
        "data",
        required=("kind", "path", "features"),
        optional=("label", "task", *_COMMON_DATA_FIELDS),
    )
    path = reader.string(data["path"], "data.path")
    features = reader.string_list(data["features"], "data.features")
    if not features:
        reader.fail("data.features", "list at least one feature column")

    label = data.get("label")
    if label is not None:
        label = reader.string(label, "data.label")
        if label in features:
            reader.fail("data.label", f"column {label!r} is also a feature; a label must not be")

    task = data.get("task")
    if task is not None:
        task = reader.choice(task, "data.task", TASKS)
    return DataSpec("csv", path=path, features=features, label=label, task=task)


def _check_objective_has_labels(reader: _Reader, objective: str, data: DataSpec) -> None:
    if objective == "sum" or data.has_labels():
        return

    if data.kind == "csv":
        fix = "set data.label to the target column or use the objective 'sum'"
    else:
        fix = "use the objective 'sum' or a data set with labels"
    reader.fail("objective", f"{objective!r} needs labels, but the data has none; {fix}")


def _read_tapes(reader: _Reader, value: Any, variable_names: list[str]) -> list[TapeSpec]:
    tapes = []
    for index, tape_value in enumerate(reader.array(value, "tapes")):
        tapes.append(_read_tape(reader, tape_value, f"tapes[{index}]", variable_names))

    names = [tape.name for tape in tapes]
    for index, tape in enumerate(tapes):
        if tape.name in names[:index]:
            problem = f"another tape is already called {tape.name!r}; rename one"
            reader.fail(f"tapes[{index}].name", problem)

    _check_parents(reader, tapes)
    return tapes


def _read_tape(reader: _Reader, value: Any, where: str, variable_names: list[str]) -> TapeSpec:
    tape = reader.object(
        value,
        where,
        required=("name", "variables", "optimizer"),
        optional=("persistent", "parent", "penalty_weight"),
    )
    name = reader.string(tape["name"], f"{where}.name")
    try:
        check_tape_name(name)
    except ValueError as error:
        reader.fail(f"{where}.name", str(error))

    variables = reader.string_list(tape["variables"], f"{where}.variables")
    for position, variable in enumerate(variables):
        if variable not in variable_names:
            problem = (
                f"{variable!r} is not a variable of the model; "
                f"its variables are: {', '.join(variable_names)}"
            )
            reader.fail(f"{where}.variables[{position}]", problem)

    optimizer = _read_optimizer(reader, tape["optimizer"], f"{where}.optimizer")
    persistent = reader.boolean(tape.get("persistent", False), f"{where}.persistent")
    parent = tape.get("parent")
    if parent is not None:
        parent = reader.string(parent, f"{where}.parent")

    # Files of format version 1 have no penalty weight; 0 keeps their meaning.
    penalty_weight = reader.number(tape.get("penalty_weight", 0.0), f"{where}.penalty_weight")
    try:
        penalty_weight = check_penalty_weight(penalty_weight)
    except ValueError as error:
        reader.fail(f"{where}.penalty_weight", str(error))
    return TapeSpec(name, variables, optimizer, persistent, parent, penalty_weight)


def _check_parents(reader: _Reader, tapes: list[TapeSpec]) -> None:
    parents = {tape.name: tape.parent for tape in tapes}

    for index, tape in enumerate(tapes):
        where = f"tapes[{index}].parent"
        if tape.parent is None:
            continue
        if tape.parent not in parents:
            known = ", ".join(parents)
            problem = f"there is no tape {tape.parent!r} to nest in; the tapes are: {known}"
            reader.fail(where, problem)

        seen = [tape.name]
        current = tape.parent
        while current is not None:
            if current in seen:
                chain = " -> ".join([*seen, current])
                reader.fail(where, f"tapes are nested in a loop ({chain}); remove one parent")
            seen.append(current)
            current = parents[current]


def _read_optimizer(reader: _Reader, value: Any, where: str) -> OptimizerSpec:
    optimizer = reader.object(value, where, required=("name",), optional=("hyperparameters",))
    name = reader.string(optimizer["name"], f"{where}.name")
    values = optimizer.get("hyperparameters", {})
    values = reader.object(values, f"{where}.hyperparameters", optional=None)

    return check_optimizer(OptimizerSpec(name, dict(values)), reader.source, where)


def check_optimizer(spec: OptimizerSpec, source: str | None, where: str) -> OptimizerSpec:
    """Check an optimizer against the optimizer registry and return it with clean values.

    The registry must know ``spec.name``. Each hyperparameter must be one the optimizer takes
    and have the type of its default: true or false for a flag such as ``nesterov``, else a
    finite number (returned as float). The optimizer must also accept its value. ``where`` is
    the field path of the optimizer, used in errors. Raises ProjectError naming the field.
    """
    from tapestudio import optimizers

    try:
        defaults = optimizers.hyperparameters(spec.name)
    except (KeyError, ValueError) as error:
        raise ProjectError(source, f"{where}.name", _message(error)) from None

    reader = _Reader(source)
    values = {}
    for key, value in spec.hyperparameters.items():
        field_path = f"{where}.hyperparameters.{key}"
        if key not in defaults:
            known = ", ".join(defaults) or "none"
            reader.fail(field_path, f"{spec.name} has no hyperparameter {key!r}; it takes: {known}")
        if isinstance(defaults[key], bool):
            values[key] = reader.boolean(value, field_path)
        else:
            values[key] = reader.number(value, field_path)

    # Ranges (a momentum above 1, say) are the optimizer's to check, so build it with each
    # hyperparameter on its own to find the one it rejects.
    for key, value in values.items():
        try:
            optimizers.get(spec.name, **{key: value})
        except (TypeError, ValueError) as error:
            reader.fail(f"{where}.hyperparameters.{key}", _message(error))

    return OptimizerSpec(spec.name, values)


def _message(error: BaseException) -> str:
    # KeyError's str() quotes its message; args[0] is the text itself.
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return str(error)


# ---------------------------------------------------------------------------------------------
# Field checks


def _show(value: Any) -> str:
    """Return a short JSON rendering of a value for error messages."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


class _Reader:
    """Type and range checks on decoded JSON that raise ProjectError naming the field."""

    def __init__(self, source: str | None) -> None:
        self.source = source

    def fail(self, field_path: str, problem: str) -> NoReturn:
        raise ProjectError(self.source, field_path or None, problem)

    def object(
        self,
        value: Any,
        where: str,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] | None = (),
    ) -> dict:
        """Check a JSON object, its required keys and (unless ``optional`` is None) unknown keys."""
        if not isinstance(value, dict):
            self.fail(where, f"expected a JSON object, got {_show(value)}")

        for key in value:
            if not isinstance(key, str):
                self.fail(where, f"keys must be strings, got {_show(key)}")

        if optional is not None:
            known = (*required, *optional)
            for key in value:
                if key not in known:
                    problem = f"unknown field; expected one of: {', '.join(known)}"
                    self.fail(_join(where, key), problem)

        for key in required:
            if key not in value:
                self.fail(_join(where, key), "missing required field")
        return value

    def array(self, value: Any, where: str) -> list:
        if not isinstance(value, list):
            self.fail(where, f"expected a JSON array, got {_show(value)}")
        return value

    def string(self, value: Any, where: str, allow_empty: bool = False) -> str:
        if not isinstance(value, str):
            self.fail(where, f"expected a string, got {_show(value)}")
        if not allow_empty and not value.strip():
            self.fail(where, "must not be empty")
        return value

    def string_list(self, value: Any, where: str) -> list[str]:
        items = self.array(value, where)
        for index, item in enumerate(items):
            self.string(item, f"{where}[{index}]")
            if item in items[:index]:
                self.fail(f"{where}[{index}]", f"{item!r} is listed twice")
        return list(items)

    def boolean(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            self.fail(where, f"expected true or false, got {_show(value)}")
        return value

    def integer(
        self, value: Any, where: str, minimum: int | None = None, maximum: int | None = None
    ) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"expected an integer, got {_show(value)}")
        if minimum is not None and value < minimum:
            self.fail(where, f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            self.fail(where, f"must be at most {maximum}, got {value}")
        return value

    def number(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(where, f"expected a number, got {_show(value)}")
        if not math.isfinite(value):
            self.fail(where, f"must be a finite number, got {value}")
        return float(value)

    def choice(self, value: Any, where: str, choices: tuple[str, ...]) -> str:
        if value not in choices or not isinstance(value, str):
            self.fail(where, f"expected one of {', '.join(choices)}; got {_show(value)}")
        return value
