"""Render the GUI benchmark's results as Markdown, with the targets and whether they are met."""

from __future__ import annotations

import statistics

README_BEGIN = "<!-- gui-results:begin -->"
README_END = "<!-- gui-results:end -->"

MIN_FRAMES_PER_SECOND = 30.0
MIN_TRAINING_RATIO = 0.5
MAX_LAUNCH_SECONDS = 1.5
MAX_RSS_MIB = 500.0
# A pan or zoom frame within this time keeps up with a 30 Hz display.
MAX_FRAME_MS = 1000.0 / 30.0
MAX_EXPORT_SECONDS = 30.0


def _number(value, digits: int = 1, unit: str = "") -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}{unit}"


def _load(result: dict) -> str:
    before, after = result.get("load_average", [None, None])
    return f"{_number(before, 2)} before, {_number(after, 2)} after"


def median_live(runs: list[dict]) -> dict | None:
    """Return the live run with the median training ratio, or None when no run succeeded."""
    done = sorted((run for run in runs if "error" not in run), key=lambda run: run["training_ratio"])
    return done[len(done) // 2] if done else None


def render_live(runs: list[dict]) -> list[str]:
    live = median_live(runs)
    if live is None:
        errors = "; ".join(run["error"] for run in runs)
        return ["### Live run", "", f"Not measured: {errors}.", ""]
    gui, headless = live["gui"], live["headless"]
    interval, refresh = gui["frame_interval_ms"], gui["refresh_ms"]
    each = ", ".join(
        f"{run['training_ratio']:.2f} at {run['gui']['frames_per_second']:.1f} frames/s"
        for run in runs if "error" not in run
    )
    return [
        f"### Live run: `{live['project']}` training while the window draws",
        "",
        f"{len(runs)} runs, each in a new process, alternating {live['phases']} headless and "
        f"{live['phases']} GUI phases. Training speed as a share of headless, and frame rate, "
        f"of each run: {each}. The table shows the run with the median share.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| headless, `Session.step` in a loop | {_number(headless['steps_per_second'], 0)} steps/s, "
        f"{headless['cpu_share']:.0%} of one core |",
        f"| in the window, worker thread | {_number(gui['steps_per_second'], 0)} steps/s "
        f"({live['training_ratio']:.2f} of headless) |",
        f"| frames painted by the objective plot | {_number(gui['frames_per_second'])} per second |",
        f"| time between frames, median / 95th percentile / max | {_number(interval['p50'])} / "
        f"{_number(interval['p95'])} / {_number(interval['max'])} ms |",
        f"| frame timer callback (reading the history, setData), median / 95th percentile | "
        f"{_number(refresh['p50'], 2)} / {_number(refresh['p95'], 2)} ms |",
        f"| CPU time of the GUI thread, of the other threads | {gui['gui_thread_cpu_share']:.0%}, "
        f"{gui['other_threads_cpu_share']:.0%} of one core |",
        f"| Python switch interval | {live['switch_interval_seconds'] * 1000:g} ms |",
        f"| load average (1 minute) | {_load(live)} |",
        "",
    ]


def render_launch(launch: dict) -> list[str]:
    if "error" in launch:
        return ["### Launch", "", f"Not measured: {launch['error']}.", ""]
    runs = launch["runs"]
    paints = [run["first_paint"] for run in runs]
    imported = [run["imported"] for run in runs]
    return [
        f"### Launch: `tapestudio {launch['project']}` to the first paint of the window",
        "",
        f"{len(runs)} launches, after one untimed launch that fills the bytecode caches.",
        "",
        "| measure | median | max |",
        "|---|---|---|",
        f"| command line imported | {statistics.median(imported):.2f} s | {max(imported):.2f} s |",
        f"| first paint of the main window | {statistics.median(paints):.2f} s | {max(paints):.2f} s |",
        "",
    ]


def render_long(long: dict) -> list[str]:
    if "error" in long:
        return ["### Long run", "", f"Not measured: {long['error']}.", ""]
    training, frames, exported = long["training"], long["frames"], long["export"]
    frame = frames["frame_ms"]
    sizes = ", ".join(f"{name} {size:,.0f} MiB" for name, size in exported["file_mib"].items() if size >= 1)
    return [
        f"### Long run: {long['steps_requested']:,} steps of `weighted-gradients` in the window",
        "",
        "| measure | value |",
        "|---|---|",
        f"| steps in the history | {long['history_length']:,} |",
        f"| training time | {training['seconds']:,.0f} s ({training['steps_per_second']:,.0f} steps/s) |",
        f"| resident memory: start, peak during the run, end | {_number(long['rss_start_mib'], 0)}, "
        f"{_number(training['peak_rss_mib'], 0)}, {_number(long['rss_end_mib'], 0)} MiB |",
        f"| pan and zoom frame, both Training plots: median / 95th percentile / max | "
        f"{_number(frame['p50'])} / {_number(frame['p95'])} / {_number(frame['max'])} ms "
        f"({frame['count']} frames) |",
        f"| CSV export of the whole history | {exported['seconds']:.1f} s ({sizes}) |",
        f"| load average (1 minute) | {_load(long)} |",
        "",
    ]


def evaluate(results: dict) -> list[tuple[str, str, str, bool]]:
    """Return (target, measured, limit, met) for every target whose measurement ran."""
    rows = []
    live = median_live(results.get("live") or [])
    if live is not None:
        fps = live["gui"]["frames_per_second"]
        rows.append(("frames per second while iris trains (median run)", f"{fps:.1f}",
                     f"at least {MIN_FRAMES_PER_SECOND:g}",
                     fps >= MIN_FRAMES_PER_SECOND))
        ratio = live["training_ratio"]
        rows.append(("training speed in the window, as a share of headless (median run)", f"{ratio:.2f}",
                     f"at least {MIN_TRAINING_RATIO:g}", ratio >= MIN_TRAINING_RATIO))

    launch = results.get("launch")
    if launch and "error" not in launch:
        median = statistics.median(run["first_paint"] for run in launch["runs"])
        rows.append(("launch to first paint (median)", f"{median:.2f} s", f"at most {MAX_LAUNCH_SECONDS:g} s",
                     median <= MAX_LAUNCH_SECONDS))

    long = results.get("long")
    if long and "error" not in long:
        rows.append(("whole history kept", f"{long['history_length']:,} steps", f"{long['steps_requested']:,} steps",
                     long["history_length"] == long["steps_requested"]))
        peak = max(long["training"]["peak_rss_mib"], long["rss_end_mib"] or 0.0)
        rows.append(("resident memory, peak", f"{peak:,.0f} MiB", f"under {MAX_RSS_MIB:g} MiB", peak < MAX_RSS_MIB))
        frame = long["frames"]["frame_ms"]["p95"]
        rows.append(("pan and zoom frame (95th percentile)", f"{frame:.1f} ms", f"at most {MAX_FRAME_MS:.1f} ms",
                     frame <= MAX_FRAME_MS))
        seconds = long["export"]["seconds"]
        rows.append(("CSV export of the long run", f"{seconds:.1f} s", f"under {MAX_EXPORT_SECONDS:g} s",
                     seconds < MAX_EXPORT_SECONDS))
    return rows


def render(results: dict) -> str:
    """Return the whole report as Markdown."""
    environment = results["environment"]
    lines = [
        f"Measured {environment['date']} on {environment['cpu']} ({environment['cores']} cores), "
        f"{environment['platform']}, Python {environment['python']}; TapeStudio source at git "
        f"{environment['tapestudio_revision']}. Qt platform: offscreen.",
        "",
        f"Command: `{results['command']}`",
        "",
    ]
    if "live" in results:
        lines += render_live(results["live"])
    if "launch" in results:
        lines += render_launch(results["launch"])
    if "long" in results:
        lines += render_long(results["long"])

    lines += ["### Targets", "", "| target | measured | limit | result |", "|---|---|---|---|"]
    for target, measured, limit, met in evaluate(results):
        lines.append(f"| {target} | {measured} | {limit} | {'met' if met else '**missed**'} |")
    return "\n".join(lines) + "\n"


def replace_gui_results(readme: str, report: str) -> str:
    """Return ``readme`` with the text between the GUI result markers replaced by ``report``.

    Raises ValueError when the markers are missing.
    """
    if README_BEGIN not in readme or README_END not in readme:
        raise ValueError(f"bench/README.md has no {README_BEGIN} ... {README_END} section")
    head, rest = readme.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    return f"{head}{README_BEGIN}\n\n{report}\n{README_END}{tail}"
