"""Synthetic data sets: shapes, classes, seeds, noise and the bounds they accept."""

import numpy as np
import pytest

from tapestudio.studio.synthetic import (
    MAX_NOISE,
    MIN_SAMPLES,
    SPIRAL_TURNS,
    synthetic_dataset,
    synthetic_dataset_names,
)

CLASSIFICATION_SETS = ["xor", "circles", "spirals", "moons"]


def test_synthetic_names_in_menu_order():
    assert synthetic_dataset_names() == ["xor", "circles", "spirals", "moons", "sine"]


@pytest.mark.parametrize("name", CLASSIFICATION_SETS)
def test_classification_set_shapes(name):
    data = synthetic_dataset(name, 101, 0.1, seed=3)

    assert data.features.shape == (101, 2)
    assert data.features.dtype == np.float32
    assert data.labels.shape == (101,)
    assert data.labels.dtype == np.float32
    assert data.feature_names == ("x", "y")


@pytest.mark.parametrize("name", CLASSIFICATION_SETS)
def test_classification_set_two_balanced_classes(name):
    data = synthetic_dataset(name, 101, 0.1, seed=3)

    assert len(data.classes) == 2
    assert data.task == "classification"
    assert np.bincount(data.labels.astype(int)).tolist() == [51, 50]


@pytest.mark.parametrize("name", synthetic_dataset_names())
def test_same_seed_same_samples(name):
    first = synthetic_dataset(name, 50, 0.2, seed=11)
    second = synthetic_dataset(name, 50, 0.2, seed=11)

    np.testing.assert_array_equal(first.features, second.features)
    np.testing.assert_array_equal(first.labels, second.labels)


@pytest.mark.parametrize("name", synthetic_dataset_names())
def test_other_seed_other_samples(name):
    first = synthetic_dataset(name, 50, 0.2, seed=11)
    second = synthetic_dataset(name, 50, 0.2, seed=12)

    assert not np.array_equal(first.features, second.features)


@pytest.mark.parametrize(
    ("name", "x_limit", "y_limit"),
    [("xor", 1.0, 1.0), ("circles", 1.0, 1.0), ("spirals", 1.0, 1.0), ("moons", 1.5, 0.75)],
)
def test_clean_points_within_box(name, x_limit, y_limit):
    data = synthetic_dataset(name, 400, 0.0, seed=0)

    assert np.abs(data.features[:, 0]).max() <= x_limit + 1e-6
    assert np.abs(data.features[:, 1]).max() <= y_limit + 1e-6


@pytest.mark.parametrize("name", synthetic_dataset_names())
def test_noise_moves_points(name):
    clean = synthetic_dataset(name, 400, 0.0, seed=0)
    noisy = synthetic_dataset(name, 400, 0.5, seed=0)

    if name == "sine":
        difference = noisy.labels - clean.labels
    else:
        difference = noisy.features - clean.features
    # Gaussian noise of standard deviation 0.5: the sample standard deviation is close to it.
    assert abs(float(np.std(difference)) - 0.5) < 0.05


def test_xor_clean_labels_follow_signs():
    data = synthetic_dataset("xor", 200, 0.0, seed=1)
    opposite = data.features[:, 0] * data.features[:, 1] < 0

    np.testing.assert_array_equal(opposite, data.labels == 1)


def test_circles_clean_inner_class_near_centre():
    data = synthetic_dataset("circles", 200, 0.0, seed=1)
    radius = np.linalg.norm(data.features, axis=1)

    assert radius[data.labels == 1].max() <= 0.4 + 1e-6
    assert radius[data.labels == 0].min() >= 0.7 - 1e-6


def test_spirals_arms_are_half_turn_apart():
    data = synthetic_dataset("spirals", 400, 0.0, seed=2)
    radius = np.linalg.norm(data.features, axis=1)
    angle = np.arctan2(data.features[:, 1], data.features[:, 0])

    # Remove the winding of the arm at each radius; what is left is the arm's own offset.
    offset = np.mod(angle - 2 * np.pi * SPIRAL_TURNS * radius, 2 * np.pi)
    first_arm = np.minimum(offset, 2 * np.pi - offset)[data.labels == 0]
    second_arm = np.abs(offset - np.pi)[data.labels == 1]
    assert first_arm.max() < 1e-3
    assert second_arm.max() < 1e-3


def test_spirals_reach_unit_circle():
    data = synthetic_dataset("spirals", 400, 0.0, seed=2)
    radius = np.linalg.norm(data.features, axis=1)

    assert radius[data.labels == 0].max() > 0.9
    assert radius[data.labels == 1].max() > 0.9


def test_moons_centred_on_origin():
    data = synthetic_dataset("moons", 2000, 0.0, seed=4)
    centre = data.features.mean(axis=0)

    assert abs(float(centre[0])) < 0.05
    assert abs(float(centre[1])) < 0.1


def test_sine_is_regression_with_one_feature():
    data = synthetic_dataset("sine", 64, 0.0, seed=5)

    assert data.features.shape == (64, 1)
    assert data.classes is None
    assert data.task == "regression"
    np.testing.assert_allclose(data.labels, np.sin(data.features[:, 0]), atol=1e-6)


def test_sine_inputs_within_pi():
    data = synthetic_dataset("sine", 500, 0.1, seed=5)

    assert np.abs(data.features).max() <= np.pi + 1e-6


def test_unknown_synthetic_name():
    with pytest.raises(KeyError, match="xor, circles"):
        synthetic_dataset("checkerboard", 50, 0.1, seed=0)


@pytest.mark.parametrize(
    ("samples", "noise", "seed", "message"),
    [
        (MIN_SAMPLES - 1, 0.1, 0, "sample count"),
        (50, -0.1, 0, "noise"),
        (50, MAX_NOISE + 0.1, 0, "noise"),
        (50, 0.1, -1, "seed"),
    ],
)
def test_synthetic_bounds_rejected(samples, noise, seed, message):
    with pytest.raises(ValueError, match=message):
        synthetic_dataset("xor", samples, noise, seed)
