"""Time a step function: warm-up calls, then timed batches; a cell is the median per call.

A batch repeats the call n times, with n found by trial batches after the warm-up so that
one batch lasts at least ``min_batch_seconds``. The median over batches damps the noise of a
shared machine.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import asdict, dataclass
from typing import Callable


@dataclass(frozen=True)
class TimingConfig:
    """How often to call a step: ``warmup`` untimed calls, then ``batches`` timed batches.

    ``slow_batches`` replaces ``batches`` when one call takes longer than ``slow_call_seconds``.
    """

    warmup: int = 3
    batches: int = 7
    slow_batches: int = 3
    min_batch_seconds: float = 0.040
    slow_call_seconds: float = 1.0

    def to_dict(self) -> dict:
        return asdict(self)


DEFAULT = TimingConfig()
QUICK = TimingConfig(warmup=1, batches=3, slow_batches=1, min_batch_seconds=0.010)


@dataclass(frozen=True)
class Measurement:
    """Seconds per call: the median over batches, and each batch's mean per call."""

    seconds_per_call: float
    calls_per_batch: int
    batch_seconds_per_call: tuple[float, ...]

    def to_dict(self) -> dict:
        return {
            "seconds_per_call": self.seconds_per_call,
            "calls_per_batch": self.calls_per_batch,
            "batch_seconds_per_call": list(self.batch_seconds_per_call),
        }


def calibrate(step: Callable[[], object], min_batch_seconds: float) -> tuple[int, float]:
    """Return the number of calls n whose batch lasts at least ``min_batch_seconds``, and the
    seconds per call that the last trial batch took.

    Trial batches grow n at least twofold and at most tenfold each time, so a first slow
    call cannot make n too small and a first fast one cannot make it huge.
    """
    calls = 1
    while True:
        elapsed = time_batch(step, calls)
        if elapsed >= min_batch_seconds:
            return calls, elapsed / calls
        needed = math.ceil(calls * min_batch_seconds / max(elapsed, 1e-9))
        calls = min(calls * 10, max(calls * 2, needed))


def time_batch(step: Callable[[], object], calls: int) -> float:
    """Return the seconds that ``calls`` calls of ``step`` take, by ``time.perf_counter``."""
    start = time.perf_counter()
    for _ in range(calls):
        step()
    return time.perf_counter() - start


def measure(step: Callable[[], object], config: TimingConfig) -> Measurement:
    """Call ``step`` as ``config`` sets out and return the median time per call."""
    for _ in range(config.warmup):
        step()
    calls, seconds_per_call = calibrate(step, config.min_batch_seconds)
    batches = config.slow_batches if seconds_per_call > config.slow_call_seconds else config.batches

    per_call = [time_batch(step, calls) / calls for _ in range(max(batches, 1))]
    return Measurement(statistics.median(per_call), calls, tuple(per_call))
