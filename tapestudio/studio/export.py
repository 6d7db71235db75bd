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
file under a final name. An export can be limited to a range of steps.

``write_weights_csv`` writes the current weights as one long table, ``variable,row,column,value``.

The tables are formatted a chunk of steps at a time: each column is converted to text at once,
and one ``str.format`` call writes all the lines of a step, which keeps long runs quick to
export (``bench/README.md`` gives the time for a million steps).
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

WEIGHTS_HEADER = ("variable", "row", "column", "value")

# Steps formatted and written at a time; the text of one chunk stays a few megabytes.
CHUNK_STEPS = 10_000

RUN_FORMAT = "tapestudio-run"
RUN_VERSION = 1


def write_csv(
    session_or_history: Session | History,
    project: Project,
    out_dir: str | os.PathLike,
    first_step: int | None = None,
    last_step: int | None = None,
) -> list[Path]:
    """Write ``metrics_long.csv``, ``metrics_wide.csv`` and ``run.json`` into ``out_dir``.

    Exports the steps the history holds when the call starts, so a run may go on appending
    meanwhile. The rows are read a chunk at a time rather than copied at once, so exporting
    a long run needs little memory beside the history itself. With ``first_step`` or
    ``last_step``, only the steps in that inclusive range are written. ``out_dir`` is created
    when missing. Returns the three paths in that order. Raises NotADirectoryError when
    ``out_dir`` is a file, ValueError when ``first_step`` is above ``last_step``, RuntimeError
    when the history is cleared during the export, and OSError when a file cannot be written;
    files already written stay.
    """
    selection = _Selection(_history_of(session_or_history), first_step, last_step)
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"cannot export into {str(folder)!r}: it is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)

    run_text = json.dumps(run_metadata(project, selection.history, selection.steps), indent=2) + "\n"
    paths = [
        write_atomic(folder / LONG_FILE, lambda stream: _write_long(stream, selection), newline=""),
        write_atomic(folder / WIDE_FILE, lambda stream: _write_wide(stream, selection), newline=""),
        write_text_atomic(folder / RUN_FILE, run_text),
    ]
    logger.info("exported %d steps to %s", len(selection.steps), folder)
    return paths


class _Selection:
    """The rows of a history that an export writes: those of the chosen steps, held at the start."""

    def __init__(self, history: History, first_step: int | None, last_step: int | None) -> None:
        if first_step is not None and last_step is not None and first_step > last_step:
            raise ValueError(f"first step {first_step} is above last step {last_step}")

        self.history = history
        self.generation = history.generation
        steps = history.steps()
        self.start = 0 if first_step is None else int(np.searchsorted(steps, first_step, "left"))
        self.stop = len(steps) if last_step is None else int(np.searchsorted(steps, last_step, "right"))
        self.stop = max(self.start, self.stop)
        self.steps = steps[self.start : self.stop]
        self.keys = history.keys()
        self.has_validation = history.has_validation

    def chunks(self):
        """Yield the selected rows as HistoryRows of at most CHUNK_STEPS rows each."""
        for start in range(self.start, self.stop, CHUNK_STEPS):
            stop = min(start + CHUNK_STEPS, self.stop)
            rows = self.history.rows(start, stop)
            if rows.generation != self.generation or len(rows) != stop - start:
                raise RuntimeError("the history was cleared during the export; export again")
            yield rows


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


def _write_long(stream: TextIO, history: _Selection) -> None:
    csv.writer(stream, lineterminator="\n").writerow(LONG_HEADER)

    # One row per metric: the objective rows, then every (tape, variable, metric).
    rows = ["{0},{1},,,objective,{2}"]
    if history.has_validation:
        rows.append(f"{{0}},{{1}},,,{VALIDATION_METRIC},{{3}}")
    first_series = len(rows) + 2
    for tape, variable in history.keys:
        names = _template_text(f"{_csv_field(tape)},{_csv_field(variable)}")
        rows.extend(
            f"{{0}},{{1}},{names},{metric},{{{first_series + index}}}"
            for index, metric in enumerate(METRICS)
        )
        first_series += len(METRICS)
    _write_rows(stream, history, "\n".join(rows) + "\n")


