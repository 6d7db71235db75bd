"""The Sequential model and ``keras.Input``."""

from __future__ import annotations

import numpy as np

from .layers import InputLayer, Layer, unique_name

__all__ = ["Sequential", "Input"]


def Input(shape, dtype="float32", name=None) -> InputLayer:  # noqa: N802 - Keras' name
    """Declare the model's input shape, without the batch dimension."""
    return InputLayer(shape, dtype=dtype, name=name)


class Sequential:
    """A stack of layers, each fed the previous layer's output.

    With ``keras.Input(shape)`` as the first item, the model builds its variables at once;
    otherwise on the first call.
    """

    def __init__(self, layers=None, name: str | None = None, trainable: bool = True) -> None:
        self.name = name if name is not None else unique_name("sequential")
        self.trainable = trainable
        self._input: InputLayer | None = None
        self._layers: list[Layer] = []
        for layer in layers or []:
            self.add(layer)

    def add(self, layer) -> None:
        """Append a layer (or set the input shape, for a ``keras.Input``).

        Raises:
            TypeError: ``layer`` is not a layer.
        """
        if isinstance(layer, InputLayer):
            if self._layers:
                raise ValueError("keras.Input must be the first item of a Sequential model.")
            self._input = layer
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be a Layer instance. Received: layer={layer!r} of type {type(layer)}.")
        self._layers.append(layer)
        if self._input is not None:
            self.build(self._input.shape)

    def build(self, input_shape) -> None:
        """Build every layer that is not built yet, from ``input_shape`` (with the batch axis)."""
        shape = tuple(1 if d is None else d for d in input_shape)
        from ..engine import constant

        x = constant(np.zeros(shape, dtype=np.float32))
        for layer in self._layers:
            x = layer(x)

    @property
    def built(self) -> bool:
        return bool(self._layers) and all(layer.built for layer in self._layers)

    def __call__(self, inputs, training=None):
        x = inputs
        for layer in self._layers:
            x = layer(x)
        return x

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    @property
    def weights(self) -> list:
        return [v for layer in self._layers for v in layer.weights]

    variables = weights

    @property
    def trainable_variables(self) -> list:
        if not self.trainable:
            return []
        return [v for layer in self._layers for v in layer.trainable_variables]

    trainable_weights = trainable_variables

    def get_weights(self) -> list[np.ndarray]:
        return [w for layer in self._layers for w in layer.get_weights()]

    def set_weights(self, weights) -> None:
        """Set every weight of the model, in the order ``get_weights`` returns them.

        Raises:
            ValueError: the number of arrays or a shape does not match.
        """
        weights = list(weights)
        expected = sum(len(layer.weights) for layer in self._layers)
        if len(weights) != expected:
            raise ValueError(
                f"Model {self.name} expects {expected} weights, but the provided list has "
                f"{len(weights)}."
            )
        start = 0
        for layer in self._layers:
            count = len(layer.weights)
            layer.set_weights(weights[start:start + count])
            start += count

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self._layers)

    def summary(self, print_fn=print) -> None:
        """Print one line per layer with its output size and parameter count."""
        print_fn(f'Model: "{self.name}"')
        for layer in self._layers:
            units = getattr(layer, "units", "?")
            print_fn(f"  {layer.name:<16} {type(layer).__name__:<8} units={units:<6} params={layer.count_params()}")
        print_fn(f"Total params: {self.count_params()}")
