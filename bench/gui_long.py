"""A long run in the app: memory, pan and zoom frame times and CSV export time.

``python -m bench.gui_long OUTPUT_JSON [--steps 1000000]`` opens the main window on the
``weighted-gradients`` example and trains ``--steps`` steps in its worker thread, with the
frame timer drawing as usual. The pause at the first non-finite value is off, because the
objective (the sum of the predictions) grows without bound and overflows after about 1,900
steps; the run goes on through infinities and NaN. The resident set size is sampled every
100 ms. Then the two plots of the Training tab are panned and zoomed over the whole history,
and each frame (setting the range, reading the visible points, painting both plots) is timed.
Last, the whole history is exported with ``write_csv``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import warnings
from pathlib import Path

from .gui_common import MEBIBYTE, application, load_average, percentiles_ms, rss_mib, spin

WINDOW_SIZE = (1440, 900)
SAMPLE_SECONDS = 0.1
# Zoom: windows from the whole history down to 1,000 steps, all ending at the last step.
ZOOM_FRAMES = 40
# Pan: a window of a tenth of the history moved from the start to the end.
PAN_FRAMES = 60


def train(window, steps: int) -> dict:
    """Train ``steps`` steps through the window's controller; return time and peak RSS."""
    from PySide6.QtCore import QEventLoop, QTimer

    peak = [rss_mib() or 0.0]
    sampler = QTimer()
    sampler.timeout.connect(lambda: peak.append(max(peak[-1], rss_mib() or 0.0)))
    sampler.start(int(SAMPLE_SECONDS * 1000))

    loop = QEventLoop()
    window.controller.run_stopped.connect(loop.quit)
    start = time.perf_counter()
    window.controller.start(max_steps=steps)
    loop.exec()
    elapsed = time.perf_counter() - start
    sampler.stop()

    return {
        "steps": window.session.step_count,
        "seconds": elapsed,
        "steps_per_second": window.session.step_count / elapsed,
        "peak_rss_mib": max(peak),
    }


def frame_ranges(steps: int) -> list[tuple[float, float]]:
    """Return the x ranges of the zoom and pan frames."""
    ranges = []
    for index in range(ZOOM_FRAMES):
        width = steps * (1000 / steps) ** (index / (ZOOM_FRAMES - 1))
        ranges.append((steps - width, float(steps)))
    width = steps / 10
    for index in range(PAN_FRAMES):
        start = (steps - width) * index / (PAN_FRAMES - 1)
        ranges.append((start, start + width))
    return ranges


def time_frames(window, steps: int) -> dict:
    """Pan and zoom the Training tab's plots and time each frame."""
    plots = [window.plots.objective_plot, window.plots.metric_plot]
    durations = []
    for x_min, x_max in frame_ranges(steps):
        start = time.perf_counter()
        for plot in plots:
            plot.plot_item.setXRange(x_min, x_max, padding=0)
            plot.plot_widget.viewport().repaint()
        durations.append(time.perf_counter() - start)

    points = max(len(plot.curve.getData()[0]) for plot in plots[:1])
    for plot in plots:
        plot.follow_data()
    return {"frame_ms": percentiles_ms(durations), "points_drawn_last_frame": points}


def export(window) -> dict:
    """Write the whole history as CSV; return the time and the file sizes."""
    from tapestudio.studio import write_csv

    folder = Path(tempfile.mkdtemp(prefix="tapestudio-long-export-"))
    try:
        start = time.perf_counter()
        paths = write_csv(window.session, window.session.project, folder)
        elapsed = time.perf_counter() - start
        sizes = {path.name: path.stat().st_size / MEBIBYTE for path in paths}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"seconds": elapsed, "file_mib": sizes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gui_long")
    parser.add_argument("output", type=Path)
    parser.add_argument("--steps", type=int, default=1_000_000)
    arguments = parser.parse_args(argv)
    # The run overflows on purpose; NumPy would warn at every new place it overflows.
    warnings.simplefilter("ignore", RuntimeWarning)

    from tapestudio.gui import MainWindow
    from tapestudio.studio import load_example

    load_before = load_average()
    app = application()
    window = MainWindow(load_example("weighted-gradients"))
    window.controller.pause_on_nonfinite = False
    window.resize(*WINDOW_SIZE)
    window.show()
    spin(0.5)
    rss_start = rss_mib()

    training = train(window, arguments.steps)
    spin(0.5)
    frames = time_frames(window, training["steps"])
    exported = export(window)
    result = {
        "steps_requested": arguments.steps,
        "history_length": len(window.session.history),
        "rss_start_mib": rss_start,
        "rss_end_mib": rss_mib(),
        "training": training,
        "frames": frames,
        "export": exported,
        "load_average": [load_before, load_average()],
    }

    window.close()
    app.processEvents()
    arguments.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