def _write_wide(stream: TextIO, history: _Selection) -> None:
    columns = wide_columns(history.keys, history.has_validation)
    csv.writer(stream, lineterminator="\n").writerow(columns)
    _write_rows(stream, history, ",".join(f"{{{index}}}" for index in range(len(columns))) + "\n")


def _write_rows(stream: TextIO, selection: _Selection, template: str) -> None:
    """Write ``template.format(step, wall_time, objective, [val_objective,] series...)`` per step."""
    for rows in selection.chunks():
        cells = [
            list(map(str, rows.steps.tolist())),
            list(map(repr, rows.wall_times.tolist())),
            format_column("objective", rows.objective),
        ]
        if selection.has_validation:
            cells.append(format_column(VALIDATION_METRIC, rows.val_objective))
        for key_index in range(len(selection.keys)):
            for metric_index, metric in enumerate(METRICS):
                cells.append(format_column(metric, rows.values[:, key_index, metric_index]))
        stream.write("".join(map(template.format, *cells)))


def format_column(metric: str, values: np.ndarray) -> list[str]:
    """Format an array of one metric's values as ``format_value`` formats each of them."""
    if metric in COUNT_METRICS:
        whole = np.isfinite(values) & (values == np.round(values))
        if bool(np.all(whole)):
            return list(map(str, values.astype(np.int64).tolist()))
        return [format_value(metric, value) for value in values.tolist()]
    return list(map(repr, np.asarray(values, dtype=np.float64).tolist()))


def _csv_field(text: str) -> str:
    """Quote a text cell as the csv module does by default: only when it needs quotes."""
    if any(character in text for character in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _template_text(text: str) -> str:
    """Escape braces, so that ``text`` passes through ``str.format`` unchanged."""
    return text.replace("{", "{{").replace("}", "}}")


def write_weights_csv(weights: dict[str, np.ndarray], path: str | os.PathLike) -> Path:
    """Write ``weights`` (arrays by Keras path) to ``path`` as a long CSV table.

    Header ``variable,row,column,value``, one row per element, variables in the order given.
    A kernel of shape (inputs, units) gives its input index as ``row`` and its unit as
    ``column``. A 1-D variable such as a bias gives its index as ``row`` and 0 as ``column``.
    Values are written in the shortest form that reads back to the same value in the array's
    dtype (float32 for TapeStudio's variables), and NaN and infinities as ``nan``, ``inf`` and
    ``-inf``. The file is written atomically. Returns the path. Raises ValueError for an array
    with more than two dimensions and OSError when the file cannot be written.
    """
    arrays = {}
    for name, values in weights.items():
        array = np.asarray(values)
        if array.ndim > 2:
            raise ValueError(f"variable {name!r} has shape {array.shape}; at most two dimensions can be written")
        arrays[name] = array.reshape(array.shape[0], -1) if array.ndim else array.reshape(1, 1)

    def write(stream: TextIO) -> None:
        csv.writer(stream, lineterminator="\n").writerow(WEIGHTS_HEADER)
        for name, array in arrays.items():
            rows, columns = np.indices(array.shape)
            field = _template_text(_csv_field(name))
            texts = array.ravel().astype(str).tolist()
            lines = map(f"{field},{{}},{{}},{{}}\n".format, rows.ravel().tolist(), columns.ravel().tolist(), texts)
            stream.write("".join(lines))

    final = write_atomic(path, write, newline="")
    logger.info("wrote the weights of %d variables to %s", len(arrays), final)
    return final


def run_metadata(project: Project, history: History, steps: np.ndarray | None = None) -> dict[str, Any]:
    """Return the content of ``run.json``: project, seed, steps, software and plugin versions.

    ``steps`` are the exported step numbers; by default, all of the history's.

    ``plugins`` lists each plugin distribution that provides an activation or optimizer of the
    project: ``{"distribution", "version", "ops", "optimizers"}``. TapeStudio's built-ins are
    covered by ``versions["tapestudio"]``.
    """
    steps = history.steps() if steps is None else steps
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
