"""Keras-style layers: the Layer base class and Dense."""

from __future__ import annotations

import collections
import itertools

import numpy as np

from ..engine import Variable
from ..engine.ops import math_ops
from ..engine.ops._convert import to_tensor
from . import activations, initializers

__all__ = ["Layer", "Dense", "InputLayer", "reset_names"]

_name_counters: dict[str, itertools.count] = collections.defaultdict(itertools.count)


def unique_name(prefix: str) -> str:
    """Return ``prefix``, then ``prefix_1``, ``prefix_2`` ... as Keras names new layers."""
    index = next(_name_counters[prefix])
    return prefix if index == 0 else f"{prefix}_{index}"


def reset_names() -> None:
    """Restart layer names from ``dense``; ``keras.backend.clear_session`` calls this."""
    _name_counters.clear()


def _snake_case(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


class Layer:
    """Base class of layers: builds its variables on the first call, from the input shape."""

    def __init__(self, name: str | None = None, dtype="float32", trainable: bool = True) -> None:
        self.name = name if name is not None else unique_name(_snake_case(type(self).__name__))
        self.dtype = dtype
        self._numpy_dtype = np.dtype(dtype)
        self.trainable = trainable
        self.built = False
        self._variables: list[Variable] = []

    def add_weight(self, name: str, shape, initializer="glorot_uniform", trainable=True, dtype=None) -> Variable:
        """Create a variable named ``"layer/name"`` and track it."""
        dtype = dtype or self.dtype
        value = initializers.get(initializer)(tuple(shape), dtype=dtype)
        variable = Variable(value, trainable=trainable, name=name, dtype=dtype)
        variable.path = f"{self.name}/{name}"
        self._variables.append(variable)
        return variable

    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs):
        raise NotImplementedError

    def __call__(self, inputs):
        x = to_tensor(inputs)
        if x._value.dtype.kind == "f" and x._value.dtype != self._numpy_dtype:
            x = math_ops.cast(x, self.dtype)
        if not self.built:
            self.build(tuple(x._value.shape))
            self.built = True
        return self.call(x)

    @property
    def weights(self) -> list[Variable]:
        return list(self._variables)

    @property
    def variables(self) -> list[Variable]:
        return list(self._variables)

    @property
    def trainable_variables(self) -> list[Variable]:
        return [v for v in self._variables if v.trainable] if self.trainable else []

    trainable_weights = trainable_variables

    @property
    def non_trainable_variables(self) -> list[Variable]:
        return [v for v in self._variables if not v.trainable or not self.trainable]

    def get_weights(self) -> list[np.ndarray]:
        return [v.numpy() if v.ndim else np.asarray(v.numpy()) for v in self._variables]

    def set_weights(self, weights) -> None:
        """Set every variable of the layer, in the order of ``weights``.

        Raises:
            ValueError: the number of arrays or a shape does not match.
        """
        weights = list(weights)
        if len(weights) != len(self._variables):
            raise ValueError(
                f"Layer {self.name} expects {len(self._variables)} weights, but the provided list "
                f"has {len(weights)}."
            )
        for variable, value in zip(self._variables, weights):
            value = np.asarray(value)
            if tuple(variable.shape) != value.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(variable.shape)} is not compatible "
                    f"with provided weight shape {value.shape}."
                )
            variable.assign(value)

    def count_params(self) -> int:
        return int(sum(np.prod(v.shape) for v in self._variables))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


class Dense(Layer):
    """A fully connected layer: ``activation(inputs @ kernel + bias)``.

    Args:
        units: the number of outputs.
        activation: a name from ``keras.activations`` or a callable; None is linear.
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: names from ``keras.initializers`` or initializers.
    """

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", name=None,
                 dtype="float32", input_shape=None, **kwargs) -> None:
        if int(units) != units or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. Received: units={units}")
        super().__init__(name=name, dtype=dtype)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.activation_name = activation if isinstance(activation, str) else getattr(self.activation, "__name__", "linear")
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel: Variable | None = None
        self.bias: Variable | None = None

    def build(self, input_shape) -> None:
        input_dim = int(input_shape[-1])
        self.kernel = self.add_weight("kernel", (input_dim, self.units), self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer)
        self.built = True

    def call(self, inputs):
        if inputs._value.ndim < 2:
            raise ValueError(
                f"Dense layer {self.name} expects inputs of rank 2 or more (batch, features); "
                f"got shape {tuple(inputs._value.shape)}."
            )
        if inputs._value.shape[-1] != self.kernel._value.shape[0]:
            raise ValueError(
                f"Input 0 of layer {self.name} is incompatible with the layer: expected axis -1 "
                f"of input shape to have value {self.kernel._value.shape[0]}, but received input with "
                f"shape {tuple(inputs._value.shape)}"
            )
        outputs = math_ops.matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = math_ops.add(outputs, self.bias)
        return self.activation(outputs)


class InputLayer:
    """A placeholder for the model's input shape, as ``keras.Input`` returns it."""

    def __init__(self, shape, dtype="float32", name=None) -> None:
        self.shape = (None,) + tuple(int(d) for d in shape)
        self.dtype = dtype
        self.name = name or unique_name("input_layer")

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"
