"""Convert op arguments to tensors and reduce broadcast cotangents back to input shapes."""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import InvalidArgumentError
from ..tensor import EagerTensor, Tensor, array_of


def to_tensor(x) -> Tensor:
    """Return ``x`` as a Tensor; a Variable is read (and the read recorded)."""
    if isinstance(x, Tensor):
        return x
    read = getattr(x, "_read_for_op", None)
    if read is not None:
        return read()
    return EagerTensor(array_of(x))


def like(value, reference: Tensor) -> Tensor:
    """Convert a non-tensor ``value`` to a tensor of ``reference``'s dtype, as TensorFlow does
    for the Python operand of a binary op.

    Raises:
        TypeError: a Python float would have to become an integer or bool tensor.
    """
    dtype = reference._value.dtype
    value_type = type(value)
    if value_type is float and dtype.kind in "fc" or value_type is int:
        return EagerTensor(dtype.type(value))
    if isinstance(value, float) and dtype.kind not in "fc":
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {np.dtype(dtype).name}")
    if isinstance(value, numbers.Number) and not isinstance(value, np.generic):
        return EagerTensor(dtype.type(value))
    return EagerTensor(np.asarray(array_of(value), dtype=dtype))


def operands(x, y, op_name: str) -> tuple[Tensor, Tensor]:
    """Return both operands of a binary op as tensors of one dtype.

    A Python or NumPy operand takes the dtype of the tensor operand, as in TensorFlow.

    Raises:
        InvalidArgumentError: both are tensors and their dtypes differ.
    """
    x_type, y_type = type(x), type(y)
    x_is_number = x_type is float or x_type is int
    y_is_number = y_type is float or y_type is int
    x_is_tensor = not x_is_number and isinstance(x, Tensor)
    y_is_tensor = not y_is_number and isinstance(y, Tensor)
    if not x_is_number and not x_is_tensor and hasattr(x, "_read_for_op"):
        x, x_is_tensor = x._read_for_op(), True
    if not y_is_number and not y_is_tensor and hasattr(y, "_read_for_op"):
        y, y_is_tensor = y._read_for_op(), True
    # The common case of a tensor and a Python number, without the general checks.
    if x_is_tensor and y_is_number:
        dtype = x._value.dtype
        if y_type is int or dtype.kind in "fc":
            return x, EagerTensor(dtype.type(y))
    if y_is_tensor and x_is_number:
        dtype = y._value.dtype
        if x_type is int or dtype.kind in "fc":
            return EagerTensor(dtype.type(x)), y
    if x_is_tensor:
        if not y_is_tensor:
            y = like(y, x)
    elif y_is_tensor:
        x = like(x, y)
    else:
        x = to_tensor(x)
        y = like(y, x)
    if x._value.dtype != y._value.dtype:
        raise InvalidArgumentError(
            f"cannot compute {op_name} as input #1(zero-based) was expected to be a "
            f"{_tf_name(x._value.dtype)} tensor but is a {_tf_name(y._value.dtype)} tensor "
            f"[Op:{op_name}]. Cast one operand with tf.cast."
        )
    return x, y


def _tf_name(dtype) -> str:
    return {"float64": "double", "float32": "float", "float16": "half"}.get(np.dtype(dtype).name, np.dtype(dtype).name)


def normalize_axis(axis, ndim: int):
    """Return ``axis`` (None, an int or a sequence of ints) as None or a sorted tuple of
    non-negative ints.

    Raises:
        InvalidArgumentError: an axis is outside ``[-ndim, ndim)``.
    """
    if axis is None:
        return None
    if isinstance(axis, Tensor):
        axis = axis._value.tolist()
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    normalized = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < max(ndim, 1):
            raise InvalidArgumentError(
                f"Invalid reduction dimension {a} for input with {ndim} dimensions."
            )
        normalized.append(a % ndim if ndim else 0)
    return tuple(sorted(set(normalized)))
