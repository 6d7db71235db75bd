"""Per-step training records and the columnar store that keeps them.

A ``StepRecord`` is what one training step produces. ``History`` stores records as NumPy arrays
that grow by doubling, so a long run costs one float64 per metric per step, and a plot can take
a whole series, or only the rows added since its last frame, without copying records one by
one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

# Metric names as they appear in records, series and CSV files, in that order.
METRICS = ("grad_norm", "update_norm", "weight_norm", "update_ratio", "nan_count", "inf_count")

# The objective on the validation samples, kept beside the objective when a project holds
# samples out; files name it like this, with empty tape and variable.
VALIDATION_METRIC = "val_objective"

# Metrics that count values; files write them as integers.
COUNT_METRICS = frozenset({"nan_count", "inf_count"})

_INITIAL_CAPACITY = 64


@dataclass(frozen=True)
class StepRecord:
    """What one training step produced.

    ``step`` is 1-based, ``wall_time`` in seconds since the Unix epoch, ``metrics`` maps each
    (tape name, variable path) pair to a dict with every name in ``METRICS``.
    ``val_objective`` is the objective on the validation samples with the weights the step
    started from, or None when the project holds no samples out.
    """

    step: int
    wall_time: float
    objective: float
    metrics: dict[tuple[str, str], dict[str, float]]
    val_objective: float | None = None


class HistoryEvent(NamedTuple):
    """A change during a run, such as a new learning rate, and the first step it applies to."""

    step: int
    text: str


class History:
    """A thread-safe, append-only columnar store of step records.

    ``keys`` are the (tape, variable) pairs every record must carry, in display order. One
    thread appends while others read; each read returns a copy, consistent with one length.
    """

    def __init__(self, keys: Iterable[tuple[str, str]] = (), validation: bool = False) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._validation = validation
        self._reset(list(keys))

    def _reset(self, keys: list[tuple[str, str]]) -> None:
        if len(set(keys)) != len(keys):
            raise ValueError(f"history keys must be distinct, got {keys}")

        self._keys = [(str(tape), str(variable)) for tape, variable in keys]
        self._key_index = {key: index for index, key in enumerate(self._keys)}
        self._length = 0
        self._steps = np.zeros(_INITIAL_CAPACITY, dtype=np.int64)
        self._wall_times = np.zeros(_INITIAL_CAPACITY, dtype=np.float64)
        self._objective = np.zeros(_INITIAL_CAPACITY, dtype=np.float64)
        self._val_objective = np.full(_INITIAL_CAPACITY, np.nan, dtype=np.float64)
        shape = (_INITIAL_CAPACITY, len(self._keys), len(METRICS))
        self._values = np.zeros(shape, dtype=np.float64)
        self._events: list[HistoryEvent] = []

    def __len__(self) -> int:
        with self._lock:
            return self._length

    @property
    def capacity(self) -> int:
        """Number of steps the arrays hold before they grow next."""
        with self._lock:
            return int(self._steps.shape[0])

    @property
    def generation(self) -> int:
        """A counter that ``clear`` increments, so readers can tell a new run from a longer one."""
        with self._lock:
            return self._generation

    @property
    def has_validation(self) -> bool:
        """True when the records carry a validation objective (set by ``clear``)."""
        with self._lock:
            return self._validation

    def keys(self) -> list[tuple[str, str]]:
        """Return the (tape, variable) pairs, in the order given at construction."""
        with self._lock:
            return list(self._keys)

    def append(self, record: StepRecord) -> None:
        """Add one record at the end.

        Raises ValueError, leaving the history unchanged, when the record lacks a (tape,
        variable) pair or a metric, or carries a pair the history does not have.
        """
        row = self._record_row(record)

        with self._lock:
            if self._length == self._steps.shape[0]:
                self._grow()
            index = self._length
            self._steps[index] = record.step
            self._wall_times[index] = record.wall_time
            self._objective[index] = record.objective
            val_objective = record.val_objective
            self._val_objective[index] = np.nan if val_objective is None else val_objective
            self._values[index] = row
            self._length += 1

    def _record_row(self, record: StepRecord) -> np.ndarray:
        unknown = [key for key in record.metrics if key not in self._key_index]
        if unknown:
            raise ValueError(f"step {record.step} has pairs the history does not have: {unknown}")

        row = np.empty((len(self._keys), len(METRICS)), dtype=np.float64)
        for key_index, key in enumerate(self._keys):
            if key not in record.metrics:
                problem = f"step {record.step} has no metrics for tape {key[0]!r}, {key[1]!r}"
                raise ValueError(problem)
            metrics = record.metrics[key]
            for metric_index, metric in enumerate(METRICS):
                if metric not in metrics:
                    raise ValueError(f"step {record.step} has no {metric} for {key}")
                row[key_index, metric_index] = metrics[metric]
        return row

    def _grow(self) -> None:
        capacity = 2 * self._steps.shape[0]
        self._steps = _resized(self._steps, capacity)
        self._wall_times = _resized(self._wall_times, capacity)
        self._objective = _resized(self._objective, capacity)
        self._val_objective = _resized(self._val_objective, capacity)
        self._values = _resized(self._values, capacity)

    def add_event(self, step: int, text: str) -> None:
        """Record a change (``text``, one line) that takes effect at ``step`` (1-based).

        Raises ValueError for a step below 1.
        """
        if step < 1:
            raise ValueError(f"an event step must be at least 1, got {step}")
        with self._lock:
            self._events.append(HistoryEvent(int(step), str(text)))

    def events(self) -> list[HistoryEvent]:
        """Return the recorded events in the order they were added; ``clear`` removes them."""
        with self._lock:
            return list(self._events)

    def clear(
        self, keys: Iterable[tuple[str, str]] | None = None, validation: bool | None = None
    ) -> None:
        """Remove every record; with ``keys``, also replace the (tape, variable) pairs.

        ``validation`` sets ``has_validation`` (None keeps it).
        """
        new_keys = list(keys) if keys is not None else None
        with self._lock:
            self._reset(new_keys if new_keys is not None else self._keys)
            if validation is not None:
                self._validation = bool(validation)
            self._generation += 1

    def steps(self) -> np.ndarray:
        """Return the step numbers, int64, shape (len(self),)."""
        with self._lock:
            return self._steps[: self._length].copy()

    def wall_times(self) -> np.ndarray:
        """Return the wall-clock times in seconds since the epoch, float64, shape (len(self),)."""
        with self._lock:
            return self._wall_times[: self._length].copy()

    def objective(self) -> np.ndarray:
        """Return the objective of each step, float64, shape (len(self),)."""
        with self._lock:
            return self._objective[: self._length].copy()

    def val_objective(self) -> np.ndarray:
        """Return the validation objective of each step, float64, shape (len(self),).

        NaN where a step has none, which is every step when ``has_validation`` is False.
        """
        with self._lock:
            return self._val_objective[: self._length].copy()

    def series(self, tape: str, variable: str, metric: str) -> np.ndarray:
        """Return one metric of one (tape, variable) pair, float64, aligned with ``steps()``.

        Raises KeyError for an unknown pair or metric name.
        """
        metric_index = _metric_index(metric)
        with self._lock:
            if (tape, variable) not in self._key_index:
                problem = f"no tape {tape!r} watching {variable!r}; the pairs are: {self._keys}"
                raise KeyError(problem)
            key_index = self._key_index[(tape, variable)]
            return self._values[: self._length, key_index, metric_index].copy()

    def rows(self, start: int = 0, stop: int | None = None, with_values: bool = True) -> HistoryRows:
        """Return copies of the rows from position ``start`` (0-based) to ``stop`` or the end.

        A plot that remembers how many rows it has drawn reads only the new ones each frame,
        and an export reads a long history a chunk at a time. Positions past the end give no
        rows. Without ``with_values``, the per-(tape, variable) metrics are left out
        (``values`` has zero rows), for plots of the objective alone. Raises ValueError for a
        negative ``start``.
        """
        if start < 0:
            raise ValueError(f"start must be 0 or more, got {start}")

        with self._lock:
            end = self._length if stop is None else min(stop, self._length)
            stop = max(start, end)
            values_stop = stop if with_values else start
            return HistoryRows(
                generation=self._generation,
                start=start,
                keys=list(self._keys),
                steps=self._steps[start:stop].copy(),
                wall_times=self._wall_times[start:stop].copy(),
                objective=self._objective[start:stop].copy(),
                val_objective=self._val_objective[start:stop].copy(),
                values=self._values[start:values_stop].copy(),
            )

    def snapshot(self, first_step: int | None = None, last_step: int | None = None) -> History:
        """Return an independent copy of the records up to now (for export).

        With ``first_step`` or ``last_step``, only the records of the steps in that inclusive
        range are copied, and only the events that take effect in it. Raises ValueError when
        ``first_step`` is above ``last_step``.
        """
        if first_step is not None and last_step is not None and first_step > last_step:
            raise ValueError(f"first step {first_step} is above last step {last_step}")

        copy = History()
        with self._lock:
            steps = self._steps[: self._length]
            first = 0 if first_step is None else int(np.searchsorted(steps, first_step, "left"))
            stop = self._length if last_step is None else int(np.searchsorted(steps, last_step, "right"))
            stop = max(first, stop)

            copy._reset(self._keys)
            copy._validation = self._validation
            copy._length = stop - first
            copy._steps = self._steps[first:stop].copy()
            copy._wall_times = self._wall_times[first:stop].copy()
            copy._objective = self._objective[first:stop].copy()
            copy._val_objective = self._val_objective[first:stop].copy()
            copy._values = self._values[first:stop].copy()
            copy._events = [event for event in self._events if _in_range(event.step, first_step, last_step)]
        return copy

    def record(self, index: int) -> StepRecord:
        """Return the record at position ``index`` (negative counts from the end).

        Raises IndexError when there is no such record.
        """
        with self._lock:
            position = index + self._length if index < 0 else index
            if not 0 <= position < self._length:
                problem = f"record index {index} out of range for {self._length} records"
                raise IndexError(problem)

            metrics = {
                key: {
                    metric: float(self._values[position, key_index, metric_index])
                    for metric_index, metric in enumerate(METRICS)
                }
                for key_index, key in enumerate(self._keys)
            }
            return StepRecord(
                int(self._steps[position]),
                float(self._wall_times[position]),
                float(self._objective[position]),
                metrics,
                float(self._val_objective[position]) if self._validation else None,
            )

    def records(self) -> Iterator[StepRecord]:
        """Yield the records held when the call started, oldest first."""
        snapshot = self.snapshot()
        for index in range(len(snapshot)):
            yield snapshot.record(index)


@dataclass(frozen=True, eq=False)
class HistoryRows:
    """Copies of consecutive rows of a History, read under one lock.

    ``start`` is the position of the first row in the history and ``generation`` the history's
    generation when they were read. ``steps`` (int64), ``wall_times``, ``objective`` and
    ``val_objective`` (float64, NaN where a step has none) have shape (rows,); ``values`` is
    float64 of shape (rows, len(keys), len(METRICS)).
    """

    generation: int
    start: int
    keys: list[tuple[str, str]]
    steps: np.ndarray
    wall_times: np.ndarray
    objective: np.ndarray
    val_objective: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return int(self.steps.shape[0])

    def series(self, tape: str, variable: str, metric: str) -> np.ndarray:
        """Return one metric of one (tape, variable) pair, float64, shape (rows,).

        Raises KeyError for an unknown pair or metric name.
        """
        if (tape, variable) not in self.keys:
            raise KeyError(f"no tape {tape!r} watching {variable!r}; the pairs are: {self.keys}")
        return self.values[:, self.keys.index((tape, variable)), _metric_index(metric)]

    def tape_total(self, tape: str, metric: str) -> np.ndarray:
        """Return the sum of one metric over the variables ``tape`` watches, float64, (rows,).

        Meant for the counts (``nan_count``, ``inf_count``). A tape with no variables gives
        zeros. Raises KeyError for an unknown metric name.
        """
        metric_index = _metric_index(metric)
        columns = [index for index, key in enumerate(self.keys) if key[0] == tape]
        return self.values[:, columns, metric_index].sum(axis=1, dtype=np.float64)

    def tapes(self) -> list[str]:
        """Return the names of the tapes in ``keys``, in order of first appearance."""
        return list(dict.fromkeys(tape for tape, _ in self.keys))


def _in_range(step: int, first_step: int | None, last_step: int | None) -> bool:
    return (first_step is None or step >= first_step) and (last_step is None or step <= last_step)


def _resized(array: np.ndarray, capacity: int) -> np.ndarray:
    grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[: array.shape[0]] = array
    return grown


def _metric_index(metric: str) -> int:
    if metric not in METRICS:
        raise KeyError(f"unknown metric {metric!r}; the metrics are: {', '.join(METRICS)}")
    return METRICS.index(metric)
