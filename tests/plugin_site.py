"""The test plugin distributions, installed once per test session for tests outside tests/plugins.

``plugin_site`` installs the real plugins (``plugins/``) and the broken test plugins
(``tests/plugins/fixtures``) with pip, as ``tests/plugins/conftest.py`` does, into a folder of
their own. Nothing is on ``sys.path`` until a test requests ``plugins_on_path``; a child
process finds them through ``child_environment``.
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from tapestudio import plugins
from tests.plugins.conftest import FIXTURES, ROOT, _install, plugin_sources

__all__ = ["FIXTURES", "ROOT", "child_environment", "copy_source", "plugin_site", "plugins_importable", "plugins_on_path"]


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory) -> Path:
    """Install every test plugin distribution into a new folder; return the folder."""
    return _install(plugin_sources(), tmp_path_factory.mktemp("plugin-site"))


@pytest.fixture
def plugins_on_path(plugin_site) -> Path:
    """Make the installed test plugins importable and rescan, for one test."""
    with plugins_importable(plugin_site):
        yield plugin_site


@contextmanager
def plugins_importable(folder: Path):
    """Put ``folder`` first on ``sys.path`` and rescan; afterwards remove it, forget its
    modules and rescan again."""
    sys.path.insert(0, str(folder))
    plugins.rescan()
    try:
        yield folder
    finally:
        sys.path.remove(str(folder))
        packages = {
            path.name for path in folder.iterdir()
            if path.is_dir() and not path.name.endswith((".dist-info", ".egg-info"))
        }
        for module in [name for name in sys.modules if name.partition(".")[0] in packages]:
            del sys.modules[module]
        plugins.rescan()


def child_environment(*folders: Path, **changes: str | None) -> dict[str, str]:
    """Return an environment for a child process that imports this TapeStudio and finds the
    plugins in ``folders``; ``changes`` set (or, with None, remove) variables."""
    environment = dict(os.environ)
    paths = [*(str(folder) for folder in folders), str(ROOT), environment.get("PYTHONPATH", "")]
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def copy_source(name: str, destination: Path) -> Path:
    """Copy a plugin's source folder (in ``plugins/`` or the broken fixtures) into
    ``destination`` and return the copy. pip builds in the copy, so the repository stays clean."""
    source = ROOT / "plugins" / name
    if not source.is_dir():
        source = FIXTURES / name
    copy = destination / name
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    return copy
