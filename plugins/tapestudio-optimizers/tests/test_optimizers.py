"""Lion, Nadam and Adamax against their update rules written out in NumPy, step by step."""

import numpy as np
import pytest

import tapestudio as tf
import tapestudio_optimizers as optimizers
from tapestudio import plugins

INITIAL = np.array([1.0, -2.0, 0.5, 0.0])
GRADIENTS = [
    np.array([0.5, -1.0, 0.25, 2.0]),
    np.array([-0.3, 0.8, 0.1, -1.5]),
    np.array([0.2, -0.1, -0.4, 0.7]),
    np.array([1.0, 0.6, -0.2, 0.05]),
]


def _run(optimizer, initial=INITIAL, gradients=GRADIENTS):
    """Apply ``gradients`` one step each and return the variable after every step."""
    variable = tf.Variable(initial.copy())
    values = []
    for gradient in gradients:
        optimizer.apply_gradients([(tf.constant(gradient.astype(initial.dtype)), variable)])
        values.append(variable.numpy().copy())
    return values


def _lion_reference(learning_rate, beta_1, beta_2):
    w, m = INITIAL.copy(), np.zeros_like(INITIAL)
    values = []
    for g in GRADIENTS:
        w = w - learning_rate * np.sign(beta_1 * m + (1 - beta_1) * g)
        m = beta_2 * m + (1 - beta_2) * g
        values.append(w.copy())
    return values


def _adamax_reference(learning_rate, beta_1, beta_2, epsilon):
    w, m, u = INITIAL.copy(), np.zeros_like(INITIAL), np.zeros_like(INITIAL)
    values = []
    for t, g in enumerate(GRADIENTS, start=1):
        m = beta_1 * m + (1 - beta_1) * g
        u = np.maximum(beta_2 * u, np.abs(g))
        w = w - learning_rate / (1 - beta_1**t) * m / (u + epsilon)
        values.append(w.copy())
    return values


def _nadam_reference(learning_rate, beta_1, beta_2, epsilon):
    w, m, v = INITIAL.copy(), np.zeros_like(INITIAL), np.zeros_like(INITIAL)
    product = 1.0
    values = []
    for t, g in enumerate(GRADIENTS, start=1):
        mu_t = beta_1 * (1 - 0.5 * 0.96**t)
        mu_next = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
        product *= mu_t
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        m_hat = mu_next * m / (1 - product * mu_next) + (1 - mu_t) * g / (1 - product)
        v_hat = v / (1 - beta_2**t)
        w = w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon)
        values.append(w.copy())
    return values


@pytest.mark.parametrize("settings", [{}, {"learning_rate": 0.1, "beta_1": 0.5, "beta_2": 0.9}])
def test_lion_follows_rule(settings):
    expected = _lion_reference(**{"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.99, **settings})

    values = _run(optimizers.Lion(**settings))

    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-15)


def test_lion_first_step_moves_by_learning_rate():
    values = _run(optimizers.Lion(learning_rate=0.1), gradients=GRADIENTS[:1])

    np.testing.assert_allclose(values[0], INITIAL - 0.1 * np.sign(GRADIENTS[0]))


def test_lion_rejects_zero_beta_1():
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Lion(beta_1=0.0)


@pytest.mark.parametrize("settings", [{}, {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-3}])
def test_adamax_follows_rule(settings):
    defaults = {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
    expected = _adamax_reference(**{**defaults, **settings})

    values = _run(optimizers.Adamax(**settings))

    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("settings", [{}, {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-3}])
def test_nadam_follows_rule(settings):
    defaults = {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
    expected = _nadam_reference(**{**defaults, **settings})

    values = _run(optimizers.Nadam(**settings))

    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-15)


def test_nadam_schedule_shared_by_variables():
    optimizer = optimizers.Nadam(learning_rate=0.05)
    first = tf.Variable(INITIAL.copy())
    second = tf.Variable(INITIAL.copy())

    for gradient in GRADIENTS:
        optimizer.apply_gradients([(tf.constant(gradient), first), (tf.constant(gradient), second)])

    expected = _nadam_reference(0.05, 0.9, 0.999, 1e-7)[-1]
    np.testing.assert_allclose(first.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(second.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["Adamax", "Lion", "Nadam"])
def test_optimizer_keeps_float32(name):
    values = _run(getattr(optimizers, name)(), initial=INITIAL.astype(np.float32))

    assert values[-1].dtype == np.float32


KERAS_DEFAULTS = {
    "Lion": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.99},
    "Nadam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    "Adamax": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
}


@pytest.mark.parametrize("name", sorted(KERAS_DEFAULTS))
def test_defaults_match_keras(name):
    assert tf.optimizers.hyperparameters(name) == KERAS_DEFAULTS[name]


@pytest.mark.parametrize("name", sorted(KERAS_DEFAULTS))
def test_optimizer_is_discovered(name):
    status = plugins.status_of(plugins.OPTIMIZER, name)

    assert status is not None
    assert status.loaded, status.error
    assert status.distribution == "tapestudio-optimizers"


@pytest.mark.parametrize("name", sorted(KERAS_DEFAULTS))
def test_registry_creates_optimizer_by_lowercase_name(name):
    optimizer = tf.optimizers.get(name.lower(), learning_rate=0.01)

    assert isinstance(optimizer, getattr(optimizers, name))
