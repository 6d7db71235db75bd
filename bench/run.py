"""Run the benchmark: one child process per library, then the cross-check, targets and table.

``python -m bench --help`` lists the options. Each library runs in its own child process,
one after the other, so that no two libraries share a process or compete for the CPU.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script (python bench/run.py): make the package importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"  # noqa: A001

from .crosscheck import Comparison, cross_check, decode_array  # noqa: E402
from .environment import REPOSITORY_ROOT, child_environment, describe_environment  # noqa: E402
from .libraries import LIBRARIES, parse_libraries  # noqa: E402
from .report import render, replace_readme_results  # noqa: E402
from .targets import SUBJECT, TargetResult, evaluate  # noqa: E402
from .timing import DEFAULT, QUICK, TimingConfig  # noqa: E402
from .workloads import WORKLOADS, parse_workloads  # noqa: E402

logger = logging.getLogger("bench")

MEMORY_STEPS = 100_000
QUICK_MEMORY_STEPS = 10_000
README = Path(__file__).resolve().parent / "README.md"


@dataclass
class BenchmarkRun:
    """Everything one run measured: per-library child reports, the cross-check and the targets."""

    environment: dict
    command: str
    timing: TimingConfig
    libraries: list[str]
    workloads: list[str]
    reports: dict[str, dict]
    memory: dict | None = None
    values: dict = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)
    target_results: list[TargetResult] = field(default_factory=list)

    def cell(self, library: str, workload: str) -> float | None:
        """Return the library's seconds per call (per recorded op for W3), or None."""
        result = self.reports.get(library, {}).get("workloads", {}).get(workload)
        if not result or result.get("status") != "ok":
            return None
        return result["seconds_per_call"] / WORKLOADS[workload].ops_per_call

    def cells(self) -> dict:
        return {lib: {w: self.cell(lib, w) for w in self.workloads} for lib in self.libraries}

    def to_json(self) -> dict:
        """Return the run as JSON-ready data; the checked arrays themselves are left out."""
        reports = {}
        for library, report in self.reports.items():
            report = dict(report)
            report["workloads"] = {
                key: {k: v for k, v in result.items() if k != "values"}
                for key, result in report.get("workloads", {}).items()
            }
            reports[library] = report
        return {
            "environment": self.environment,
            "command": self.command,
            "timing": self.timing.to_dict(),
            "libraries": self.libraries,
            "workloads": self.workloads,
            "seconds": self.cells(),
            "reports": reports,
            "memory": self.memory,
            "cross_check": [comparison.to_dict() for comparison in self.comparisons],
            "targets": [result.to_dict() for result in self.target_results],
        }


def run_child(config: dict) -> dict:
    """Run ``bench.child`` with ``config`` in a new single-threaded process and return its report.

    A child that crashes is reported with status ``error`` and its exit code.
    """
    with tempfile.TemporaryDirectory(prefix="tapestudio-bench-") as directory:
        output_path = Path(directory) / "report.json"
        completed = subprocess.run(
            [sys.executable, "-m", "bench.child", json.dumps(config), str(output_path)],
            env=child_environment(), cwd=REPOSITORY_ROOT, check=False,
        )
        if completed.returncode != 0 or not output_path.exists():
            reason = f"the child process exited with code {completed.returncode}"
            return {"library": config["library"], "status": "error", "reason": reason, "workloads": {}}
        return json.loads(output_path.read_text(encoding="utf-8"))


def collect_values(reports: dict) -> dict:
    """Return ``values[library][workload][name]`` as arrays, from the children's reports."""
    values = {}
    for library, report in reports.items():
        for key, result in report.get("workloads", {}).items():
            for name, encoded in result.get("values", {}).items():
                values.setdefault(library, {}).setdefault(key, {})[name] = decode_array(encoded)
    return values


