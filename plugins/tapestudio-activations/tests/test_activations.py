"""The activation ops: values, gradients to second order, dtypes and registration."""

import math

import numpy as np
import pytest

import tapestudio as tf
import tapestudio_activations as activations
from tapestudio import plugins
from tapestudio.testing import check_grads

NAMES = sorted(activations.__all__)

POINTS = np.linspace(-5.0, 5.0, 41)


def _normal_cdf(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _hard_sigmoid(x):
    return min(max(x / 6.0 + 0.5, 0.0), 1.0)


REFERENCES = {
    "gelu": lambda x: x * _normal_cdf(x),
    "gelu_tanh": lambda x: 0.5 * x * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3))),
    "hard_sigmoid": _hard_sigmoid,
    "hard_silu": lambda x: x * _hard_sigmoid(x),
    "mish": lambda x: x * math.tanh(math.log1p(math.exp(x))),
    "normal_cdf": _normal_cdf,
    "silu": lambda x: x / (1.0 + math.exp(-x)),
    "swish": lambda x: x / (1.0 + math.exp(-x)),
}


def _points_inside(op, count=6, seed=0):
    """Points drawn from the op's domain, kept away from the kinks of the hard sigmoid at +-3."""
    generator = np.random.default_rng(seed)
    points = generator.uniform(*op.domain, size=count)
    return np.where(np.abs(np.abs(points) - 3.0) < 0.01, points + 0.05, points)


def test_references_cover_every_op():
    assert sorted(REFERENCES) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_op_matches_formula(name):
    op = getattr(activations, name)
    expected = [REFERENCES[name](x) for x in POINTS]

    result = op(tf.constant(POINTS)).numpy()

    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_op_gradients_to_second_order(name):
    op = getattr(activations, name)

    check_grads(op, [_points_inside(op)], order=2)


@pytest.mark.parametrize("name", NAMES)
def test_op_keeps_float32(name):
    op = getattr(activations, name)

    result = op(tf.constant(POINTS.astype(np.float32)))

    assert result.dtype == tf.float32


@pytest.mark.parametrize("name", [name for name in NAMES if getattr(activations, name).has_numpy_vjps])
def test_numpy_vjp_matches_engine_vjp(name):
    op = getattr(activations, name)
    x = tf.constant(_points_inside(op, count=8, seed=1))

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = op(x)
    fast = tape.gradient(y, x).numpy()
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = op(x)
        recorded = tape.gradient(y, x).numpy()

    np.testing.assert_allclose(fast, recorded, rtol=1e-12, atol=1e-15)


def test_gelu_approximate_matches_gelu_tanh():
    x = tf.constant(POINTS)

    np.testing.assert_allclose(activations.gelu(x, approximate=True).numpy(), activations.gelu_tanh(x).numpy())


def test_gelu_approximate_gradients_to_second_order():
    check_grads(lambda x: activations.gelu(x, approximate=True), [_points_inside(activations.gelu)], order=2)


def test_hard_sigmoid_gradient_is_zero_at_kinks():
    x = tf.constant([-3.0, 3.0])

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = activations.hard_sigmoid(x)

    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 0.0])


@pytest.mark.parametrize("name", NAMES)
def test_op_is_discovered(name):
    status = plugins.status_of(plugins.OP, name)

    assert status is not None
    assert status.loaded, status.error
    assert status.distribution == "tapestudio-activations"


@pytest.mark.parametrize("name", NAMES)
def test_op_passes_check_op(name):
    passed = plugins.check_op(name)

    assert "gradients agree with finite differences to order 2" in passed


def test_dense_layer_takes_gelu_by_name():
    layer = tf.keras.layers.Dense(3, activation="gelu")

    outputs = layer(tf.constant(np.ones((2, 4), np.float32)))

    assert outputs.shape == (2, 3)


def test_normal_cdf_is_not_an_activation():
    with pytest.raises(ValueError, match="not declared as an activation"):
        tf.keras.layers.Dense(3, activation="normal_cdf")


def test_mish_second_derivative_at_zero():
    check_grads(activations.mish, [np.array([0.0, -1e-3, 1e-3])], order=2)
