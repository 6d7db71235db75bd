"""The History store: growth, series alignment and appends from other threads."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from tapestudio.studio import METRICS, History, StepRecord

KEYS = [("layer1", "dense/kernel"), ("layer2", "dense_1/kernel")]


def make_record(step: int, keys=KEYS) -> StepRecord:
    # Every value is derived from the step, so a reader can check that a row is whole.
    metrics = {
        key: {
            metric: step * 10.0 + key_index + metric_index / 10
            for metric_index, metric in enumerate(METRICS)
        }
        for key_index, key in enumerate(keys)
    }
    return StepRecord(step, 1000.0 + step, step / 2, metrics)


def test_history_starts_empty():
    history = History(KEYS)

    assert len(history) == 0
    assert history.steps().shape == (0,)
    assert history.series("layer1", "dense/kernel", "grad_norm").shape == (0,)


def test_history_keys_keep_order():
    assert History(KEYS).keys() == KEYS


def test_history_grows_past_capacity():
    history = History(KEYS)
    initial = history.capacity

    for step in range(1, 3 * initial + 2):
        history.append(make_record(step))

    assert len(history) == 3 * initial + 1
    assert history.capacity == 4 * initial
    np.testing.assert_array_equal(history.steps(), np.arange(1, 3 * initial + 2))


def test_history_series_aligned_with_steps():
    history = History(KEYS)
    for step in range(1, 101):
        history.append(make_record(step))

    steps = history.steps()
    weight_norm = history.series("layer2", "dense_1/kernel", "weight_norm")

    assert weight_norm.shape == steps.shape
    np.testing.assert_allclose(weight_norm, steps * 10.0 + 1 + 0.2)
    np.testing.assert_allclose(history.objective(), steps / 2)
    np.testing.assert_allclose(history.wall_times(), 1000.0 + steps)


def test_history_series_is_copy():
    history = History(KEYS)
    history.append(make_record(1))

    history.series("layer1", "dense/kernel", "grad_norm")[0] = -1.0

    assert history.series("layer1", "dense/kernel", "grad_norm")[0] == 10.0


def test_history_record_round_trip():
    history = History(KEYS)
    record = make_record(3)
    history.append(record)

    assert history.record(0) == record
    assert history.record(-1) == record


def test_history_record_out_of_range():
    with pytest.raises(IndexError):
        History(KEYS).record(0)


def test_history_rejects_missing_pair():
    history = History(KEYS)

    with pytest.raises(ValueError):
        history.append(make_record(1, keys=KEYS[:1]))
    assert len(history) == 0


def test_history_rejects_extra_pair():
    history = History(KEYS[:1])

    with pytest.raises(ValueError):
        history.append(make_record(1))
    assert len(history) == 0


def test_history_rejects_missing_metric():
    record = make_record(1)
    del record.metrics[KEYS[0]]["inf_count"]

    with pytest.raises(ValueError):
        History(KEYS).append(record)


def test_history_series_unknown_names():
    history = History(KEYS)

    with pytest.raises(KeyError):
        history.series("layer3", "dense/kernel", "grad_norm")
    with pytest.raises(KeyError):
        history.series("layer1", "dense/kernel", "gradient")


def test_history_clear_empties_and_counts():
    history = History(KEYS)
    history.append(make_record(1))

    history.clear([("other", "dense/bias")])

    assert len(history) == 0
    assert history.keys() == [("other", "dense/bias")]
    assert history.generation == 1


def test_history_snapshot_independent():
    history = History(KEYS)
    history.append(make_record(1))

    snapshot = history.snapshot()
    history.append(make_record(2))

    assert len(snapshot) == 1
    assert len(history) == 2


def test_history_appends_from_second_thread():
    history = History(KEYS)
    total = 5000
    torn_reads = []

    def append_all():
        for step in range(1, total + 1):
            history.append(make_record(step))

    writer = threading.Thread(target=append_all)
    writer.start()
    while writer.is_alive():
        snapshot = history.snapshot()
        steps = snapshot.steps()
        series = snapshot.series("layer2", "dense_1/kernel", "nan_count")
        if len(series) != len(steps) or not np.allclose(series, steps * 10.0 + 1 + 0.4):
            torn_reads.append(len(steps))
    writer.join()

    assert torn_reads == []
    assert len(history) == total
    np.testing.assert_array_equal(history.steps(), np.arange(1, total + 1))


def test_history_appends_from_two_threads():
    history = History(KEYS)

    def append_range(start):
        for step in range(start, start + 2000):
            history.append(make_record(step))

    threads = [threading.Thread(target=append_range, args=(start,)) for start in (1, 2001)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(history) == 4000
    np.testing.assert_array_equal(np.sort(history.steps()), np.arange(1, 4001))
    steps = history.steps()
    np.testing.assert_allclose(history.series("layer1", "dense/kernel", "grad_norm"), steps * 10.0)
