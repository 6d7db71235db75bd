"""Plugin ops and optimizers by name: from code, as layer activations and in the optimizer registry."""

import numpy as np
import pytest

import tapestudio as tf
from tapestudio import optimizers, plugins
from tapestudio.keras import activations
from tapestudio.testing import check_grads

pytestmark = pytest.mark.usefixtures("installed_plugins")


def test_plugin_op_runs_from_code():
    x = tf.constant([0.0, 1.0])

    y = plugins.op("gelu")(x)

    np.testing.assert_allclose(y.numpy(), [0.0, 0.8413447], rtol=1e-6)


def test_plugin_op_takes_attribute():
    x = tf.constant([1.0])

    y = plugins.op("gelu")(x, approximate=True)

    np.testing.assert_allclose(y.numpy(), [0.841192], rtol=1e-6)


def test_plugin_op_passes_check_grads():
    check_grads(plugins.op("mish"), [np.linspace(-2.0, 2.0, 5)], order=2)


def test_op_names_include_builtins_and_plugins():
    names = plugins.op_names()

    assert {"relu", "softmax", "gelu", "normal_cdf"} <= set(names)


def test_activation_names_leave_out_non_activations():
    names = activations.names()

    assert "gelu" in names
    assert "normal_cdf" not in names


def test_dense_layer_uses_plugin_activation():
    layer = tf.keras.layers.Dense(4, activation="silu")
    x = tf.constant(np.ones((2, 3), np.float32))

    y = layer(x)

    assert layer.activation is plugins.op("silu")
    assert y.shape == (2, 4)


def test_dense_layer_records_activation_name():
    layer = tf.keras.layers.Dense(4, activation="mish")

    assert layer.activation_name == "mish"


def test_gradient_flows_through_plugin_activation():
    layer = tf.keras.layers.Dense(2, activation="gelu")
    x = tf.constant(np.ones((3, 2), np.float32))
    layer(x)

    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(x))
    gradient = tape.gradient(y, layer.kernel)

    assert gradient is not None
    assert gradient.dtype == tf.float32


def test_unknown_activation_lists_available():
    with pytest.raises(ValueError, match="Unknown activation 'snake'; available: .*gelu"):
        activations.get("snake")


def test_activation_from_failed_plugin_says_why():
    with pytest.raises(ValueError, match="tapestudio-fixture-wrong-api 0.1.0 declares it, but its plugin API version"):
        activations.get("future_op")


def test_optimizer_names_include_plugins():
    names = optimizers.names()

    assert {"SGD", "Adam", "Lion", "Nadam", "Adamax"} <= set(names)


def test_get_creates_plugin_optimizer():
    optimizer = optimizers.get("lion", learning_rate=0.01)

    assert type(optimizer).__name__ == "Lion"
    assert optimizer.learning_rate == 0.01


def test_plugin_optimizer_hyperparameters():
    assert optimizers.hyperparameters("Nadam") == {
        "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
    }


def test_plugin_optimizer_declarations_have_ranges():
    declaration = optimizers.hyperparameter_declarations("Lion")["beta_2"]

    assert (declaration.minimum, declaration.maximum) == (0.0, 1.0)
    assert declaration.description


def test_plugin_optimizer_rejects_out_of_range_value():
    with pytest.raises(ValueError, match=r"beta_1 must be in \[0, 1\], got 1.5"):
        optimizers.get("Adamax", beta_1=1.5)


def test_unknown_optimizer_from_failed_plugin_says_why():
    with pytest.raises(ValueError, match="tapestudio-fixture-broken-import 0.1.0 declares it, but it failed to import"):
        optimizers.get("BrokenOptimizer")


def test_plugin_optimizer_trains_variable():
    variable = tf.Variable(np.array([1.0, -1.0], np.float32))
    optimizer = optimizers.get("Lion", learning_rate=0.1)

    optimizer.apply_gradients([(tf.constant(np.array([0.5, -0.5], np.float32)), variable)])

    np.testing.assert_allclose(variable.numpy(), [0.9, -0.9])


def test_status_of_names_distribution_and_version():
    status = plugins.status_of(plugins.OPTIMIZER, "lion")

    assert (status.name, status.distribution, status.version) == ("Lion", "tapestudio-optimizers", "0.1.0")


def test_status_of_unknown_name_is_none():
    assert plugins.status_of(plugins.OP, "no_such_op") is None
