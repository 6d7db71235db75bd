"""The built-in optimizers against their update rules written out in NumPy, step by step.

The rules and defaults are those of Keras 3 (keras/src/optimizers/*.py).
"""

import numpy as np
import pytest

import tapestudio as tf
from tapestudio import optimizers

INITIAL = np.array([1.0, -2.0, 0.5, 0.0])
GRADIENTS = [
    np.array([0.5, -1.0, 0.25, 2.0]),
    np.array([-0.3, 0.8, 0.1, -1.5]),
    np.array([0.2, -0.1, -0.4, 0.7]),
    np.array([1.0, 0.6, -0.2, 0.05]),
]


def _run(optimizer, initial=INITIAL):
    """Apply each gradient in turn and return the variable's value after every step."""
    variable = tf.Variable(initial.copy())
    values = []
    for gradient in GRADIENTS:
        optimizer.apply_gradients([(tf.constant(gradient.astype(initial.dtype)), variable)])
        values.append(variable.numpy().copy())
    return values


def _sgd(learning_rate=0.01, momentum=0.0, nesterov=False):
    w, velocity = INITIAL.copy(), np.zeros_like(INITIAL)
    values = []
    for g in GRADIENTS:
        if momentum == 0:
            w = w - learning_rate * g
        else:
            velocity = momentum * velocity - learning_rate * g
            w = w + (momentum * velocity - learning_rate * g if nesterov else velocity)
        values.append(w.copy())
    return values


def _adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None):
    w, m, v, v_max = INITIAL.copy(), np.zeros_like(INITIAL), np.zeros_like(INITIAL), np.zeros_like(INITIAL)
    values = []
    for t, g in enumerate(GRADIENTS, start=1):
        if weight_decay is not None:
            w = w - w * weight_decay * learning_rate
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        v_max = np.maximum(v_max, v)
        denominator = np.sqrt(v_max if amsgrad else v) + epsilon
        w = w - learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / denominator
        values.append(w.copy())
    return values


def _rmsprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    w = INITIAL.copy()
    mean_square, mean, step = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    values = []
    for g in GRADIENTS:
        mean_square = rho * mean_square + (1 - rho) * g * g
        mean = rho * mean + (1 - rho) * g
        variance = mean_square - mean * mean if centered else mean_square
        increment = learning_rate * g / np.sqrt(variance + epsilon)
        step = momentum * step + increment
        w = w - (step if momentum > 0 else increment)
        values.append(w.copy())
    return values


def _adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
    w, accumulator = INITIAL.copy(), np.full_like(INITIAL, initial_accumulator_value)
    values = []
    for g in GRADIENTS:
        accumulator = accumulator + g * g
        w = w - learning_rate * g / np.sqrt(accumulator + epsilon)
        values.append(w.copy())
    return values


