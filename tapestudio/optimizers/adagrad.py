"""Adagrad: per-element step sizes that shrink with the sum of squared gradients."""

from __future__ import annotations

import numpy as np

from .base import Optimizer
from .hyperparameters import Hyperparameter

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), as Keras 3 computes it.

    ``a += g**2`` and ``w -= learning_rate * g / sqrt(a + epsilon)``, with the accumulator
    ``a`` starting at ``initial_accumulator_value``.
    """

    description = "Scales each element's step by the root of its summed squared gradients."
    api_version = 1
    hyperparameters = {
        "learning_rate": Hyperparameter(0.001, minimum=0.0, description="Step size of each update."),
        "initial_accumulator_value": Hyperparameter(
            0.1, minimum=0.0, description="Starting value of the sum of squared gradients.",
        ),
        "epsilon": Hyperparameter(
            1e-7, minimum=0.0, description="Added under the square root to avoid division by zero.",
        ),
    }

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, initial_accumulator_value=initial_accumulator_value,
                         epsilon=epsilon, **kwargs)

    def create_slots(self, variable):
        return {"accumulator": np.full_like(variable._value, self.initial_accumulator_value)}

    def update_step(self, gradient, variable, slots):
        accumulator = slots["accumulator"] + gradient * gradient
        slots["accumulator"] = accumulator
        return variable._value - self.learning_rate * gradient / np.sqrt(accumulator + self.epsilon)
