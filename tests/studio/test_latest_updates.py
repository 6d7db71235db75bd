"""Session.latest_updates: the change of each variable in the latest step."""

from __future__ import annotations

import numpy as np

from tapestudio.studio import Session, load_example


def test_latest_updates_zero_before_first_step():
    session = Session(load_example("iris"))

    for path, update in session.latest_updates().items():
        assert not np.any(update), path


def test_latest_updates_equal_weight_change():
    session = Session(load_example("iris"))
    session.step()
    before = session.weights()

    session.step()
    after = session.weights()
    updates = session.latest_updates()

    for path in session.variable_names:
        np.testing.assert_array_equal(updates[path], after[path] - before[path])


def test_latest_updates_zero_after_reset():
    session = Session(load_example("iris"))
    session.step()

    session.reset()

    for path, update in session.latest_updates().items():
        assert not np.any(update), path


def test_latest_updates_frozen_variable_zero():
    # weighted-gradients leaves the biases to no tape.
    session = Session(load_example("weighted-gradients"))

    session.step()
    updates = session.latest_updates()

    assert not np.any(updates["dense/bias"])
    assert np.any(updates["dense/kernel"])
