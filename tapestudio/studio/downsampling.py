"""Growing curves reduced to screen resolution, so that a million-step history draws quickly.

An ``EnvelopeTable`` holds one ascending x column (the steps) and several y columns, and keeps
min/max envelopes at coarser levels: level 1 summarises each 8 points, level 2 each 64, and so
on. ``view(x_min, x_max, max_points)`` picks the finest level that shows the visible range in at
most ``max_points`` points, so a frame costs time for the pixels drawn and not for the length of
the history. Each bucket of a coarse level becomes two points, its minimum and its maximum, so
spikes stay visible (what pyqtgraph calls peak downsampling).

NaN and infinite values are stored as NaN: plots leave a gap where a value is not finite. Y
values are stored as float32, which is finer than any screen.
"""

from __future__ import annotations

import numpy as np

# Points of one level that a bucket of the next level summarises.
LEVEL_FACTOR = 8
_INITIAL_CAPACITY = 256
# The step axis is rounded more coarsely than the values, so that a plot following a run
# changes its x range, and with it the axis labels and the grid, less often.
X_STEP_FRACTION = 0.2
_STEP_TOLERANCE = 1e-5


class _Column2D:
    """A float array of shape (rows, width) that grows by doubling at its end."""

    def __init__(self, width: int, dtype: type) -> None:
        self.data = np.empty((_INITIAL_CAPACITY, width), dtype=dtype)
        self.rows = 0

    def view(self) -> np.ndarray:
        return self.data[: self.rows]

    def write(self, start: int, block: np.ndarray) -> None:
        """Write ``block`` from row ``start`` (at most ``rows``) on, growing the array if needed."""
        end = start + block.shape[0]
        if end > self.data.shape[0]:
            capacity = max(end, 2 * self.data.shape[0])
            grown = np.empty((capacity, self.data.shape[1]), dtype=self.data.dtype)
            grown[: self.rows] = self.data[: self.rows]
            self.data = grown
        self.data[start:end] = block
        self.rows = max(self.rows, end)


