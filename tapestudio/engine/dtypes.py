"""Data types with TensorFlow's names, each backed by a NumPy dtype."""

from __future__ import annotations

import numpy as np

__all__ = [
    "DType",
    "as_dtype",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool_",
    "string",
]


class DType:
    """A tensor element type: a TensorFlow name and the NumPy dtype that stores it."""

    __slots__ = ("name", "as_numpy_dtype", "_np")

    def __init__(self, name: str, numpy_type: type) -> None:
        self.name = name
        self.as_numpy_dtype = numpy_type
        self._np = np.dtype(numpy_type)

    @property
    def is_floating(self) -> bool:
        return self._np.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self._np.kind in "iu"

    @property
    def is_bool(self) -> bool:
        return self._np.kind == "b"

    @property
    def is_complex(self) -> bool:
        return self._np.kind == "c"

    @property
    def is_trainable(self) -> bool:
        """Whether gradients can flow through values of this type (floating and complex)."""
        return self._np.kind in "fc"

    @property
    def base_dtype(self) -> DType:
        return self

    @property
    def min(self):
        return np.finfo(self._np).min if self.is_floating else np.iinfo(self._np).min

    @property
    def max(self):
        return np.finfo(self._np).max if self.is_floating else np.iinfo(self._np).max

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DType):
            return self._np == other._np
        try:
            return self._np == as_dtype(other)._np
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self._np)


float16 = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
bool_ = DType("bool", np.bool_)
string = DType("string", np.object_)
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)

_BY_NUMPY = {
    d._np: d
    for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool_, string,
              complex64, complex128)
}
_BY_NAME = {d.name: d for d in _BY_NUMPY.values()}
_BY_NAME.update({"float": float32, "double": float64, "half": float16})


def as_dtype(value) -> DType:
    """Convert a DType, a NumPy dtype or type, or a name such as ``"float32"`` to a DType.

    Raises:
        TypeError: ``value`` names no supported type.
    """
    if isinstance(value, DType):
        return value
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    try:
        numpy_dtype = np.dtype(value)
    except TypeError:
        raise TypeError(f"Cannot convert {value!r} to a dtype; use a name such as 'float32'.") from None
    if numpy_dtype.kind in "SU":
        return string
    try:
        return _BY_NUMPY[numpy_dtype]
    except KeyError:
        raise TypeError(f"Unsupported dtype {numpy_dtype}.") from None


def dtype_of(array) -> DType:
    """Return the DType of a NumPy array or scalar."""
    return _BY_NUMPY.get(array.dtype) or as_dtype(array.dtype)
