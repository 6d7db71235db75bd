"""Frame rate and training speed of the app while a project trains, against the same project
run headless, in one process: ``python -m bench.gui_live OUTPUT_JSON [--project iris]``.

The window (1440x900) and a second, headless session of the same project are measured in
turns: a headless phase calls ``Session.step`` in a loop on the main thread, and a GUI phase
lets the window's worker thread train while the event loop draws. Alternating short phases
keeps a change in the machine's load from landing on one side only. In the GUI phases the
frames the objective plot paints are counted with an event filter, and the CPU time of the
GUI thread is measured, since that thread holds the GIL for almost all of it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .gui_common import application, load_average, percentiles_ms, spin

WINDOW_SIZE = (1440, 900)
# Each GUI phase starts with this much untimed running, for the worker to get going.
PHASE_WARMUP_SECONDS = 0.3


class LiveMeasurement:
    """The window on a project, a headless session of it, and the counters of both."""

    def __init__(self, project_name: str) -> None:
        from PySide6.QtCore import QEvent, QObject

        from tapestudio.gui import MainWindow
        from tapestudio.studio import Session, load_example

        self.app = application()
        self.headless = Session(load_example(project_name))
        self.window = MainWindow(load_example(project_name))
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        spin(0.5)

        self.paints: list[float] = []
        self.refresh_seconds: list[float] = []
        self.counting = False
        paints = self.paints

        class PaintCounter(QObject):
            def eventFilter(self, watched, event):  # noqa: N802 - Qt name
                if event.type() == QEvent.Type.Paint:
                    paints.append(time.perf_counter())
                return False

        self._counter = PaintCounter()
        self.window.plots.objective_plot.plot_widget.viewport().installEventFilter(self._counter)
        self._refresh = self.window.refresh_view
        self.window.frame_timer.timeout.disconnect()
        self.window.frame_timer.timeout.connect(self._timed_refresh)

        self.reset_counts()

    def reset_counts(self) -> None:
        self.totals = {"headless_steps": 0, "headless_seconds": 0.0, "headless_cpu": 0.0,
                       "gui_steps": 0, "gui_seconds": 0.0, "gui_thread_cpu": 0.0, "gui_process_cpu": 0.0}
        self.intervals: list[float] = []
        self.refresh_seconds.clear()
        self.frames = 0

    def _timed_refresh(self) -> None:
        start = time.perf_counter()
        self._refresh()
        if self.counting:
            self.refresh_seconds.append(time.perf_counter() - start)

    def headless_phase(self, seconds: float) -> None:
        start, steps, cpu = time.perf_counter(), 0, time.process_time()
        while time.perf_counter() - start < seconds:
            self.headless.step()
            steps += 1
        self.totals["headless_steps"] += steps
        self.totals["headless_seconds"] += time.perf_counter() - start
        self.totals["headless_cpu"] += time.process_time() - cpu

    def gui_phase(self, seconds: float) -> None:
        self.window.run()
        spin(PHASE_WARMUP_SECONDS)
        self.paints.clear()
        self.counting = True
        start, first_step = time.perf_counter(), self.window.session.step_count
        thread_cpu, process_cpu = time.thread_time(), time.process_time()
        spin(seconds)
        self.totals["gui_steps"] += self.window.session.step_count - first_step
        self.totals["gui_seconds"] += time.perf_counter() - start
        self.totals["gui_thread_cpu"] += time.thread_time() - thread_cpu
        self.totals["gui_process_cpu"] += time.process_time() - process_cpu
        self.counting = False
        self.intervals += [later - earlier for earlier, later in zip(self.paints, self.paints[1:])]
        self.frames += len(self.paints)

        self.window.controller.pause(wait=True)
        spin(0.1)

    def result(self) -> dict:
        totals = self.totals
        headless_rate = totals["headless_steps"] / totals["headless_seconds"]
        gui_rate = totals["gui_steps"] / totals["gui_seconds"]
        return {
            "headless": {
                "steps_per_second": headless_rate,
                "cpu_share": totals["headless_cpu"] / totals["headless_seconds"],
                "seconds": totals["headless_seconds"],
            },
            "gui": {
                "steps_per_second": gui_rate,
                "frames_per_second": self.frames / totals["gui_seconds"],
                "frame_interval_ms": percentiles_ms(self.intervals),
                "refresh_ms": percentiles_ms(self.refresh_seconds),
                "gui_thread_cpu_share": totals["gui_thread_cpu"] / totals["gui_seconds"],
                "other_threads_cpu_share": (totals["gui_process_cpu"] - totals["gui_thread_cpu"]) / totals["gui_seconds"],
                "seconds": totals["gui_seconds"],
            },
            "training_ratio": gui_rate / headless_rate,
        }

    def close(self) -> None:
        self.window.controller.pause(wait=True)
        self.window.close()
        self.app.processEvents()


def measure(project_name: str, seconds: float, phases: int) -> dict:
    """Alternate ``phases`` headless and GUI phases, ``seconds`` in all for each side."""
    measurement = LiveMeasurement(project_name)
    # Warm-up of both sides, not counted.
    measurement.headless_phase(1.0)
    measurement.gui_phase(1.0)
    measurement.reset_counts()
    for _ in range(phases):
        measurement.headless_phase(seconds / phases)
        measurement.gui_phase(seconds / phases)
    result = measurement.result()
    measurement.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gui_live")
    parser.add_argument("output", type=Path)
    parser.add_argument("--project", default="iris")
    parser.add_argument("--seconds", type=float, default=10.0, help="time on each side, in all")
    parser.add_argument("--phases", type=int, default=5, help="headless and GUI phases, in turns")
    arguments = parser.parse_args(argv)

    load_before = load_average()
    result = measure(arguments.project, arguments.seconds, arguments.phases)
    result.update({
        "project": arguments.project,
        "phases": arguments.phases,
        "switch_interval_seconds": sys.getswitchinterval(),
        "load_average": [load_before, load_average()],
    })
    arguments.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
