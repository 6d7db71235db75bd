"""Render a benchmark run as Markdown: the times table, targets, cross-check and memory check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .crosscheck import ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE
from .targets import SUBJECT
from .workloads import WORKLOADS

if TYPE_CHECKING:
    from .run import BenchmarkRun

BASELINE = "numpy"
PEER = "torch"
"""The library of the ``tapestudio ÷ torch`` row."""

README_BEGIN = "<!-- results:begin -->"
README_END = "<!-- results:end -->"
MEBIBYTE = 1024 * 1024


def format_seconds(seconds: float) -> str:
    """Format a duration as µs below 1 ms, ms below 1 s, else s: ``19.0µs``, ``1.84ms``."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f}µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f}ms"
    return f"{seconds:.2f}s"


def format_cell(seconds: float, workload: str) -> str:
    """Format a cell: a duration, or microseconds per op (no unit) for per-op workloads."""
    if WORKLOADS[workload].ops_per_call > 1:
        return f"{seconds * 1e6:.2f}"
    return format_seconds(seconds)


def format_ratio(ratio: float) -> str:
    return f"{ratio:.2f}x" if ratio < 1 else f"{ratio:.1f}x"


def render_header(run: BenchmarkRun) -> list[str]:
    environment = run.environment
    versions = [f"Python {environment['python']}"]
    for library in run.libraries:
        report = run.reports.get(library, {})
        if report.get("status") == "ok":
            versions.append(f"{library} {report['version']}")
    blas = ", ".join(f"{name}={value if value is not None else '<unset>'}"
                     for name, value in environment["blas_variables"].items())
    threads = ", ".join(f"{name}=1" for name in environment["thread_variables"])
    timing = run.timing
    revision = environment.get("tapestudio_revision") or "unknown"
    return [
        f"Measured {environment['date']} on {environment['cpu']} ({environment['cores']} cores), "
        f"{environment['platform']}.",
        "",
        f"Versions: {', '.join(versions)}; TapeStudio source at git {revision}.",
        "",
        f"Command: `{run.command}`",
        "",
        f"Timing: {timing.warmup} warm-up call(s), then {timing.batches} timed batches "
        f"({timing.slow_batches} when a call takes over {timing.slow_call_seconds:g} s) of n calls, "
        f"n chosen so that a batch lasts at least {timing.min_batch_seconds * 1e3:g} ms; "
        "each cell is the median time per call. One library per child process, single-threaded: "
        f"{threads}, plus torch.set_num_threads(1). BLAS variables as found: {blas}.",
        "",
    ]


def render_times(run: BenchmarkRun) -> list[str]:
    titles = [WORKLOADS[key].title for key in run.workloads]
    lines = ["| library | " + " | ".join(titles) + " |", "|---" * (len(titles) + 1) + "|"]
    notes = []
    for library in run.libraries:
        report = run.reports.get(library, {})
        if report.get("status") != "ok":
            lines.append(f"| {library} | " + " | ".join("n/a" for _ in titles) + " |")
            notes.append(f"- {library}: {report.get('reason', 'no result')}")
            continue
        cells = []
        for key in run.workloads:
            result = report["workloads"].get(key, {})
            seconds = run.cell(library, key)
            if seconds is None:
                cells.append("n/a" if result.get("status") == "n/a" else "error")
                notes.append(f"- {library} {key}: {result.get('reason', 'no result')}")
                continue
            baseline = run.cell(BASELINE, key)
            cell = format_cell(seconds, key)
            if library != BASELINE and baseline:
                cell += f" ({format_ratio(seconds / baseline)})"
            cells.append(cell)
        lines.append(f"| {library} | " + " | ".join(cells) + " |")

    if SUBJECT in run.libraries and PEER in run.libraries:
        ratios = []
        for key in run.workloads:
            subject, peer = run.cell(SUBJECT, key), run.cell(PEER, key)
            ratios.append(format_ratio(subject / peer) if subject and peer else "n/a")
        lines.append(f"| {SUBJECT} ÷ {PEER} | " + " | ".join(ratios) + " |")

    lines += ["", f"Ratios in brackets are to the {BASELINE} row. W3 is in microseconds per recorded op."]
    if notes:
        lines += ["", "Missing cells:", ""] + notes
    return lines + [""]


