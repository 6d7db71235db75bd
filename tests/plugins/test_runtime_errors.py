"""Failures inside plugin code raise PluginError naming the op or optimizer and its distribution."""

import numpy as np
import pytest

import tapestudio as tf
from tapestudio import optimizers, plugins
from tapestudio.plugins import PluginError

pytestmark = pytest.mark.usefixtures("installed_plugins")


def _gradient(op_name, recorded):
    """Differentiate the op once. With ``recorded``, an outer tape records the backward pass, so
    the engine VJP runs; without, no tape is active and the NumPy VJP runs."""
    x = tf.constant(np.ones((2, 3), np.float32))
    if not recorded:
        return _tape_gradient(op_name, x)

    with tf.GradientTape() as outer:
        outer.watch(x)
        return _tape_gradient(op_name, x)


def _tape_gradient(op_name, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = plugins.op(op_name)(x)
    return tape.gradient(y, x)


@pytest.mark.parametrize(("recorded", "stage"), [(False, "the NumPy VJP of input 0"), (True, "the VJP of input 0")])
def test_vjp_of_wrong_shape_raises(recorded, stage):
    with pytest.raises(PluginError) as raised:
        _gradient("wrong_vjp_shape", recorded)

    error = raised.value
    assert (error.kind, error.name, error.distribution, error.stage) == (
        "op", "wrong_vjp_shape", "tapestudio-fixture-bad-vjp", stage,
    )
    assert "returned shape (), expected (2, 3), the shape of input 0" in str(error)


def test_message_names_op_and_distribution():
    with pytest.raises(PluginError, match="op 'wrong_vjp_shape' from plugin tapestudio-fixture-bad-vjp 0.1.0 failed"):
        _gradient("wrong_vjp_shape", recorded=True)


def test_vjp_that_raises_keeps_cause():
    with pytest.raises(PluginError, match="ZeroDivisionError: the slope is undefined here") as raised:
        _gradient("raising_vjp", recorded=False)

    assert isinstance(raised.value.__cause__, ZeroDivisionError)


def test_forward_of_wrong_dtype_raises():
    x = tf.constant(np.ones(3, np.float32))

    with pytest.raises(PluginError, match="failed in forward: returned dtype float64, expected float32"):
        plugins.op("wrong_forward_dtype")(x)


def test_forward_failure_on_fifth_call():
    import tapestudio_fixture_step_five as step_five

    step_five.forward_calls = 0
    op = plugins.op("fails_on_fifth_call")
    x = tf.constant([1.0])
    for _ in range(4):
        op(x)

    with pytest.raises(PluginError, match="failed in forward: FloatingPointError: forward call 5 overflowed"):
        op(x)


def test_optimizer_failure_at_step_five():
    optimizer = optimizers.get("FailsAtStepFive")
    variable = tf.Variable(np.ones(3, np.float32))
    gradient = tf.constant(np.ones(3, np.float32))
    for _ in range(4):
        optimizer.apply_gradients([(gradient, variable)])

    with pytest.raises(PluginError) as raised:
        optimizer.apply_gradients([(gradient, variable)])

    error = raised.value
    assert (error.kind, error.name, error.distribution, error.stage) == (
        "optimizer", "FailsAtStepFive", "tapestudio-fixture-step-five", "update_step",
    )
    assert isinstance(error.__cause__, FloatingPointError)


def test_optimizer_failure_keeps_earlier_steps():
    optimizer = optimizers.get("FailsAtStepFive", learning_rate=0.5)
    variable = tf.Variable(np.zeros(2, np.float32))
    gradient = tf.constant(np.ones(2, np.float32))
    for _ in range(4):
        optimizer.apply_gradients([(gradient, variable)])

    with pytest.raises(PluginError):
        optimizer.apply_gradients([(gradient, variable)])

    np.testing.assert_allclose(variable.numpy(), [-2.0, -2.0])


def test_update_of_wrong_shape_raises():
    optimizer = optimizers.get("WrongShapeUpdate")
    variable = tf.Variable(np.ones(3, np.float32), name="kernel")

    with pytest.raises(PluginError, match="returned shape \\(\\) for variable 'kernel' of shape \\(3,\\)"):
        optimizer.apply_gradients([(tf.constant(np.ones(3, np.float32)), variable)])


def test_failing_op_leaves_other_ops_working():
    with pytest.raises(PluginError):
        _gradient("raising_vjp", recorded=True)

    assert plugins.op("gelu")(tf.constant([0.0])).numpy()[0] == 0.0
