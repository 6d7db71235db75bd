"""Objectives: the scalar each training step differentiates, and the targets it compares with.

``sum`` is the sum of the predictions (no labels). ``mse`` is the mean squared error over all
outputs. ``softmax_cross_entropy`` and ``sigmoid_cross_entropy`` are the means over the batch of
TensorFlow's ``softmax_cross_entropy_with_logits`` and ``sigmoid_cross_entropy_with_logits``,
with the predictions as logits.
"""

from __future__ import annotations

import numpy as np

import tapestudio as tf
from tapestudio.studio.datasets import Dataset
from tapestudio.studio.errors import ProjectError
from tapestudio.studio.project import Project


def build_targets(project: Project, dataset: Dataset) -> np.ndarray | None:
    """Return the float32 targets, shape (samples, output units), for the project's objective.

    Class labels become one-hot rows. Returns None for ``sum``. Raises ProjectError, naming the
    field to change, when the data does not fit the model or the objective.
    """
    _check_input_size(project, dataset)
    if project.objective == "sum":
        return None
    if dataset.labels is None:
        problem = f"{project.objective!r} needs labels, but the data has none"
        raise ProjectError(project.describe_source(), "objective", problem)

    units = project.model.layers[-1].units
    if project.objective == "mse":
        return _regression_targets(project, dataset, units)
    if project.objective == "softmax_cross_entropy":
        return _one_hot(_class_indices(project, dataset, units), units)
    return _binary_targets(project, dataset, units)


def _check_input_size(project: Project, dataset: Dataset) -> None:
    columns = dataset.features.shape[1]
    if columns != project.model.input_size:
        problem = (
            f"the data has {columns} feature columns but the model's input size is "
            f"{project.model.input_size}; set model.input_size to {columns}"
        )
        raise ProjectError(project.describe_source(), "model.input_size", problem)


def _output_field(project: Project) -> str:
    return f"model.layers[{len(project.model.layers) - 1}].units"


def _regression_targets(project: Project, dataset: Dataset, units: int) -> np.ndarray:
    if dataset.classes is not None:
        return _one_hot(_class_indices(project, dataset, units), units)

    if units != 1:
        problem = f"mse on one numeric label column needs 1 output unit, not {units}; set it to 1"
        raise ProjectError(project.describe_source(), _output_field(project), problem)
    return dataset.labels.reshape(-1, 1).astype(np.float32)


def _class_indices(project: Project, dataset: Dataset, units: int) -> np.ndarray:
    """Return int64 class indices and check that the last layer has one unit per class."""
    labels = dataset.labels
    if dataset.classes is not None:
        if len(dataset.classes) != units:
            problem = (
                f"the data has {len(dataset.classes)} classes ({', '.join(dataset.classes)}) but "
                f"the last layer has {units} units; set it to {len(dataset.classes)}"
            )
            raise ProjectError(project.describe_source(), _output_field(project), problem)
        return labels.astype(np.int64)

    whole = np.all(labels == np.round(labels))
    if not whole or labels.min() < 0 or labels.max() >= units:
        problem = (
            f"{project.objective} needs class labels 0 to {units - 1} (one per output unit); "
            f"the label column holds values from {labels.min():g} to {labels.max():g}"
        )
        raise ProjectError(project.describe_source(), "data.label", problem)
    return labels.astype(np.int64)


def _binary_targets(project: Project, dataset: Dataset, units: int) -> np.ndarray:
    if units != 1:
        problem = f"sigmoid_cross_entropy needs 1 output unit, not {units}; set it to 1"
        raise ProjectError(project.describe_source(), _output_field(project), problem)

    if dataset.classes is not None and len(dataset.classes) != 2:
        problem = (
            f"sigmoid_cross_entropy needs two classes, but the label column has "
            f"{len(dataset.classes)}: {', '.join(dataset.classes)}"
        )
        raise ProjectError(project.describe_source(), "data.label", problem)

    labels = dataset.labels
    if labels.min() < 0 or labels.max() > 1:
        problem = (
            "sigmoid_cross_entropy needs labels between 0 and 1; the label column holds values "
            f"from {labels.min():g} to {labels.max():g}"
        )
        raise ProjectError(project.describe_source(), "data.label", problem)
    return labels.reshape(-1, 1).astype(np.float32)


