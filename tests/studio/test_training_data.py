"""The train/validation split, mini-batches, scaling and val_objective in history and CSV."""

import csv
import math

import numpy as np
import pytest

import tapestudio as tf

from tapestudio.studio import (
    DataSpec,
    LayerSpec,
    ModelSpec,
    OptimizerSpec,
    Project,
    ProjectError,
    Session,
    TapeSpec,
    write_csv,
)
from tapestudio.studio.history import History, StepRecord
from tapestudio.studio.training_data import BatchSampler, split_indices


def synthetic_project(validation_fraction=0.25, batch_size=None, seed=3, name="moons"):
    """A small two-class project on a synthetic set, one tape on every variable."""
    return Project(
        name="split",
        model=ModelSpec(2, [LayerSpec(4, "tanh"), LayerSpec(1)]),
        data=DataSpec(
            "synthetic",
            name=name,
            samples=40,
            noise=0.1,
            seed=seed,
            validation_fraction=validation_fraction,
            batch_size=batch_size,
        ),
        objective="sigmoid_cross_entropy",
        seed=0,
        tapes=[
            TapeSpec(
                "all",
                ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"],
                OptimizerSpec("SGD", {"learning_rate": 0.1}),
            )
        ],
    )


# -- split ------------------------------------------------------------------------------------


def test_split_parts_disjoint_and_complete():
    split = split_indices(100, 0.3, seed=1)

    assert len(np.intersect1d(split.train, split.validation)) == 0
    assert sorted(np.concatenate([split.train, split.validation]).tolist()) == list(range(100))


def test_split_sizes_follow_fraction():
    split = split_indices(100, 0.3, seed=1)

    assert len(split.validation) == 30
    assert len(split.train) == 70


def test_split_same_seed_same_parts():
    first = split_indices(50, 0.2, seed=7)
    second = split_indices(50, 0.2, seed=7)

    np.testing.assert_array_equal(first.validation, second.validation)


def test_split_other_seed_other_parts():
    first = split_indices(50, 0.2, seed=7)
    second = split_indices(50, 0.2, seed=8)

    assert not np.array_equal(first.validation, second.validation)


def test_split_zero_fraction_keeps_all():
    split = split_indices(10, 0.0, seed=0)

    assert split.train.tolist() == list(range(10))
    assert len(split.validation) == 0


def test_split_small_fraction_holds_out_one():
    split = split_indices(10, 0.01, seed=0)

    assert len(split.validation) == 1


def test_split_without_training_sample_rejected():
    with pytest.raises(ValueError, match="leaves no training sample"):
        split_indices(1, 0.5, seed=0)


# -- batches ----------------------------------------------------------------------------------


def test_batches_cover_epoch_without_repeats():
    sampler = BatchSampler(12, 4, seed=2)

    batches = [sampler.next_indices() for _ in range(3)]

    assert sorted(np.concatenate(batches).tolist()) == list(range(12))


def test_batches_have_fixed_size():
    sampler = BatchSampler(10, 3, seed=2)

    sizes = {len(sampler.next_indices()) for _ in range(20)}

    assert sizes == {3}


def test_batches_same_seed_same_order():
    first = BatchSampler(30, 5, seed=4)
    second = BatchSampler(30, 5, seed=4)

    for _ in range(10):
        np.testing.assert_array_equal(first.next_indices(), second.next_indices())


def test_batches_other_seed_other_order():
    first = BatchSampler(30, 5, seed=4)
    second = BatchSampler(30, 5, seed=5)

    assert not np.array_equal(first.next_indices(), second.next_indices())


def test_batches_reshuffle_each_epoch():
    sampler = BatchSampler(8, 8, seed=1)

    first_epoch = sampler.next_indices().copy()
    second_epoch = sampler.next_indices()

    assert sorted(second_epoch.tolist()) == list(range(8))
    assert not np.array_equal(first_epoch, second_epoch)


def test_full_batch_returns_none():
    assert BatchSampler(8, None, seed=1).next_indices() is None


def test_batch_larger_than_samples_rejected():
    with pytest.raises(ValueError, match="between 1 and 8"):
        BatchSampler(8, 9, seed=1)


# -- the session on split data ----------------------------------------------------------------


def test_session_trains_on_training_part_only():
    session = Session(synthetic_project(validation_fraction=0.25))
    data = session.training_data

    assert data.train_inputs.shape == (30, 2)
    assert data.validation_inputs.shape == (10, 2)
    assert len(np.intersect1d(data.split.train, data.split.validation)) == 0


