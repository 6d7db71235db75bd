"""The plugin API: everything a plugin distribution imports to define ops and optimizers.

A plugin module defines ops with ``define_op`` or ``composite_op`` and optimizers as
subclasses of ``Optimizer``, and its ``pyproject.toml`` publishes each one under its name in
the ``tapestudio.ops`` or ``tapestudio.optimizers`` entry-point group. Every op and optimizer
declares the API version it was written for, as an integer literal (``api_version=1``), not
as ``API_VERSION``, which is the version of the installed TapeStudio.

docs/plugins.md has a complete worked example.
"""

from __future__ import annotations

from ..optimizers.hyperparameters import Hyperparameter
from .errors import PluginDefinitionError, PluginError
from .ops import PluginOp, composite_op, define_op
from .optimizer import Optimizer

__all__ = [
    "API_VERSION", "MIN_API_VERSION", "Hyperparameter", "Optimizer", "PluginDefinitionError", "PluginError",
    "PluginOp", "composite_op", "define_op", "is_supported_api_version",
]

API_VERSION = 1
"""The newest plugin API version this TapeStudio implements."""

MIN_API_VERSION = 1
"""The oldest plugin API version this TapeStudio still loads."""


def is_supported_api_version(version: object) -> bool:
    """Return whether a plugin written for ``version`` (an int) can be loaded."""
    if isinstance(version, bool) or not isinstance(version, int):
        return False
    return MIN_API_VERSION <= version <= API_VERSION
