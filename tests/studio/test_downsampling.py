"""EnvelopeTable: growth, envelopes, views at screen resolution and non-finite values."""

from __future__ import annotations

import numpy as np
import pytest

from tapestudio.studio.downsampling import (
    LEVEL_FACTOR,
    EnvelopeTable,
    log_values,
    plot_bounds,
    rounded_range,
)


def filled_table(length, columns=2, seed=0, chunks=True):
    rng = np.random.default_rng(seed)
    x = np.arange(1, length + 1, dtype=np.float64)
    y = rng.normal(size=(length, columns))
    table = EnvelopeTable(columns)
    if chunks:
        start = 0
        while start < length:
            size = int(rng.integers(1, 700))
            table.extend(x[start : start + size], y[start : start + size])
            start += size
    else:
        table.extend(x, y)
    return table, x, y.astype(np.float32)


def test_small_view_returns_every_point():
    table, x, y = filled_table(50)

    view_x, view_y = table.view(0, 100, 1000)

    assert view_x.tolist() == x.tolist()
    assert view_y[1].tolist() == y[:, 1].tolist()


def test_view_respects_point_limit():
    table, _, _ = filled_table(100_000)

    view_x, view_y = table.view(0, 200_000, 1000)

    assert len(view_x) <= 1000
    assert len(view_y[0]) == len(view_x)


def test_envelope_keeps_extremes():
    table, _, y = filled_table(100_000)

    _, view_y = table.view(0, 200_000, 500)

    assert view_y[0].max() == y[:, 0].max()
    assert view_y[0].min() == y[:, 0].min()


def test_appending_in_chunks_equals_one_append():
    chunked, _, _ = filled_table(30_001, seed=5, chunks=True)
    whole, _, _ = filled_table(30_001, seed=5, chunks=False)

    for level in (2, 20, 200, 2000):
        chunked_view = chunked.view(1000, 25_000, level)
        whole_view = whole.view(1000, 25_000, level)
        assert np.array_equal(chunked_view[0], whole_view[0]), level
        assert np.array_equal(chunked_view[1][1], whole_view[1][1], equal_nan=True), level


def test_view_clips_to_range_with_one_point_beyond():
    table, _, _ = filled_table(10_000)

    view_x, _ = table.view(500, 600, 10_000)

    assert view_x[0] == 499
    assert view_x[-1] == 601


def test_coarse_view_starts_buckets_at_their_first_step():
    table, _, _ = filled_table(LEVEL_FACTOR**3)

    view_x, _ = table.view(0, LEVEL_FACTOR**3, 2 * LEVEL_FACTOR)

    starts = [1 + LEVEL_FACTOR**2 * index for index in range(LEVEL_FACTOR)]
    assert view_x[:-1:2].tolist() == starts


def test_coarse_view_ends_at_newest_point():
    table, _, y = filled_table(10_000)

    view_x, view_y = table.view(0, 20_000, 100)

    assert view_x[-1] == 10_000
    assert view_y[0][-1] == y[-1, 0]


def test_nonfinite_values_become_nan():
    table = EnvelopeTable(1)
    table.extend(np.array([1.0, 2.0, 3.0]), np.array([[1.0], [np.inf], [1e39]]))

    stored = table.y(0)

    assert stored[0] == 1.0
    assert np.isnan(stored[1])
    assert np.isnan(stored[2])


def test_all_nan_bucket_stays_nan():
    table = EnvelopeTable(1)
    values = np.ones(LEVEL_FACTOR * 4)
    values[LEVEL_FACTOR : 2 * LEVEL_FACTOR] = np.nan
    table.extend(np.arange(values.size, dtype=np.float64), values)

    _, view_y = table.view(0, values.size, 8)

    assert np.isnan(view_y[0][2])
    assert view_y[0][0] == 1.0


def test_empty_table_view():
    view_x, view_y = EnvelopeTable(3).view(0, 10, 100)

    assert view_x.shape == (0,)
    assert len(view_y) == 3


def test_extend_rejects_wrong_shape():
    with pytest.raises(ValueError, match="expected"):
        EnvelopeTable(2).extend(np.arange(3.0), np.zeros((3, 3)))


def test_clear_empties_table():
    table, _, _ = filled_table(100)

    table.clear()

    assert len(table) == 0


def test_rounded_range_widens_to_round_steps():
    assert rounded_range(1, 3456) == (0.0, 3500.0)
    assert rounded_range(0.15, 0.93) == pytest.approx((0.1, 1.0))


def test_rounded_range_stays_while_curve_grows():
    ranges = {rounded_range(1, last) for last in range(3001, 3500)}

    assert ranges == {(0.0, 3500.0)}


def test_rounded_range_of_single_value():
    low, high = rounded_range(5.0, 5.0)

    assert low < 5.0 < high


def test_rounded_range_rejects_nonfinite():
    assert rounded_range(0.0, np.inf) is None


def test_plot_bounds_ignore_nan():
    bounds = plot_bounds(np.array([1.0, 2.0, 3.0]), [np.array([np.nan, 0.2, 0.8], dtype=np.float32)])

    assert bounds[1] == pytest.approx((0.2, 0.8))


def test_log_values_leave_out_nonpositive():
    logged = log_values([np.array([0.0, 0.01, 10.0, -1.0, np.inf])])[0]

    assert np.isnan(logged[[0, 3, 4]]).all()
    assert logged[1:3] == pytest.approx([-2.0, 1.0])


def test_plot_bounds_round_x_coarsely():
    bounds = plot_bounds(np.array([1.0, 3456.0]), [np.array([0.0, 1.0])])

    assert bounds[0] == (0.0, 4000.0)


def test_plot_bounds_without_finite_values():
    assert plot_bounds(np.array([1.0]), [np.array([np.nan])]) is None
