"""TapeStudio's own entry points, and the test suites of the plugin distributions."""

import os
import subprocess
import sys

import pytest

from tapestudio.plugins.builtins import BUILTIN_ENTRY_POINTS

from .conftest import REAL_PLUGINS, ROOT

tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")


def _entry_points(pyproject):
    with open(pyproject, "rb") as file:
        return tomllib.load(file)["project"]["entry-points"]


def test_pyproject_publishes_builtin_ops():
    assert _entry_points(ROOT / "pyproject.toml")["tapestudio.ops"] == BUILTIN_ENTRY_POINTS["op"]


def test_pyproject_publishes_builtin_optimizers():
    assert _entry_points(ROOT / "pyproject.toml")["tapestudio.optimizers"] == BUILTIN_ENTRY_POINTS["optimizer"]


@pytest.mark.parametrize("distribution", REAL_PLUGINS)
def test_plugin_test_suite_passes(installed_plugins, distribution):
    # The plugin's tests import the installed plugin (found on PYTHONPATH) and this TapeStudio.
    source = ROOT / "plugins" / distribution
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed_plugins), str(ROOT)])}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(source / "tests")]

    result = subprocess.run(command, cwd=source, env=environment, capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stdout + result.stderr
