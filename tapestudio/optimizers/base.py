"""The Optimizer base class: turns (gradient, variable) pairs into variable updates."""

from __future__ import annotations

import logging

import numpy as np

from ..engine import Tensor, Variable
from .hyperparameters import Hyperparameter

__all__ = ["Optimizer"]

logger = logging.getLogger(__name__)


class Optimizer:
    """Base class of optimizers.

    A subclass declares:

    - ``hyperparameters``: name to ``Hyperparameter`` (default, range, description). The
      values become plain attributes, so they can change between steps.
    - ``description``: one line saying what the optimizer does.
    - ``create_slots(variable)``: the per-variable state, a dict of NumPy arrays created
      before the variable's first update. The default has no state.
    - ``update_step(gradient, variable, slots)``: the new value of ``variable`` as a NumPy
      array of its shape and dtype. ``gradient`` is a NumPy array of the same shape and dtype;
      ``slots`` is the variable's state, which the method replaces or updates in place.

    ``iterations`` counts the calls of ``apply_gradients``. During ``update_step`` it is the
    number of the step being applied, starting at 1 (Keras' ``iterations + 1``).
    """

    description: str = ""
    hyperparameters: dict[str, Hyperparameter] = {
        "learning_rate": Hyperparameter(0.01, minimum=0.0, description="Step size of each update."),
    }

    def __init__(self, name: str | None = None, **hyperparameters) -> None:
        """Set every hyperparameter to its given value or its default.

        Raises:
            TypeError: a hyperparameter is not one the optimizer takes, or has the wrong type.
            ValueError: a value lies outside its declared range.
        """
        declared = type(self).hyperparameters
        unknown = sorted(set(hyperparameters) - set(declared))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unknown hyperparameters {unknown}; it takes "
                f"{sorted(declared)}."
            )

        for key, declaration in declared.items():
            value = hyperparameters.get(key, declaration.default)
            setattr(self, key, declaration.check(key, value))

        self.name = type(self).__name__ if name is None else name
        self.iterations = 0
        self._slots: dict[int, dict] = {}

    def get_config(self) -> dict:
        """Return the current hyperparameter values by name."""
        return {key: getattr(self, key) for key in type(self).hyperparameters}

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
            gradient = gradient.astype(variable._value.dtype, copy=False)
            slots = self._slots.get(variable._unique_id)
            if slots is None:
                slots = self._new_slots(variable)
                self._slots[variable._unique_id] = slots
            new_value = self._run_update(gradient, variable, slots)
            if _is_private_array(new_value, variable, gradient, slots):
                # A fresh array that nothing else refers to is adopted without a copy.
                variable._value = new_value
            else:
                variable.assign(new_value)

    def create_slots(self, variable: Variable) -> dict[str, np.ndarray]:
        """Return the initial per-variable state of ``variable``; none by default."""
        return {}

    def update_step(self, gradient: np.ndarray, variable: Variable, slots: dict) -> np.ndarray:
        """Return the new value of ``variable`` after one step on ``gradient``.

        Raises:
            NotImplementedError: the subclass does not implement it.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement update_step.")

    # The two calls below are where tapestudio.plugins.api.Optimizer adds its checks, so that
    # the built-in optimizers run without them.

    def _new_slots(self, variable: Variable) -> dict:
        return dict(self.create_slots(variable))

    def _run_update(self, gradient: np.ndarray, variable: Variable, slots: dict) -> np.ndarray:
        return self.update_step(gradient, variable, slots)


def _is_private_array(value, variable: Variable, gradient: np.ndarray, slots: dict) -> bool:
    """Whether ``value`` is a new array of the variable's dtype and shape that owns its memory
    and is not the gradient, the old value or an optimizer slot."""
    return (
        isinstance(value, np.ndarray)
        and value.flags.owndata
        and value.dtype == variable._value.dtype
        and value.shape == variable._value.shape
        and value is not variable._value
        and value is not gradient
        and all(value is not slot for slot in slots.values())
    )
