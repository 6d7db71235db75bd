"""Plugins: ops and optimizers discovered through entry points, with a status for each.

Plugin distributions publish ops in the ``tapestudio.ops`` entry-point group and optimizer
classes in ``tapestudio.optimizers``; TapeStudio publishes its built-ins the same way. Plugin
authors import ``tapestudio.plugins.api``. The rest of this package is what the app uses:

- ``op(name)(x)`` runs an op by name; ``op_names()`` and ``activation_names()`` list them.
  Keras layers take activation names (``Dense(4, activation="gelu")``), and
  ``tapestudio.optimizers.get(name)`` creates plugin optimizers too.
- ``statuses()`` lists every entry point: loaded, failed to import, invalid, incompatible API
  version or duplicate name, with the distribution, its version and the error.
- ``check_op(name)`` checks an op's gradients to second order.
- ``rescan()`` discovers again after a plugin was installed.

Discovery runs on the first lookup, not on import, and its result is kept until ``rescan``.
It catches whatever a plugin raises while loading (but KeyboardInterrupt): the plugin is listed
with its error, and everything else keeps working.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..optimizers import registry as _optimizer_registry

if TYPE_CHECKING:
    from .ops import PluginOp
    from .registry import Registry
    from .status import PluginStatus

__all__ = [
    "API_VERSION", "OPS_GROUP", "OPTIMIZERS_GROUP", "OP", "OPTIMIZER", "Entry", "PluginDefinitionError",
    "PluginError", "PluginOp", "PluginStatus", "Registry", "Status", "activation", "activation_names",
    "check_op", "current_registry", "op", "op_names", "optimizer_names", "rescan", "status_of", "statuses",
]

# The submodules load on first use, which keeps them out of the time of ``import tapestudio``.
_LAZY = {
    "API_VERSION": "api", "OPS_GROUP": "discovery", "OPTIMIZERS_GROUP": "discovery", "Entry": "discovery",
    "OP": "status", "OPTIMIZER": "status", "PluginStatus": "status", "Status": "status",
    "PluginDefinitionError": "errors", "PluginError": "errors", "PluginOp": "ops", "Registry": "registry",
    "check_op": "checking",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def current_registry() -> Registry:
    """Return the current ``Registry``, discovering the installed plugins on the first call."""
    from .registry import current

    return current()


def rescan() -> Registry:
    """Discover the installed plugins again (after installing one); return the new ``Registry``.

    A plugin upgraded in place needs a restart, because its old module stays imported.
    """
    from .registry import rescan as rescan_registry

    return rescan_registry()


def op(name: str) -> PluginOp:
    """Return the ``PluginOp`` registered as ``name``, built-in or from a plugin: ``op("gelu")(x)``.

    Raises:
        ValueError: no loaded op has that name. The message gives the reason when an installed
            plugin declares the name.
    """
    return current_registry().op(name)


def activation(name: str) -> PluginOp:
    """Return the op ``name`` if a layer can use it as its activation.

    Raises:
        ValueError: no loaded op has that name, or it is not declared as an activation.
    """
    return current_registry().activation(name)


def op_names() -> list[str]:
    """Return the names of the loaded ops, sorted."""
    return current_registry().op_names()


def activation_names() -> list[str]:
    """Return the names of the loaded ops that layers accept as activations, sorted."""
    return current_registry().activation_names()


def optimizer_names() -> list[str]:
    """Return the names of the optimizers that entry points provide, sorted ignoring case."""
    return current_registry().optimizer_names()


def statuses() -> list[PluginStatus]:
    """Return the ``PluginStatus`` of every entry point of both groups, ops first."""
    return list(current_registry().statuses)


def status_of(kind: str, name: str) -> PluginStatus | None:
    """Return the ``PluginStatus`` behind op or optimizer ``name`` (``kind`` is ``"op"`` or
    ``"optimizer"``): the loaded entry point, else the first one that failed, else None."""
    return current_registry().status_of(kind, name)


def _explain_missing_optimizer(name: str) -> str:
    return current_registry().explain_missing("optimizer", name)


# tapestudio.optimizers sits below this package, so it learns of plugin optimizers this way.
_optimizer_registry.set_provider(lambda: current_registry().optimizer_classes(), _explain_missing_optimizer)
