"""Activations, softmax and the cross-entropies of ``tf.nn``.

Conventions follow TensorFlow 2 (``nn_grad.py`` and the ``ReluGrad`` kernel): the gradient of
``relu`` is 0 at 0, and that of ``relu6`` is 0 at 0 and at 6. Both multiply the cotangent by
a 0/1 mask, so a NaN cotangent stays NaN even where the input is negative. The fused cross-entropies compute ``softmax - labels`` for the
logits' gradient, so a logit whose probability underflows to 0 still gets a finite gradient.
"""

from __future__ import annotations

import numpy as np

from ..core import apply, define_op
from ..errors import InvalidArgumentError
from ..tensor import EagerTensor, Tensor
from ._convert import operands, to_tensor
from .array_ops import expand_dims, where
from .math_ops import _SIGMOID as _SIGMOID_OP
from .math_ops import (
    add, cast, exp, flush_subnormals, greater, less, log1p, logical_and, multiply, negative,
    sigmoid, subtract,
)
from .reduction_ops import reduce_sum

__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "selu", "softplus", "softsign", "softmax", "log_softmax",
    "softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits",
    "sigmoid_cross_entropy_with_logits",
]


def _zeros(like: Tensor) -> Tensor:
    return EagerTensor(np.zeros_like(like._value))


# -- activations -------------------------------------------------------------------------------

def _relu_forward(x):
    return np.maximum(x, x.dtype.type(0))


def _relu_vjp(g, out, x):
    return multiply(g, cast(greater(out, 0), g._value.dtype))


_RELU = define_op(
    "Relu", _relu_forward, _relu_vjp, numpy_vjps=(lambda g, out, x: g * (out > 0),),
)


def _relu6_vjp(g, out, x):
    inside = logical_and(greater(x, 0), less(x, 6))
    return multiply(g, cast(inside, g._value.dtype))


_RELU6 = define_op("Relu6", lambda x: np.clip(x, 0, 6).astype(x.dtype, copy=False), _relu6_vjp)


def relu(features, name=None) -> Tensor:
    """Return ``max(features, 0)``; the gradient at 0 is 0."""
    return apply(_RELU, (to_tensor(features),))


def relu6(features, name=None) -> Tensor:
    """Return ``min(max(features, 0), 6)``; the gradient at 0 and at 6 is 0."""
    return apply(_RELU6, (to_tensor(features),))


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """Return ``features`` where positive, else ``alpha * features``."""
    x = to_tensor(features)
    return where(greater(x, 0), x, multiply(x, alpha))


def elu(features, name=None) -> Tensor:
    """Return ``features`` where positive, else ``exp(features) - 1``."""
    from .math_ops import expm1, minimum

    x = to_tensor(features)
    return where(greater(x, 0), x, expm1(minimum(x, 0.0)))


def selu(features, name=None) -> Tensor:
    """Return the scaled exponential linear unit of Klambauer et al. (2017).

    At 0 the gradient is ``scale``, the slope of the linear part, as in TensorFlow.
    """
    scale = 1.0507009873554804934193349852946
    alpha = 1.6732632423543772848170429916717
    from .math_ops import expm1, minimum

    x = to_tensor(features)
    return multiply(where(less(x, 0), multiply(expm1(minimum(x, 0.0)), alpha), x), scale)


def _softplus_forward(x):
    # max(x, 0) + log(1 + exp(-|x|)) never overflows.
    return np.maximum(x, x.dtype.type(0)) + np.log1p(np.exp(-np.abs(x)))


_SOFTPLUS = define_op(
    "Softplus", _softplus_forward,
    lambda g, out, x: multiply(g, sigmoid(x)),
    numpy_vjps=(lambda g, out, x: g * _SIGMOID_OP.forward(x),),
)


def softplus(features, name=None) -> Tensor:
    """Return ``log(1 + exp(features))`` without overflow; the gradient is ``sigmoid``."""
    return apply(_SOFTPLUS, (to_tensor(features),))


