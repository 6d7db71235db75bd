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

    ``extend(new)`` smooths only the values appended since the last call and returns their
    smoothed values. While every value so far is equal, those values are returned unchanged, as
    ``debiased_ema`` leaves a constant series; the average of a constant series equals the
    constant, so the earlier values need no redrawing once the series starts to vary.
    """

    def __init__(self, weight: float = DEFAULT_WEIGHT) -> None:
        self._weight = check_weight(weight)
        self.reset()

    @property
    def weight(self) -> float:
        return self._weight

    def set_weight(self, weight: float) -> None:
        """Change the weight and forget the series, which has to be passed again from its start."""
        self._weight = check_weight(weight)
        self.reset()

    def reset(self) -> None:
        """Forget the series; the next ``extend`` starts a new one."""
        self._average = 0.0
        self._finite_count = 0
        self._first: float | None = None
        self._constant = True

    def extend(self, new: np.ndarray) -> np.ndarray:
        """Return the smoothed values of ``new`` (1-D), the values that follow those passed before.

        float64, shape (len(new),).
        """
        data = np.asarray(new, dtype=np.float64).ravel()
        if data.size == 0:
            return data.copy()

        if self._first is None:
            self._first = float(data[0])
        self._constant = self._constant and bool(np.all(data == self._first))
        if self._weight == 0.0:
            return data.copy()

        finite = np.isfinite(data)
        averages = ema_recurrence(data[finite], self._weight, self._average)
        counts = self._finite_count + np.arange(1, averages.size + 1, dtype=np.float64)
        if averages.size:
            self._average = float(averages[-1])
            self._finite_count += int(averages.size)

        if self._constant:
            return data.copy()
        smoothed = data.copy()
        smoothed[finite] = averages / -np.expm1(counts * math.log(self._weight))
        return smoothed