def render_targets(run: BenchmarkRun) -> list[str]:
    if not run.target_results:
        return []
    lines = ["### Targets", "", "| target | TapeStudio | limit | result |", "|---|---|---|---|"]
    for result in run.target_results:
        key = result.target.workload
        value = format_cell(result.value, key) if result.value is not None else "n/a"
        limit = format_cell(result.limit, key) if result.limit is not None else "n/a"
        if result.met is None:
            verdict = f"not checked: {result.note}"
        elif result.met:
            verdict = f"met ({result.excess:.2f} of the limit)"
        else:
            verdict = f"**missed**: {result.excess:.2f}x the limit"
        lines.append(f"| {result.target.description} | {value} | {limit} | {verdict} |")
    return lines + [""]


def render_cross_check(run: BenchmarkRun) -> list[str]:
    if not run.comparisons:
        return []
    checked = [key for key in run.workloads if WORKLOADS[key].checked]
    largest: dict = {}
    for comparison in run.comparisons:
        by_workload = largest.setdefault(comparison.library, {})
        difference = comparison.difference
        previous = by_workload.get(comparison.workload, 0.0)
        by_workload[comparison.workload] = None if difference is None or previous is None else max(previous, difference)

    lines = [
        "### Cross-check",
        "",
        f"Largest absolute difference from the {BASELINE} row (W1 new kernels and bias gradients, "
        "W3 gradient, W4 Hessian, W5 Jacobian); a value agrees when the difference is at most "
        f"{ABSOLUTE_TOLERANCE:g} + {RELATIVE_TOLERANCE:g} × the largest absolute {BASELINE} value.",
        "",
        "| library | " + " | ".join(checked) + " |",
        "|---" * (len(checked) + 1) + "|",
    ]
    for library, by_workload in largest.items():
        cells = []
        for key in checked:
            if key not in by_workload:
                cells.append("-")
            elif by_workload[key] is None:
                cells.append("shape differs")
            else:
                cells.append(f"{by_workload[key]:.1e}")
        lines.append(f"| {library} | " + " | ".join(cells) + " |")

    disagreements = [comparison for comparison in run.comparisons if not comparison.agrees]
    lines.append("")
    if disagreements:
        lines.append("Disagreements:")
        lines.append("")
        for comparison in disagreements:
            detail = comparison.note or f"difference {comparison.difference:.3g} > tolerance {comparison.tolerance:.3g}"
            lines.append(f"- {comparison.library} {comparison.workload} {comparison.name}: {detail}")
    else:
        lines.append(f"All {len(run.comparisons)} compared values agree.")
    return lines + [""]


def render_memory(run: BenchmarkRun) -> list[str]:
    memory = run.memory
    if memory is None:
        return []
    lines = ["### Memory", ""]
    if "error" in memory:
        return lines + [f"The memory check failed: {memory['error']}", ""]
    if memory["growth_bytes"] is None:
        return lines + ["The memory check needs /proc/self/statm, which this platform lacks.", ""]

    steps, warm = memory["steps"], memory["warm_steps"]
    steady_steps = max(steps - warm, 1)
    lines.append(
        f"{steps:,} steps of {SUBJECT} W1, each on a new non-persistent tape. Resident set size: "
        f"{memory['rss_start_bytes'] / MEBIBYTE:.1f} MiB at the start, "
        f"{memory['rss_warm_bytes'] / MEBIBYTE:.1f} MiB after {warm:,} steps, "
        f"{memory['rss_end_bytes'] / MEBIBYTE:.1f} MiB at the end. Growth: "
        f"{memory['growth_bytes'] / MEBIBYTE:.2f} MiB in all, "
        f"{memory['steady_growth_bytes'] / MEBIBYTE:.2f} MiB after the first {warm:,} steps "
        f"({memory['steady_growth_bytes'] / steady_steps:.1f} bytes per step)."
    )
    return lines + [""]


def render(run: BenchmarkRun) -> str:
    """Return the whole report of ``run`` as Markdown."""
    lines = render_header(run) + render_times(run) + render_targets(run)
    lines += render_cross_check(run) + render_memory(run)
    return "\n".join(lines).rstrip() + "\n"


def replace_readme_results(readme: str, report: str) -> str:
    """Return ``readme`` with the text between the results markers replaced by ``report``.

    Raises:
        ValueError: the README lacks the begin or the end marker.
    """
    begin = readme.find(README_BEGIN)
    end = readme.find(README_END)
    if begin < 0 or end < begin:
        raise ValueError(
            f"bench/README.md has no results section: add the lines {README_BEGIN} and "
            f"{README_END} where the report belongs."
        )
    return readme[:begin + len(README_BEGIN)] + "\n\n" + report + "\n" + readme[end:]
