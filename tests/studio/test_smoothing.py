"""Debiased EMA smoothing against a step-by-step reference, and its incremental form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tapestudio.studio.smoothing import DEFAULT_WEIGHT, EmaSmoother, debiased_ema


def reference_ema(values, weight):
    """TensorBoard's rule, one value at a time."""
    values = [float(value) for value in values]
    constant = all(value == values[0] for value in values)
    average, count, smoothed = 0.0, 0, []
    for value in values:
        if constant or not math.isfinite(value):
            smoothed.append(value)
            continue
        average = average * weight + (1 - weight) * value
        count += 1
        smoothed.append(average / (1 - weight**count))
    return np.array(smoothed)


def noisy_series(length, seed=0):
    values = np.random.default_rng(seed).normal(3.0, 10.0, size=length)
    for index, value in ((5, np.nan), (100, np.inf), (900, -np.inf)):
        if index < length:
            values[index] = value
    return values


def test_default_weight_is_tensorboards():
    assert DEFAULT_WEIGHT == 0.6


def test_debiased_ema_by_hand():
    # a1 = 0.4 * 1 = 0.4, debiased 0.4 / 0.4 = 1; a2 = 0.6 * 0.4 + 0.4 * 2 = 1.04,
    # debiased 1.04 / (1 - 0.36) = 1.625.
    smoothed = debiased_ema(np.array([1.0, 2.0]), 0.6)

    assert smoothed.tolist() == pytest.approx([1.0, 1.625])


@pytest.mark.parametrize("weight", [0.0, 0.1, 0.6, 0.9, 0.99, 0.999])
def test_debiased_ema_matches_reference(weight):
    values = noisy_series(3000)

    smoothed = debiased_ema(values, weight)

    np.testing.assert_allclose(smoothed, reference_ema(values, weight), rtol=1e-12, atol=1e-12)


def test_debiased_ema_keeps_nonfinite_values():
    values = noisy_series(1000)

    smoothed = debiased_ema(values, 0.6)

    assert np.isnan(smoothed[5])
    assert smoothed[100] == np.inf
    assert smoothed[900] == -np.inf


def test_debiased_ema_leaves_constant_series():
    values = np.full(10, 2.5)

    assert debiased_ema(values, 0.9).tolist() == values.tolist()


def test_debiased_ema_of_empty_series():
    assert debiased_ema(np.array([]), 0.6).shape == (0,)


@pytest.mark.parametrize("weight", [-0.1, 1.0, 2.0])
def test_debiased_ema_rejects_weight(weight):
    with pytest.raises(ValueError, match="smoothing weight"):
        debiased_ema(np.ones(3), weight)


def test_debiased_ema_float32_extremes_stay_finite():
    values = np.array([3.0e38, -3.0e38, 1.0, 2.0] * 100, dtype=np.float32)

    assert np.all(np.isfinite(debiased_ema(values, 0.6)))


def extend_in_chunks(smoother, values, cuts):
    parts = [smoother.extend(values[start:stop]) for start, stop in zip(cuts[:-1], cuts[1:])]
    return np.concatenate(parts)


@pytest.mark.parametrize("weight", [0.0, 0.6, 0.95])
def test_smoother_chunks_match_whole_series(weight):
    values = noisy_series(2500, seed=1)

    smoothed = extend_in_chunks(EmaSmoother(weight), values, [0, 0, 1, 2, 40, 41, 700, 2500])

    np.testing.assert_allclose(smoothed, reference_ema(values, weight), rtol=1e-12, atol=1e-12)


def test_smoother_constant_then_varying():
    smoother = EmaSmoother(0.6)
    values = np.array([1.0, 1.0, 1.0, 4.0, 2.0])

    assert smoother.extend(values[:3]).tolist() == [1.0, 1.0, 1.0]
    np.testing.assert_allclose(smoother.extend(values[3:]), reference_ema(values, 0.6)[3:])


def test_smoother_weight_change_restarts():
    values = noisy_series(500, seed=2)
    smoother = EmaSmoother(0.6)
    smoother.extend(values)

    smoother.set_weight(0.9)

    np.testing.assert_allclose(smoother.extend(values), reference_ema(values, 0.9))


def test_smoother_reset_starts_new_series():
    smoother = EmaSmoother(0.6)
    smoother.extend(noisy_series(100, seed=3))
    values = noisy_series(10, seed=4)

    smoother.reset()

    np.testing.assert_allclose(smoother.extend(values), reference_ema(values, 0.6))
