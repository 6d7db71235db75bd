"""New weight seeds: the initial weights change and the data stays."""

from __future__ import annotations

import numpy as np
import pytest

from tapestudio.studio import Session, load_example
from tapestudio.studio.seeds import draw_seed, with_new_weight_seed


def test_new_seed_differs_from_old():
    project = load_example("iris")

    changed = with_new_weight_seed(project)

    assert changed.seed != project.seed


def test_new_seed_pins_data_seed():
    project = load_example("weighted-gradients")

    changed = with_new_weight_seed(project, seed=7)

    assert changed.data.seed == project.seed
    assert changed.seed == 7


def test_new_seed_leaves_original_project():
    project = load_example("iris")
    seed = project.seed

    with_new_weight_seed(project, seed=seed + 1)

    assert project.seed == seed
    assert project.data.seed is None


def test_new_seed_changes_weights_not_data():
    project = load_example("weighted-gradients")
    before = Session(project)

    after = Session(with_new_weight_seed(project, seed=project.seed + 1))

    np.testing.assert_array_equal(before.dataset.features, after.dataset.features)
    assert not np.array_equal(before.weights()["dense/kernel"], after.weights()["dense/kernel"])


def test_new_seed_rejects_negative():
    with pytest.raises(ValueError, match="seed must be"):
        with_new_weight_seed(load_example("iris"), seed=-1)


def test_draw_seed_from_generator_repeats():
    first = draw_seed(np.random.default_rng(3))
    second = draw_seed(np.random.default_rng(3))

    assert first == second
