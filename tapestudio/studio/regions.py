"""Decision regions of a classifier on two features, to draw behind the samples.

TensorFlow Playground colours the input plane by what the network predicts there, and so do
these functions. ``decision_grid`` evaluates the model on a grid over the range of the two raw
features, scaled as the training inputs are, with the weights of the latest step. It returns
the predicted class and its probability at each grid point. ``region_colors`` turns that into
an RGBA image whose colour is the class and whose strength is the confidence.

The model is evaluated from ``Session.weights()``, which takes no lock, and the engine's tapes
are per thread, so the GUI thread can call these functions while a worker thread trains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import tapestudio as tf
from tapestudio.keras import activations
from tapestudio.studio.project import layer_name
from tapestudio.studio.session import Session

DEFAULT_RESOLUTION = 80
# The grid extends this fraction of each feature's range beyond its smallest and largest value.
MARGIN = 0.1
# At full confidence a region is this far from white towards its class colour, so that the
# samples drawn on top stay visible.
MAX_STRENGTH = 0.65
NO_CLASS_RGB = (160, 160, 160)

CLASSIFICATION_OBJECTIVES = ("softmax_cross_entropy", "sigmoid_cross_entropy", "mse")


@dataclass(frozen=True, eq=False)
class DecisionGrid:
    """The model's prediction on a regular grid over two features.

    ``predicted``: int64, shape (resolution, resolution), the class index at each point, or -1
    where the output is not finite. ``confidence``: float64 of the same shape, the predicted
    class's probability rescaled so that 0 means a uniform guess and 1 certainty. Row ``i`` is
    at the i-th y value from the bottom and column ``j`` at the j-th x value from the left. The
    grid points are the centres of cells that tile ``x_range`` by ``y_range`` exactly.
    """

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    feature_names: tuple[str, str]
    classes: tuple[str, ...]
    predicted: np.ndarray
    confidence: np.ndarray


def regions_unavailable_reason(session: Session) -> str | None:
    """Return why the session's data has no decision regions, or None when it has them.

    Regions need two features, labels and a classification objective (softmax or sigmoid
    cross-entropy, or mean squared error on class labels).
    """
    dataset = session.dataset
    objective = session.project.objective
    if dataset.features.shape[1] != 2:
        return f"decision regions need data with two features; this data has {dataset.features.shape[1]}"
    if dataset.labels is None or objective not in CLASSIFICATION_OBJECTIVES:
        return "decision regions need class labels and a classification objective"
    if objective == "mse" and dataset.classes is None:
        return "decision regions need class labels; mean squared error here fits numbers"
    return None


def class_names(session: Session) -> tuple[str, ...]:
    """Return the names of the classes: the label values, or "0", "1", ... for numeric labels."""
    dataset = session.dataset
    if dataset.classes is not None:
        return tuple(dataset.classes)

    units = session.project.model.layers[-1].units
    count = 2 if session.project.objective == "sigmoid_cross_entropy" else units
    return tuple(str(index) for index in range(count))


def sample_points(session: Session) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the samples to draw: raw features (samples, 2) float64, class indices (samples,)
    int64, and a bool mask (samples,) of the samples held out for validation.
    """
    dataset = session.dataset
    features = np.asarray(dataset.features, dtype=np.float64)
    labels = np.asarray(dataset.labels, dtype=np.float64)
    labels = np.round(labels).astype(np.int64)

    held_out = np.zeros(dataset.samples, dtype=bool)
    held_out[np.asarray(session.training_data.split.validation, dtype=np.int64)] = True
    return features, labels, held_out


def predict(session: Session, features: np.ndarray) -> np.ndarray:
    """Return the model's outputs for raw feature rows, with the weights of the latest step.

    ``features``: (rows, input size), in the data's own units; they are scaled as the training
    inputs are. Returns float32 (rows, output units).
    """
    weights = session.weights()
    outputs = session.training_data.scale(features)

    with np.errstate(all="ignore"):
        for index, spec in enumerate(session.project.model.layers):
            name = layer_name(index)
            outputs = outputs @ weights[f"{name}/kernel"]
            if spec.use_bias:
                outputs = outputs + weights[f"{name}/bias"]
            outputs = activations.get(spec.activation)(tf.constant(outputs)).numpy()
    return np.asarray(outputs, dtype=np.float32)


