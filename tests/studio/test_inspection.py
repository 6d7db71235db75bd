"""The inspection of a step: each tape's ops, shapes, values, cotangents and non-finite values."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tapestudio as tf
from tapestudio.studio import (
    DataSpec,
    LayerSpec,
    ModelSpec,
    OptimizerSpec,
    Project,
    Session,
    TapeSpec,
    load_example,
)
from tapestudio.studio.datasets import normal_dataset
from tapestudio.studio.inspection import (
    StepCapture,
    find_nonfinite,
    session_inspection,
    summarize_value,
)

WEIGHTED_OPS = ["ReadVariableOp", "MatMul", "AddV2", "Relu", "ReadVariableOp", "MatMul", "AddV2", "Sum"]


@pytest.fixture
def weighted_step():
    """One inspected step of weighted-gradients, the weights before it and the NumPy gradients.

    Tape layer1 watches dense/kernel and tape layer2 dense_1/kernel. The objective is the sum
    of the predictions on one normal sample.
    """
    session = Session(load_example("weighted-gradients"))
    session.inspect = True
    weights = {name: value.astype(np.float64) for name, value in session.weights().items()}
    inputs = normal_dataset(1, 10, seed=0).features.astype(np.float64)
    session.step()

    pre_activation = inputs @ weights["dense/kernel"] + weights["dense/bias"]
    hidden = np.maximum(pre_activation, 0.0)
    outputs = hidden @ weights["dense_1/kernel"] + weights["dense_1/bias"]
    ones = np.ones_like(outputs)
    hidden_cotangent = ones @ weights["dense_1/kernel"].T
    numpy_values = {
        "outputs": outputs,
        "hidden": hidden,
        "hidden_cotangent": hidden_cotangent,
        "pre_activation_cotangent": hidden_cotangent * (pre_activation > 0),
        "grad_kernel_1": inputs.T @ (hidden_cotangent * (pre_activation > 0)),
        "grad_kernel_2": hidden.T @ ones,
    }
    return session_inspection(session), numpy_values


def linear_project(tapes: list[TapeSpec]) -> Project:
    return Project(
        name="linear",
        model=ModelSpec(4, [LayerSpec(3)]),
        data=DataSpec("normal", samples=2),
        objective="sum",
        seed=3,
        tapes=tapes,
    )


def sgd(learning_rate: float) -> OptimizerSpec:
    return OptimizerSpec("SGD", {"learning_rate": learning_rate})


def run_until_nonfinite(session: Session, max_steps: int = 20):
    """Step until ``find_nonfinite`` reports something; return the report (or None)."""
    with warnings.catch_warnings():
        # NumPy warns about the overflow itself; the report is what is tested here.
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(max_steps):
            report = find_nonfinite(session, session.step())
            if report is not None:
                return report
    return None


# -- the ops of a two-tape step -----------------------------------------------------------------


def test_two_tapes_ops_in_execution_order(weighted_step):
    inspection, _ = weighted_step

    assert [op.name for op in inspection.ops] == WEIGHTED_OPS
    assert inspection.target == len(WEIGHTED_OPS) - 1


def test_two_tapes_each_op_names_its_tapes(weighted_step):
    inspection, _ = weighted_step

    tapes = [op.tapes for op in inspection.ops]

    layer1, layer2, both = ("layer1",), ("layer2",), ("layer1", "layer2")
    assert tapes == [layer1, layer1, layer1, layer1, layer2, both, both, both]


def test_two_tapes_ops_per_tape(weighted_step):
    inspection, _ = weighted_step

    assert [op.name for op in inspection.ops_of("layer1")] == [
        "ReadVariableOp", "MatMul", "AddV2", "Relu", "MatMul", "AddV2", "Sum",
    ]
    assert [op.name for op in inspection.ops_of("layer2")] == [
        "ReadVariableOp", "MatMul", "AddV2", "Sum",
    ]


def test_two_tapes_shapes_and_dtypes(weighted_step):
    inspection, _ = weighted_step
    shapes = [(tuple(ref.shape for ref in op.inputs), op.output.shape) for op in inspection.ops]

    assert shapes == [
        (((10, 64),), (10, 64)),
        (((1, 10), (10, 64)), (1, 64)),
        (((1, 64), (64,)), (1, 64)),
        (((1, 64),), (1, 64)),
        (((64, 10),), (64, 10)),
        (((1, 64), (64, 10)), (1, 10)),
        (((1, 10), (10,)), (1, 10)),
        (((1, 10),), ()),
    ]
    assert {op.output.dtype for op in inspection.ops} == {"float32"}


def test_two_tapes_input_kinds(weighted_step):
    inspection, _ = weighted_step
    read_kernel, first_matmul, bias_add = inspection.ops[0], inspection.ops[1], inspection.ops[2]

    assert read_kernel.inputs[0].kind == "variable"
    assert read_kernel.inputs[0].variable == "dense/kernel"
    assert read_kernel.inputs[0].watched_by == ("layer1",)
    assert first_matmul.inputs[0].kind == "constant"
    assert first_matmul.inputs[1].kind == "op"
    assert first_matmul.inputs[1].producer == 0
    # No tape watches dense/bias, so no tape recorded its read.
    assert bias_add.inputs[1].kind == "constant"


def test_two_tapes_reached_variables(weighted_step):
    inspection, _ = weighted_step

    assert inspection.tape("layer1").watched == ("dense/kernel",)
    assert inspection.tape("layer1").reached == ("dense/kernel",)
    assert inspection.tape("layer2").reached == ("dense_1/kernel",)
    assert inspection.tape("layer2").unreached == ()


def test_two_tapes_output_values(weighted_step):
    inspection, numpy_values = weighted_step
    relu, objective = inspection.ops[3], inspection.ops[7]

    assert objective.output.values == pytest.approx((numpy_values["outputs"].sum(),), rel=1e-5)
    assert relu.output.minimum == pytest.approx(numpy_values["hidden"].min(), abs=1e-6)
    assert relu.output.mean == pytest.approx(numpy_values["hidden"].mean(), rel=1e-5)
    assert relu.output.maximum == pytest.approx(numpy_values["hidden"].max(), rel=1e-5)
    assert relu.output.values is None


def test_two_tapes_cotangent_norms_match_numpy(weighted_step):
    inspection, numpy_values = weighted_step
    ops = inspection.ops
    expected_layer1 = {
        0: np.linalg.norm(numpy_values["grad_kernel_1"]),
        1: np.linalg.norm(numpy_values["pre_activation_cotangent"]),
        2: np.linalg.norm(numpy_values["pre_activation_cotangent"]),
        3: np.linalg.norm(numpy_values["hidden_cotangent"]),
        5: np.sqrt(10.0),
        6: np.sqrt(10.0),
        7: 1.0,
    }

    for index, norm in expected_layer1.items():
        assert ops[index].gradient_norm("layer1") == pytest.approx(norm, rel=1e-5), ops[index].name


def test_two_tapes_cotangent_norm_is_gradient_norm(weighted_step):
    inspection, numpy_values = weighted_step
    read_kernel_2 = inspection.ops[4]

    assert read_kernel_2.gradient_norm("layer2") == pytest.approx(
        np.linalg.norm(numpy_values["grad_kernel_2"]), rel=1e-5
    )
    assert read_kernel_2.gradient_norm("layer1") is None


def test_two_tapes_backward_visits_in_reverse(weighted_step):
    inspection, _ = weighted_step

    assert inspection.tape("layer2").backward == (7, 6, 5, 4)
    assert inspection.tape("layer1").backward == (7, 6, 5, 3, 2, 1, 0)


def test_two_tapes_step_is_finite(weighted_step):
    inspection, _ = weighted_step

    assert inspection.first_nonfinite is None


# -- sessions -----------------------------------------------------------------------------------


def test_session_without_inspect_keeps_nothing():
    session = Session(load_example("weighted-gradients"))

    session.step()

    assert session.inspect is False
    assert session.capture is None
    assert session_inspection(session) is None


def test_session_reset_drops_capture():
    session = Session(load_example("weighted-gradients"))
    session.inspect = True
    session.step()

    session.reset()

    assert session_inspection(session) is None


def test_tape_watching_nothing_listed_without_ops():
    project = linear_project([
        TapeSpec("kernel", ["dense/kernel"], sgd(0.1)),
        TapeSpec("idle", [], sgd(0.1)),
    ])
    session = Session(project)
    session.inspect = True
    session.step()

    idle = session_inspection(session).tape("idle")

    assert idle.differentiated is False
    assert idle.ops == ()


def test_nested_tape_records_inner_backward():
    project = Project(
        name="tanh",
        model=ModelSpec(3, [LayerSpec(4, "tanh"), LayerSpec(2)]),
        data=DataSpec("normal", samples=5),
        objective="sum",
        seed=7,
        tapes=[
            TapeSpec("outer", ["dense/kernel"], sgd(0.1)),
            TapeSpec("inner", ["dense/kernel"], sgd(0.1), parent="outer", penalty_weight=0.5),
        ],
    )
    session = Session(project)
    session.inspect = True
    session.step()
    inspection = session_inspection(session)

    outer, inner = inspection.tape("outer"), inspection.tape("inner")
    # The outer tape recorded the forward pass, the inner backward pass and the penalty.
    assert len(outer.ops) > len(inner.ops)
    assert set(inner.ops) < set(outer.ops)
    assert outer.reached == ("dense/kernel",)
    assert outer.target != inner.target


# -- non-finite values --------------------------------------------------------------------------


def test_first_nonfinite_log_of_negative():
    x = tf.Variable(np.array([1.0, -1.0], np.float32), name="x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.math.log(x) * 2.0)
        capture = StepCapture(1, y)
        with capture.gradient("t", tape, y):
            tape.gradient(y, x)

    first = capture.inspection().first_nonfinite

    assert first is not None
    assert first.phase == "forward"
    assert first.op_name == "Log"
    assert first.op_index == 1
    assert first.nan_count == 1
    assert "Log" in first.describe()


def test_first_nonfinite_cotangent_of_sqrt_at_zero():
    x = tf.Variable(np.array([0.0, 4.0], np.float32), name="x")
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.sqrt(x))
    capture = StepCapture(1, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with capture.gradient("t", tape, y):
            tape.gradient(y, x)

    first = capture.inspection().first_nonfinite

    assert first.phase == "backward"
    assert first.op_name == "ReadVariableOp"
    assert first.vjp_ops == ((1, "Sqrt"),)
    assert first.inf_count == 1


def test_find_nonfinite_none_for_finite_step():
    session = Session(load_example("iris"))
    session.inspect = True

    assert find_nonfinite(session, session.step()) is None


def test_find_nonfinite_names_overflowing_matmul():
    project = load_example("weighted-gradients")
    for tape in project.tapes:
        tape.optimizer.hyperparameters["learning_rate"] = 1e10
    session = Session(project)
    session.inspect = True

    report = run_until_nonfinite(session)

    assert report is not None
    assert report.kind == "objective"
    assert report.step == session.step_count
    assert report.value.phase == "forward"
    assert report.value.op_name == "MatMul"
    assert "MatMul" in report.message
    assert f"step {report.step}" in report.message


def test_find_nonfinite_blames_optimizer_update():
    project = linear_project([TapeSpec("kernel", ["dense/kernel"], sgd(3e38))])
    session = Session(project)
    session.inspect = True

    report = run_until_nonfinite(session)

    assert report.step == 1
    assert report.kind == "weight"
    assert report.tape == "kernel"
    assert report.variable == "dense/kernel"
    assert report.value is None
    assert "SGD update" in report.message


def test_find_nonfinite_without_capture_says_so():
    project = load_example("weighted-gradients")
    for tape in project.tapes:
        tape.optimizer.hyperparameters["learning_rate"] = 1e10
    session = Session(project)

    report = run_until_nonfinite(session)

    assert report.value is None
    assert "not inspected" in report.message


# -- summaries ------------------------------------------------------------------------------------


def test_summarize_value_counts_nonfinite():
    summary = summarize_value(np.array([1.0, np.nan, np.inf, -np.inf, 3.0], np.float32))

    assert summary.nan_count == 1
    assert summary.inf_count == 2
    assert summary.minimum == 1.0
    assert summary.maximum == 3.0
    assert summary.mean == 2.0
    assert "1 NaN, 2 inf" in summary.describe()


def test_summarize_value_small_tensor_values():
    summary = summarize_value(np.array([[1.5, -2.0]], np.float32))

    assert summary.values == (1.5, -2.0)
    assert summary.describe() == "[1.5, -2]"
