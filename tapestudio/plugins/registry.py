"""The registry of ops and optimizers by name, built from one discovery of the entry points.

When two entry points give the same name (compared exactly for ops and ignoring letter case
for optimizers, whose lookups ignore it), one is used and the other is listed as a duplicate:

1. A built-in (declared by the ``tapestudio`` distribution) takes precedence over any plugin.
2. Between plugins, the one whose distribution name sorts first wins. Names are compared
   normalized as pip compares them: lowercase, with runs of ``-_.`` as one ``-``.
3. Within one distribution, the entry point whose name sorts first wins.

Only entry points that load and pass validation compete, so a broken plugin never hides a
working one. The current registry is built lazily on first use and kept until ``rescan``.
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Iterable

from . import provenance
from .discovery import Candidate, Entry, installed_entries, load, normalize
from .ops import PluginOp
from .status import OP, OPTIMIZER, PluginStatus, Status

__all__ = ["Registry", "current", "rescan"]

logger = logging.getLogger(__name__)


def _precedence(entry: Entry) -> tuple:
    return (not entry.builtin, normalize(entry.distribution), entry.name)


class Registry:
    """The ops and optimizers that one discovery found, and a status for every entry point."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        """Load ``entries`` and resolve duplicate names. A broken entry point gets a status, not
        an exception.

        Args:
            entries: the entry points to load, usually ``installed_entries()``.
        """
        self._ops: dict[str, PluginOp] = {}
        self._optimizers: dict[str, type] = {}
        statuses = []

        winners: dict[tuple[str, str], Candidate] = {}
        for entry in sorted(entries, key=_precedence):
            candidate = load(entry)
            if candidate.status is Status.LOADED:
                self._claim(candidate, winners)
            statuses.append(candidate.to_status())

        kind_order = {OP: 0, OPTIMIZER: 1}
        self._statuses = tuple(sorted(statuses, key=lambda status: kind_order[status.kind]))
        for status in self._statuses:
            if not status.loaded:
                logger.warning(
                    "%s %r from %s %s: %s: %s", status.kind, status.name, status.distribution, status.version,
                    status.status.value, status.error,
                )

    def _claim(self, candidate: Candidate, winners: dict) -> None:
        """Register the candidate under its name, or mark it as a duplicate of an earlier one."""
        entry = candidate.entry
        key = (entry.kind, entry.name if entry.kind == OP else entry.name.lower())
        winner = winners.get(key)
        if winner is not None:
            candidate.status = Status.DUPLICATE
            candidate.error = _duplicate_message(entry, winner.entry)
            return

        winners[key] = candidate
        provenance.record(candidate.obj, entry.distribution, entry.version)
        if entry.kind == OP:
            self._ops[entry.name] = candidate.obj
        else:
            self._optimizers[entry.name] = candidate.obj

    # -- lookups -------------------------------------------------------------------------------

    @property
    def statuses(self) -> tuple[PluginStatus, ...]:
        """Every entry point found, ops first, each kind in order of precedence."""
        return self._statuses

    def op(self, name: str) -> PluginOp:
        """Return the op called ``name``.

        Raises:
            ValueError: no loaded op has that name. The message gives the reason when an
                installed plugin declares the name.
        """
        found = self._ops.get(name)
        if found is None:
            message = f"Unknown op {name!r}; available: {', '.join(self.op_names())}."
            raise ValueError(_with_reason(message, self.explain_missing(OP, name)))
        return found

    def activation(self, name: str) -> PluginOp:
        """Return the op called ``name`` if a layer can use it as its activation.

        Raises:
            ValueError: no loaded op has that name, or the op is not an activation.
        """
        found = self._ops.get(name)
        if found is not None and found.activation:
            return found

        message = f"Unknown activation {name!r}; available: {', '.join(self.activation_names())}."
        if found is not None:
            reason = f"Op {name!r} exists but is not declared as an activation."
        else:
            reason = self.explain_missing(OP, name)
        raise ValueError(_with_reason(message, reason))

    def op_names(self) -> list[str]:
        """Return the names of the loaded ops, sorted."""
        return sorted(self._ops)

    def activation_names(self) -> list[str]:
        """Return the names of the loaded ops that can serve as layer activations, sorted."""
        return sorted(name for name, op in self._ops.items() if op.activation)

    def optimizer_classes(self) -> dict[str, type]:
        """Return the loaded optimizer classes by name."""
        return dict(self._optimizers)

    def optimizer_names(self) -> list[str]:
        """Return the names of the loaded optimizers, sorted ignoring case."""
        return sorted(self._optimizers, key=str.lower)

    def status_of(self, kind: str, name: str) -> PluginStatus | None:
        """Return the status of ``name`` of ``kind`` (``"op"`` or ``"optimizer"``), or None.

        That is the loaded entry when there is one, else the first entry with that name in
        order of precedence. Optimizer names match ignoring case.
        """
        matching = [status for status in self._statuses if status.kind == kind and _same_name(kind, status.name, name)]
        for status in matching:
            if status.loaded:
                return status
        return matching[0] if matching else None

    def explain_missing(self, kind: str, name: str) -> str:
        """Return a sentence saying why an installed plugin's ``name`` is not available, or ""."""
        status = self.status_of(kind, name)
        if status is None or status.loaded:
            return ""
        problem = _PROBLEMS[status.status]
        return (
            f"The plugin {status.distribution} {status.version} declares it, but {problem}: "
            f"{status.error.rstrip('.')}."
        )


_PROBLEMS = {
    Status.IMPORT_FAILED: "it failed to import",
    Status.INVALID: "it is invalid",
    Status.INCOMPATIBLE: "its plugin API version is not supported",
    Status.DUPLICATE: "its name is taken",
}


def _same_name(kind: str, first: str, second: str) -> bool:
    return first == second if kind == OP else first.lower() == str(second).lower()


def _with_reason(message: str, reason: str) -> str:
    return f"{message} {reason}" if reason else message


def _duplicate_message(loser: Entry, winner: Entry) -> str:
    kind = loser.kind
    used = f"{winner.distribution} {winner.version}".rstrip()
    if winner.builtin:
        return (
            f"{kind} {winner.name!r} is built into TapeStudio, and built-ins take precedence over "
            f"plugins; rename the {kind} to use both"
        )
    if normalize(winner.distribution) == normalize(loser.distribution):
        rule = "within one distribution, the entry point whose name sorts first wins"
    else:
        rule = "between plugins, the distribution whose name sorts first wins"
    return (
        f"{kind} {winner.name!r} is also provided by {used}, which is used because, {rule}; "
        f"uninstall one of them or rename the {kind}"
    )


# -- the current registry ----------------------------------------------------------------------

_lock = threading.Lock()
_current: Registry | None = None


def current() -> Registry:
    """Return the registry of the installed plugins, discovering them on the first call."""
    registry = _current
    if registry is not None:
        return registry

    with _lock:
        if _current is None:
            _set(Registry(installed_entries()))
        return _current


def rescan() -> Registry:
    """Discover the installed plugins again (after installing one) and return the new registry.

    Modules imported before stay as they are: a plugin upgraded in place needs a restart.
    """
    importlib.invalidate_caches()
    registry = Registry(installed_entries())
    with _lock:
        _set(registry)
    return registry


def _set(registry: Registry) -> None:
    global _current
    _current = registry

