"""Histograms of weights and updates, with NaN and infinities counted apart."""

from __future__ import annotations

import numpy as np
import pytest

from tapestudio.studio.histograms import histogram


def test_histogram_counts_every_value():
    values = np.random.default_rng(0).normal(size=(16, 3))

    result = histogram(values, bins=10)

    assert result.counts.sum() == 48
    assert result.edges.shape == (11,)


def test_histogram_bins_span_range():
    result = histogram(np.arange(10.0), bins=5)

    assert result.edges[0] == 0.0
    assert result.edges[-1] == 9.0


def test_histogram_counts_nonfinite_apart():
    result = histogram(np.array([1.0, np.nan, np.inf, -np.inf, 2.0]), bins=4)

    assert result.nonfinite == 3
    assert result.counts.sum() == 2
    assert result.total == 5


def test_histogram_of_equal_values():
    result = histogram(np.zeros(7), bins=3)

    assert result.counts.sum() == 7
    assert result.edges[0] < 0.0 < result.edges[-1]


def test_histogram_without_finite_values():
    result = histogram(np.array([np.nan, np.inf]), bins=3)

    assert result.counts.tolist() == [0, 0, 0]
    assert result.nonfinite == 2


def test_histogram_near_float64_limits():
    result = histogram(np.array([-1e308, 0.0, 1e308]), bins=2)

    assert np.all(np.isfinite(result.edges))
    assert result.counts.sum() == 3


def test_histogram_rejects_zero_bins():
    with pytest.raises(ValueError, match="at least one bin"):
        histogram(np.ones(3), bins=0)