def softsign(features, name=None) -> Tensor:
    """Return ``features / (1 + |features|)``."""
    from .math_ops import abs as abs_, divide

    x = to_tensor(features)
    return divide(x, add(abs_(x), 1.0))


# -- softmax -----------------------------------------------------------------------------------

def _softmax_forward(logits, axis=-1):
    shifted = logits - np.max(logits, axis=axis, keepdims=True)
    e = flush_subnormals(np.exp(shifted))
    return flush_subnormals(e / np.sum(e, axis=axis, keepdims=True))


def _log_softmax_forward(logits, axis=-1):
    shifted = logits - np.max(logits, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _softmax_vjp(g, out, logits, axis=-1):
    inner = reduce_sum(multiply(g, out), axis=axis, keepdims=True)
    return multiply(subtract(g, inner), out)


def _log_softmax_vjp(g, out, logits, axis=-1):
    return subtract(g, multiply(reduce_sum(g, axis=axis, keepdims=True), exp(out)))


def _negative_axis(axis: int, ndim: int) -> int:
    """Count ``axis`` from the end, so that it still names the same axis behind batch axes."""
    return axis - ndim if axis >= 0 else axis


def _softmax_numpy_vjp(g, out, logits, axis=-1):
    axis = _negative_axis(axis, out.ndim)
    return (g - np.sum(g * out, axis=axis, keepdims=True)) * out


def _log_softmax_numpy_vjp(g, out, logits, axis=-1):
    axis = _negative_axis(axis, out.ndim)
    return g - np.sum(g, axis=axis, keepdims=True) * np.exp(out)


_SOFTMAX = define_op("Softmax", _softmax_forward, _softmax_vjp, numpy_vjps=(_softmax_numpy_vjp,))
_LOG_SOFTMAX = define_op(
    "LogSoftmax", _log_softmax_forward, _log_softmax_vjp, numpy_vjps=(_log_softmax_numpy_vjp,),
)


def _axis_attrs(x: Tensor, axis) -> dict:
    ndim = x._value.ndim
    if ndim == 0:
        raise InvalidArgumentError("softmax needs a tensor of rank 1 or more, got a scalar.")
    axis = -1 if axis is None else int(axis)
    if not -ndim <= axis < ndim:
        raise InvalidArgumentError(f"axis {axis} is out of range for a rank-{ndim} tensor.")
    return {"axis": axis % ndim - ndim}


def softmax(logits, axis=None, name=None) -> Tensor:
    """Return ``exp(logits) / sum(exp(logits))`` along ``axis`` (default the last)."""
    x = to_tensor(logits)
    return apply(_SOFTMAX, (x,), _axis_attrs(x, axis))


def log_softmax(logits, axis=None, name=None) -> Tensor:
    """Return ``logits - log(sum(exp(logits)))`` along ``axis`` (default the last)."""
    x = to_tensor(logits)
    return apply(_LOG_SOFTMAX, (x,), _axis_attrs(x, axis))


# -- cross-entropies ---------------------------------------------------------------------------

def _softmax_ce_forward(labels, logits, axis=-1):
    return -np.sum(labels * _log_softmax_forward(logits, axis), axis=axis)


def _softmax_ce_vjp_labels(g, out, labels, logits, axis=-1):
    return multiply(expand_dims(g, axis), negative(log_softmax(logits, axis=axis)))


def _softmax_ce_vjp_logits(g, out, labels, logits, axis=-1):
    return multiply(expand_dims(g, axis), subtract(softmax(logits, axis=axis), labels))


_SOFTMAX_CE = define_op(
    "SoftmaxCrossEntropyWithLogits", _softmax_ce_forward,
    _softmax_ce_vjp_labels, _softmax_ce_vjp_logits,
    numpy_vjps=(
        lambda g, out, labels, logits, axis=-1: np.expand_dims(g, axis) * -_log_softmax_forward(logits, axis),
        lambda g, out, labels, logits, axis=-1: np.expand_dims(g, axis) * (_softmax_forward(logits, axis) - labels),
    ),
)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None) -> Tensor:
    """Return the cross-entropy between ``labels`` (a distribution over classes) and
    ``softmax(logits)`` along ``axis``; the result drops that axis.

    Raises:
        InvalidArgumentError: the shapes or dtypes of ``labels`` and ``logits`` differ.
    """
    labels, logits = operands(labels, logits, "SoftmaxCrossEntropyWithLogits")
    if labels._value.shape != logits._value.shape:
        raise InvalidArgumentError(
            f"logits and labels must be broadcastable: logits_size={list(logits._value.shape)} "
            f"labels_size={list(labels._value.shape)}"
        )
    return apply(_SOFTMAX_CE, (labels, logits), _axis_attrs(logits, axis))


