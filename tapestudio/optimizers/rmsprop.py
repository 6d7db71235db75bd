"""RMSprop, with optional momentum and the centered variant."""

from __future__ import annotations

import numpy as np

from .base import Optimizer
from .hyperparameters import Hyperparameter

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), as Keras 3 computes it.

    ``v = rho * v + (1 - rho) * g**2`` and ``increment = learning_rate * g / sqrt(v + epsilon)``;
    centered, the denominator is ``sqrt(v - a**2 + epsilon)`` with ``a`` the running mean of
    ``g``. Without momentum ``w -= increment``; with it ``m = momentum * m + increment`` and
    ``w -= m``. Note that ``epsilon`` sits inside the square root, as in Keras.
    """

    description = "Divides each step by a running root mean square of the gradient."
    api_version = 1
    hyperparameters = {
        "learning_rate": Hyperparameter(0.001, minimum=0.0, description="Step size of each update."),
        "rho": Hyperparameter(
            0.9, minimum=0.0, maximum=1.0, description="Decay rate of the running mean of squared gradients.",
        ),
        "momentum": Hyperparameter(
            0.0, minimum=0.0, maximum=1.0, description="Fraction of the previous step kept; 0 turns momentum off.",
        ),
        "epsilon": Hyperparameter(
            1e-7, minimum=0.0, description="Added under the square root to avoid division by zero.",
        ),
        "centered": Hyperparameter(
            False, description="Divide by the estimated variance of the gradient instead of its second moment.",
        ),
    }

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, rho=rho, momentum=momentum, epsilon=epsilon,
                         centered=centered, **kwargs)

    def create_slots(self, variable):
        value = variable._value
        return {"velocity": np.zeros_like(value), "momentum": np.zeros_like(value),
                "average_gradient": np.zeros_like(value)}

    def update_step(self, gradient, variable, slots):
        rho = self.rho
        velocity = rho * slots["velocity"] + (1 - rho) * gradient * gradient
        slots["velocity"] = velocity

        if self.centered:
            average = rho * slots["average_gradient"] + (1 - rho) * gradient
            slots["average_gradient"] = average
            denominator = velocity - average * average + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = self.learning_rate * gradient / np.sqrt(denominator)

        if self.momentum > 0:
            step = self.momentum * slots["momentum"] + increment
            slots["momentum"] = step
            return variable._value - step
        return variable._value - increment
