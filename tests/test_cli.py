"""The tapestudio command, run as ``python -m tapestudio`` in a child process."""

from __future__ import annotations

import csv
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tapestudio.cli import main
from tapestudio.studio import load_example, project_to_dict, save_project

ROOT = Path(__file__).resolve().parent.parent


def child_env(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def tapestudio(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tapestudio", *args],
        cwd=cwd,
        env=env or child_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_wide(path: Path) -> list[dict[str, str]]:
    with open(path / "metrics_wide.csv", newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_examples_lists_each_example(tmp_path):
    result = tapestudio("examples", cwd=tmp_path)

    lines = result.stdout.splitlines()
    assert result.returncode == 0
    assert [line.split()[0] for line in lines] == ["iris", "weighted-gradients"]
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)


def test_main_returns_status(capsys):
    assert main(["examples"]) == 0
    assert "weighted-gradients" in capsys.readouterr().out


def test_version_printed(tmp_path):
    result = tapestudio("--version", cwd=tmp_path)

    assert result.returncode == 0
    assert result.stdout.startswith("tapestudio ")


def test_run_writes_three_files(tmp_path):
    out = tmp_path / "out"

    result = tapestudio(
        "run", "weighted-gradients", "--steps", "5", "--out", str(out), cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in out.iterdir()) == [
        "metrics_long.csv",
        "metrics_wide.csv",
        "run.json",
    ]
    assert str(out / "metrics_wide.csv") in result.stdout
    assert len(read_wide(out)) == 5
    assert result.stderr == ""


def test_run_prints_one_line_summary(tmp_path):
    result = tapestudio("run", "weighted-gradients", "--steps", "5", "--out", "out", cwd=tmp_path)

    summary = result.stdout.splitlines()[0]
    assert summary.startswith("weighted-gradients: 5 steps in ")
    assert "objective" in summary


def test_run_iris_lowers_loss(tmp_path):
    result = tapestudio("run", "iris", "--steps", "300", "--out", "out", "--quiet", cwd=tmp_path)

    rows = read_wide(tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert len(rows) == 300
    assert float(rows[-1]["objective"]) < 0.5 * float(rows[0]["objective"])


def test_run_seed_option(tmp_path):
    tapestudio("run", "weighted-gradients", "--steps", "2", "--out", "zero", cwd=tmp_path)
    tapestudio(
        "run", "weighted-gradients", "--steps", "2", "--out", "five", "--seed", "5", cwd=tmp_path
    )

    run = json.loads((tmp_path / "five" / "run.json").read_text(encoding="utf-8"))
    assert run["seed"] == 5
    assert run["project"]["seed"] == 5
    assert (
        read_wide(tmp_path / "five")[0]["objective"] != read_wide(tmp_path / "zero")[0]["objective"]
    )


def test_run_project_file(tmp_path):
    project = load_example("weighted-gradients")
    project.name = "from-file"
    save_project(project, tmp_path / "mine.json")

    result = tapestudio("run", "mine.json", "--steps", "2", "--out", "out", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("from-file: 2 steps")


def _write(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


def _bad_field_project(tmp_path: Path) -> str:
    data = project_to_dict(load_example("weighted-gradients"))
    data["tapes"][0]["variables"] = ["dense/kernal"]
    return _write(tmp_path, "bad-field.json", json.dumps(data))


def _misfit_project(tmp_path: Path) -> str:
    data = project_to_dict(load_example("iris"))
    data["model"]["input_size"] = 5
    return _write(tmp_path, "misfit.json", json.dumps(data))


# Each case: the arguments (a callable makes files first and returns the project argument)
# and a part of the expected error message.
BAD_ARGUMENTS = {
    "unknown project": (["run", "mnist", "--steps", "3", "--out", "out"], "neither an example"),
    "steps zero": (["run", "iris", "--steps", "0", "--out", "out"], "invalid step count 0"),
    "steps negative": (["run", "iris", "--steps", "-3", "--out", "out"], "invalid step count -3"),
    "steps text": (["run", "iris", "--steps", "many", "--out", "out"], "invalid step count 'many'"),
    "steps missing": (["run", "iris", "--out", "out"], "--steps"),
    "out missing": (["run", "iris", "--steps", "3"], "--out"),
    "out is a file": (["run", "iris", "--steps", "3", "--out", "taken.txt"], "is a file"),
    # /proc refuses new files even to root, so this folder is unwritable for every user.
    "out not writable": (["run", "iris", "--steps", "3", "--out", "/proc"], "cannot write files there"),
    "seed negative": (
        ["run", "iris", "--steps", "3", "--out", "out", "--seed", "-1"],
        "invalid seed",
    ),
    "unknown option": (["run", "iris", "--steps", "3", "--out", "out", "--fast"], "--fast"),
    "missing file": (["run", "absent.json", "--steps", "3", "--out", "out"], "file not found"),
    "not json": (["run", "broken.json", "--steps", "3", "--out", "out"], "invalid JSON"),
    "bad field": (
        ["run", _bad_field_project, "--steps", "3", "--out", "out"],
        "tapes[0].variables[0]",
    ),
    "data misfit": (["run", _misfit_project, "--steps", "3", "--out", "out"], "model.input_size"),
    "unknown app project": (["mnist"], "neither an example"),
    "examples argument": (["examples", "iris"], "unrecognized arguments"),
}


@pytest.mark.parametrize(
    ("arguments", "expected"), BAD_ARGUMENTS.values(), ids=BAD_ARGUMENTS.keys()
)
def test_bad_arguments_exit_2(tmp_path, arguments, expected):
    _write(tmp_path, "taken.txt", "not a folder")
    _write(tmp_path, "broken.json", "{")
    arguments = [argument(tmp_path) if callable(argument) else argument for argument in arguments]

    result = tapestudio(*arguments, cwd=tmp_path)

    assert result.returncode == 2
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_app_without_display_fails_cleanly(tmp_path):
    env = child_env(DISPLAY=None, WAYLAND_DISPLAY=None, QT_QPA_PLATFORM=None)
    if not sys.platform.startswith("linux"):
        pytest.skip("the display check applies on Linux only")

    result = tapestudio(cwd=tmp_path, env=env)

    assert result.returncode == 1
    assert "no display found" in result.stderr
    assert result.stderr.count("\n") == 1


def _read_until(fd: int, marker: bytes, timeout: float) -> bytes:
    output = b""
    deadline = time.monotonic() + timeout
    while marker not in output and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                output += os.read(fd, 4096)
            except OSError:  # EIO once the child has closed the terminal
                break
    return output


def _run_on_terminal(tmp_path: Path, *args: str):
    """Start a run whose stderr is a pseudo-terminal; return the process and the terminal's fd."""
    pty = pytest.importorskip("pty")
    terminal, child_side = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "tapestudio", "run", *args],
        cwd=tmp_path,
        env=child_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=child_side,
        text=True,
    )
    os.close(child_side)
    return process, terminal


def test_run_shows_progress_bar_on_terminal(tmp_path):
    process, terminal = _run_on_terminal(tmp_path, "iris", "--steps", "50", "--out", "out")

    terminal_output = _read_until(terminal, b"step 50/50", timeout=60).decode()
    process.communicate(timeout=60)
    os.close(terminal)

    assert process.returncode == 0
    assert "step 50/50 [" in terminal_output
    assert "steps/s" in terminal_output
    assert "objective" in terminal_output


def test_run_quiet_hides_progress_bar(tmp_path):
    process, terminal = _run_on_terminal(
        tmp_path, "iris", "--steps", "50", "--out", "out", "--quiet"
    )

    stdout, _ = process.communicate(timeout=60)
    terminal_output = _read_until(terminal, b"steps/s", timeout=1).decode()
    os.close(terminal)

    assert process.returncode == 0
    assert "steps/s" not in terminal_output
    assert stdout.startswith("iris: 50 steps")


def test_run_interrupted_still_writes(tmp_path):
    process, terminal = _run_on_terminal(tmp_path, "iris", "--steps", "100000000", "--out", "out")

    terminal_output = _read_until(terminal, b"steps/s", timeout=60)
    process.send_signal(signal.SIGINT)
    stdout, _ = process.communicate(timeout=60)
    terminal_output += _read_until(terminal, b"interrupted", timeout=5)
    os.close(terminal)

    rows = read_wide(tmp_path / "out")
    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert b"steps/s" in terminal_output
    assert process.returncode == 130
    assert b"interrupted after" in terminal_output
    assert len(rows) >= 1
    assert run["steps"] == len(rows)
    assert [int(row["step"]) for row in rows] == list(range(1, len(rows) + 1))
    assert "metrics_long.csv" in stdout
