"""The base class of plugin optimizers: TapeStudio's Optimizer with checks around plugin code."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import optimizers
from . import provenance
from .errors import PluginError

__all__ = ["Optimizer"]


class Optimizer(optimizers.Optimizer):
    """Base class of optimizers that plugins publish in the ``tapestudio.optimizers`` group.

    It is ``tapestudio.optimizers.Optimizer`` plus checks; see there for ``hyperparameters``,
    ``description``, ``create_slots`` and ``update_step``. An exception inside ``create_slots``
    or ``update_step`` raises ``PluginError`` naming the optimizer and its distribution, and so
    does an update that is not a NumPy array of the variable's shape and dtype.
    ``update_step`` gets a read-only gradient, so it cannot change the gradient that the app
    also reports.

    A subclass also sets ``api_version``, the plugin API version it was written for.
    """

    def _new_slots(self, variable) -> dict:
        try:
            slots = self.create_slots(variable)
        except Exception as error:
            raise self._failure("create_slots", f"{type(error).__name__}: {error}") from error
        if not isinstance(slots, Mapping):
            raise self._failure("create_slots", f"returned {type(slots).__name__}, expected a dict of arrays")
        return dict(slots)

    def _run_update(self, gradient, variable, slots):
        read_only = np.asarray(gradient).view()
        read_only.flags.writeable = False
        try:
            new_value = self.update_step(read_only, variable, slots)
        except Exception as error:
            raise self._failure("update_step", f"{type(error).__name__}: {error}") from error

        expected = variable._value
        if not isinstance(new_value, (np.ndarray, np.generic)):
            raise self._failure("update_step", f"returned {type(new_value).__name__}, expected a NumPy array")
        if new_value.shape != expected.shape:
            raise self._failure(
                "update_step",
                f"returned shape {new_value.shape} for variable {variable.path!r} of shape {expected.shape}",
            )
        if new_value.dtype != expected.dtype:
            raise self._failure(
                "update_step",
                f"returned dtype {new_value.dtype} for variable {variable.path!r} of dtype {expected.dtype}",
            )
        return new_value

    def _failure(self, stage: str, problem: str) -> PluginError:
        distribution, version = provenance.source_of(type(self))
        return PluginError("optimizer", type(self).__name__, distribution, version, stage, problem)
