"""Benchmark the app's speed: frame rate and training speed during a run, launch time, and a
long run's memory, pan and zoom frames and CSV export.

``python -m bench.gui`` runs each measurement in a child process of its own, so that one does
not warm caches or fill memory for the next. It prints a Markdown report with the targets and
whether this run meets them, and ``--write-readme`` writes that report into
``bench/README.md``. ``python -m bench.gui --help`` lists the options. It is not part of the
test suite; ``tests/test_bench_gui_smoke.py`` only runs it with tiny sizes and checks no time.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"  # noqa: A001

from .environment import REPOSITORY_ROOT, child_environment, describe_environment  # noqa: E402
from .gui_report import render, replace_gui_results  # noqa: E402, F401

logger = logging.getLogger("bench.gui")

README = Path(__file__).resolve().parent / "README.md"
MEASUREMENTS = ("live", "launch", "long")


def run_child(module: str, arguments: list[str]) -> dict:
    """Run ``python -m bench.MODULE OUTPUT ARGUMENTS...`` and return the JSON it wrote.

    A child that fails is reported as ``{"error": ...}`` and the other measurements go on.
    """
    with tempfile.TemporaryDirectory(prefix="tapestudio-bench-gui-") as directory:
        output = Path(directory) / "result.json"
        completed = subprocess.run(
            [sys.executable, "-m", f"bench.{module}", str(output), *arguments],
            env=child_environment(), cwd=REPOSITORY_ROOT, check=False,
        )
        if completed.returncode != 0 or not output.exists():
            return {"error": f"bench.{module} exited with code {completed.returncode}"}
        return json.loads(output.read_text(encoding="utf-8"))


def measure_launch(runs: int, project: str) -> dict:
    """Launch the app ``runs`` times after one untimed launch that fills the bytecode caches."""
    times = []
    for attempt in range(runs + 1):
        with tempfile.TemporaryDirectory(prefix="tapestudio-bench-launch-") as directory:
            output = Path(directory) / "launch.json"
            start = time.time()
            completed = subprocess.run(
                [sys.executable, "-m", "bench.gui_launch", repr(start), str(output), project],
                env=child_environment(), cwd=REPOSITORY_ROOT, check=False, capture_output=True,
            )
            if completed.returncode != 0 or not output.exists():
                return {"error": f"bench.gui_launch exited with code {completed.returncode}"}
            if attempt > 0:
                times.append(json.loads(output.read_text(encoding="utf-8")))
    return {"project": project, "runs": times}


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.gui",
        description="Measure the app's frame rate and training speed during a run, its launch "
                    "time, and a long run's memory, pan and zoom frames and CSV export.",
    )
    parser.add_argument("--only", default=",".join(MEASUREMENTS),
                        help=f"comma-separated measurements to run (default: {','.join(MEASUREMENTS)})")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="time on each side, headless and in the window, of a live run (default: 10)")
    parser.add_argument("--live-runs", type=int, default=3,
                        help="live runs, each in a new process; the targets use the median (default: 3)")
    parser.add_argument("--launch-runs", type=int, default=5,
                        help="timed launches, after one untimed one (default: 5)")
    parser.add_argument("--long-steps", type=int, default=1_000_000,
                        help="steps of the long run (default: 1,000,000)")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--write-readme", action="store_true",
                        help="replace the GUI results section of bench/README.md with this run's report")
    return parser.parse_args(argv)


def _shown(argv: list[str]) -> list[str]:
    """Return the options as the report shows them: without the file name of ``--json``."""
    shown, skip = [], False
    for argument in argv:
        if skip:
            skip = False
        elif argument == "--json":
            skip = True
        elif not argument.startswith("--json="):
            shown.append(argument)
    return shown


def main(argv: list[str] | None = None) -> int:
    """Run the measurements; return 2 for an invalid option, else 0 (a missed target too)."""
    argv = sys.argv[1:] if argv is None else argv
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.INFO, format="bench.gui: %(message)s")
    chosen = [name.strip() for name in arguments.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(MEASUREMENTS))
    if unknown:
        sys.stderr.write(f"python -m bench.gui: unknown measurement {', '.join(unknown)}; "
                         f"choose from {', '.join(MEASUREMENTS)}\n")
        return 2

    results = {"environment": describe_environment(), "command": " ".join(["python -m bench.gui", *_shown(argv)])}
    if "live" in chosen:
        logger.info("%d live runs of iris, %g s headless and %g s in the window each",
                    arguments.live_runs, arguments.seconds, arguments.seconds)
        results["live"] = [run_child("gui_live", ["--seconds", str(arguments.seconds)]) for _ in range(arguments.live_runs)]
    if "launch" in chosen:
        logger.info("launch: %d timed runs", arguments.launch_runs)
        results["launch"] = measure_launch(arguments.launch_runs, "iris")
    if "long" in chosen:
        logger.info("long run: %d steps of weighted-gradients", arguments.long_steps)
        results["long"] = run_child("gui_long", ["--steps", str(arguments.long_steps)])

    report = render(results)
    print(report)
    if arguments.json is not None:
        arguments.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if arguments.write_readme:
        README.write_text(replace_gui_results(README.read_text(encoding="utf-8"), report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
