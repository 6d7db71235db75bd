"""Which installed distribution an op or optimizer comes from, for error messages.

Discovery records the distribution of every entry point it loads. Other objects, such as an op
that a plugin uses internally or one defined in a script, are traced through the top-level
package of their module. That scans the installed distributions, so it happens only when an
error message needs it.
"""

from __future__ import annotations

import weakref

__all__ = ["record", "source_of"]

UNKNOWN = "an unknown distribution"

_recorded: "weakref.WeakKeyDictionary[object, tuple[str, str]]" = weakref.WeakKeyDictionary()


def record(obj: object, distribution: str, version: str) -> None:
    """Remember that ``obj`` (an op or optimizer class) comes from ``distribution``."""
    _recorded[obj] = (distribution, version)


def source_of(obj: object, module: str | None = None) -> tuple[str, str]:
    """Return ``(distribution, version)`` of ``obj``, or ``(UNKNOWN, "")``.

    For a class, the first recorded class in its method resolution order counts, so a
    subclass of a plugin's optimizer is attributed to that plugin. ``module`` is the module to
    trace when nothing is recorded (default: ``obj.__module__``).
    """
    for candidate in getattr(obj, "__mro__", (obj,)):
        try:
            found = _recorded.get(candidate)
        except TypeError:
            found = None
        if found is not None:
            return found

    return _from_module(module or getattr(obj, "__module__", None) or "")


def _from_module(module: str) -> tuple[str, str]:
    from importlib import metadata

    top = module.partition(".")[0]
    if not top:
        return UNKNOWN, ""
    try:
        names = metadata.packages_distributions().get(top, [])
    except Exception:  # noqa: BLE001  (broken metadata of some other package must not hide the error)
        return UNKNOWN, ""
    if not names:
        return UNKNOWN, ""
    try:
        return names[0], metadata.version(names[0])
    except metadata.PackageNotFoundError:
        return names[0], ""
