"""The Optimizer base class: turns (gradient, variable) pairs into variable updates."""

from __future__ import annotations

import logging

import numpy as np

from ..engine import Tensor, Variable

__all__ = ["Optimizer"]

logger = logging.getLogger(__name__)


class Optimizer:
    """Base class of optimizers.

    A subclass sets ``hyperparameters`` (name to default value) and implements
    ``update_step(gradient, variable, slots)``, which returns the new value of ``variable`` as a
    NumPy array; ``slots`` is a dict that keeps per-variable state (momentum, moments) between
    steps. Hyperparameters are plain attributes, so they can change between steps.
    """

    hyperparameters: dict[str, float] = {"learning_rate": 0.01}

    def __init__(self, **hyperparameters) -> None:
        unknown = set(hyperparameters) - set(self.hyperparameters) - {"name"}
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unknown hyperparameters {sorted(unknown)}; it takes "
                f"{sorted(self.hyperparameters)}."
            )
        self.name = hyperparameters.pop("name", type(self).__name__)
        for key, default in self.hyperparameters.items():
            setattr(self, key, hyperparameters.get(key, default))
        self.iterations = 0
        self._slots: dict[int, dict] = {}

    def get_config(self) -> dict:
        return {key: getattr(self, key) for key in self.hyperparameters}

    def apply_gradients(self, grads_and_vars) -> None:
        """Update each variable from its gradient; pairs whose gradient is None are skipped.

        Raises:
            ValueError: every gradient is None.
        """
        pairs = list(grads_and_vars)
        usable = [(g, v) for g, v in pairs if g is not None]
        if pairs and not usable:
            raise ValueError(
                f"No gradients provided for any variable: {[v.name for _, v in pairs]}."
            )
        for g, v in pairs:
            if g is None:
                logger.warning("Gradients do not exist for variable %s when minimizing the loss.", v.path)
        self.iterations += 1
        for g, variable in usable:
            gradient = g._value if isinstance(g, Tensor) else np.asarray(g)
            slots = self._slots.setdefault(variable._unique_id, {})
            new_value = self.update_step(gradient.astype(variable._value.dtype, copy=False), variable, slots)
            variable.assign(new_value)

    def update_step(self, gradient: np.ndarray, variable: Variable, slots: dict) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not implement update_step.")