def _one_hot(indices: np.ndarray, units: int) -> np.ndarray:
    targets = np.zeros((indices.shape[0], units), dtype=np.float32)
    targets[np.arange(indices.shape[0]), indices] = 1.0
    return targets


def objective_tensor(
    objective: str, predictions: tf.Tensor, targets: tf.Tensor | None
) -> tf.Tensor:
    """Compute the scalar objective from predictions (samples, units) and targets of that shape.

    Raises ValueError for an unknown objective name.
    """
    if objective == "sum":
        return tf.reduce_sum(predictions)
    if objective == "mse":
        return tf.reduce_mean(tf.square(predictions - targets))
    if objective == "softmax_cross_entropy":
        losses = tf.nn.softmax_cross_entropy_with_logits(labels=targets, logits=predictions)
        return tf.reduce_mean(losses)
    if objective == "sigmoid_cross_entropy":
        losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=predictions)
        return tf.reduce_mean(losses)
    raise ValueError(f"unknown objective {objective!r}")


# ---------------------------------------------------------------------------------------------
# Which objectives fit which data


OBJECTIVE_TITLES = {
    "sum": "Sum of the predictions",
    "mse": "Mean squared error",
    "softmax_cross_entropy": "Softmax cross-entropy",
    "sigmoid_cross_entropy": "Sigmoid cross-entropy",
}


def objective_misfit(objective: str, dataset: Dataset) -> str | None:
    """Return why ``objective`` cannot train on ``dataset``, or None when it can.

    The reason is one sentence for a tooltip, such as "needs labels, but the data has none".
    The number of output units is not checked here: ``output_units`` says what it must be.
    Raises ValueError for an unknown objective name.
    """
    if objective not in OBJECTIVE_TITLES:
        known = ", ".join(OBJECTIVE_TITLES)
        raise ValueError(f"unknown objective {objective!r}; the objectives are: {known}")
    if objective == "sum":
        return None
    if dataset.labels is None:
        return "needs labels, but the data has none"
    if objective == "mse":
        return None

    if objective == "softmax_cross_entropy":
        if dataset.classes is not None or _class_index_labels(dataset.labels):
            return None
        return (
            f"needs class labels, but {dataset.label_name!r} holds numbers to predict; "
            "import the label for classification to use it"
        )

    if dataset.classes is not None:
        if len(dataset.classes) == 2:
            return None
        return f"needs two classes, but the data has {len(dataset.classes)}"
    if dataset.labels.min() >= 0 and dataset.labels.max() <= 1:
        return None
    return (
        f"needs labels between 0 and 1, but {dataset.label_name!r} holds values from "
        f"{dataset.labels.min():g} to {dataset.labels.max():g}"
    )


def objective_misfits(dataset: Dataset) -> dict[str, str | None]:
    """Return ``objective_misfit`` of every objective, in menu order."""
    return {objective: objective_misfit(objective, dataset) for objective in OBJECTIVE_TITLES}


def output_units(objective: str, dataset: Dataset) -> int | None:
    """Return the number of output units ``objective`` needs on ``dataset``, or None for any.

    One unit per class for softmax cross-entropy and for mean squared error on classes, one
    unit for sigmoid cross-entropy and for mean squared error on numeric labels. The objective
    must fit the data (see ``objective_misfit``).
    """
    if objective == "sum" or dataset.labels is None:
        return None
    if objective == "sigmoid_cross_entropy":
        return 1
    if dataset.classes is not None:
        return len(dataset.classes)
    if objective == "softmax_cross_entropy":
        return int(dataset.labels.max()) + 1
    return 1


def default_objective(dataset: Dataset) -> str:
    """Return the objective a new project on ``dataset`` starts with.

    ``sum`` without labels, sigmoid cross-entropy for two classes, softmax cross-entropy for
    more, mean squared error for numeric labels.
    """
    if dataset.labels is None:
        return "sum"
    if dataset.classes is None:
        return "mse"
    return "sigmoid_cross_entropy" if len(dataset.classes) == 2 else "softmax_cross_entropy"


def _class_index_labels(labels: np.ndarray) -> bool:
    """Return True when numeric labels are whole numbers from 0, usable as class indices."""
    return bool(np.all(labels == np.round(labels)) and labels.min() >= 0)
