"""Stochastic gradient descent, with optional momentum and Nesterov momentum."""

from __future__ import annotations

import numpy as np

from .base import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent: ``v = momentum * v - learning_rate * g``, then ``w += v``.

    With ``momentum=0`` this is ``w -= learning_rate * g``. With ``nesterov=True`` the update is
    ``w += momentum * v - learning_rate * g``, as in Keras.
    """

    hyperparameters = {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs) -> None:
        if not 0.0 <= float(momentum) <= 1.0:
            raise ValueError(f"momentum must be in [0, 1], got {momentum!r}.")
        super().__init__(learning_rate=learning_rate, momentum=momentum, nesterov=nesterov, **kwargs)

    def update_step(self, gradient, variable, slots):
        value = variable._value
        learning_rate = value.dtype.type(self.learning_rate)
        momentum = value.dtype.type(self.momentum)
        if momentum == 0:
            return value - learning_rate * gradient
        velocity = slots.get("momentum")
        if velocity is None:
            velocity = np.zeros_like(value)
        velocity = momentum * velocity - learning_rate * gradient
        slots["momentum"] = velocity
        if self.nesterov:
            return value + momentum * velocity - learning_rate * gradient
        return value + velocity
