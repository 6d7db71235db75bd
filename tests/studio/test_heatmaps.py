"""Heatmap images: shapes, colour limits and non-finite values."""

from __future__ import annotations

import numpy as np
import pytest

from tapestudio.studio.heatmaps import heatmap


def test_kernel_keeps_shape():
    values = np.arange(6.0).reshape(2, 3)

    result = heatmap(values)

    assert result.image.shape == (2, 3)
    assert result.image.dtype == np.float32


def test_bias_becomes_one_row():
    assert heatmap(np.ones(4)).image.shape == (1, 4)


def test_limit_is_largest_absolute_value():
    assert heatmap(np.array([[-3.0, 2.0]])).limit == 3.0


def test_nonfinite_values_become_nan():
    result = heatmap(np.array([[1.0, np.inf], [np.nan, -2.0]]))

    assert result.nonfinite == 2
    assert np.isnan(result.image[0, 1])
    assert result.limit == 2.0


def test_zero_values_get_unit_limit():
    assert heatmap(np.zeros((2, 2))).limit == 1.0


def test_all_nonfinite_gets_unit_limit():
    assert heatmap(np.array([np.nan, np.inf])).limit == 1.0


def test_three_dimensions_rejected():
    with pytest.raises(ValueError, match="at most two"):
        heatmap(np.zeros((2, 2, 2)))