def run_benchmark(libraries: list[str], workloads: list[str], timing: TimingConfig = DEFAULT,
                  memory_steps: int = MEMORY_STEPS, command: str = "") -> BenchmarkRun:
    """Run ``workloads`` for each of ``libraries``, each library in its own child process.

    The memory check runs TapeStudio's W1 ``memory_steps`` times in one more child process,
    when TapeStudio is among ``libraries`` and ``memory_steps`` is above 0.
    """
    reports = {}
    for library in libraries:
        logger.info("running %s: %s", library, ", ".join(workloads))
        config = {"library": library, "workloads": workloads, "timing": timing.to_dict(), "memory_steps": 0}
        reports[library] = run_child(config)

    memory = None
    if memory_steps > 0 and SUBJECT in libraries:
        logger.info("memory check: %d steps of %s W1", memory_steps, SUBJECT)
        config = {"library": SUBJECT, "workloads": [], "timing": timing.to_dict(), "memory_steps": memory_steps}
        memory_report = run_child(config)
        memory = memory_report.get("memory") or {"error": memory_report.get("reason", "no result")}

    run = BenchmarkRun(describe_environment(), command, timing, libraries, workloads, reports, memory)
    run.values = collect_values(reports)
    run.comparisons = cross_check(run.values)
    run.target_results = evaluate(run.cells())
    return run


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time TapeStudio, hand-written NumPy and other autodiff libraries on five "
                    "workloads, one child process per library, single-threaded.",
    )
    parser.add_argument("--libraries", default=",".join(LIBRARIES),
                        help=f"comma-separated libraries to run (default: {','.join(LIBRARIES)})")
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help=f"comma-separated workloads to run (default: {','.join(WORKLOADS)})")
    parser.add_argument("--quick", action="store_true",
                        help=f"shorter timing (1 warm-up call, 3 batches of at least 10 ms) and "
                             f"{QUICK_MEMORY_STEPS:,} memory-check steps; noisier numbers")
    parser.add_argument("--warmup", type=int, help="untimed calls before timing (default: 3)")
    parser.add_argument("--batches", type=int, help="timed batches per cell (default: 7)")
    parser.add_argument("--min-batch-ms", type=float,
                        help="minimum duration of one timed batch, in milliseconds (default: 40)")
    parser.add_argument("--memory-steps", type=int,
                        help=f"W1 steps of the memory check; 0 skips it (default: {MEMORY_STEPS:,})")
    parser.add_argument("--json", metavar="PATH", type=Path,
                        help="also write the results, cross-check and targets to this JSON file")
    parser.add_argument("--write-readme", action="store_true",
                        help="replace the results section of bench/README.md with this run's report")
    return parser.parse_args(argv)


def timing_from(arguments: argparse.Namespace) -> TimingConfig:
    """Return the timing configuration: DEFAULT or QUICK, with the explicit options applied."""
    timing = QUICK if arguments.quick else DEFAULT
    changes = {}
    if arguments.warmup is not None:
        changes["warmup"] = arguments.warmup
    if arguments.batches is not None:
        changes["batches"] = changes["slow_batches"] = arguments.batches
    if arguments.min_batch_ms is not None:
        changes["min_batch_seconds"] = arguments.min_batch_ms / 1000
    return TimingConfig(**{**timing.to_dict(), **changes})


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line; return 1 when a cross-check value disagrees."""
    argv = sys.argv[1:] if argv is None else argv
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s")
    try:
        libraries = parse_libraries(arguments.libraries)
        workloads = parse_workloads(arguments.workloads)
    except ValueError as error:
        sys.stderr.write(f"python -m bench: {error}\n")
        return 2
    memory_steps = arguments.memory_steps
    if memory_steps is None:
        memory_steps = QUICK_MEMORY_STEPS if arguments.quick else MEMORY_STEPS

    command = " ".join(["python -m bench", *argv])
    run = run_benchmark(libraries, workloads, timing_from(arguments), memory_steps, command)
    report = render(run)
    print(report)

    if arguments.json is not None:
        arguments.json.write_text(json.dumps(run.to_json(), indent=2) + "\n", encoding="utf-8")
    if arguments.write_readme:
        README.write_text(replace_readme_results(README.read_text(encoding="utf-8"), report), encoding="utf-8")
    return 1 if any(not comparison.agrees for comparison in run.comparisons) else 0


if __name__ == "__main__":
    raise SystemExit(main())
