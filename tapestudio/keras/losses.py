"""Losses as Keras computes them: a per-example value, averaged over the batch."""

from __future__ import annotations

from ..engine.ops import math_ops, nn_ops, reduction_ops
from ..engine.ops._convert import to_tensor

__all__ = ["mean_squared_error", "categorical_crossentropy", "sparse_categorical_crossentropy",
           "binary_crossentropy", "MeanSquaredError", "CategoricalCrossentropy",
           "SparseCategoricalCrossentropy", "BinaryCrossentropy"]


def mean_squared_error(y_true, y_pred):
    """Return the mean over the last axis of ``(y_true - y_pred) ** 2``, per example."""
    y_pred = to_tensor(y_pred)
    y_true = math_ops.cast(to_tensor(y_true), y_pred.dtype)
    return reduction_ops.reduce_mean(math_ops.square(math_ops.subtract(y_pred, y_true)), axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Return the cross-entropy per example of one-hot ``y_true`` against ``y_pred``.

    Raises:
        NotImplementedError: ``from_logits`` is False; pass logits.
    """
    if not from_logits:
        raise NotImplementedError("categorical_crossentropy supports from_logits=True only.")
    y_pred = to_tensor(y_pred)
    return nn_ops.softmax_cross_entropy_with_logits(math_ops.cast(y_true, y_pred.dtype), y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Return the cross-entropy per example of integer ``y_true`` against ``y_pred``.

    Raises:
        NotImplementedError: ``from_logits`` is False; pass logits.
    """
    if not from_logits:
        raise NotImplementedError("sparse_categorical_crossentropy supports from_logits=True only.")
    return nn_ops.sparse_softmax_cross_entropy_with_logits(math_ops.cast(y_true, "int32"), y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False):
    """Return the mean over the last axis of the sigmoid cross-entropy, per example.

    Raises:
        NotImplementedError: ``from_logits`` is False; pass logits.
    """
    if not from_logits:
        raise NotImplementedError("binary_crossentropy supports from_logits=True only.")
    y_pred = to_tensor(y_pred)
    per_element = nn_ops.sigmoid_cross_entropy_with_logits(math_ops.cast(y_true, y_pred.dtype), y_pred)
    return reduction_ops.reduce_mean(per_element, axis=-1)


class _Loss:
    function = staticmethod(mean_squared_error)

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = from_logits

    def __call__(self, y_true, y_pred):
        if self.function is mean_squared_error:
            per_example = mean_squared_error(y_true, y_pred)
        else:
            per_example = type(self).function(y_true, y_pred, from_logits=self.from_logits)
        return reduction_ops.reduce_mean(per_example)


class MeanSquaredError(_Loss):
    function = staticmethod(mean_squared_error)


class CategoricalCrossentropy(_Loss):
    function = staticmethod(categorical_crossentropy)


class SparseCategoricalCrossentropy(_Loss):
    function = staticmethod(sparse_categorical_crossentropy)


class BinaryCrossentropy(_Loss):
    function = staticmethod(binary_crossentropy)
