"""Frame rate and training speed of the app while a project trains, against the same project
run headless, in one process: ``python -m bench.gui_live OUTPUT_JSON [--project iris]``.

The headless part calls ``Session.step`` in a loop. The GUI part opens the main window at
1440x900 and presses Run. After a warm-up it counts, for a fixed time, the frames the objective
plot paints, the steps the worker thread runs and the CPU time of the GUI thread, which holds
the GIL for almost all of it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .gui_common import application, load_average, percentiles_ms, spin

WINDOW_SIZE = (1440, 900)


def measure_headless(project_name: str, seconds: float) -> dict:
    """Return the steps per second of ``Session.step`` in a loop, after a one-second warm-up."""
    from tapestudio.studio import Session, load_example

    session = Session(load_example(project_name))
    for deadline in (1.0, seconds):
        start, steps, cpu = time.perf_counter(), 0, time.process_time()
        while time.perf_counter() - start < deadline:
            session.step()
            steps += 1
    elapsed = time.perf_counter() - start
    return {
        "steps_per_second": steps / elapsed,
        "cpu_share": (time.process_time() - cpu) / elapsed,
        "seconds": elapsed,
    }


def measure_gui(project_name: str, seconds: float, warmup: float) -> dict:
    """Return the frame and step rates of the main window while it trains ``project_name``."""
    from PySide6.QtCore import QEvent, QObject

    from tapestudio.gui import MainWindow
    from tapestudio.studio import load_example

    app = application()
    window = MainWindow(load_example(project_name))
    window.resize(*WINDOW_SIZE)
    window.show()
    spin(0.5)

    paints: list[float] = []
    refresh_seconds: list[float] = []

    class PaintCounter(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt name
            if event.type() == QEvent.Type.Paint:
                paints.append(time.perf_counter())
            return False

    counter = PaintCounter()
    window.plots.objective_plot.plot_widget.viewport().installEventFilter(counter)
    refresh = window.refresh_view

    def timed_refresh():
        start = time.perf_counter()
        refresh()
        refresh_seconds.append(time.perf_counter() - start)

    window.frame_timer.timeout.disconnect()
    window.frame_timer.timeout.connect(timed_refresh)

    window.run()
    spin(warmup)
    paints.clear()
    refresh_seconds.clear()
    start, first_step = time.perf_counter(), window.session.step_count
    gui_cpu, process_cpu = time.thread_time(), time.process_time()
    spin(seconds)
    elapsed = time.perf_counter() - start
    steps = window.session.step_count - first_step
    gui_cpu = time.thread_time() - gui_cpu
    process_cpu = time.process_time() - process_cpu

    window.controller.pause(wait=True)
    window.close()
    app.processEvents()

    intervals = [later - earlier for earlier, later in zip(paints, paints[1:])]
    return {
        "steps_per_second": steps / elapsed,
        "frames_per_second": len(paints) / elapsed,
        "frame_interval_ms": percentiles_ms(intervals),
        "refresh_ms": percentiles_ms(refresh_seconds),
        "gui_thread_cpu_share": gui_cpu / elapsed,
        "other_threads_cpu_share": (process_cpu - gui_cpu) / elapsed,
        "seconds": elapsed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gui_live")
    parser.add_argument("output", type=Path)
    parser.add_argument("--project", default="iris")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    arguments = parser.parse_args(argv)

    load_before = load_average()
    headless = measure_headless(arguments.project, arguments.seconds)
    gui = measure_gui(arguments.project, arguments.seconds, arguments.warmup)
    result = {
        "project": arguments.project,
        "switch_interval_seconds": sys.getswitchinterval(),
        "headless": headless,
        "gui": gui,
        "training_ratio": gui["steps_per_second"] / headless["steps_per_second"],
        "load_average": [load_before, load_average()],
    }
    arguments.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
