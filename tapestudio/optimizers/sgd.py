"""Stochastic gradient descent, with optional momentum and Nesterov momentum."""

from __future__ import annotations

import numpy as np

from .base import Optimizer
from .hyperparameters import Hyperparameter

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent: ``v = momentum * v - learning_rate * g``, then ``w += v``.

    With ``momentum=0`` this is ``w -= learning_rate * g``. With ``nesterov=True`` the update is
    ``w += momentum * v - learning_rate * g``, as in Keras.
    """

    description = "Gradient descent, with optional momentum and Nesterov momentum."
    api_version = 1
    hyperparameters = {
        "learning_rate": Hyperparameter(0.01, minimum=0.0, description="Step size of each update."),
        "momentum": Hyperparameter(
            0.0, minimum=0.0, maximum=1.0,
            description="Fraction of the previous velocity kept at each step; 0 is plain gradient descent.",
        ),
        "nesterov": Hyperparameter(False, description="Apply Nesterov momentum."),
    }

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, momentum=momentum, nesterov=nesterov, **kwargs)

    def create_slots(self, variable):
        return {"momentum": np.zeros_like(variable._value)}

    def update_step(self, gradient, variable, slots):
        value = variable._value
        if self.momentum == 0:
            # value - learning_rate * gradient, with one temporary array instead of two.
            new_value = gradient * -self.learning_rate
            new_value += value
            return new_value

        velocity = self.momentum * slots["momentum"] - self.learning_rate * gradient
        slots["momentum"] = velocity
        if self.nesterov:
            return value + self.momentum * velocity - self.learning_rate * gradient
        return value + velocity
