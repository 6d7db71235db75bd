"""Look up optimizer classes by name.

The optimizers come from the ``tapestudio.optimizers`` entry-point group, built-in and plugin
ones alike. Discovering them is the job of ``tapestudio.plugins``, which sits above this layer,
so it hands its result down through ``set_provider`` when it is imported (``import tapestudio``
imports it). Until then, and for names the provider does not know, lookups use the classes
registered here: the built-in optimizers and any class passed to ``register``.

Names match case-insensitively, as in Keras' ``optimizers.get``.
"""

from __future__ import annotations

from typing import Callable, Mapping

from .adagrad import Adagrad
from .adam import Adam, AdamW
from .base import Optimizer
from .hyperparameters import Hyperparameter
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "BUILTIN_OPTIMIZERS", "get", "get_class", "hyperparameters", "hyperparameter_declarations", "names",
    "register", "set_provider",
]

BUILTIN_OPTIMIZERS: tuple[type[Optimizer], ...] = (SGD, Adam, AdamW, RMSprop, Adagrad)

_OPTIMIZERS: dict[str, type[Optimizer]] = {cls.__name__: cls for cls in BUILTIN_OPTIMIZERS}
"""Optimizer classes registered in code: the built-ins and those passed to ``register``."""

_provider: Callable[[], Mapping[str, type[Optimizer]]] | None = None
_explain_missing: Callable[[str], str] | None = None


def set_provider(provider: Callable[[], Mapping[str, type[Optimizer]]],
                 explain_missing: Callable[[str], str] | None = None) -> None:
    """Make lookups ask ``provider()`` for the optimizers by name before the classes here.

    ``explain_missing(name)`` returns a sentence to add to the error for an unknown name (why
    an installed plugin that declares it is not available), or an empty string.
    """
    global _provider, _explain_missing
    _provider = provider
    _explain_missing = explain_missing


def register(cls: type[Optimizer]) -> type[Optimizer]:
    """Register an optimizer class defined in code under its class name; return the class.

    Usable as a class decorator. A name that a built-in or plugin optimizer has already cannot
    be taken.

    Raises:
        TypeError: ``cls`` is not a subclass of ``Optimizer``.
        ValueError: an optimizer with that name, in any letter case, exists already.
    """
    if not isinstance(cls, type) or not issubclass(cls, Optimizer):
        raise TypeError(f"register() takes a subclass of tapestudio.optimizers.Optimizer, got {cls!r}.")
    existing = _find(cls.__name__)
    if existing is not None and existing is not cls:
        raise ValueError(
            f"An optimizer named {cls.__name__!r} exists already ({existing.__module__}."
            f"{existing.__qualname__}); rename the class."
        )
    _OPTIMIZERS[cls.__name__] = cls
    return cls


def _available() -> dict[str, type[Optimizer]]:
    found = dict(_OPTIMIZERS)
    if _provider is None:
        return found

    provided = dict(_provider())
    taken = {key.lower() for key in provided}
    for key, cls in found.items():
        if key.lower() not in taken:
            provided[key] = cls
    return provided


def _find(name: str) -> type[Optimizer] | None:
    wanted = str(name).lower()
    for key, cls in _available().items():
        if key.lower() == wanted:
            return cls
    return None


def names() -> list[str]:
    """Return the names of the available optimizers, sorted."""
    return sorted(_available(), key=str.lower)


def get_class(name: str) -> type[Optimizer]:
    """Return the optimizer class called ``name`` (in any letter case).

    Raises:
        ValueError: no optimizer has that name.
    """
    cls = _find(name)
    if cls is not None:
        return cls

    message = f"Unknown optimizer {name!r}; available: {', '.join(names())}."
    reason = _explain_missing(str(name)) if _explain_missing is not None else ""
    raise ValueError(f"{message} {reason}" if reason else message)


def hyperparameters(name: str) -> dict[str, float | int | bool]:
    """Return the hyperparameters of optimizer ``name`` with their defaults, in declared order.

    Raises:
        ValueError: no optimizer has that name.
    """
    return {key: declaration.default for key, declaration in get_class(name).hyperparameters.items()}


def hyperparameter_declarations(name: str) -> dict[str, Hyperparameter]:
    """Return the hyperparameter declarations of optimizer ``name`` (type, default, range,
    description), in declared order: what a form needs to edit them.

    Raises:
        ValueError: no optimizer has that name.
    """
    return dict(get_class(name).hyperparameters)


def get(name: str, **hyperparameters) -> Optimizer:
    """Create optimizer ``name`` with the given hyperparameters (defaults for the others).

    Raises:
        ValueError: no optimizer has that name, or a value lies outside its range.
        TypeError: a hyperparameter is not one the optimizer takes, or has the wrong type.
    """
    return get_class(name)(**hyperparameters)
