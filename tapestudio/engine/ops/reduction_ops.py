"""Reductions over axes: sum, mean, max, min, prod, logsumexp and the Euclidean norm.

``reduce_max`` and ``reduce_min`` share the gradient equally between tied elements, as
TensorFlow's ``_MinOrMaxGrad`` does.
"""

from __future__ import annotations

import numpy as np

from ..core import apply, define_op
from ..tensor import Tensor
from ._convert import normalize_axis, to_tensor
from .array_ops import broadcast_to, reshape
from .math_ops import cast, divide, equal, exp, log, multiply, sqrt, subtract

__all__ = [
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_logsumexp",
    "norm",
]


def _kept_shape(shape: tuple, axis) -> tuple:
    """Return ``shape`` with the reduced axes set to 1."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else d for i, d in enumerate(shape))


def _broadcast_back(g: Tensor, x: Tensor, axis, keepdims: bool) -> Tensor:
    """Broadcast a reduction's cotangent back to the shape of its input."""
    shape = x._value.shape
    if not keepdims:
        g = reshape(g, _kept_shape(shape, axis))
    return broadcast_to(g, shape)


def _sum_forward(x, axis=None, keepdims=False):
    return x.sum(axis=axis, keepdims=keepdims)


def _mean_forward(x, axis=None, keepdims=False):
    return x.mean(axis=axis, keepdims=keepdims)


def _count(x: Tensor, axis) -> int:
    shape = x._value.shape
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[a] for a in axis], dtype=np.int64))


def _broadcast_back_array(g, out, x, axis=None, keepdims=False):
    prefix = g.shape[:g.ndim - out.ndim]
    if not keepdims:
        g = g.reshape(prefix + _kept_shape(x.shape, axis))
    # A filled array costs less than np.broadcast_to's Python-level setup for small inputs.
    result = np.empty(prefix + x.shape, dtype=g.dtype)
    result[...] = g
    return result


def _mean_numpy_vjp(g, out, x, axis=None, keepdims=False):
    count = x.size if axis is None else int(np.prod([x.shape[a] for a in axis], dtype=np.int64))
    return _broadcast_back_array(g, out, x, axis, keepdims) / max(count, 1)


_SUM = define_op(
    "Sum", _sum_forward,
    lambda g, out, x, axis=None, keepdims=False: _broadcast_back(g, x, axis, keepdims),
    numpy_vjps=(_broadcast_back_array,),
)
_MEAN = define_op(
    "Mean", _mean_forward,
    lambda g, out, x, axis=None, keepdims=False: divide(
        _broadcast_back(g, x, axis, keepdims), float(max(_count(x, axis), 1))
    ),
    numpy_vjps=(_mean_numpy_vjp,),
)


def _extremum_vjp(g, out, x, axis=None, keepdims=False):
    y = _broadcast_back(out, x, axis, keepdims)
    indicators = cast(equal(y, x), x._value.dtype)
    selected = _broadcast_back(reduce_sum(indicators, axis=axis, keepdims=True), x, axis, True)
    return multiply(divide(indicators, selected), _broadcast_back(g, x, axis, keepdims))


def _prod_vjp(g, out, x, axis=None, keepdims=False):
    # NOTE: divides the product by each element, so an input containing 0 gives NaN or
    # infinity here, where TensorFlow uses exclusive cumulative products.
    y = _broadcast_back(out, x, axis, keepdims)
    return multiply(_broadcast_back(g, x, axis, keepdims), divide(y, x))


_MAX = define_op(
    "Max", lambda x, axis=None, keepdims=False: np.asarray(np.max(x, axis=axis, keepdims=keepdims)),
    _extremum_vjp,
)
_MIN = define_op(
    "Min", lambda x, axis=None, keepdims=False: np.asarray(np.min(x, axis=axis, keepdims=keepdims)),
    _extremum_vjp,
)
_PROD = define_op(
    "Prod", lambda x, axis=None, keepdims=False: np.asarray(np.prod(x, axis=axis, keepdims=keepdims)),
    _prod_vjp,
)


def _reduce(op, input_tensor, axis, keepdims) -> Tensor:
    x = to_tensor(input_tensor)
    axis = normalize_axis(axis, x._value.ndim)
    attrs = {"axis": axis, "keepdims": bool(keepdims)}
    return apply(op, (x,), attrs)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Sum over ``axis`` (all axes when None).

    Raises:
        InvalidArgumentError: an axis is outside the input's rank.
    """
    return _reduce(_SUM, input_tensor, axis, keepdims)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Average over ``axis`` (all axes when None); an integer input gives a truncated mean."""
    x = to_tensor(input_tensor)
    if x._value.dtype.kind in "iu":
        axis = normalize_axis(axis, x._value.ndim)
        total = np.sum(x._value, axis=axis, keepdims=keepdims)
        count = max(_count(x, axis), 1)
        return type(x)(np.asarray(total // count).astype(x._value.dtype))
    return _reduce(_MEAN, x, axis, keepdims)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Maximum over ``axis``; tied elements share the gradient equally."""
    return _reduce(_MAX, input_tensor, axis, keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Minimum over ``axis``; tied elements share the gradient equally."""
    return _reduce(_MIN, input_tensor, axis, keepdims)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Product over ``axis``."""
    return _reduce(_PROD, input_tensor, axis, keepdims)


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Return ``log(sum(exp(x)))`` over ``axis``, computed without overflow."""
    x = to_tensor(input_tensor)
    shift = type(x)(np.asarray(np.max(x._value, axis=normalize_axis(axis, x._value.ndim), keepdims=True)))
    shift = type(x)(np.where(np.isfinite(shift._value), shift._value, 0).astype(x._value.dtype))
    summed = reduce_sum(exp(subtract(x, shift)), axis=axis, keepdims=True)
    result = log(summed) + shift
    if not keepdims:
        result = reshape(result, np.sum(x._value, axis=normalize_axis(axis, x._value.ndim)).shape)
    return result


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None) -> Tensor:
    """Return the Euclidean (Frobenius) norm over ``axis`` (all axes when None).

    The gradient at a zero vector is NaN, as in TensorFlow.

    Raises:
        ValueError: ``ord`` is not ``"euclidean"``, ``"fro"`` or 2.
    """
    if ord not in ("euclidean", "fro", 2, 2.0):
        raise ValueError(f"Unsupported norm order {ord!r}; use 'euclidean'.")
    x = to_tensor(tensor)
    return sqrt(reduce_sum(multiply(x, x), axis=axis, keepdims=bool(keepdims)))