def _sparse_ce_forward(logits, labels):
    log_probabilities = _log_softmax_forward(logits, -1)
    picked = np.take_along_axis(log_probabilities, labels[..., None].astype(np.int64), axis=-1)
    return -picked[..., 0]


def _sparse_ce_vjp(g, out, logits, labels):
    one_hot = EagerTensor(
        (labels._value[..., None] == np.arange(logits._value.shape[-1])).astype(logits._value.dtype)
    )
    return multiply(expand_dims(g, -1), subtract(softmax(logits), one_hot))


def _sparse_ce_numpy_vjp(g, out, logits, labels):
    one_hot = (labels[..., None] == np.arange(logits.shape[-1])).astype(logits.dtype)
    return np.expand_dims(g, -1) * (_softmax_forward(logits, -1) - one_hot)


_SPARSE_CE = define_op(
    "SparseSoftmaxCrossEntropyWithLogits", _sparse_ce_forward, _sparse_ce_vjp, None,
    numpy_vjps=(_sparse_ce_numpy_vjp, None),
)


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None) -> Tensor:
    """Return the cross-entropy of integer class ``labels`` against ``softmax(logits)``.

    ``labels`` has the shape of ``logits`` without its last axis.

    Raises:
        InvalidArgumentError: a label is outside ``[0, classes)`` or the shapes do not match.
    """
    logits = to_tensor(logits)
    labels = to_tensor(labels)
    if labels._value.dtype.kind not in "iu":
        raise InvalidArgumentError(
            f"labels must be int32 or int64, got {labels.dtype.name}; cast them with tf.cast."
        )
    if labels._value.shape != logits._value.shape[:-1]:
        raise InvalidArgumentError(
            f"labels shape {list(labels._value.shape)} must equal logits shape without its last "
            f"dimension: {list(logits._value.shape[:-1])}"
        )
    classes = logits._value.shape[-1]
    bad = (labels._value < 0) | (labels._value >= classes)
    if np.any(bad):
        value = labels._value[bad].flat[0]
        raise InvalidArgumentError(
            f"Received a label value of {value} which is outside the valid range of [0, {classes})."
        )
    return apply(_SPARSE_CE, (logits, labels))


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """Return the elementwise cross-entropy of ``labels`` in [0, 1] against ``sigmoid(logits)``.

    Computed as ``max(x, 0) - x * z + log(1 + exp(-|x|))``, which never overflows.

    Raises:
        ValueError: the shapes of ``labels`` and ``logits`` differ.
    """
    labels, logits = operands(labels, logits, "SigmoidCrossEntropyWithLogits")
    if labels._value.shape != logits._value.shape:
        raise ValueError(
            f"logits and labels must have the same shape ({list(logits._value.shape)} vs "
            f"{list(labels._value.shape)})"
        )
    from .math_ops import greater_equal

    non_negative = greater_equal(logits, 0)
    relu_logits = where(non_negative, logits, _zeros(logits))
    negative_abs_logits = where(non_negative, negative(logits), logits)
    return add(subtract(relu_logits, multiply(logits, labels)), log1p(exp(negative_abs_logits)))
