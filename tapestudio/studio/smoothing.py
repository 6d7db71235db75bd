"""Debiased exponential moving average of a curve, the smoothing TensorBoard applies to scalars.

For a weight ``w`` in [0, 1), the finite values x_1, x_2, ... of a series update an average
``a_t = w * a_(t-1) + (1 - w) * x_t`` that starts at ``a_0 = 0``, and the smoothed value is
``a_t / (1 - w**t)``. The division removes the pull towards the starting 0, so the first
smoothed value equals the first value. As in TensorBoard's scalar dashboard (weight 0.6 by
default): a NaN or infinite value is not averaged in and is shown as itself, ``t`` counts finite
values only, and a series whose values are all equal is left unchanged.

``debiased_ema`` smooths a whole series; ``EmaSmoother`` extends a smoothed series as the history
grows, so a frame costs time for the new values only.
"""

from __future__ import annotations

import math

import numpy as np

DEFAULT_WEIGHT = 0.6
MAX_WEIGHT = 0.999

# Within a block of the vectorised recurrence, terms are scaled by up to w**-block. The block
# length keeps that factor below 1e8, so no float32-range value (below 3.4e38) overflows.
_MAX_BLOCK_SCALE_DIGITS = 8.0
_MAX_BLOCK = 1024


def check_weight(weight: float) -> float:
    """Return ``weight`` as a float; raise ValueError unless 0 <= weight <= MAX_WEIGHT."""
    value = float(weight)
    if not 0.0 <= value <= MAX_WEIGHT:
        raise ValueError(f"smoothing weight must be between 0 and {MAX_WEIGHT}, got {weight!r}")
    return value


def debiased_ema(values: np.ndarray, weight: float = DEFAULT_WEIGHT) -> np.ndarray:
    """Return the debiased exponential moving average of ``values``, float64, same shape.

    ``values``: 1-D, any real dtype. Raises ValueError for a weight outside [0, 0.999].

    >>> debiased_ema(np.array([1.0, 2.0]), 0.5).tolist()
    [1.0, 1.6666666666666667]
    """
    weight = check_weight(weight)
    data = np.asarray(values, dtype=np.float64).ravel()
    if data.size == 0 or _is_constant(data) or weight == 0.0:
        return data.copy()

    finite = np.isfinite(data)
    averages = ema_recurrence(data[finite], weight, start=0.0)
    counts = np.arange(1, averages.size + 1, dtype=np.float64)

    smoothed = data.copy()
    smoothed[finite] = averages / -np.expm1(counts * math.log(weight))
    return smoothed


def ema_recurrence(values: np.ndarray, weight: float, start: float) -> np.ndarray:
    """Return a_1..a_n of ``a_k = weight * a_(k-1) + (1 - weight) * values[k-1]``, a_0 = start.

    ``values``: 1-D float64 without NaN or infinities; ``weight`` in (0, 1). The recurrence is
    evaluated block by block with cumulative sums, so a million values take milliseconds.
    """
    count = values.size
    if count == 0:
        return np.empty(0, dtype=np.float64)

    block = _block_length(weight)
    blocks = -(-count // block)
    inputs = np.zeros(blocks * block, dtype=np.float64)
    inputs[:count] = values
    inputs *= 1.0 - weight
    inputs = inputs.reshape(blocks, block)

    # Inside a block, the average after k terms with a zero start is
    # w**k * sum(w**-i * b_i for i <= k): one cumulative sum per block.
    exponents = np.arange(1, block + 1, dtype=np.float64)
    decay = np.power(weight, exponents)
    local = np.cumsum(inputs / decay, axis=1) * decay

    # Each block starts from the last average of the block before it. Those block ends follow
    # the same kind of recurrence with the factor w**block, solved by a doubling scan whose
    # factor soon underflows to 0.
    ends = local[:, -1].copy()
    block_decay = float(decay[-1])
    ends[0] += block_decay * start
    factor, offset = block_decay, 1
    while offset < blocks and factor > 0.0:
        ends[offset:] += factor * ends[:-offset]
        factor, offset = factor * factor, 2 * offset

    carries = np.empty(blocks, dtype=np.float64)
    carries[0] = start
    carries[1:] = ends[:-1]
    averages = local + carries[:, None] * decay
    return averages.ravel()[:count]


def _block_length(weight: float) -> int:
    digits_per_step = -math.log10(weight)
    return max(1, min(_MAX_BLOCK, int(_MAX_BLOCK_SCALE_DIGITS / digits_per_step)))


def _is_constant(data: np.ndarray) -> bool:
    # NaN differs from everything, as in TensorBoard, so a series with NaN is never constant.
    return bool(np.all(data == data[0]))


class EmaSmoother:
    """The debiased moving average of a series that grows at its end.

    ``update(values)`` takes the whole series each time and smooths only the values added since
    the last call. It assumes the earlier values did not change; call ``reset`` when the series
    starts over. Its result equals ``debiased_ema(values, weight)``.
    """

    def __init__(self, weight: float = DEFAULT_WEIGHT) -> None:
        self._weight = check_weight(weight)
        self.reset()

    @property
    def weight(self) -> float:
        return self._weight

    def set_weight(self, weight: float) -> None:
        """Change the weight; the next ``update`` smooths the whole series again."""
        self._weight = check_weight(weight)
        self.reset()

    def reset(self) -> None:
        """Forget the series; the next ``update`` starts from its first value."""
        self._smoothed = np.empty(0, dtype=np.float64)
        self._length = 0
        self._average = 0.0
        self._finite_count = 0
        self._constant_value: float | None = None

    def update(self, values: np.ndarray) -> np.ndarray:
        """Return the smoothed series, float64, shape (len(values),).

        The returned array is owned by the smoother and changes on later calls.
        """
        data = np.asarray(values, dtype=np.float64).ravel()
        if data.size < self._length:
            self.reset()
        if data.size == self._length:
            return self._smoothed[: self._length]

        new = data[self._length :]
        if self._still_constant(data, new):
            self._store(data.size, new)
        elif self._constant_value is not None or self._length == 0:
            # The series stopped being constant (or this is the first call): smooth all of it.
            self._constant_value = None
            self._smooth_from_start(data)
        else:
            self._store(data.size, self._extend(new))
        return self._smoothed[: self._length]

    def _still_constant(self, data: np.ndarray, new: np.ndarray) -> bool:
        if self._length == 0:
            if _is_constant(data):
                self._constant_value = float(data[0])
                return True
            return False
        return self._constant_value is not None and bool(np.all(new == self._constant_value))

    def _smooth_from_start(self, data: np.ndarray) -> None:
        self._length = 0
        self._average = 0.0
        self._finite_count = 0
        self._store(data.size, self._extend(data))

    def _extend(self, new: np.ndarray) -> np.ndarray:
        if self._weight == 0.0:
            return new.copy()

        finite = np.isfinite(new)
        averages = ema_recurrence(new[finite], self._weight, self._average)
        counts = self._finite_count + np.arange(1, averages.size + 1, dtype=np.float64)
        if averages.size:
            self._average = float(averages[-1])
            self._finite_count += int(averages.size)

        smoothed = new.copy()
        smoothed[finite] = averages / -np.expm1(counts * math.log(self._weight))
        return smoothed

    def _store(self, length: int, new: np.ndarray) -> None:
        if length > self._smoothed.size:
            grown = np.empty(max(length, 2 * self._smoothed.size, 64), dtype=np.float64)
            grown[: self._length] = self._smoothed[: self._length]
            self._smoothed = grown
        self._smoothed[self._length : length] = new
        self._length = length