def decision_grid(session: Session, resolution: int = DEFAULT_RESOLUTION) -> DecisionGrid:
    """Evaluate the model on a ``resolution`` x ``resolution`` grid over the two features.

    Raises ValueError when the session's data has no decision regions (see
    ``regions_unavailable_reason``) or ``resolution`` is below 2.
    """
    reason = regions_unavailable_reason(session)
    if reason is not None:
        raise ValueError(reason)
    if resolution < 2:
        raise ValueError(f"the grid resolution must be at least 2, got {resolution}")

    features, _, _ = sample_points(session)
    x_range = _padded_range(features[:, 0])
    y_range = _padded_range(features[:, 1])
    x_centres = _cell_centres(x_range, resolution)
    y_centres = _cell_centres(y_range, resolution)
    grid_x, grid_y = np.meshgrid(x_centres, y_centres)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])

    probabilities = class_probabilities(session.project.objective, predict(session, points))
    predicted, confidence = _most_likely(probabilities)
    shape = (resolution, resolution)
    names = tuple(session.dataset.feature_names[:2])
    return DecisionGrid(
        x_range, y_range, names, class_names(session), predicted.reshape(shape), confidence.reshape(shape)
    )


def class_probabilities(objective: str, outputs: np.ndarray) -> np.ndarray:
    """Turn model outputs (rows, units) into class probabilities (rows, classes), float64.

    Softmax cross-entropy: the softmax of the logits. Sigmoid cross-entropy (one unit): the
    sigmoid p of the logit, as [1 - p, p]. Mean squared error on one-hot targets: the outputs
    clipped to [0, 1]. Rows with a value that is not finite stay NaN.
    """
    logits = np.asarray(outputs, dtype=np.float64)
    with np.errstate(all="ignore"):
        if objective == "softmax_cross_entropy":
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            return shifted / shifted.sum(axis=1, keepdims=True)
        if objective == "sigmoid_cross_entropy":
            positive = 1.0 / (1.0 + np.exp(-logits[:, :1]))
            return np.hstack([1.0 - positive, positive])
    return np.clip(logits, 0.0, 1.0)


def _most_likely(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    classes = probabilities.shape[1]
    finite = np.all(np.isfinite(probabilities), axis=1)
    safe = np.where(finite[:, None], probabilities, 0.0)

    predicted = np.where(finite, np.argmax(safe, axis=1), -1).astype(np.int64)
    best = safe.max(axis=1)
    # A uniform guess is 1 / classes; rescale so that it maps to 0 and certainty to 1.
    floor = 1.0 / classes if classes > 1 else 0.0
    confidence = np.clip((best - floor) / (1.0 - floor), 0.0, 1.0)
    return predicted, np.where(finite, confidence, 0.0)


def _padded_range(values: np.ndarray) -> tuple[float, float]:
    low, high = float(np.min(values)), float(np.max(values))
    span = high - low if high > low else 1.0
    return low - MARGIN * span, high + MARGIN * span


def _cell_centres(value_range: tuple[float, float], resolution: int) -> np.ndarray:
    low, high = value_range
    width = (high - low) / resolution
    return low + width * (np.arange(resolution) + 0.5)


def region_colors(
    grid: DecisionGrid, class_rgb: list[tuple[int, int, int]], strength: float = MAX_STRENGTH
) -> np.ndarray:
    """Return an RGBA image, uint8 of shape (resolution, resolution, 4), of the regions.

    Each cell is white mixed with its class colour (``class_rgb[class]``) in proportion to
    ``strength * confidence``; cells without a class are grey. Rows run from the bottom up, as
    in ``grid``. Raises ValueError when ``class_rgb`` has fewer colours than there are classes.
    """
    if len(class_rgb) < len(grid.classes):
        raise ValueError(f"{len(grid.classes)} classes need as many colours, got {len(class_rgb)}")

    palette = np.array([*class_rgb[: len(grid.classes)], NO_CLASS_RGB], dtype=np.float64)
    colours = palette[grid.predicted]  # -1 picks the last row, the grey.
    weight = (strength * grid.confidence)[..., None]
    weight = np.where((grid.predicted < 0)[..., None], strength, weight)
    rgb = 255.0 - (255.0 - colours) * weight

    image = np.empty((*grid.predicted.shape, 4), dtype=np.uint8)
    image[..., :3] = np.clip(np.round(rgb), 0, 255).astype(np.uint8)
    image[..., 3] = 255
    return image
