"""tapestudio plugins list, install and check, and tapestudio run with plugins, in child processes.

The test plugins (real and broken) are installed once into a folder of their own, which each
child process finds on its PYTHONPATH. Installs run pip offline (--no-index) into a temporary
--target folder, so the test environment itself stays untouched.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tapestudio.studio import load_example, project_to_dict
from tests.plugin_site import child_environment, copy_source

# pip options for installing local folders without the network and without touching the
# environment: the build uses the installed setuptools, and dependencies are not resolved.
OFFLINE = ["--no-index", "--no-build-isolation", "--no-cache-dir", "--disable-pip-version-check"]


def tapestudio(*args: str, cwd: Path, plugin_folders: tuple[Path, ...] = (), **changes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tapestudio", *args],
        cwd=cwd,
        env=child_environment(*plugin_folders, **changes),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_line(stderr: str) -> bool:
    return stderr.count("\n") == 1 and "Traceback" not in stderr


def write_project(folder: Path, activation: str = "relu", optimizer: str = "SGD", name: str = "project.json") -> Path:
    data = project_to_dict(load_example("weighted-gradients"))
    data["model"]["layers"][0]["activation"] = activation
    for tape in data["tapes"]:
        tape["optimizer"] = {"name": optimizer, "hyperparameters": {"learning_rate": 0.01}}
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# -- list ------------------------------------------------------------------------------------


def test_list_with_broken_plugins_exits_0(tmp_path, plugin_site):
    result = tapestudio("plugins", "list", cwd=tmp_path, plugin_folders=(plugin_site,))

    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[0].split() == ["NAME", "KIND", "DISTRIBUTION", "VERSION", "STATUS", "ERROR"]
    assert "Traceback" not in result.stderr


def test_list_shows_status_and_error(tmp_path, plugin_site):
    result = tapestudio("plugins", "list", cwd=tmp_path, plugin_folders=(plugin_site,))

    rows = {tuple(line.split()[:3:2]): line.split(maxsplit=4)[4] for line in result.stdout.splitlines()[1:]}
    assert rows[("gelu", "tapestudio-activations")] == "loaded"
    assert rows[("gelu", "tapestudio-fixture-duplicate")].startswith("duplicate name")
    assert rows[("broken_op", "tapestudio-fixture-broken-import")].startswith("failed to import")
    assert "No module named 'tapestudio_fixture_missing_dependency'" in rows[("broken_op", "tapestudio-fixture-broken-import")]
    assert rows[("future_op", "tapestudio-fixture-wrong-api")].startswith("incompatible API version")
    assert rows[("NotAnOptimizer", "tapestudio-fixture-invalid")].startswith("invalid")


def test_list_hides_builtins(tmp_path, plugin_site):
    result = tapestudio("plugins", "list", cwd=tmp_path, plugin_folders=(plugin_site,))

    distributions = {line.split()[2] for line in result.stdout.splitlines()[1:]}
    assert "tapestudio" not in distributions


def test_list_all_shows_builtins(tmp_path):
    result = tapestudio("plugins", "list", "--all", cwd=tmp_path)

    names = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert result.returncode == 0
    assert "relu" in names
    assert "Adam" in names


def test_list_without_plugins_says_so(tmp_path):
    result = tapestudio("plugins", "list", cwd=tmp_path)

    assert result.returncode == 0
    assert result.stdout.startswith("No plugins are installed.")


def test_list_json(tmp_path, plugin_site):
    result = tapestudio("plugins", "list", "--json", cwd=tmp_path, plugin_folders=(plugin_site,))

    records = json.loads(result.stdout)
    broken = next(record for record in records if record["name"] == "broken_op")
    assert result.returncode == 0
    assert set(broken) >= {"name", "kind", "distribution", "version", "status", "error", "traceback"}
    assert broken["status"] == "failed to import"
    assert broken["distribution"] == "tapestudio-fixture-broken-import"
    assert "Traceback" in broken["traceback"]
    assert not any(record["builtin"] for record in records)


# -- check -----------------------------------------------------------------------------------


def test_check_plugin_op_passes(tmp_path, plugin_site):
    result = tapestudio("plugins", "check", "gelu", cwd=tmp_path, plugin_folders=(plugin_site,))

    passed = [line for line in result.stdout.splitlines() if line.startswith("passed: ")]
    assert result.returncode == 0, result.stderr
    assert "from tapestudio-activations 0.1.0" in result.stdout.splitlines()[0]
    assert passed[0] == "passed: gradients agree with finite differences to order 2"
    assert len(passed) == 3


def test_check_order_option(tmp_path):
    result = tapestudio("plugins", "check", "tanh", "--order", "1", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "passed: gradients agree with finite differences to order 1" in result.stdout


def test_check_wrong_vjp_exits_1(tmp_path, plugin_site):
    result = tapestudio("plugins", "check", "wrong_vjp_shape", cwd=tmp_path, plugin_folders=(plugin_site,))

    assert result.returncode == 1
    assert "failed: " in result.stdout
    assert "tapestudio-fixture-bad-vjp" in result.stdout
    assert "op 'wrong_vjp_shape' failed its check" in result.stderr
    assert one_line(result.stderr)


def test_check_unknown_op_lists_close_names(tmp_path, plugin_site):
    result = tapestudio("plugins", "check", "gelo", cwd=tmp_path, plugin_folders=(plugin_site,))

    assert result.returncode == 2
    assert "no op named 'gelo'; close names: gelu" in result.stderr
    assert one_line(result.stderr)
    assert result.stdout == ""


def test_check_broken_op_gives_reason(tmp_path, plugin_site):
    result = tapestudio("plugins", "check", "broken_op", cwd=tmp_path, plugin_folders=(plugin_site,))

    assert result.returncode == 2
    assert "tapestudio-fixture-broken-import 0.1.0 declares it, but it failed to import" in result.stderr
    assert one_line(result.stderr)


def test_check_optimizer_name_exits_2(tmp_path):
    result = tapestudio("plugins", "check", "Adam", cwd=tmp_path)

    assert result.returncode == 2
    assert "'Adam' is an optimizer" in result.stderr


# -- install ---------------------------------------------------------------------------------


def test_install_folder_into_target(tmp_path):
    source = copy_source("tapestudio-optimizers", tmp_path)
    target = tmp_path / "target"
    target.mkdir()

    result = tapestudio(
        "plugins", "install", str(source), "--", "--target", str(target), "--no-deps", *OFFLINE,
        cwd=tmp_path, plugin_folders=(target,),
    )

    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()}
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Successfully installed tapestudio-optimizers-0.1.0" in result.stdout
    assert rows["Lion"][1:5] == ["optimizer", "tapestudio-optimizers", "0.1.0", "loaded"]
    assert "Nadam" in rows
    assert "Adamax" in rows


def test_install_runs_pip_with_pin(tmp_path):
    source = copy_source("tapestudio-optimizers", tmp_path)
    target = tmp_path / "target"

    result = tapestudio(
        "plugins", "install", str(source), "--", "--target", str(target), "--no-deps", *OFFLINE,
        cwd=tmp_path, plugin_folders=(target,),
    )

    command = result.stdout.splitlines()[0]
    assert command.startswith(f"Running {sys.executable} -m pip install --constraint ")
    assert "tapestudio-constraints.txt" in command


def test_install_listed_afterwards(tmp_path):
    source = copy_source("tapestudio-optimizers", tmp_path)
    target = tmp_path / "target"
    tapestudio(
        "plugins", "install", str(source), "--", "--target", str(target), "--no-deps", *OFFLINE,
        cwd=tmp_path, plugin_folders=(target,),
    )

    result = tapestudio("plugins", "list", cwd=tmp_path, plugin_folders=(target,))

    assert result.returncode == 0
    assert "Lion" in result.stdout


def test_install_broken_plugin_exits_1(tmp_path):
    source = copy_source("broken-import", tmp_path)
    target = tmp_path / "target"

    result = tapestudio(
        "plugins", "install", str(source), "--", "--target", str(target), "--no-deps", *OFFLINE,
        cwd=tmp_path, plugin_folders=(target,),
    )

    assert result.returncode == 1
    assert "failed to import" in result.stdout
    assert "op 'broken_op'" in result.stderr
    assert one_line(result.stderr)


def test_install_pip_failure_keeps_pip_status(tmp_path):
    result = tapestudio(
        "plugins", "install", "tapestudio-no-such-plugin", "--", "--target", str(tmp_path / "target"), *OFFLINE,
        cwd=tmp_path,
    )

    assert result.returncode == 1
    assert "No matching distribution found for tapestudio-no-such-plugin" in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "tapestudio plugins install: error: pip failed with exit status 1; its output is above"
    )


def _write_distribution(folder: Path, name: str, version: str, dependencies: list[str]) -> Path:
    folder.mkdir(parents=True)
    requirement_list = ", ".join(json.dumps(dependency) for dependency in dependencies)
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=70.1"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{name}"\nversion = "{version}"\ndependencies = [{requirement_list}]\n\n'
        "[tool.setuptools]\npackages = []\n",
        encoding="utf-8",
    )
    return folder


def test_install_cannot_upgrade_tapestudio(tmp_path):
    # A newer "tapestudio" is on offer, and the plugin requires it: only the pin stops pip.
    wheels = tmp_path / "wheels"
    newer = _write_distribution(tmp_path / "newer", "tapestudio", "99.0", [])
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *OFFLINE, "--quiet", "--wheel-dir", str(wheels), str(newer)],
        check=True, capture_output=True, timeout=300,
    )
    plugin = _write_distribution(tmp_path / "greedy", "tapestudio-greedy", "0.1.0", ["tapestudio>=99"])
    target = tmp_path / "target"

    result = tapestudio(
        "plugins", "install", str(plugin), "--", "--target", str(target), "--find-links", str(wheels), *OFFLINE,
        cwd=tmp_path,
    )

    installed = [path.name for path in target.glob("*.dist-info")] if target.exists() else []
    assert result.returncode == 1
    assert "pip failed with exit status 1" in result.stderr
    assert not any(name.startswith("tapestudio-99") for name in installed)


def _folder_without_project(tmp_path: Path) -> str:
    (tmp_path / "empty").mkdir()
    return "empty"


def _text_file(tmp_path: Path) -> str:
    (tmp_path / "notes.txt").write_text("not a plugin", encoding="utf-8")
    return "notes.txt"


# Each case: the arguments (a callable makes files first and returns the argument) and a part
# of the expected error message.
BAD_ARGUMENTS = {
    "no command": (["plugins"], "required: COMMAND"),
    "unknown command": (["plugins", "remove", "gelu"], "invalid choice: 'remove'"),
    "install nothing": (["plugins", "install"], "PATH_OR_REQUIREMENT"),
    "install missing path": (["plugins", "install", "./no-such-plugin"], "no file or folder './no-such-plugin'"),
    "install folder without pyproject": (["plugins", "install", _folder_without_project], "has no pyproject.toml"),
    "install text file": (["plugins", "install", _text_file], "neither a wheel (.whl) nor a source archive"),
    "install empty": (["plugins", "install", " "], "no plugin given"),
    "install pip option first": (["plugins", "install", "--", "--no-deps"], "is an option, not a plugin"),
    "install option without --": (["plugins", "install", "gelu", "--no-deps"], "unrecognized arguments: --no-deps"),
    "check nothing": (["plugins", "check"], "NAME"),
    "check order zero": (["plugins", "check", "tanh", "--order", "0"], "invalid order 0"),
    "check order text": (["plugins", "check", "tanh", "--order", "two"], "invalid order 'two'"),
    "list unknown option": (["plugins", "list", "--broken"], "unrecognized arguments: --broken"),
}


@pytest.mark.parametrize(("arguments", "expected"), BAD_ARGUMENTS.values(), ids=BAD_ARGUMENTS.keys())
def test_bad_plugins_arguments_exit_2(tmp_path, arguments, expected):
    arguments = [argument(tmp_path) if callable(argument) else argument for argument in arguments]

    result = tapestudio(*arguments, cwd=tmp_path)

    assert result.returncode == 2
    assert expected in result.stderr
    assert one_line(result.stderr)
    assert result.stdout == ""


# -- run with plugins ------------------------------------------------------------------------


def test_run_missing_known_plugin_exits_2(tmp_path):
    project = write_project(tmp_path, activation="gelu", optimizer="Lion")

    result = tapestudio("run", str(project), "--steps", "2", "--out", "out", cwd=tmp_path)

    assert result.returncode == 2
    assert one_line(result.stderr)
    assert "Activation 'gelu' (model.layers[0].activation) is not installed" in result.stderr
    assert "'tapestudio plugins install tapestudio-activations'" in result.stderr
    assert "'tapestudio plugins install tapestudio-optimizers'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_run_missing_unknown_plugin_exits_2(tmp_path):
    project = write_project(tmp_path, activation="squareplus")

    result = tapestudio("run", str(project), "--steps", "2", "--out", "out", cwd=tmp_path)

    assert result.returncode == 2
    assert one_line(result.stderr)
    assert "no plugin known to TapeStudio provides it" in result.stderr
    assert "'tapestudio plugins list'" in result.stderr


def test_run_broken_plugin_gives_reason(tmp_path, plugin_site):
    project = write_project(tmp_path, activation="broken_op")

    result = tapestudio("run", str(project), "--steps", "2", "--out", "out", cwd=tmp_path, plugin_folders=(plugin_site,))

    assert result.returncode == 2
    assert one_line(result.stderr)
    assert "tapestudio-fixture-broken-import 0.1.0 declares it, but it failed to import" in result.stderr


def test_run_optimizer_failure_at_step_5(tmp_path, plugin_site):
    project = write_project(tmp_path, optimizer="FailsAtStepFive")

    result = tapestudio(
        "run", str(project), "--steps", "10", "--out", "out", cwd=tmp_path, plugin_folders=(plugin_site,)
    )

    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert result.returncode == 1
    assert "step 5 failed" in result.stderr
    assert "optimizer 'FailsAtStepFive' from plugin tapestudio-fixture-step-five 0.1.0" in result.stderr
    assert "the 4 steps before it were written" in result.stderr
    assert run["steps"] == 4


def test_run_wrong_vjp_shape_stops(tmp_path, plugin_site):
    project = write_project(tmp_path, activation="wrong_vjp_shape")

    result = tapestudio("run", str(project), "--steps", "3", "--out", "out", cwd=tmp_path, plugin_folders=(plugin_site,))

    assert result.returncode == 1
    assert "step 1 failed" in result.stderr
    assert "op 'wrong_vjp_shape' from plugin tapestudio-fixture-bad-vjp 0.1.0" in result.stderr
    assert "returned shape" in result.stderr


def test_run_json_lists_plugin_versions(tmp_path, plugin_site):
    project = write_project(tmp_path, activation="gelu", optimizer="Lion")

    result = tapestudio("run", str(project), "--steps", "2", "--out", "out", cwd=tmp_path, plugin_folders=(plugin_site,))

    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    assert run["plugins"] == [
        {"distribution": "tapestudio-activations", "version": "0.1.0", "ops": ["gelu"], "optimizers": []},
        {"distribution": "tapestudio-optimizers", "version": "0.1.0", "ops": [], "optimizers": ["Lion"]},
    ]


# -- the app starts with broken plugins ------------------------------------------------------

APP_START = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from tapestudio.cli import main

app = QApplication(sys.argv)

def report_and_quit():
    print("windows:", [w.windowTitle() for w in app.topLevelWidgets() if w.isVisible() and w.windowTitle()])
    app.quit()

QTimer.singleShot(0, report_and_quit)
sys.exit(main(sys.argv[1:]))
"""


def test_app_starts_with_broken_plugins(tmp_path, plugin_site):
    environment = child_environment(
        plugin_site, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )

    result = subprocess.run(
        [sys.executable, "-c", APP_START, "weighted-gradients"], cwd=tmp_path, env=environment,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "weighted-gradients" in result.stdout
    assert "Traceback" not in result.stderr


def test_app_opens_project_with_missing_plugin(tmp_path):
    project = write_project(tmp_path, activation="gelu")
    environment = child_environment(
        QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )

    result = subprocess.run(
        [sys.executable, "-c", APP_START, str(project)], cwd=tmp_path, env=environment,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "project.json" in result.stdout
    assert "Missing plugins" in result.stdout

