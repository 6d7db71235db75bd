"""CSV export of a run: a long table, a wide table and a JSON sidecar.

``metrics_long.csv`` has one row per step and metric (header
``step,wall_time,tape,variable,metric,value``; the objective is the metric ``objective`` with
empty tape and variable). ``metrics_wide.csv`` has one row per step (header
``step,wall_time,objective`` and then one ``tape/variable/metric`` column per series). When the
project holds samples out for validation, both tables also carry ``val_objective``: a long row
with empty tape and variable after each ``objective`` row, and a wide column after
``objective``.
``run.json`` holds the project, the seed, the step count, the software versions and the plugin
distributions that provide the project's ops and optimizers, with their versions. Each file
is written under a temporary name and renamed, so an interrupted export never leaves a partial
file under a final name.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from tapestudio.studio.atomic import write_atomic, write_text_atomic
from tapestudio.studio.history import COUNT_METRICS, METRICS, VALIDATION_METRIC, History
from tapestudio.studio.project import Project, project_to_dict
from tapestudio.studio.requirements import plugin_distributions

if TYPE_CHECKING:
    from tapestudio.studio.session import Session

logger = logging.getLogger(__name__)

LONG_FILE = "metrics_long.csv"
WIDE_FILE = "metrics_wide.csv"
RUN_FILE = "run.json"

LONG_HEADER = ("step", "wall_time", "tape", "variable", "metric", "value")
WIDE_LEADING_COLUMNS = ("step", "wall_time", "objective")

RUN_FORMAT = "tapestudio-run"
RUN_VERSION = 1


def write_csv(
    session_or_history: Session | History, project: Project, out_dir: str | os.PathLike
) -> list[Path]:
    """Write ``metrics_long.csv``, ``metrics_wide.csv`` and ``run.json`` into ``out_dir``.

    Takes a consistent snapshot of the history first, so a run may go on appending meanwhile.
    ``out_dir`` is created when missing. Returns the three paths in that order. Raises
    NotADirectoryError when ``out_dir`` is a file and OSError when a file cannot be written;
    files already written stay.
    """
    history = _history_of(session_or_history).snapshot()
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"cannot export into {str(folder)!r}: it is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)

    run_text = json.dumps(run_metadata(project, history), indent=2) + "\n"
    paths = [
        write_atomic(folder / LONG_FILE, lambda stream: _write_long(stream, history), newline=""),
        write_atomic(folder / WIDE_FILE, lambda stream: _write_wide(stream, history), newline=""),
        write_text_atomic(folder / RUN_FILE, run_text),
    ]
    logger.info("exported %d steps to %s", len(history), folder)
    return paths


def _history_of(session_or_history: Session | History) -> History:
    if isinstance(session_or_history, History):
        return session_or_history
    history = getattr(session_or_history, "history", None)
    if not isinstance(history, History):
        raise TypeError(f"expected a Session or a History, got {type(session_or_history).__name__}")
    return history


def wide_columns(keys: list[tuple[str, str]], validation: bool = False) -> list[str]:
    """Return the header of the wide table for these (tape, variable) pairs.

    With ``validation``, ``val_objective`` follows ``objective``.
    """
    columns = list(WIDE_LEADING_COLUMNS)
    if validation:
        columns.append(VALIDATION_METRIC)
    for tape, variable in keys:
        columns.extend(f"{tape}/{variable}/{metric}" for metric in METRICS)
    return columns


def format_value(metric: str, value: float) -> str:
    """Format a metric value for a CSV cell: whole counts as integers, other values with repr().

    ``repr`` of a Python float reads back to the same float. NaN and infinities are written
    as ``nan``, ``inf`` and ``-inf``, which ``float()`` parses.
    """
    number = float(value)
    if metric in COUNT_METRICS and number.is_integer():
        return str(int(number))
    return repr(number)


def _write_long(stream: TextIO, history: History) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(LONG_HEADER)

    steps, wall_times, objective = history.steps(), history.wall_times(), history.objective()
    val_objective = history.val_objective() if history.has_validation else None
    keys = history.keys()
    series = {(key, metric): history.series(*key, metric) for key in keys for metric in METRICS}

    for row in range(len(steps)):
        step, wall_time = int(steps[row]), repr(float(wall_times[row]))
        value = format_value("objective", objective[row])
        writer.writerow((step, wall_time, "", "", "objective", value))
        if val_objective is not None:
            value = format_value(VALIDATION_METRIC, val_objective[row])
            writer.writerow((step, wall_time, "", "", VALIDATION_METRIC, value))
        for tape, variable in keys:
            for metric in METRICS:
                value = format_value(metric, series[((tape, variable), metric)][row])
                writer.writerow((step, wall_time, tape, variable, metric, value))


def _write_wide(stream: TextIO, history: History) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    keys = history.keys()
    writer.writerow(wide_columns(keys, history.has_validation))

    steps, wall_times, objective = history.steps(), history.wall_times(), history.objective()
    val_objective = history.val_objective() if history.has_validation else None
    series = [(metric, history.series(*key, metric)) for key in keys for metric in METRICS]

    for row in range(len(steps)):
        cells = [
            str(int(steps[row])),
            repr(float(wall_times[row])),
            format_value("objective", objective[row]),
        ]
        if val_objective is not None:
            cells.append(format_value(VALIDATION_METRIC, val_objective[row]))
        cells.extend(format_value(metric, values[row]) for metric, values in series)
        writer.writerow(cells)


def run_metadata(project: Project, history: History) -> dict[str, Any]:
    """Return the content of ``run.json``: project, seed, steps, software and plugin versions.

    ``plugins`` lists each plugin distribution that provides an activation or optimizer of the
    project: ``{"distribution", "version", "ops", "optimizers"}``. TapeStudio's built-ins are
    covered by ``versions["tapestudio"]``.
    """
    steps = history.steps()
    return {
        "format": RUN_FORMAT,
        "version": RUN_VERSION,
        "project": project_to_dict(project),
        "seed": project.seed,
        "steps": len(steps),
        "last_step": int(steps[-1]) if len(steps) else 0,
        "versions": software_versions(),
        "plugins": plugin_distributions(project),
    }


def software_versions() -> dict[str, str]:
    """Return the versions of TapeStudio, NumPy and Python."""
    return {
        "tapestudio": _tapestudio_version(),
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def _tapestudio_version() -> str:
    try:
        return metadata.version("tapestudio")
    except metadata.PackageNotFoundError:
        # Running from a source tree that was never installed.
        return "unknown (not installed)"
