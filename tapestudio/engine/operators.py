"""Python operators on Tensor and Variable, mapped to engine ops."""

from __future__ import annotations

from .ops import array_ops, math_ops
from .tensor import Tensor
from .variables import Variable


def _reflected(function):
    return lambda self, other: function(other, self)


_BINARY = {
    "add": math_ops.add,
    "sub": math_ops.subtract,
    "mul": math_ops.multiply,
    "truediv": math_ops.divide,
    "floordiv": math_ops.floordiv,
    "mod": math_ops.mod,
    "pow": math_ops.pow,
    "matmul": math_ops.matmul,
}

_COMPARISONS = {
    "__lt__": math_ops.less,
    "__le__": math_ops.less_equal,
    "__gt__": math_ops.greater,
    "__ge__": math_ops.greater_equal,
    "__and__": math_ops.logical_and,
    "__or__": math_ops.logical_or,
}


def _eq(self, other):
    """Compare elementwise, as TensorFlow 2 tensors do; None compares unequal."""
    if other is None:
        return False
    return math_ops.equal(self, other)


def _ne(self, other):
    if other is None:
        return True
    return math_ops.not_equal(self, other)


def install(cls: type) -> None:
    """Give ``cls`` the arithmetic, comparison and indexing operators of a tensor."""
    for name, function in _BINARY.items():
        setattr(cls, f"__{name}__", function)
        setattr(cls, f"__r{name}__", _reflected(function))
    for name, function in _COMPARISONS.items():
        setattr(cls, name, function)
    cls.__eq__ = _eq
    cls.__ne__ = _ne
    cls.__neg__ = math_ops.negative
    cls.__pos__ = lambda self: self
    cls.__abs__ = math_ops.abs
    cls.__invert__ = math_ops.logical_not
    cls.__getitem__ = array_ops.getitem


for _cls in (Tensor, Variable):
    install(_cls)
