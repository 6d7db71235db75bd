"""The Session and the training runner: tapes, updates, metrics, reset and hyperparameters."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from tapestudio.studio import (
    METRICS,
    DataSpec,
    LayerSpec,
    ModelSpec,
    OptimizerSpec,
    Project,
    ProjectError,
    Session,
    TapeSpec,
    load_example,
    run,
)
from tapestudio.studio.datasets import normal_dataset
from tapestudio.studio.session import nesting_order


def sgd(learning_rate: float) -> OptimizerSpec:
    return OptimizerSpec("SGD", {"learning_rate": learning_rate})


def linear_project(tapes: list[TapeSpec], seed: int = 3) -> Project:
    """One linear Dense layer on 2 normal samples, objective sum: its gradient is fixed."""
    return Project(
        name="linear",
        model=ModelSpec(4, [LayerSpec(3)]),
        data=DataSpec("normal", samples=2),
        objective="sum",
        seed=seed,
        tapes=tapes,
    )


def test_record_has_every_pair_and_metric():
    project = load_example("iris")
    record = Session(project).step()

    expected = [(tape.name, path) for tape in project.tapes for path in tape.variables]
    assert list(record.metrics) == expected
    for metrics in record.metrics.values():
        assert list(metrics) == list(METRICS)


def test_step_numbers_and_history():
    session = Session(load_example("weighted-gradients"))

    records = [session.step() for _ in range(4)]

    assert [record.step for record in records] == [1, 2, 3, 4]
    assert session.step_count == 4
    assert len(session.history) == 4
    assert session.history.record(-1) == records[-1]


def test_unwatched_variables_stay_frozen():
    session = Session(load_example("weighted-gradients"))
    before = session.weights()

    for _ in range(5):
        session.step()
    after = session.weights()

    np.testing.assert_array_equal(after["dense/bias"], before["dense/bias"])
    np.testing.assert_array_equal(after["dense_1/bias"], before["dense_1/bias"])
    assert not np.array_equal(after["dense/kernel"], before["dense/kernel"])
    assert not np.array_equal(after["dense_1/kernel"], before["dense_1/kernel"])


def test_variable_watched_by_two_tapes_gets_both_updates():
    project = linear_project(
        [
            TapeSpec("fast", ["dense/kernel"], sgd(0.1)),
            TapeSpec("slow", ["dense/kernel"], sgd(0.01)),
        ]
    )
    session = Session(project)
    kernel = session.weights()["dense/kernel"]

    record = session.step()

    # d sum(x W + b) / dW = x^T 1: every column is the column sum of the inputs.
    inputs = normal_dataset(2, 4, seed=3).features.astype(np.float64)
    gradient = np.repeat(inputs.sum(axis=0)[:, None], 3, axis=1)
    np.testing.assert_allclose(
        session.weights()["dense/kernel"], kernel - 0.11 * gradient, rtol=1e-5
    )
    assert record.metrics[("fast", "dense/kernel")]["update_norm"] == pytest.approx(
        0.1 * np.linalg.norm(gradient), rel=1e-5
    )
    assert record.metrics[("slow", "dense/kernel")]["update_norm"] == pytest.approx(
        0.01 * np.linalg.norm(gradient), rel=1e-5
    )


def test_update_norm_is_learning_rate_times_grad_norm():
    project = load_example("iris")
    rates = {tape.name: tape.optimizer.hyperparameters["learning_rate"] for tape in project.tapes}
    session = Session(project)

    for _ in range(3):
        record = session.step()
        for (tape, variable), metrics in record.metrics.items():
            expected = rates[tape] * metrics["grad_norm"]
            assert metrics["update_norm"] == pytest.approx(expected, rel=1e-4), (tape, variable)


def test_weight_norm_and_update_ratio():
    session = Session(load_example("weighted-gradients"))

    record = session.step()
    weights = session.weights()

    metrics = record.metrics[("layer1", "dense/kernel")]
    assert metrics["weight_norm"] == pytest.approx(
        np.linalg.norm(weights["dense/kernel"]), rel=1e-6
    )
    assert metrics["update_ratio"] == pytest.approx(metrics["update_norm"] / metrics["weight_norm"])
    assert metrics["nan_count"] == 0
    assert metrics["inf_count"] == 0


def test_weighted_gradients_step_matches_numpy():
    session = Session(load_example("weighted-gradients"))
    weights = {name: value.astype(np.float64) for name, value in session.weights().items()}
    inputs = normal_dataset(1, 10, seed=0).features.astype(np.float64)

    record = session.step()

    # Forward pass and its gradient by hand, for the seeded initial weights.
    pre_activation = inputs @ weights["dense/kernel"] + weights["dense/bias"]
    hidden = np.maximum(pre_activation, 0.0)
    outputs = hidden @ weights["dense_1/kernel"] + weights["dense_1/bias"]
    ones = np.ones_like(outputs)
    grad_kernel_2 = hidden.T @ ones
    grad_kernel_1 = inputs.T @ ((ones @ weights["dense_1/kernel"].T) * (pre_activation > 0))

    after = session.weights()
    assert record.objective == pytest.approx(outputs.sum(), rel=1e-5)
    np.testing.assert_allclose(
        after["dense/kernel"], weights["dense/kernel"] - 0.01 * grad_kernel_1, rtol=1e-5, atol=1e-7
    )
    np.testing.assert_allclose(
        after["dense_1/kernel"],
        weights["dense_1/kernel"] - 0.001 * grad_kernel_2,
        rtol=1e-5,
        atol=1e-7,
    )
    assert record.metrics[("layer1", "dense/kernel")]["grad_norm"] == pytest.approx(
        np.linalg.norm(grad_kernel_1), rel=1e-5
    )
    assert record.metrics[("layer2", "dense_1/kernel")]["grad_norm"] == pytest.approx(
        np.linalg.norm(grad_kernel_2), rel=1e-5
    )


def test_reset_restores_initial_weights():
    session = Session(load_example("weighted-gradients"))
    initial = session.weights()
    for _ in range(3):
        session.step()

    session.reset()

    for name, value in session.weights().items():
        np.testing.assert_array_equal(value, initial[name], err_msg=name)
    assert session.step_count == 0
    assert len(session.history) == 0


def test_reset_repeats_the_same_run():
    session = Session(load_example("iris"))
    first = [session.step().objective for _ in range(5)]

    session.reset()
    second = [session.step().objective for _ in range(5)]

    assert second == first


def test_new_session_same_initial_weights():
    first = Session(load_example("weighted-gradients")).weights()
    second = Session(load_example("weighted-gradients")).weights()

    for name in first:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)


def test_other_seed_other_initial_weights():
    project = load_example("weighted-gradients")
    first = Session(project).weights()
    project.seed = 1
    second = Session(project).weights()

    assert not np.array_equal(first["dense/kernel"], second["dense/kernel"])


def test_iris_loss_goes_down():
    objectives = [record.objective for record in run(load_example("iris"), 300)]

    assert objectives[-1] < 0.5 * objectives[0]
    assert objectives[-1] < 0.3


def test_set_hyperparameter_applies_before_next_step():
    session = Session(load_example("weighted-gradients"))
    session.step()

    session.set_hyperparameter("layer1", "learning_rate", 0.5)
    record = session.step()

    metrics = record.metrics[("layer1", "dense/kernel")]
    assert metrics["update_norm"] == pytest.approx(0.5 * metrics["grad_norm"], rel=1e-5)
    assert session.project.tape("layer1").optimizer.hyperparameters["learning_rate"] == 0.5


def test_set_hyperparameter_from_other_thread():
    session = Session(load_example("weighted-gradients"))
    thread = threading.Thread(
        target=session.set_hyperparameter, args=("layer2", "learning_rate", 0.25)
    )
    thread.start()
    thread.join()

    record = session.step()

    metrics = record.metrics[("layer2", "dense_1/kernel")]
    assert metrics["update_norm"] == pytest.approx(0.25 * metrics["grad_norm"], rel=1e-5)


def test_set_hyperparameter_survives_reset():
    session = Session(load_example("weighted-gradients"))
    session.set_hyperparameter("layer1", "learning_rate", 0.5)

    session.reset()
    record = session.step()

    metrics = record.metrics[("layer1", "dense/kernel")]
    assert metrics["update_norm"] == pytest.approx(0.5 * metrics["grad_norm"], rel=1e-5)


@pytest.mark.parametrize(
    ("tape", "name", "value", "error"),
    [
        ("layer3", "learning_rate", 0.1, KeyError),
        ("layer1", "beta_1", 0.9, KeyError),
        ("layer1", "learning_rate", float("nan"), ValueError),
        ("layer1", "learning_rate", "fast", ValueError),
        ("layer1", "momentum", 1.5, ValueError),
        ("layer1", "nesterov", 1.0, ValueError),
    ],
)
def test_set_hyperparameter_rejects(tape, name, value, error):
    session = Session(load_example("weighted-gradients"))

    with pytest.raises(error):
        session.set_hyperparameter(tape, name, value)
    assert session.project.tape("layer1").optimizer.hyperparameters == {"learning_rate": 0.01}


def test_session_project_is_a_copy():
    project = load_example("weighted-gradients")
    session = Session(project)

    project.tapes[0].optimizer.hyperparameters["learning_rate"] = 3.0

    assert session.project.tape("layer1").optimizer.hyperparameters["learning_rate"] == 0.01


def test_rebuild_replaces_tapes_and_history():
    session = Session(load_example("weighted-gradients"))
    session.step()
    project = session.project
    project.tapes.append(TapeSpec("biases", ["dense/bias", "dense_1/bias"], sgd(0.1)))

    session.rebuild(project)
    record = session.step()

    assert ("biases", "dense_1/bias") in record.metrics
    assert ("biases", "dense_1/bias") in session.history.keys()
    assert session.step_count == 1


def test_rebuild_invalid_project_keeps_state():
    session = Session(load_example("weighted-gradients"))
    session.step()
    project = load_example("weighted-gradients")
    project.tapes[0].variables = ["dense_5/kernel"]

    with pytest.raises(ProjectError):
        session.rebuild(project)

    assert session.step_count == 1
    assert len(session.history) == 1
    assert session.project.tapes[0].variables == ["dense/kernel"]


def test_session_rejects_unknown_activation():
    project = load_example("weighted-gradients")
    project.model.layers[0].activation = "swishy"

    with pytest.raises(ProjectError) as raised:
        Session(project)

    assert raised.value.field == "model.layers[0].activation"


def test_session_rejects_wrong_input_size():
    project = load_example("iris")
    project.model.input_size = 5

    with pytest.raises(ProjectError) as raised:
        Session(project)

    assert raised.value.field == "model.input_size"


def test_session_rejects_wrong_class_count():
    project = load_example("iris")
    project.model.layers[-1].units = 4

    with pytest.raises(ProjectError) as raised:
        Session(project)

    assert raised.value.field == "model.layers[1].units"


def _csv_project(tmp_path, objective: str, label_values: list[str], units: int) -> Project:
    lines = ["a,b,y"] + [
        f"{index},{index * index % 5},{label}" for index, label in enumerate(label_values)
    ]
    (tmp_path / "table.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = Project(
        name="table",
        model=ModelSpec(2, [LayerSpec(4, "tanh"), LayerSpec(units)]),
        data=DataSpec("csv", path="table.csv", features=["a", "b"], label="y"),
        objective=objective,
        seed=0,
        tapes=[
            TapeSpec(
                "all", ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"], sgd(0.05)
            )
        ],
    )
    project.source = tmp_path / "project.json"
    return project


@pytest.mark.parametrize(
    ("objective", "labels", "units"),
    [
        ("mse", ["0.5", "1.5", "-2", "3", "0"], 1),
        ("mse", ["cat", "dog", "cat", "dog", "cat"], 2),
        ("softmax_cross_entropy", ["cat", "dog", "owl", "dog", "cat"], 3),
        ("softmax_cross_entropy", ["0", "2", "1", "0", "2"], 3),
        ("sigmoid_cross_entropy", ["0", "1", "1", "0", "1"], 1),
        ("sigmoid_cross_entropy", ["no", "yes", "yes", "no", "no"], 1),
    ],
)
def test_csv_objectives_train(tmp_path, objective, labels, units):
    records = list(run(_csv_project(tmp_path, objective, labels, units), 30))

    assert np.isfinite(records[-1].objective)
    assert records[-1].objective < records[0].objective


@pytest.mark.parametrize(
    ("objective", "labels", "units", "field"),
    [
        ("mse", ["0.5", "1.5", "-2"], 2, "model.layers[1].units"),
        ("softmax_cross_entropy", ["0", "5", "1"], 3, "data.label"),
        ("softmax_cross_entropy", ["0.5", "1", "1"], 3, "data.label"),
        ("sigmoid_cross_entropy", ["0", "1", "1"], 2, "model.layers[1].units"),
        ("sigmoid_cross_entropy", ["0", "2", "1"], 1, "data.label"),
        ("sigmoid_cross_entropy", ["a", "b", "c"], 1, "data.label"),
    ],
)
def test_csv_labels_that_do_not_fit(tmp_path, objective, labels, units, field):
    with pytest.raises(ProjectError) as raised:
        Session(_csv_project(tmp_path, objective, labels, units))

    assert raised.value.field == field


def test_run_builds_session_from_project():
    records = list(run(load_example("weighted-gradients"), 3))

    assert [record.step for record in records] == [1, 2, 3]


def test_run_continues_session():
    session = Session(load_example("weighted-gradients"))
    session.step()

    records = list(run(session, 2))

    assert [record.step for record in records] == [2, 3]


def test_run_rejects_negative_steps():
    with pytest.raises(ValueError):
        run(load_example("weighted-gradients"), -1)


def test_run_invalid_project_raises_before_first_step():
    project = load_example("weighted-gradients")
    project.objective = "mse"

    with pytest.raises(ProjectError):
        run(project, 3)


def test_nesting_order_puts_parents_first():
    tapes = [
        TapeSpec("inner", [], sgd(0.1), parent="middle"),
        TapeSpec("middle", [], sgd(0.1), parent="outer"),
        TapeSpec("outer", [], sgd(0.1)),
        TapeSpec("alone", [], sgd(0.1)),
    ]

    names = [tape.name for tape in nesting_order(tapes)]

    assert sorted(names) == sorted(tape.name for tape in tapes)
    assert names.index("outer") < names.index("middle") < names.index("inner")


def test_nested_tapes_train_like_flat_ones():
    flat = load_example("iris")
    nested = load_example("iris")
    nested.tapes[1].parent = nested.tapes[0].name

    flat_objectives = [record.objective for record in run(flat, 5)]
    nested_objectives = [record.objective for record in run(nested, 5)]

    assert nested_objectives == flat_objectives


def test_persistent_tape_trains():
    project = load_example("weighted-gradients")
    project.tapes[0].persistent = True

    record = Session(project).step()

    assert record.metrics[("layer1", "dense/kernel")]["grad_norm"] > 0
