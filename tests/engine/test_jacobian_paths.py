"""Jacobians computed in one batched backward pass equal those computed row by row."""

from __future__ import annotations

import numpy as np
import pytest

import tapestudio as tf

RNG = np.random.default_rng(3)
A = RNG.standard_normal((5, 4))
W = RNG.standard_normal((4, 4))

FUNCTIONS = {
    "tanh_matvec": lambda x: tf.tanh(tf.matmul(tf.constant(A), tf.reshape(x, (4, 1)))),
    "elementwise": lambda x: tf.sin(x) * x + tf.exp(x) / (1.0 + x * x),
    "broadcast": lambda x: tf.reshape(x, (4, 1)) * tf.constant(A.T) - tf.reshape(x, (4, 1)),
    "reductions": lambda x: tf.stack([tf.reduce_sum(x * x), tf.reduce_mean(tf.sigmoid(x))]),
    "softmax": lambda x: tf.nn.softmax(tf.reshape(x, (2, 2)), axis=0),
    "log_softmax": lambda x: tf.nn.log_softmax(tf.reshape(x, (2, 2))),
    "slicing": lambda x: x[1:] * x[:-1],
    "transpose": lambda x: tf.transpose(tf.reshape(x, (2, 2))) @ tf.reshape(x, (2, 2)),
    "where_relu": lambda x: tf.where(x > 0.0, tf.nn.relu(x), x * 0.1),
    "not_batchable_pow": lambda x: tf.pow(tf.abs(x) + 1.0, x),
    "gather": lambda x: tf.gather(x, [3, 0, 0]),
}


def _jacobian(fn, x, use_pfor: bool):
    x = tf.constant(x)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = fn(x)
    return tape.jacobian(y, x, experimental_use_pfor=use_pfor)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_jacobian_batched_equals_row_by_row(name):
    x = RNG.uniform(-1.5, 1.5, 4)

    batched = _jacobian(FUNCTIONS[name], x, use_pfor=True)
    rows = _jacobian(FUNCTIONS[name], x, use_pfor=False)

    assert batched.shape == rows.shape
    np.testing.assert_allclose(batched.numpy(), rows.numpy(), rtol=1e-12, atol=1e-12)


def test_hessian_from_nested_tapes_matches_formula():
    x = tf.constant(RNG.standard_normal(4))
    weights = tf.constant(W)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.tanh(tf.matmul(weights, tf.reshape(x, (4, 1)))))
        gradient = inner.gradient(y, x)
    hessian = outer.jacobian(gradient, x)

    # f = sum(tanh(W x)): H = W^T diag(-2 tanh(u) (1 - tanh(u)^2)) W with u = W x.
    t = np.tanh(W @ x.numpy())
    expected = W.T @ np.diag(-2 * t * (1 - t * t)) @ W
    np.testing.assert_allclose(hessian.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_batch_jacobian_batched_equals_row_by_row():
    x = tf.constant(RNG.standard_normal((3, 4)))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.tanh(tf.matmul(x, tf.constant(W)))
    batched = tape.batch_jacobian(y, x)
    rows = tape.batch_jacobian(y, x, experimental_use_pfor=False)

    assert batched.shape == (3, 4, 4)
    np.testing.assert_allclose(batched.numpy(), rows.numpy(), rtol=1e-12, atol=1e-12)


def test_jacobian_of_source_itself_is_identity():
    x = tf.constant(RNG.standard_normal((2, 2)))
    with tf.GradientTape() as tape:
        tape.watch(x)
    jacobian = tape.jacobian(x, x)

    np.testing.assert_array_equal(jacobian.numpy(), np.eye(4).reshape(2, 2, 2, 2))
