"""Optimizers for TapeStudio: Lion, Nadam and Adamax, computed as Keras 3 computes them.

The names and defaults of the hyperparameters are Keras'. ``iterations`` is the number of the
step being applied, starting at 1, which is Keras' ``iterations + 1``.
"""

from __future__ import annotations

import numpy as np

from tapestudio.plugins import api

__all__ = ["Adamax", "Lion", "Nadam"]

_LEARNING_RATE = api.Hyperparameter(0.001, minimum=0.0, description="Step size of each update.")
_EPSILON = api.Hyperparameter(
    1e-7, minimum=0.0, description="Added to the denominator to avoid division by zero.",
)


class Lion(api.Optimizer):
    """Lion (Chen et al., 2023): the sign of an interpolated momentum, then a slower momentum.

    ``w -= learning_rate * sign(beta_1 * m + (1 - beta_1) * g)``, then
    ``m = beta_2 * m + (1 - beta_2) * g``. Every element moves by exactly ``learning_rate``
    (or not at all), so Lion wants a learning rate 3 to 10 times smaller than Adam's.
    """

    description = "Steps by the sign of an interpolated momentum (evolved sign momentum)."
    api_version = 1
    hyperparameters = {
        "learning_rate": _LEARNING_RATE,
        "beta_1": api.Hyperparameter(
            0.9, minimum=0.0, maximum=1.0, description="Weight of the momentum against the gradient inside the sign.",
        ),
        "beta_2": api.Hyperparameter(
            0.99, minimum=0.0, maximum=1.0, description="Decay rate of the momentum.",
        ),
    }

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, **kwargs)
        if self.beta_1 == 0:
            raise ValueError("beta_1 must be in (0, 1]; with beta_1=0 Lion is plain sign descent.")

    def create_slots(self, variable):
        return {"momentum": np.zeros_like(variable.numpy())}

    def update_step(self, gradient, variable, slots):
        momentum = slots["momentum"]
        direction = np.sign(self.beta_1 * momentum + (1 - self.beta_1) * gradient)
        slots["momentum"] = self.beta_2 * momentum + (1 - self.beta_2) * gradient
        return variable.numpy() - self.learning_rate * direction


class Adamax(api.Optimizer):
    """Adamax (Kingma and Ba, 2014, section 7.1): Adam with the infinity norm.

    ``m += (g - m) * (1 - beta_1)``, ``u = max(beta_2 * u, |g|)`` and
    ``w -= learning_rate * m / ((1 - beta_1**t) * (u + epsilon))`` at step ``t``.
    """

    description = "Adam with an exponentially weighted infinity norm in place of the second moment."
    api_version = 1
    hyperparameters = {
        "learning_rate": _LEARNING_RATE,
        "beta_1": api.Hyperparameter(
            0.9, minimum=0.0, maximum=1.0, description="Decay rate of the first-moment (mean) estimate.",
        ),
        "beta_2": api.Hyperparameter(
            0.999, minimum=0.0, maximum=1.0, description="Decay rate of the weighted infinity norm.",
        ),
        "epsilon": _EPSILON,
    }

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, **kwargs)

    def create_slots(self, variable):
        value = variable.numpy()
        return {"momentum": np.zeros_like(value), "norm": np.zeros_like(value)}

    def update_step(self, gradient, variable, slots):
        momentum = slots["momentum"] + (gradient - slots["momentum"]) * (1 - self.beta_1)
        norm = np.maximum(self.beta_2 * slots["norm"], np.abs(gradient))
        slots["momentum"], slots["norm"] = momentum, norm

        correction = 1 - self.beta_1**self.iterations
        return variable.numpy() - self.learning_rate * momentum / (correction * (norm + self.epsilon))


class Nadam(api.Optimizer):
    """Nadam: Adam with Nesterov momentum and the momentum schedule of Keras 3's Nadam.

    At step ``t`` the momentum factor is ``u_t = beta_1 * (1 - 0.5 * 0.96**t)``, and ``P_t`` is
    the product of ``u_1 ... u_t``. With ``m`` and ``v`` updated as in Adam,
    ``m_hat = u_{t+1} m / (1 - P_t u_{t+1}) + (1 - u_t) g / (1 - P_t)``,
    ``v_hat = v / (1 - beta_2**t)`` and ``w -= learning_rate * m_hat / (sqrt(v_hat) + epsilon)``.
    """

    description = "Adam with Nesterov momentum."
    api_version = 1
    hyperparameters = {
        "learning_rate": _LEARNING_RATE,
        "beta_1": api.Hyperparameter(
            0.9, minimum=0.0, maximum=1.0, description="Decay rate of the first-moment (mean) estimate.",
        ),
        "beta_2": api.Hyperparameter(
            0.999, minimum=0.0, maximum=1.0, description="Decay rate of the second-moment estimate.",
        ),
        "epsilon": _EPSILON,
    }

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, **kwargs)
        # P_t is shared by all variables and advances once per step, whatever their number.
        self._momentum_product = 1.0
        self._product_step = 0

    def _momentum_factor(self, step: int) -> float:
        return self.beta_1 * (1 - 0.5 * 0.96**step)

    def create_slots(self, variable):
        value = variable.numpy()
        return {"momentum": np.zeros_like(value), "velocity": np.zeros_like(value)}

    def update_step(self, gradient, variable, slots):
        step = self.iterations
        if self._product_step != step:
            self._momentum_product *= self._momentum_factor(step)
            self._product_step = step
        factor = self._momentum_factor(step)
        next_factor = self._momentum_factor(step + 1)
        product = self._momentum_product

        momentum = slots["momentum"] + (gradient - slots["momentum"]) * (1 - self.beta_1)
        velocity = slots["velocity"] + (gradient * gradient - slots["velocity"]) * (1 - self.beta_2)
        slots["momentum"], slots["velocity"] = momentum, velocity

        momentum_hat = (next_factor * momentum / (1 - product * next_factor)
                        + (1 - factor) * gradient / (1 - product))
        velocity_hat = velocity / (1 - self.beta_2**step)
        return variable.numpy() - self.learning_rate * momentum_hat / (np.sqrt(velocity_hat) + self.epsilon)
