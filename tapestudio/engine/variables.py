"""Variable: mutable state that tapes watch when it is read.

Each read of a variable inside a tape is a separate recorded op whose output is a new Tensor,
so a variable read twice, with an assignment in between, gets the sum of the gradients of both
reads, each at the value read at that time. Assignments are not differentiable.
"""

from __future__ import annotations

import itertools

import numpy as np

from . import dtypes
from .context import tape_stack
from .core import define_op, record
from .tensor import EagerTensor, Tensor, TensorShape, array_of

__all__ = ["Variable", "ResourceVariable"]

_creation_counter = itertools.count()


def _identity_vjp(g, out, variable):
    return g


READ_VARIABLE = define_op(
    "ReadVariableOp", lambda value: value, _identity_vjp, numpy_vjps=(_identity_vjp,),
)


class Variable:
    """A named, mutable tensor-like value, such as a layer's kernel.

    Reading a trainable variable while a tape records makes that tape watch it (unless the tape
    was created with ``watch_accessed_variables=False``). ``trainable=False`` variables are
    watched only when passed to ``GradientTape.watch``.

    Args:
        initial_value: a Python value, NumPy array or Tensor; Python floats become float32.
        trainable: whether tapes watch the variable automatically when it is read.
        name: the variable's name; Keras layers set ``path`` to ``"layer/name"``.
        dtype: the dtype to convert ``initial_value`` to.
    """

    __array_priority__ = 100

    def __new__(cls, *args, **kwargs):
        # tf.Variable(...) creates a ResourceVariable, as in TensorFlow.
        return object.__new__(ResourceVariable if cls is Variable else cls)

    def __init__(self, initial_value, trainable: bool = True, name: str | None = None,
                 dtype=None, shape=None) -> None:
        if callable(initial_value):
            initial_value = initial_value()
        self._value = array_of(initial_value, dtype)
        self._trainable = bool(trainable)
        self._name = name if name is not None else "Variable"
        self.path = self._name
        self._unique_id = next(_creation_counter)

    @property
    def name(self) -> str:
        """The name with TensorFlow's output suffix (``"x:0"``); Keras layer variables give
        their plain name (``"kernel"``), as Keras 3 does."""
        return self._name if self.path != self._name else f"{self._name}:0"

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def dtype(self):
        return dtypes.dtype_of(self._value)

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    def numpy(self):
        """Return a copy of the current value (a NumPy scalar for rank 0)."""
        value = self._value
        return value[()] if value.ndim == 0 else value.copy()

    def value(self) -> Tensor:
        return self._read_for_op()

    read_value = value

    def _read_value_array(self):
        return self._value

    def _read_for_op(self) -> Tensor:
        """Return the current value as a Tensor, notifying and recording on the active tapes."""
        tapes = tape_stack.active
        if not tapes:
            return EagerTensor(self._value)
        out = EagerTensor(self._value)
        key = id(self)
        inputs = (self,)
        for tape in tapes:
            tracked = tape._tracked
            if key not in tracked:
                if not (self._trainable and tape._watch_accessed_variables):
                    continue
                tape._watch_variable(self)
            # The read is recorded like an op, whatever the variable's dtype: the ops that
            # consume an integer read are the ones the recording rule leaves out.
            tape._records.append((READ_VARIABLE, inputs, out, None))
            tracked.add(id(out))
        return out

    def _checked_value(self, value) -> np.ndarray:
        if isinstance(value, Tensor):
            array = value._value
        elif isinstance(value, Variable):
            array = value._value
        else:
            array = np.asarray(array_of(value))
        if array.shape != self._value.shape:
            raise ValueError(
                f"Cannot assign value of shape {array.shape} to variable {self._name!r} of "
                f"shape {self._value.shape}."
            )
        return np.array(array, dtype=self._value.dtype)

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Replace the value; not differentiable. Returns the variable.

        Raises:
            ValueError: the new value's shape differs from the variable's.
        """
        self._value = self._checked_value(value)
        return self

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Add ``delta`` to the value; not differentiable. Returns the variable."""
        self._value = (self._value + self._checked_value(delta)).astype(self._value.dtype, copy=False)
        return self

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtract ``delta`` from the value; not differentiable. Returns the variable."""
        self._value = (self._value - self._checked_value(delta)).astype(self._value.dtype, copy=False)
        return self

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._value, dtype=dtype)

    def __iadd__(self, other):
        raise RuntimeError(_in_place_message("+=", "assign_add"))

    def __isub__(self, other):
        raise RuntimeError(_in_place_message("-=", "assign_sub"))

    def __imul__(self, other):
        raise RuntimeError(_in_place_message("*=", "assign"))

    def __itruediv__(self, other):
        raise RuntimeError(_in_place_message("/=", "assign"))

    def __len__(self) -> int:
        return self._value.shape[0]

    def __bool__(self) -> bool:
        return bool(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __repr__(self) -> str:
        from .tensor import numpy_text

        return (f"<tf.Variable '{self._name}:0' shape={self.shape} dtype={self.dtype.name}, "
                f"numpy={numpy_text(self._value[()] if self._value.ndim == 0 else self._value, True)}>")

    def ref(self):
        from .tensor import _Reference

        return _Reference(self)

    def __hash__(self) -> int:
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key.")


def _in_place_message(operator: str, method: str) -> str:
    return (
        f"`variable {operator} value` with tf.Variable is not supported. Use "
        f"`variable.{method}(...)` to modify the variable, or `out = variable "
        f"{operator[0]} value` to get a new Tensor."
    )


class ResourceVariable(Variable):
    """The concrete class of every variable, named as TensorFlow names it."""
