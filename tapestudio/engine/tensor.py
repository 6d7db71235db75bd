"""Tensor: an immutable NumPy value that tapes can record.

A Tensor contains one NumPy array (or NumPy scalar, for rank 0) and never changes it. Tapes key
tensors by object identity, never by value, so two equal constants are two sources.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import dtypes
from .dtypes import DType

__all__ = ["Tensor", "EagerTensor", "TensorShape", "constant", "convert_to_tensor", "is_tensor"]


class TensorShape(tuple):
    """The shape of a tensor: a tuple of ints that prints as TensorFlow prints shapes."""

    @property
    def rank(self) -> int:
        return len(self)

    ndims = rank

    def as_list(self) -> list[int]:
        return list(self)

    def num_elements(self) -> int:
        return int(np.prod(self, dtype=np.int64))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list):
            other = tuple(other)
        return tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = tuple.__hash__

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return TensorShape(item) if isinstance(index, slice) else item

    def __repr__(self) -> str:
        return f"TensorShape({list(self)})"

    def __str__(self) -> str:
        return "(" + ", ".join(str(d) for d in self) + ("," if len(self) == 1 else "") + ")"


class Tensor:
    """An immutable multidimensional value with a dtype and a shape.

    ``numpy()`` returns the value; arithmetic operators, comparisons, ``@`` and indexing run
    engine ops, so they are recorded by any tape that watches an input.
    """

    __slots__ = ("_value",)

    # Makes NumPy's binary operators defer to Tensor's reflected ones, so ndarray * Tensor
    # gives a Tensor, while NumPy functions (np.square(t)) still take the value through
    # __array__ and return arrays, as with TensorFlow tensors.
    __array_priority__ = 100

    def __init__(self, value) -> None:
        self._value = value

    @property
    def dtype(self) -> DType:
        return dtypes.dtype_of(self._value)

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    def get_shape(self) -> TensorShape:
        return self.shape

    def numpy(self):
        """Return the value: a NumPy scalar for rank 0, otherwise a copy of the array."""
        value = self._value
        if value.ndim == 0:
            return value[()]
        return value.copy()

    def __array__(self, dtype=None, copy=None):
        value = np.asarray(self._value)
        return value.astype(dtype) if dtype is not None else value

    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __bool__(self) -> bool:
        return bool(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __index__(self) -> int:
        return self._value.__index__()

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        for i in range(self._value.shape[0]):
            yield self[i]

    def __str__(self) -> str:
        return f"tf.Tensor({numpy_text(self._value)}, shape={self.shape}, dtype={self.dtype.name})"

    def __repr__(self) -> str:
        return f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, numpy={numpy_text(self._value, True)}>"

    def ref(self):
        """Return a hashable reference to this tensor, for use as a dict key or set member."""
        return _Reference(self)

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")


class EagerTensor(Tensor):
    """The concrete class of every tensor the engine creates, named as TensorFlow names it."""

    __slots__ = ()


def numpy_text(value, is_repr: bool = False) -> str:
    """Format a value as TensorFlow prints tensors: NumPy's str (or repr), on a new line when
    it spans several lines."""
    text = repr(value) if is_repr else str(value)
    return "\n" + text if "\n" in text else text


class _Reference:
    """A hashable wrapper that compares tensors by identity."""

    __slots__ = ("_tensor",)

    def __init__(self, tensor) -> None:
        self._tensor = tensor

    def deref(self):
        return self._tensor

    def __hash__(self) -> int:
        return id(self._tensor)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reference) and other._tensor is self._tensor


def is_tensor(value) -> bool:
    return isinstance(value, Tensor)


def _default_dtype(value) -> np.dtype | None:
    """Return TensorFlow's dtype for a Python value: float32 for floats, int32 for ints."""
    if isinstance(value, bool):
        return np.dtype(np.bool_)
    if isinstance(value, numbers.Integral) and not isinstance(value, np.integer):
        return np.dtype(np.int32)
    if isinstance(value, numbers.Real) and not isinstance(value, np.floating):
        return np.dtype(np.float32)
    if isinstance(value, (list, tuple)):
        array = np.asarray(_unwrap_nested(value))
        if array.dtype.kind == "f":
            return np.dtype(np.float32)
        if array.dtype.kind in "iu":
            return np.dtype(np.int32)
        return array.dtype
    return None


def _unwrap_nested(value):
    if isinstance(value, (list, tuple)):
        return [_unwrap_nested(item) for item in value]
    if isinstance(value, Tensor):
        return value._value
    if hasattr(value, "_read_value_array"):
        return value._read_value_array()
    return value


def array_of(value, dtype=None) -> np.ndarray:
    """Convert a Python or NumPy value to an array, with TensorFlow's default dtypes.

    Python floats become float32 and Python ints int32; NumPy values keep their dtype unless
    ``dtype`` is given.
    """
    if dtype is not None:
        numpy_dtype = dtypes.as_dtype(dtype)._np
    else:
        numpy_dtype = _default_dtype(value)
    array = np.asarray(_unwrap_nested(value), dtype=numpy_dtype)
    if array.dtype.kind in "SU":
        return array.astype(object)
    return array


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """Return ``value`` as a Tensor; a Variable is read, which a tape may record.

    Raises:
        TypeError: ``value`` is a Tensor of another dtype than ``dtype``.
    """
    if isinstance(value, Tensor):
        if dtype is not None and dtypes.as_dtype(dtype)._np != value._value.dtype:
            raise TypeError(
                f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for Tensor with "
                f"dtype {value.dtype.name}: {value!r}"
            )
        return value
    read = getattr(value, "_read_for_op", None)
    if read is not None:
        return read()
    if dtype is None and dtype_hint is not None and not isinstance(value, np.ndarray):
        dtype = dtype_hint
    return EagerTensor(array_of(value, dtype))


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    """Create a constant tensor from a Python or NumPy value.

    Python floats become float32 and Python ints int32, as in TensorFlow. A tensor passed in is
    returned as it is (so gradients still flow through it) unless ``dtype`` or ``shape``
    requests a change.

    Raises:
        TypeError: ``value`` cannot be converted to ``dtype``.
        ValueError: ``value`` cannot be reshaped or broadcast to ``shape``.
    """
    if isinstance(value, Tensor):
        if dtype is not None and dtypes.as_dtype(dtype)._np != value._value.dtype:
            raise TypeError(
                f"Expected tensor {value} with dtype {dtypes.as_dtype(dtype)!r}, but got dtype "
                f"{value.dtype!r}. Use tf.cast to change the dtype of a tensor."
            )
        if shape is None or tuple(shape) == value._value.shape:
            return value
    array = array_of(value, dtype)
    if shape is not None:
        shape = tuple(int(d) for d in shape)
        if array.size == 1:
            array = np.full(shape, array.reshape(()), dtype=array.dtype)
        elif array.size == int(np.prod(shape, dtype=np.int64)):
            array = array.reshape(shape)
        else:
            raise TypeError(
                f"Eager execution of tf.constant with unsupported shape. Tried to convert a value "
                f"of {array.size} elements to shape {shape}."
            )
    return EagerTensor(array)
