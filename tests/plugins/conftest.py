"""Build this repository's plugin distributions with pip and install them for these tests.

The two real plugins (``plugins/``) and the broken test plugins (``fixtures/``) are installed as
a user would install them: pip builds each one and writes its package and its metadata, entry
points included. They go into a directory of their own, which is on ``sys.path`` while the tests
of this package run. The environment itself stays untouched, so test runs that share it do not
see each other's plugins, and an interrupted run leaves nothing installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tapestudio import plugins

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

REAL_PLUGINS = ["tapestudio-activations", "tapestudio-optimizers"]


def plugin_sources() -> list[Path]:
    """Return the source directories of every distribution the tests install."""
    real = [ROOT / "plugins" / name for name in REAL_PLUGINS]
    broken = sorted(path for path in FIXTURES.iterdir() if (path / "pyproject.toml").is_file())
    return real + broken


def _install(sources: list[Path], work: Path) -> Path:
    # Builds happen in copies, so that no build/ or *.egg-info directory lands in the repository.
    copies = []
    for source in sources:
        copy = work / "sources" / source.name
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        copies.append(copy)

    target = work / "site-packages"
    command = [
        sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
        "--no-cache-dir", "--disable-pip-version-check", "--quiet", "--target", str(target),
        *[str(copy) for copy in copies],
    ]
    result = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        pytest.fail(f"pip could not install the test plugins:\n{result.stdout}\n{result.stderr}")
    return target


@pytest.fixture(scope="package")
def installed_plugins(tmp_path_factory) -> Path:
    """Install the plugin distributions, rescan, and return the directory they are in.

    A subprocess finds them when that directory is on its PYTHONPATH.
    """
    target = _install(plugin_sources(), tmp_path_factory.mktemp("plugins"))
    packages = {path.name for path in target.iterdir() if path.is_dir() and not path.name.endswith(".dist-info")}

    sys.path.insert(0, str(target))
    plugins.rescan()
    yield target

    sys.path.remove(str(target))
    for module in [name for name in sys.modules if name.partition(".")[0] in packages]:
        del sys.modules[module]
    plugins.rescan()
