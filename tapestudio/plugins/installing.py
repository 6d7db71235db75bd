"""Install plugin distributions with pip, in the interpreter that runs TapeStudio.

``tapestudio plugins install`` and the app's Plugins dialog run the same command::

    python -m pip install --constraint FILE [PIP_OPTION ...] PATH_OR_REQUIREMENT

where ``python`` is ``sys.executable`` and FILE pins ``tapestudio`` to its installed version.
pip then fails, instead of upgrading, downgrading or removing TapeStudio, when a plugin
requires another version. After pip has finished, ``statuses_added_since`` rescans and returns
the statuses of the entry points that were not installed before.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Sequence

from .discovery import BUILTIN_DISTRIBUTION, installed_entries, normalize
from .status import PluginStatus

__all__ = [
    "CONSTRAINTS_FILE", "EntryKey", "constraints_text", "install_arguments", "install_command",
    "installed_entry_keys", "installed_version", "resolve_target", "status_record",
    "statuses_added_since", "write_constraints",
]

CONSTRAINTS_FILE = "tapestudio-constraints.txt"

# Files pip installs from, besides a source folder: wheels and source archives.
ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip")

EntryKey = tuple[str, str, str, str]
"""An entry point as (kind, name, normalized distribution name, version)."""


def installed_version() -> str | None:
    """Return the installed version of TapeStudio, or None when it runs from a source tree."""
    try:
        return metadata.version(BUILTIN_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


def constraints_text() -> str:
    """Return the pip constraints that pin TapeStudio to its installed version.

    Raises:
        RuntimeError: TapeStudio has no installed metadata, so there is no version to pin.
    """
    version = installed_version()
    if version is None:
        raise RuntimeError(
            "TapeStudio is not installed in this interpreter (it runs from a source folder), so pip "
            "cannot pin its version; install it first with 'python -m pip install -e .' in its folder"
        )
    return f"{BUILTIN_DISTRIBUTION}=={version}\n"


def write_constraints(folder: str | os.PathLike) -> Path:
    """Write the constraints file into ``folder`` and return its path.

    Raises:
        RuntimeError: TapeStudio is not installed (see ``constraints_text``).
        OSError: the file cannot be written.
    """
    path = Path(folder) / CONSTRAINTS_FILE
    path.write_text(constraints_text(), encoding="utf-8")
    return path


def resolve_target(text: str, cwd: str | os.PathLike | None = None) -> str:
    """Return what pip should install for ``text``: a plugin folder, a wheel or a requirement.

    An existing folder or archive becomes its absolute path (relative paths start at ``cwd``,
    default the working folder). Anything else that does not look like a path is returned as
    a requirement (``tapestudio-activations``, ``name==1.0``, a URL); pip checks its syntax.

    Raises:
        ValueError: ``text`` is empty or an option, names a path that does not exist, a folder
            without ``pyproject.toml`` or ``setup.py``, or a file that pip cannot install.
    """
    stripped = text.strip()
    if not stripped:
        raise ValueError("no plugin given; give a plugin folder, a wheel or a requirement")
    if stripped.startswith("-"):
        raise ValueError(
            f"{stripped!r} is an option, not a plugin; give a plugin folder, a wheel or a requirement "
            "first, and pip options after '--'"
        )

    path = Path(stripped).expanduser()
    if not path.is_absolute():
        path = Path(cwd if cwd is not None else os.getcwd()) / path

    if path.is_dir():
        if not ((path / "pyproject.toml").is_file() or (path / "setup.py").is_file()):
            raise ValueError(
                f"folder {stripped!r} has no pyproject.toml or setup.py; give the folder of a plugin "
                "distribution"
            )
        return str(path.resolve())
    if path.is_file():
        if not path.name.lower().endswith(ARCHIVE_SUFFIXES):
            raise ValueError(
                f"{stripped!r} is neither a wheel (.whl) nor a source archive (.tar.gz, .zip); give a "
                "plugin folder, a wheel or a requirement"
            )
        return str(path.resolve())
    if _looks_like_path(stripped):
        raise ValueError(f"no file or folder {stripped!r}; check the path")
    return stripped


def _looks_like_path(text: str) -> bool:
    if "://" in text or "@" in text:
        # A URL, or a direct reference such as "name @ file:///...": pip reads both.
        return False
    separators = ("/", os.sep) if os.altsep is None else ("/", os.sep, os.altsep)
    return (
        any(separator in text for separator in separators)
        or text.startswith((".", "~"))
        or text.lower().endswith(ARCHIVE_SUFFIXES)
    )


def install_arguments(target: str, constraints: str | os.PathLike, pip_options: Sequence[str] = ()) -> list[str]:
    """Return the interpreter arguments that install ``target`` with pip: ``-m pip install ...``.

    ``pip_options`` go to pip unchanged, before the target (``--no-deps``, ``--index-url URL``).
    """
    return ["-m", "pip", "install", "--constraint", os.fspath(constraints), *pip_options, target]


def install_command(target: str, constraints: str | os.PathLike, pip_options: Sequence[str] = ()) -> list[str]:
    """Return the whole command that installs ``target`` with this interpreter's pip."""
    return [sys.executable, *install_arguments(target, constraints, pip_options)]


def installed_entry_keys() -> set[EntryKey]:
    """Return the entry points installed now, without importing any plugin module."""
    return {_key(entry.kind, entry.name, entry.distribution, entry.version) for entry in installed_entries()}


def statuses_added_since(before: set[EntryKey]) -> list[PluginStatus]:
    """Rescan the installed plugins; return the statuses of entry points not in ``before``.

    An entry point counts as new when its distribution or version differs, so an upgraded
    plugin is listed too. A plugin upgraded in place needs a restart to run its new code.
    """
    from .registry import rescan

    registry = rescan()
    return [
        status for status in registry.statuses
        if _key(status.kind, status.name, status.distribution, status.version) not in before
    ]


def _key(kind: str, name: str, distribution: str, version: str) -> EntryKey:
    return kind, name, normalize(distribution), version


def status_record(status: PluginStatus) -> dict[str, str | bool]:
    """Return ``status`` as a JSON-ready dict, its status as the text shown in tables."""
    record = asdict(status)
    record["status"] = status.status.value
    return record
