"""Statuses of entry points: whether each op and optimizer loaded, and why not."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["OP", "OPTIMIZER", "Status", "PluginStatus"]

OP = "op"
OPTIMIZER = "optimizer"


class Status(str, Enum):
    """The outcome of loading one entry point; the value is the text to show."""

    LOADED = "loaded"
    IMPORT_FAILED = "failed to import"
    INVALID = "invalid"
    INCOMPATIBLE = "incompatible API version"
    DUPLICATE = "duplicate name"


@dataclass(frozen=True)
class PluginStatus:
    """One entry point of the ``tapestudio.ops`` or ``tapestudio.optimizers`` group.

    Attributes:
        name: the entry-point name, which is the op's or optimizer's name.
        kind: ``"op"`` or ``"optimizer"``.
        distribution: the distribution that declares the entry point (``"tapestudio"`` for the
            built-ins).
        version: that distribution's version.
        status: loaded, failed to import, invalid, incompatible API version or duplicate name.
        error: why it is not loaded, empty when it is; for a duplicate, which one is used
            instead and why.
        value: the entry point's target, ``"module:attribute"``.
        builtin: whether it is one of TapeStudio's own.
        traceback: the formatted traceback of an import failure, else empty.
    """

    name: str
    kind: str
    distribution: str
    version: str
    status: Status
    error: str = ""
    value: str = ""
    builtin: bool = False
    traceback: str = ""

    @property
    def loaded(self) -> bool:
        """Whether the op or optimizer is available under this name."""
        return self.status is Status.LOADED