def test_scaling_uses_training_statistics():
    session = Session(synthetic_project(validation_fraction=0.25))
    data = session.training_data

    np.testing.assert_allclose(data.train_inputs.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(data.train_inputs.std(axis=0), 1.0, atol=1e-5)
    expected = (session.dataset.features[data.split.validation] - data.mean) / data.std
    np.testing.assert_allclose(data.validation_inputs, expected, rtol=1e-5)


def test_val_objective_recorded_each_step():
    session = Session(synthetic_project(validation_fraction=0.25))

    records = [session.step() for _ in range(3)]

    assert all(math.isfinite(record.val_objective) for record in records)
    assert session.history.has_validation
    np.testing.assert_array_equal(
        session.history.val_objective(), [record.val_objective for record in records]
    )


def test_val_objective_uses_weights_before_step():
    session = Session(synthetic_project(validation_fraction=0.25))
    before = session.weights()

    record = session.step()

    # The validation objective with the initial weights, computed here with NumPy.
    data = session.training_data
    hidden = np.tanh(data.validation_inputs @ before["dense/kernel"] + before["dense/bias"])
    logits = (hidden @ before["dense_1/kernel"] + before["dense_1/bias"])[:, 0]
    labels = data.validation_targets[:, 0]
    losses = np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))
    assert record.val_objective == pytest.approx(float(losses.mean()), rel=1e-5)


def test_validation_pass_not_recorded_by_tapes():
    session = Session(synthetic_project(validation_fraction=0.25))
    weights = {path: tf.Variable(value) for path, value in session.weights().items()}
    data = session.training_data

    record = session.step()

    # The gradient of the training objective alone, taken here with a fresh tape: the
    # validation pass of the step adds nothing to it.
    with tf.GradientTape() as tape:
        hidden = tf.tanh(data.train_inputs @ weights["dense/kernel"] + weights["dense/bias"])
        logits = hidden @ weights["dense_1/kernel"] + weights["dense_1/bias"]
        losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=data.train_targets, logits=logits)
        objective = tf.reduce_mean(losses)
    gradient = tape.gradient(objective, weights["dense/kernel"]).numpy()
    expected = float(np.linalg.norm(gradient.astype(np.float64)))
    assert record.metrics[("all", "dense/kernel")]["grad_norm"] == pytest.approx(expected, rel=1e-5)


def test_no_validation_without_split():
    session = Session(synthetic_project(validation_fraction=0.0))

    record = session.step()

    assert record.val_objective is None
    assert not session.history.has_validation
    assert math.isnan(session.history.val_objective()[0])


def test_history_record_returns_val_objective():
    session = Session(synthetic_project(validation_fraction=0.25))
    record = session.step()

    assert session.history.record(-1).val_objective == record.val_objective


def test_mini_batch_steps_differ_from_full_batch():
    full = Session(synthetic_project(batch_size=None)).step()
    mini = Session(synthetic_project(batch_size=5)).step()

    assert full.objective != mini.objective


def test_reset_replays_same_batches():
    session = Session(synthetic_project(batch_size=5))
    first_run = [session.step().objective for _ in range(4)]

    session.reset()
    second_run = [session.step().objective for _ in range(4)]

    assert first_run == second_run


def test_data_seed_changes_split_not_weights():
    first = Session(synthetic_project(seed=3))
    second = Session(synthetic_project(seed=4))

    assert not np.array_equal(first.training_data.split.train, second.training_data.split.train)
    np.testing.assert_array_equal(first.weights()["dense/kernel"], second.weights()["dense/kernel"])


def test_batch_larger_than_training_part_rejected():
    with pytest.raises(ProjectError) as raised:
        Session(synthetic_project(validation_fraction=0.5, batch_size=25))

    assert raised.value.field == "data.batch_size"
    assert "larger than the 20 training samples" in raised.value.problem


# -- val_objective in CSV files ---------------------------------------------------------------


def test_csv_long_table_has_val_objective(tmp_path):
    project = synthetic_project(validation_fraction=0.25)
    session = Session(project)
    records = [session.step() for _ in range(2)]

    long_path, _, _ = write_csv(session, project, tmp_path)

    with long_path.open(newline="") as stream:
        rows = [row for row in csv.DictReader(stream) if row["metric"] == "val_objective"]
    assert [int(row["step"]) for row in rows] == [1, 2]
    assert [row["tape"] for row in rows] == ["", ""]
    assert [float(row["value"]) for row in rows] == [record.val_objective for record in records]


def test_csv_wide_table_has_val_objective(tmp_path):
    project = synthetic_project(validation_fraction=0.25)
    session = Session(project)
    record = session.step()

    _, wide_path, _ = write_csv(session, project, tmp_path)

    with wide_path.open(newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader)
        row = next(reader)
    assert header[:4] == ["step", "wall_time", "objective", "val_objective"]
    assert float(row[3]) == record.val_objective


def test_csv_without_split_has_no_val_objective(tmp_path):
    project = synthetic_project(validation_fraction=0.0)
    session = Session(project)
    session.step()

    long_path, wide_path, _ = write_csv(session, project, tmp_path)

    assert "val_objective" not in long_path.read_text()
    assert "val_objective" not in wide_path.read_text()


def test_history_snapshot_keeps_validation():
    history = History([("t", "v")], validation=True)
    metrics = {("t", "v"): dict.fromkeys(
        ("grad_norm", "update_norm", "weight_norm", "update_ratio", "nan_count", "inf_count"), 0.0
    )}
    history.append(StepRecord(1, 0.0, 2.0, metrics, 3.0))

    snapshot = history.snapshot()

    assert snapshot.has_validation
    assert snapshot.val_objective().tolist() == [3.0]