class EnvelopeTable:
    """Curves that share an ascending x column, with min/max envelopes for drawing.

    ``columns`` is the number of y columns.
    """

    def __init__(self, columns: int) -> None:
        if columns < 1:
            raise ValueError(f"an envelope table needs at least one column, got {columns}")
        self._columns = columns
        self.clear()

    @property
    def columns(self) -> int:
        return self._columns

    def __len__(self) -> int:
        return self._x.rows

    def clear(self) -> None:
        """Remove every point."""
        self._x = _Column2D(1, np.float64)
        self._y = _Column2D(self._columns, np.float32)
        # _levels[i] holds (minima, maxima) of level i + 1.
        self._levels: list[tuple[_Column2D, _Column2D]] = []

    def x(self) -> np.ndarray:
        """Return the x column, float64, shape (len(self),); a view that later appends keep."""
        return self._x.view()[:, 0]

    def y(self, column: int) -> np.ndarray:
        """Return one y column as stored (float32, NaN where not finite), shape (len(self),)."""
        return self._y.view()[:, column]

    def extend(self, x: np.ndarray, y: np.ndarray) -> None:
        """Append points: ``x`` shape (n,), ascending and after the current last x; ``y`` (n, columns).

        Raises ValueError for mismatched shapes.
        """
        x = np.asarray(x, dtype=np.float64).reshape(-1, 1)
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1 and self._columns == 1:
            y = y.reshape(-1, 1)
        if y.shape != (x.shape[0], self._columns):
            expected = (x.shape[0], self._columns)
            raise ValueError(f"y has shape {y.shape}, expected {expected} for {x.shape[0]} x values")
        if x.shape[0] == 0:
            return

        with np.errstate(over="ignore", invalid="ignore"):
            stored = y.astype(np.float32)
        stored[~np.isfinite(stored)] = np.nan

        start = len(self)
        self._x.write(start, x)
        self._y.write(start, stored)
        self._update_levels(start)

    def _update_levels(self, old_length: int) -> None:
        length = len(self)
        finer_minima, finer_maxima = self._y, self._y
        size = LEVEL_FACTOR
        level = 0
        while size <= length:
            if level == len(self._levels):
                self._levels.append((_Column2D(self._columns, np.float32), _Column2D(self._columns, np.float32)))
                first_bucket = 0
            else:
                first_bucket = old_length // size
            minima, maxima = self._levels[level]

            # Recompute the buckets that gained points, from the finer level's buckets.
            first_child = first_bucket * LEVEL_FACTOR
            child_minima = finer_minima.view()[first_child:]
            child_maxima = finer_maxima.view()[first_child:]
            minima.write(first_bucket, _group_reduce(child_minima, np.fmin))
            maxima.write(first_bucket, _group_reduce(child_maxima, np.fmax))

            finer_minima, finer_maxima = minima, maxima
            size *= LEVEL_FACTOR
            level += 1

    def view(
        self, x_min: float, x_max: float, max_points: int
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Return (x, [y per column]) for drawing the range [x_min, x_max].

        One point beyond each end of the range is included, so lines reach the edges. When the
        range holds more than ``max_points`` points, each group of 8**level points becomes two
        points (its minimum and its maximum) at the x of the group's first point, and the newest
        point follows when the range reaches it. x is float64, y float32 with NaN for values
        that are not finite.
        """
        length = len(self)
        if length == 0:
            empty = np.empty(0, dtype=np.float64)
            return empty, [np.empty(0, dtype=np.float32) for _ in range(self._columns)]

        x = self.x()
        first = max(0, int(np.searchsorted(x, x_min, side="left")) - 1)
        stop = min(length, int(np.searchsorted(x, x_max, side="right")) + 1)
        stop = max(stop, first + 1)

        # Level 0 draws each point once; a coarser level draws two points per bucket.
        level, size, points = 0, 1, stop - first
        while level < len(self._levels) and points > max_points:
            level, size = level + 1, size * LEVEL_FACTOR
            points = 2 * -(-(stop - first) // size)

        if level == 0:
            y = self._y.view()
            return x[first:stop].copy(), [y[first:stop, column].copy() for column in range(self._columns)]
        return self._level_view(level, size, first, stop)

    def _level_view(
        self, level: int, size: int, first: int, stop: int
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        minima, maxima = self._levels[level - 1]
        first_bucket, stop_bucket = first // size, -(-stop // size)
        bucket_x = self.x()[first_bucket * size : stop_bucket * size : size]

        lows = minima.view()[first_bucket:stop_bucket]
        highs = maxima.view()[first_bucket:stop_bucket]
        # When the range reaches the newest point, it is drawn too, so the curve ends where the
        # history does rather than at the start of the last bucket.
        tail = 1 if stop == len(self) else 0

        x = np.empty(2 * lows.shape[0] + tail, dtype=np.float64)
        x[: 2 * lows.shape[0]] = np.repeat(bucket_x, 2)
        ys = []
        for column in range(self._columns):
            pairs = np.empty(x.shape[0], dtype=np.float32)
            pairs[0 : 2 * lows.shape[0] : 2] = lows[:, column]
            pairs[1 : 2 * lows.shape[0] : 2] = highs[:, column]
            ys.append(pairs)
        if tail:
            x[-1] = self.x()[-1]
            for column, pairs in enumerate(ys):
                pairs[-1] = self._y.view()[-1, column]
        return x, ys


def _group_reduce(values: np.ndarray, reduce: np.ufunc) -> np.ndarray:
    """Reduce each group of LEVEL_FACTOR rows of ``values`` (rows, columns); the last may be short.

    ``reduce`` is np.fmin or np.fmax, which skip NaN unless a whole group is NaN.
    """
    rows, columns = values.shape
    groups = -(-rows // LEVEL_FACTOR)
    padded = np.full((groups * LEVEL_FACTOR, columns), np.nan, dtype=values.dtype)
    padded[:rows] = values
    return reduce.reduce(padded.reshape(groups, LEVEL_FACTOR, columns), axis=1)



def rounded_range(low: float, high: float, fraction: float = 0.1) -> tuple[float, float] | None:
    """Widen [low, high] outwards to multiples of a round step, or None when either is not finite.

    The step is 1, 2 or 5 times a power of ten, at least ``fraction`` of the span. A plot that
    follows a growing curve with these ranges changes its axes only when the curve crosses a
    step, not on every frame. An empty span is widened around its value.
    """
    if not (np.isfinite(low) and np.isfinite(high)):
        return None
    low, high = float(min(low, high)), float(max(low, high))

    span = high - low
    if span <= 0.0:
        span = abs(high) if high != 0.0 else 1.0
        low, high = low - span / 2, high + span / 2
    step = _round_step(span * fraction)
    # The tolerance keeps a value on a step (0.8 with step 0.1, even as float32) from rounding
    # one step further; the part of a step it clips is far below a pixel.
    rounded_low = np.floor(low / step + _STEP_TOLERANCE) * step
    rounded_high = np.ceil(high / step - _STEP_TOLERANCE) * step
    if not (np.isfinite(rounded_low) and np.isfinite(rounded_high)):
        return low, high
    return float(rounded_low), float(rounded_high)


def _round_step(minimum: float) -> float:
    """Return the smallest of 1, 2 or 5 times a power of ten that is at least ``minimum``."""
    power = 10.0 ** np.floor(np.log10(minimum))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if factor * power >= minimum:
            return factor * power
    return 10.0 * power


def log_values(ys: list[np.ndarray]) -> list[np.ndarray]:
    """Return log10 of each array, float32, with NaN where a value is 0, negative or not finite.

    For a logarithmic y axis: pyqtgraph then draws the returned values on a linear scale with
    logarithmic tick labels.
    """
    logged = []
    for values in ys:
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.log10(np.asarray(values, dtype=np.float32))
        result[~np.isfinite(result)] = np.nan
        logged.append(result)
    return logged


def plot_bounds(x: np.ndarray, ys: list[np.ndarray]) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Return rounded (x range, y range) that show every finite point of the curves, or None.

    ``x`` (points,) and each of ``ys`` (points,) as ``EnvelopeTable.view`` returns them, NaN
    where a value is not drawn.
    """
    if x.size == 0:
        return None
    lows, highs = [], []
    for values in ys:
        if values.size:
            # fmin and fmax skip NaN, and give NaN only when every value is NaN.
            lows.append(np.fmin.reduce(values))
            highs.append(np.fmax.reduce(values))
    low = np.fmin.reduce(np.asarray(lows, dtype=np.float64)) if lows else np.nan
    high = np.fmax.reduce(np.asarray(highs, dtype=np.float64)) if highs else np.nan

    x_range = rounded_range(float(np.fmin.reduce(x)), float(np.fmax.reduce(x)), X_STEP_FRACTION)
    y_range = rounded_range(float(low), float(high))
    if x_range is None or y_range is None:
        return None
    return x_range, y_range
