"""Look up optimizers by name."""

from __future__ import annotations

from .base import Optimizer
from .sgd import SGD

__all__ = ["get", "hyperparameters", "names"]

_OPTIMIZERS: dict[str, type[Optimizer]] = {"SGD": SGD}


def names() -> list[str]:
    """Return the names of the available optimizers."""
    return sorted(_OPTIMIZERS)


def _lookup(name: str) -> type[Optimizer]:
    for key, cls in _OPTIMIZERS.items():
        if key.lower() == str(name).lower():
            return cls
    raise ValueError(f"Unknown optimizer {name!r}; available: {', '.join(names())}.")


def hyperparameters(name: str) -> dict[str, float]:
    """Return the hyperparameters of optimizer ``name`` with their defaults.

    Raises:
        ValueError: no optimizer has that name.
    """
    return dict(_lookup(name).hyperparameters)


def get(name: str, **hyperparameters) -> Optimizer:
    """Create optimizer ``name`` with the given hyperparameters (defaults for the others).

    Raises:
        ValueError: no optimizer has that name.
        TypeError: a hyperparameter is not one the optimizer takes.
    """
    return _lookup(name)(**hyperparameters)
