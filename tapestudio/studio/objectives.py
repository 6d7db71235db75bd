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
