"""Nested tapes in a session: gradient penalties, checked against NumPy and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import tapestudio as tf
from tapestudio.studio import DataSpec, LayerSpec, ModelSpec, OptimizerSpec, Project, Session, TapeSpec
from tapestudio.studio.datasets import normal_dataset
from tapestudio.engine.context import tape_stack
from tapestudio.studio.nesting import NestedTapes, ancestors, nesting_order

SAMPLES = 5
INPUT_SIZE = 3
SEED = 7


def sgd(learning_rate: float = 0.1) -> OptimizerSpec:
    return OptimizerSpec("SGD", {"learning_rate": learning_rate})


def tanh_project(tapes: list[TapeSpec]) -> Project:
    """Dense(4, tanh) then Dense(2) on 5 normal samples, objective sum: second derivatives exist."""
    return Project(
        name="tanh",
        model=ModelSpec(INPUT_SIZE, [LayerSpec(4, "tanh"), LayerSpec(2)]),
        data=DataSpec("normal", samples=SAMPLES),
        objective="sum",
        seed=SEED,
        tapes=tapes,
    )


def inputs64() -> np.ndarray:
    return normal_dataset(SAMPLES, INPUT_SIZE, seed=SEED).features.astype(np.float64)


def objective64(weights: dict[str, np.ndarray]) -> float:
    """The sum of the predictions, in float64."""
    hidden = np.tanh(inputs64() @ weights["dense/kernel"] + weights["dense/bias"])
    return float(np.sum(hidden @ weights["dense_1/kernel"] + weights["dense_1/bias"]))


def first_kernel_gradient64(weights: dict[str, np.ndarray]) -> np.ndarray:
    """d objective / d dense/kernel by hand: x^T ((1 - h^2) * row sums of the second kernel)."""
    hidden = np.tanh(inputs64() @ weights["dense/kernel"] + weights["dense/bias"])
    upstream = (1.0 - hidden**2) * weights["dense_1/kernel"].sum(axis=1)
    return inputs64().T @ upstream


def penalized_objective64(weights: dict[str, np.ndarray], penalty_weight: float) -> float:
    """objective + penalty_weight * ||d objective / d dense/kernel||^2, in float64."""
    penalty = np.sum(first_kernel_gradient64(weights) ** 2)
    return objective64(weights) + penalty_weight * penalty


def finite_difference(function, weights: dict[str, np.ndarray], path: str) -> np.ndarray:
    """Central differences of ``function(weights)`` with respect to ``weights[path]``."""
    step = 1e-6
    gradient = np.zeros_like(weights[path])
    for index in np.ndindex(gradient.shape):
        shifted = {key: value.copy() for key, value in weights.items()}
        shifted[path][index] += step
        above = function(shifted)
        shifted[path][index] -= 2 * step
        below = function(shifted)
        gradient[index] = (above - below) / (2 * step)
    return gradient


def as64(weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {path: value.astype(np.float64) for path, value in weights.items()}


OUTER_VARIABLES = ["dense/kernel", "dense/bias", "dense_1/kernel"]


def penalty_session(penalty_weight: float) -> Session:
    """An outer tape on three variables with an inner tape on dense/kernel nested in it."""
    return Session(
        tanh_project(
            [
                TapeSpec("outer", OUTER_VARIABLES, sgd()),
                TapeSpec("inner", ["dense/kernel"], sgd(), parent="outer", penalty_weight=penalty_weight),
            ]
        )
    )


def test_inner_gradient_matches_hand_formula():
    session = penalty_session(0.3)
    weights = as64(session.weights())

    session.step()

    inner = session.latest_tapes()["inner"]
    np.testing.assert_allclose(inner.gradients[0].numpy(), first_kernel_gradient64(weights), rtol=1e-5)


@pytest.mark.parametrize("path", OUTER_VARIABLES)
def test_outer_gradient_matches_finite_differences(path):
    session = penalty_session(0.3)
    weights = as64(session.weights())

    session.step()

    outer = session.latest_tapes()["outer"]
    computed = outer.gradients[OUTER_VARIABLES.index(path)].numpy()
    expected = finite_difference(lambda w: penalized_objective64(w, 0.3), weights, path)
    np.testing.assert_allclose(computed, expected, rtol=2e-4, atol=1e-4)


def test_outer_gradient_has_second_order_term():
    session = penalty_session(0.3)
    weights = as64(session.weights())

    session.step()

    outer = session.latest_tapes()["outer"].gradients[0].numpy()
    plain = finite_difference(objective64, weights, "dense/kernel")
    assert not np.allclose(outer, plain, rtol=1e-2)


def test_outer_update_applies_penalized_gradient():
    session = penalty_session(0.3)
    before = session.weights()

    session.step()

    outer = session.latest_tapes()["outer"].gradients[2].numpy()
    np.testing.assert_allclose(
        session.weights()["dense_1/kernel"], before["dense_1/kernel"] - 0.1 * outer, rtol=1e-5
    )


def test_outer_target_is_objective_plus_penalty():
    session = penalty_session(0.3)
    weights = as64(session.weights())

    record = session.step()

    outer = session.latest_tapes()["outer"]
    assert float(outer.target.numpy()) == pytest.approx(penalized_objective64(weights, 0.3), rel=1e-5)
    assert record.objective == pytest.approx(objective64(weights), rel=1e-5)


def test_zero_penalty_weight_gives_plain_gradient():
    session = penalty_session(0.0)
    weights = as64(session.weights())

    session.step()

    steps = session.latest_tapes()
    assert steps["inner"].penalty is None
    expected = finite_difference(objective64, weights, "dense/kernel")
    np.testing.assert_allclose(steps["outer"].gradients[0].numpy(), expected, rtol=1e-4, atol=1e-5)


def explicit_nested_gradients(weights, weight_inner, weight_side, weight_middle):
    """The gradients of a tape tree written out as nested GradientTape blocks, TensorFlow style.

    outer watches dense/kernel and dense_1/kernel; middle (dense/kernel) and side
    (dense_1/kernel) are nested in outer; inner (dense/bias) is nested in middle.
    """
    variables = {path: tf.Variable(value.astype(np.float32)) for path, value in weights.items()}
    inputs = tf.constant(inputs64().astype(np.float32))

    with tf.GradientTape(watch_accessed_variables=False) as outer:
        outer.watch([variables["dense/kernel"], variables["dense_1/kernel"]])
        with tf.GradientTape(watch_accessed_variables=False) as side:
            side.watch(variables["dense_1/kernel"])
            with tf.GradientTape(watch_accessed_variables=False) as middle:
                middle.watch(variables["dense/kernel"])
                with tf.GradientTape(watch_accessed_variables=False) as inner:
                    inner.watch(variables["dense/bias"])
                    hidden = tf.tanh(tf.matmul(inputs, variables["dense/kernel"]) + variables["dense/bias"])
                    objective = tf.reduce_sum(
                        tf.matmul(hidden, variables["dense_1/kernel"]) + variables["dense_1/bias"]
                    )
                inner_gradient = inner.gradient(objective, variables["dense/bias"])
                middle_target = objective + weight_inner * tf.reduce_sum(tf.square(inner_gradient))
            middle_gradient = middle.gradient(middle_target, variables["dense/kernel"])
        side_gradient = side.gradient(objective, variables["dense_1/kernel"])
        outer_target = (
            objective
            + weight_middle * tf.reduce_sum(tf.square(middle_gradient))
            + weight_side * tf.reduce_sum(tf.square(side_gradient))
        )
    outer_gradients = outer.gradient(outer_target, [variables["dense/kernel"], variables["dense_1/kernel"]])

    return {
        "inner": [inner_gradient.numpy()],
        "middle": [middle_gradient.numpy()],
        "side": [side_gradient.numpy()],
        "outer": [gradient.numpy() for gradient in outer_gradients],
    }


def test_three_levels_match_explicit_tapes():
    tapes = [
        TapeSpec("outer", ["dense/kernel", "dense_1/kernel"], sgd()),
        TapeSpec("middle", ["dense/kernel"], sgd(), parent="outer", penalty_weight=0.2),
        TapeSpec("inner", ["dense/bias"], sgd(), parent="middle", penalty_weight=0.5),
        TapeSpec("side", ["dense_1/kernel"], sgd(), parent="outer", penalty_weight=0.1),
    ]
    session = Session(tanh_project(tapes))
    expected = explicit_nested_gradients(session.weights(), 0.5, 0.1, 0.2)

    session.step()

    steps = session.latest_tapes()
    for name, gradients in expected.items():
        for computed, wanted in zip(steps[name].gradients, gradients, strict=True):
            np.testing.assert_allclose(computed.numpy(), wanted, rtol=1e-5, atol=1e-6, err_msg=name)


def test_nested_step_leaves_no_tape_recording():
    session = penalty_session(0.3)

    session.step()

    assert not tape_stack.active


def test_error_inside_nested_tapes_closes_them():
    project = tanh_project([TapeSpec("outer", ["dense/kernel"], sgd()), TapeSpec("inner", [], sgd(), parent="outer")])
    variables = {"dense/kernel": tf.Variable(np.ones((3, 4), np.float32))}

    with pytest.raises(ZeroDivisionError):
        with NestedTapes(nesting_order(project.tapes), variables, {}):
            1 / 0

    assert not tape_stack.active


def test_persistent_tape_gives_gradient_twice():
    session = Session(tanh_project([TapeSpec("all", ["dense/kernel", "dense_1/kernel"], sgd(), persistent=True)]))
    session.step()
    step = session.latest_tapes()["all"]

    first = step.tape.gradient(step.target, step.sources)
    second = step.tape.gradient(step.target, step.sources)

    for applied, again, once_more in zip(step.gradients, first, second, strict=True):
        np.testing.assert_array_equal(again.numpy(), applied.numpy())
        np.testing.assert_array_equal(once_more.numpy(), applied.numpy())


def test_non_persistent_tape_is_used_up():
    session = Session(tanh_project([TapeSpec("all", ["dense/kernel"], sgd())]))
    session.step()
    step = session.latest_tapes()["all"]

    with pytest.raises(RuntimeError, match="non-persistent"):
        step.tape.gradient(step.target, step.sources)


def test_persistent_nested_tapes_match_non_persistent():
    plain = penalty_session(0.3)
    project = tanh_project(
        [
            TapeSpec("outer", OUTER_VARIABLES, sgd(), persistent=True),
            TapeSpec("inner", ["dense/kernel"], sgd(), persistent=True, parent="outer", penalty_weight=0.3),
        ]
    )
    persistent = Session(project)

    plain.step()
    persistent.step()

    for name in ("outer", "inner"):
        for left, right in zip(
            plain.latest_tapes()[name].gradients, persistent.latest_tapes()[name].gradients, strict=True
        ):
            np.testing.assert_allclose(left.numpy(), right.numpy(), rtol=1e-6)


def test_latest_tapes_empty_after_reset():
    session = penalty_session(0.3)
    session.step()

    session.reset()

    assert session.latest_tapes() == {}


def test_nesting_order_puts_parents_first():
    tapes = [
        TapeSpec("c", [], sgd(), parent="b"),
        TapeSpec("b", [], sgd(), parent="a"),
        TapeSpec("a", [], sgd()),
    ]

    assert [tape.name for tape in nesting_order(tapes)] == ["a", "b", "c"]


def test_ancestors_innermost_first():
    tapes = [
        TapeSpec("a", [], sgd()),
        TapeSpec("b", [], sgd(), parent="a"),
        TapeSpec("c", [], sgd(), parent="b"),
    ]

    assert ancestors(tapes, "c") == ["b", "a"]
