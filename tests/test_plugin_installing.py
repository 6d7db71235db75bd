"""The pip command that installs plugins, and how its target is read."""

from __future__ import annotations

import sys
from importlib import metadata

import pytest

from tapestudio.plugins import installing
from tapestudio.plugins.discovery import installed_entries


@pytest.mark.parametrize(
    "requirement",
    ["tapestudio-activations", "tapestudio-activations==0.1.0", "tapestudio_optimizers>=0.1",
     "git+https://example.org/plugin.git", "plugin @ file:///srv/plugin"],
)
def test_requirement_passed_unchanged(tmp_path, requirement):
    assert installing.resolve_target(requirement, cwd=tmp_path) == requirement


def test_folder_becomes_absolute(tmp_path):
    (tmp_path / "plugin").mkdir()
    (tmp_path / "plugin" / "pyproject.toml").write_text("", encoding="utf-8")

    assert installing.resolve_target("plugin", cwd=tmp_path) == str(tmp_path / "plugin")


def test_wheel_becomes_absolute(tmp_path):
    wheel = tmp_path / "plugin-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"")

    assert installing.resolve_target(wheel.name, cwd=tmp_path) == str(wheel)


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "no plugin given"), ("-U", "is an option"), ("missing/plugin", "no file or folder"),
     ("plugin.whl", "no file or folder")],
)
def test_bad_target_rejected(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        installing.resolve_target(text, cwd=tmp_path)


def test_constraints_pin_installed_version():
    assert installing.constraints_text() == f"tapestudio=={metadata.version('tapestudio')}\n"


def test_command_uses_this_interpreter(tmp_path):
    command = installing.install_command("gelu-plugin", tmp_path / "pin.txt", ["--no-deps"])

    assert command == [
        sys.executable, "-m", "pip", "install", "--constraint", str(tmp_path / "pin.txt"), "--no-deps", "gelu-plugin",
    ]


def test_nothing_added_without_install():
    before = installing.installed_entry_keys()

    assert installing.statuses_added_since(before) == []


def test_entry_keys_cover_builtins():
    keys = installing.installed_entry_keys()

    assert len(keys) == len(installed_entries())
    assert any(key[:3] == ("op", "relu", "tapestudio") for key in keys)