CASES = {
    "SGD": (optimizers.SGD, _sgd, {}),
    "SGD learning_rate": (optimizers.SGD, _sgd, {"learning_rate": 0.1}),
    "SGD momentum": (optimizers.SGD, _sgd, {"learning_rate": 0.1, "momentum": 0.9}),
    "SGD nesterov": (optimizers.SGD, _sgd, {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    "Adam": (optimizers.Adam, _adam, {}),
    "Adam betas": (optimizers.Adam, _adam, {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}),
    "Adam amsgrad": (optimizers.Adam, _adam, {"learning_rate": 0.05, "amsgrad": True}),
    "AdamW": (optimizers.AdamW, _adam, {"weight_decay": 0.004}),
    "AdamW decay": (optimizers.AdamW, _adam, {"learning_rate": 0.05, "weight_decay": 0.1}),
    "AdamW amsgrad": (optimizers.AdamW, _adam, {"learning_rate": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    "RMSprop": (optimizers.RMSprop, _rmsprop, {}),
    "RMSprop rho": (optimizers.RMSprop, _rmsprop, {"learning_rate": 0.01, "rho": 0.5, "epsilon": 1e-3}),
    "RMSprop momentum": (optimizers.RMSprop, _rmsprop, {"learning_rate": 0.01, "momentum": 0.9}),
    "RMSprop centered": (optimizers.RMSprop, _rmsprop, {"learning_rate": 0.01, "centered": True}),
    "RMSprop centered momentum": (
        optimizers.RMSprop, _rmsprop, {"learning_rate": 0.01, "momentum": 0.5, "centered": True},
    ),
    "Adagrad": (optimizers.Adagrad, _adagrad, {}),
    "Adagrad accumulator": (
        optimizers.Adagrad, _adagrad, {"learning_rate": 0.1, "initial_accumulator_value": 1.0, "epsilon": 1e-3},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_optimizer_follows_rule(case):
    cls, reference, settings = CASES[case]

    values = _run(cls(**settings))

    np.testing.assert_allclose(values, reference(**settings), rtol=1e-12, atol=1e-15)


def test_sgd_first_step_by_hand():
    values = _run(optimizers.SGD(learning_rate=0.1))

    np.testing.assert_allclose(values[0], [0.95, -1.9, 0.475, -0.2])


def test_adam_first_step_moves_by_learning_rate():
    # At step 1 the bias corrections cancel: m / sqrt(v) = sign(g), up to epsilon.
    values = _run(optimizers.Adam(learning_rate=0.1))

    np.testing.assert_allclose(values[0], INITIAL - 0.1 * np.sign(GRADIENTS[0]), atol=1e-5)


def test_rmsprop_matches_keras_docstring_example():
    # Keras' RMSprop docstring: from 10.0 with gradient 10.0 (the loss x**2 / 2), one step at
    # learning rate 0.1 gives 9.683772.
    variable = tf.Variable(10.0)
    optimizer = optimizers.RMSprop(learning_rate=0.1)

    optimizer.apply_gradients([(tf.constant(10.0), variable)])

    np.testing.assert_allclose(variable.numpy(), 9.683772, rtol=1e-6)


def test_learning_rate_change_takes_effect_next_step():
    optimizer = optimizers.SGD(learning_rate=0.1)
    variable = tf.Variable(np.array([1.0]))
    optimizer.apply_gradients([(tf.constant(np.array([1.0])), variable)])

    optimizer.learning_rate = 0.5
    optimizer.apply_gradients([(tf.constant(np.array([1.0])), variable)])

    np.testing.assert_allclose(variable.numpy(), [0.4])


def test_momentum_turned_on_during_run():
    optimizer = optimizers.SGD(learning_rate=0.1)
    variable = tf.Variable(np.array([1.0]))
    optimizer.apply_gradients([(tf.constant(np.array([1.0])), variable)])

    optimizer.momentum = 0.5
    optimizer.apply_gradients([(tf.constant(np.array([1.0])), variable)])

    np.testing.assert_allclose(variable.numpy(), [0.8])


@pytest.mark.parametrize("case", sorted(CASES))
def test_optimizer_keeps_float32(case):
    cls, _, settings = CASES[case]

    values = _run(cls(**settings), initial=INITIAL.astype(np.float32))

    assert values[-1].dtype == np.float32


def test_state_is_per_variable():
    optimizer = optimizers.Adam(learning_rate=0.1)
    first, second = tf.Variable(INITIAL.copy()), tf.Variable(INITIAL.copy())

    for gradient in GRADIENTS:
        optimizer.apply_gradients([(tf.constant(gradient), first), (tf.constant(-gradient), second)])

    np.testing.assert_allclose(first.numpy() - INITIAL, -(second.numpy() - INITIAL))


def test_none_gradient_is_skipped():
    optimizer = optimizers.SGD(learning_rate=0.1)
    updated, skipped = tf.Variable(np.array([1.0])), tf.Variable(np.array([1.0]))

    optimizer.apply_gradients([(tf.constant(np.array([1.0])), updated), (None, skipped)])

    assert skipped.numpy()[0] == 1.0


KERAS_DEFAULTS = {
    "SGD": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
    "Adam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False},
    "AdamW": {
        "learning_rate": 0.001, "weight_decay": 0.004, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
        "amsgrad": False,
    },
    "RMSprop": {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False},
    "Adagrad": {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
}


@pytest.mark.parametrize("name", sorted(KERAS_DEFAULTS))
def test_defaults_match_keras(name):
    assert optimizers.hyperparameters(name) == KERAS_DEFAULTS[name]


@pytest.mark.parametrize("name", sorted(KERAS_DEFAULTS))
def test_positional_arguments_follow_keras_order(name):
    cls = getattr(optimizers, name)
    values = [0.5 if isinstance(default, float) else default for default in KERAS_DEFAULTS[name].values()]

    optimizer = cls(*values)

    assert list(optimizer.get_config().values()) == values


@pytest.mark.parametrize("name", sorted(KERAS_DEFAULTS))
def test_declarations_are_consistent(name):
    for key, declaration in optimizers.hyperparameter_declarations(name).items():
        declaration.check_declaration(key)


@pytest.mark.parametrize(("name", "settings", "message"), [
    ("SGD", {"momentum": 1.5}, r"momentum must be in \[0, 1\], got 1.5"),
    ("SGD", {"nesterov": 1}, "nesterov must be True or False, got 1"),
    ("Adam", {"learning_rate": -0.1}, r"learning_rate must be in \[0, inf\), got -0.1"),
    ("RMSprop", {"rho": float("nan")}, "rho must be finite"),
])
def test_invalid_value_is_rejected(name, settings, message):
    with pytest.raises((TypeError, ValueError), match=message):
        optimizers.get(name, **settings)


def test_unknown_hyperparameter_is_rejected():
    with pytest.raises(TypeError, match="Adam got unknown hyperparameters \\['rho'\\]"):
        optimizers.get("adam", rho=0.9)


def test_keras_namespace_has_optimizers():
    assert tf.keras.optimizers.AdamW is optimizers.AdamW
