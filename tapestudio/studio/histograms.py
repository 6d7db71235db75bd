"""Histograms of weights and updates, counting the values that cannot be binned apart."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_BINS = 30


@dataclass(frozen=True, eq=False)
class Histogram:
    """Counts of values in equal-width bins.

    ``edges``: float64, shape (bins + 1,). ``counts``: int64, shape (bins,). ``nonfinite``: the
    number of NaN and infinite values, which no bin holds.
    """

    edges: np.ndarray
    counts: np.ndarray
    nonfinite: int

    @property
    def total(self) -> int:
        """Number of values counted, binned or not."""
        return int(self.counts.sum()) + self.nonfinite


def histogram(values: np.ndarray, bins: int = DEFAULT_BINS) -> Histogram:
    """Count the finite values of ``values`` (any shape, any real dtype) in ``bins`` bins.

    The bins span the finite values' range. When every finite value is equal, they span that
    value plus and minus 1, and with no finite value at all they span [-1, 1] and are empty.
    Raises ValueError for fewer than one bin.
    """
    if bins < 1:
        raise ValueError(f"a histogram needs at least one bin, got {bins}")

    data = np.asarray(values, dtype=np.float64).ravel()
    finite = data[np.isfinite(data)]
    nonfinite = int(data.size - finite.size)

    if finite.size == 0:
        edges = np.linspace(-1.0, 1.0, bins + 1)
        return Histogram(edges, np.zeros(bins, dtype=np.int64), nonfinite)

    # Halving keeps the width of the range finite for values near the float64 limits, which a
    # diverging run reaches; it is exact for binary floating point.
    halves = finite / 2.0
    counts, half_edges = np.histogram(halves, bins=bins)
    return Histogram(half_edges * 2.0, counts.astype(np.int64), nonfinite)
