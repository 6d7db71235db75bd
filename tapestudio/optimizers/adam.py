"""Adam, with the AMSGrad option, and AdamW, Adam with decoupled weight decay."""

from __future__ import annotations

import math

import numpy as np

from .base import Optimizer
from .hyperparameters import Hyperparameter

__all__ = ["Adam", "AdamW"]

_BETA_1 = Hyperparameter(
    0.9, minimum=0.0, maximum=1.0, description="Decay rate of the first-moment (mean) estimate.",
)
_BETA_2 = Hyperparameter(
    0.999, minimum=0.0, maximum=1.0, description="Decay rate of the second-moment (uncentered variance) estimate.",
)
_EPSILON = Hyperparameter(
    1e-7, minimum=0.0, description="Added to the root of the second moment to avoid division by zero.",
)
_AMSGRAD = Hyperparameter(False, description="Divide by the largest second moment seen so far (AMSGrad).")


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2014), as Keras 3 computes it.

    At step ``t``: ``m += (g - m) * (1 - beta_1)``, ``v += (g**2 - v) * (1 - beta_2)``, and
    ``w -= alpha * m / (sqrt(v) + epsilon)`` with
    ``alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)``. With ``amsgrad`` the
    denominator uses the running maximum of ``v`` instead of ``v``.
    """

    description = "Adaptive moment estimation, with the AMSGrad option."
    api_version = 1
    hyperparameters = {
        "learning_rate": Hyperparameter(0.001, minimum=0.0, description="Step size of each update."),
        "beta_1": _BETA_1,
        "beta_2": _BETA_2,
        "epsilon": _EPSILON,
        "amsgrad": _AMSGRAD,
    }

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, **kwargs)

    def create_slots(self, variable):
        value = variable._value
        return {"momentum": np.zeros_like(value), "velocity": np.zeros_like(value),
                "velocity_hat": np.zeros_like(value)}

    def update_step(self, gradient, variable, slots):
        return variable._value - self._adam_step(gradient, slots)

    def _adam_step(self, gradient, slots):
        """Update the moments in ``slots`` and return the step to subtract from the variable."""
        step = self.iterations
        alpha = self.learning_rate * math.sqrt(1 - self.beta_2**step) / (1 - self.beta_1**step)

        momentum = slots["momentum"] + (gradient - slots["momentum"]) * (1 - self.beta_1)
        velocity = slots["velocity"] + (gradient * gradient - slots["velocity"]) * (1 - self.beta_2)
        slots["momentum"], slots["velocity"] = momentum, velocity
        if self.amsgrad:
            velocity = np.maximum(slots["velocity_hat"], velocity)
            slots["velocity_hat"] = velocity

        return momentum * alpha / (np.sqrt(velocity) + self.epsilon)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019), as Keras 3 computes it.

    Before the Adam step, each variable shrinks by ``w -= w * weight_decay * learning_rate``.
    """

    description = "Adam with decoupled weight decay."
    api_version = 1
    hyperparameters = {
        "learning_rate": Hyperparameter(0.001, minimum=0.0, description="Step size of each update."),
        "weight_decay": Hyperparameter(
            0.004, minimum=0.0, description="Fraction of each weight removed per unit of learning rate.",
        ),
        "beta_1": _BETA_1,
        "beta_2": _BETA_2,
        "epsilon": _EPSILON,
        "amsgrad": _AMSGRAD,
    }

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs) -> None:
        Optimizer.__init__(self, learning_rate=learning_rate, weight_decay=weight_decay, beta_1=beta_1,
                           beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad, **kwargs)

    def update_step(self, gradient, variable, slots):
        value = variable._value
        decayed = value - value * self.weight_decay * self.learning_rate
        return decayed - self._adam_step(gradient, slots)
