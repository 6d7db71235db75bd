"""History.rows for incremental plot reads, and snapshots of a step range."""

from __future__ import annotations

import numpy as np
import pytest

from tapestudio.studio import METRICS, History, StepRecord

KEYS = [("hidden", "dense/kernel"), ("hidden", "dense/bias"), ("output", "dense_1/kernel")]


def make_history(steps: int) -> History:
    history = History(KEYS)
    for step in range(1, steps + 1):
        metrics = {
            key: {metric: step + key_index / 10 for metric in METRICS}
            for key_index, key in enumerate(KEYS)
        }
        history.append(StepRecord(step, 1000.0 + step, step / 2, metrics))
    return history


def test_rows_from_start_returns_new_rows():
    history = make_history(10)

    rows = history.rows(7)

    assert rows.start == 7
    assert rows.steps.tolist() == [8, 9, 10]
    assert rows.objective.tolist() == [4.0, 4.5, 5.0]


def test_rows_past_end_is_empty():
    rows = make_history(3).rows(5)

    assert len(rows) == 0
    assert rows.values.shape == (0, len(KEYS), len(METRICS))


def test_rows_carry_generation():
    history = make_history(3)
    history.clear()

    assert history.rows().generation == history.generation


def test_rows_reject_negative_start():
    with pytest.raises(ValueError, match="0 or more"):
        make_history(2).rows(-1)


def test_rows_series_matches_history():
    history = make_history(6)

    rows = history.rows(0)

    assert rows.series("output", "dense_1/kernel", "grad_norm").tolist() == (
        history.series("output", "dense_1/kernel", "grad_norm").tolist()
    )


def test_rows_tape_total_sums_variables():
    rows = make_history(2).rows(0)

    total = rows.tape_total("hidden", "nan_count")

    np.testing.assert_allclose(total, [1 + 1.1, 2 + 2.1])


def test_rows_tapes_in_order():
    assert make_history(1).rows(0).tapes() == ["hidden", "output"]


def test_snapshot_step_range():
    history = make_history(20)
    history.add_event(3, "before")
    history.add_event(8, "inside")

    snapshot = history.snapshot(5, 9)

    assert snapshot.steps().tolist() == [5, 6, 7, 8, 9]
    assert snapshot.objective().tolist() == [2.5, 3.0, 3.5, 4.0, 4.5]
    assert [event.text for event in snapshot.events()] == ["inside"]


def test_snapshot_open_ended_range():
    snapshot = make_history(10).snapshot(first_step=8)

    assert snapshot.steps().tolist() == [8, 9, 10]


def test_snapshot_rejects_reversed_range():
    with pytest.raises(ValueError, match="above last step"):
        make_history(5).snapshot(4, 2)


def test_rows_without_values():
    rows = make_history(4).rows(1, with_values=False)

    assert rows.steps.tolist() == [2, 3, 4]
    assert rows.values.shape == (0, len(KEYS), len(METRICS))
