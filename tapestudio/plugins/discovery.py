"""Find the entry points of TapeStudio's two groups and load each one without ever raising.

``installed_entries`` reads the installed distributions' metadata; ``load`` imports one entry
point and checks what it names. Every failure becomes a status with the error and traceback,
so a broken plugin is listed instead of taking the app down.
"""

from __future__ import annotations

import logging
import re
import traceback
from dataclasses import dataclass, field
from typing import Callable

from .errors import PluginDefinitionError
from .status import OP, OPTIMIZER, PluginStatus, Status
from .validation import check_op_object, check_optimizer_class

__all__ = [
    "OPS_GROUP", "OPTIMIZERS_GROUP", "BUILTIN_DISTRIBUTION", "Entry", "Candidate", "installed_entries",
    "load", "normalize",
]

logger = logging.getLogger(__name__)

OPS_GROUP = "tapestudio.ops"
"""Entry-point group of ops; each entry point names one op, under the op's name."""

OPTIMIZERS_GROUP = "tapestudio.optimizers"
"""Entry-point group of optimizers; each entry point names one optimizer class, under its name."""

BUILTIN_DISTRIBUTION = "tapestudio"

KIND_OF_GROUP = {OPS_GROUP: OP, OPTIMIZERS_GROUP: OPTIMIZER}
GROUP_OF_KIND = {kind: group for group, kind in KIND_OF_GROUP.items()}

UNKNOWN_DISTRIBUTION = "an unknown distribution"


def normalize(distribution: str) -> str:
    """Return a distribution name normalized as pip compares names (PEP 503)."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


@dataclass(frozen=True)
class Entry:
    """One entry point: its group, name and target, and the distribution that declares it.

    ``load()`` imports the target and returns the object it names.
    """

    group: str
    name: str
    value: str
    distribution: str
    version: str
    load: Callable[[], object] = field(repr=False, compare=False)

    @property
    def kind(self) -> str:
        return KIND_OF_GROUP[self.group]

    @property
    def builtin(self) -> bool:
        return normalize(self.distribution) == BUILTIN_DISTRIBUTION


@dataclass
class Candidate:
    """An entry point after loading: the object, or the status and error that keep it out."""

    entry: Entry
    obj: object = None
    status: Status = Status.LOADED
    error: str = ""
    traceback: str = ""

    def to_status(self) -> PluginStatus:
        entry = self.entry
        return PluginStatus(
            name=entry.name, kind=entry.kind, distribution=entry.distribution, version=entry.version,
            status=self.status, error=self.error, value=entry.value, builtin=entry.builtin,
            traceback=self.traceback,
        )


def installed_entries() -> list[Entry]:
    """Return the entry points of both groups in the installed distributions.

    Built-ins that TapeStudio's own metadata lacks are added from its table. A failure to read
    the metadata is logged, and the built-ins are then all that is returned.
    """
    from importlib import metadata

    entries = []
    for group in KIND_OF_GROUP:
        try:
            points = list(metadata.entry_points(group=group))
        except Exception:  # noqa: BLE001  (one broken distribution's metadata must not stop the app)
            logger.exception("Reading the entry points of group %s failed; plugins of this kind are skipped.", group)
            points = []
        for point in points:
            entries.append(_entry_of(point))

    return entries + missing_builtin_entries(entries)


def _entry_of(point) -> Entry:
    distribution = getattr(point, "dist", None)
    name = distribution.name if distribution is not None else UNKNOWN_DISTRIBUTION
    version = distribution.version if distribution is not None else ""
    return Entry(point.group, point.name, point.value, name, version, point.load)


def missing_builtin_entries(entries: list[Entry]) -> list[Entry]:
    """Return entries for the built-ins that ``entries`` lacks, loaded from the built-in table."""
    from importlib import metadata

    from .builtins import BUILTIN_ENTRY_POINTS

    present = {(entry.group, entry.name) for entry in entries if entry.builtin}
    missing = [
        (GROUP_OF_KIND[kind], name, value)
        for kind, table in BUILTIN_ENTRY_POINTS.items()
        for name, value in table.items()
        if (GROUP_OF_KIND[kind], name) not in present
    ]
    if not missing:
        return []

    # Only a note: the built-ins work the same either way.
    logger.info(
        "TapeStudio's installed metadata lacks the entry points of %s; they are loaded from the "
        "built-in table. Reinstall TapeStudio (pip install .) to update its metadata.",
        ", ".join(name for _, name, _ in missing),
    )
    version = _installed_version()
    return [
        Entry(group, name, value, BUILTIN_DISTRIBUTION, version,
              metadata.EntryPoint(name=name, value=value, group=group).load)
        for group, name, value in missing
    ]


def _installed_version() -> str:
    from importlib import metadata

    try:
        return metadata.version(BUILTIN_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return ""


def load(entry: Entry) -> Candidate:
    """Import ``entry`` and check what it names, catching every Exception and SystemExit.

    Returns a Candidate whose status is LOADED, IMPORT_FAILED, INVALID or INCOMPATIBLE; the
    registry decides duplicates afterwards.
    """
    try:
        obj = entry.load()
    except PluginDefinitionError as error:
        return Candidate(entry, None, Status.INVALID, str(error), traceback.format_exc())
    except (Exception, SystemExit) as error:  # noqa: BLE001  (a plugin may raise anything on import)
        return Candidate(entry, None, Status.IMPORT_FAILED, f"{type(error).__name__}: {error}",
                         traceback.format_exc())

    try:
        if entry.kind == OP:
            rejection = check_op_object(entry.name, obj)
        else:
            rejection = check_optimizer_class(entry.name, obj, entry.builtin)
    except Exception as error:  # noqa: BLE001  (an odd object may raise from its attributes)
        rejection = Status.INVALID, f"checking it raised {type(error).__name__}: {error}"

    if rejection is not None:
        status, message = rejection
        return Candidate(entry, obj, status, message)
    return Candidate(entry, obj)
