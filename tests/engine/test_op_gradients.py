"""Every differentiable op against finite differences, to second order through nested tapes."""

from __future__ import annotations

import numpy as np
import pytest

import tapestudio as tf
from tapestudio.engine import OPS
from tapestudio.testing import GradientCheckError, check_grads

RNG = np.random.default_rng(7)


def _points(shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, shape)


SHAPES = [(), (4,), (2, 3)]

UNARY = {
    "sin": (tf.sin, -3, 3),
    "cos": (tf.cos, -3, 3),
    "tan": (tf.tan, -1.2, 1.2),
    "exp": (tf.exp, -2, 2),
    "expm1": (tf.math.expm1, -2, 2),
    "log": (tf.math.log, 0.2, 3),
    "log1p": (tf.math.log1p, -0.5, 3),
    "sqrt": (tf.sqrt, 0.2, 3),
    "rsqrt": (tf.math.rsqrt, 0.2, 3),
    "square": (tf.square, -2, 2),
    "reciprocal": (tf.math.reciprocal, 0.5, 3),
    "negative": (tf.negative, -2, 2),
    "tanh": (tf.tanh, -2, 2),
    "sigmoid": (tf.sigmoid, -4, 4),
    "abs": (tf.abs, 0.1, 2),
    "relu": (tf.nn.relu, 0.1, 2),
    "relu_negative": (tf.nn.relu, -2, -0.1),
    "relu6": (tf.nn.relu6, 0.1, 5.9),
    "softplus": (tf.nn.softplus, -3, 3),
    "softsign": (tf.nn.softsign, 0.1, 3),
    "elu": (tf.nn.elu, -2, -0.1),
    "selu": (tf.nn.selu, 0.1, 2),
    "leaky_relu": (tf.nn.leaky_relu, -2, -0.1),
    "identity": (tf.identity, -2, 2),
}


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_unary_op_gradient(name, shape, dtype):
    fn, low, high = UNARY[name]
    check_grads(fn, [_points(shape, low, high)], order=2, dtype=dtype)


BINARY = {
    "add": tf.add,
    "subtract": tf.subtract,
    "multiply": tf.multiply,
    "divide": tf.divide,
    "maximum": tf.maximum,
    "minimum": tf.minimum,
    "pow": tf.pow,
}

BROADCAST_PAIRS = [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 4)), ((), (2, 2))]


@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_binary_op_gradient_with_broadcasting(name, shapes, dtype):
    x = _points(shapes[0], 0.5, 2.0)
    y = _points(shapes[1], 0.5, 2.0)
    if name in ("maximum", "minimum"):
        y = y + 0.05  # keep away from ties, where the derivative jumps
    check_grads(BINARY[name], [x, y], order=2, dtype=dtype)


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_matmul_gradient(transpose_a, transpose_b, dtype):
    a = _points((3, 2) if transpose_a else (2, 3))
    b = _points((4, 3) if transpose_b else (3, 4))
    check_grads(lambda a, b: tf.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b), [a, b], dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_batched_matmul_gradient_broadcasts_batch(dtype):
    check_grads(tf.matmul, [_points((2, 2, 3)), _points((3, 4))], order=2, dtype=dtype)


REDUCTIONS = [tf.reduce_sum, tf.reduce_mean, tf.reduce_max, tf.reduce_min, tf.reduce_prod,
              tf.math.reduce_logsumexp]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1), -1])
@pytest.mark.parametrize("reduce", REDUCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_reduction_gradient(reduce, axis, keepdims, dtype):
    x = _points((3, 4), 0.5, 2.0)
    check_grads(lambda x: reduce(x, axis=axis, keepdims=keepdims), [x], order=2, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_norm_gradient(dtype):
    check_grads(lambda x: tf.norm(x), [_points((2, 3))], order=2, dtype=dtype)


SHAPE_OPS = {
    "reshape": lambda x: tf.reshape(x, (3, 2)),
    "reshape_minus_one": lambda x: tf.reshape(x, (-1,)),
    "transpose": lambda x: tf.transpose(x),
    "transpose_perm": lambda x: tf.transpose(tf.reshape(x, (1, 2, 3)), perm=(2, 0, 1)),
    "expand_dims": lambda x: tf.expand_dims(x, 1),
    "squeeze": lambda x: tf.squeeze(tf.reshape(x, (1, 2, 1, 3))),
    "broadcast_to": lambda x: tf.broadcast_to(x, (4, 2, 3)),
    "tile": lambda x: tf.tile(x, (2, 3)),
    "slice": lambda x: x[:, 1:],
    "index": lambda x: x[1],
    "strided": lambda x: x[::-1, ::2],
    "new_axis": lambda x: x[:, None, :],
    "gather": lambda x: tf.gather(x, [2, 0, 2], axis=1),
    "concat": lambda x: tf.concat([x, 2.0 * x], axis=0),
    "stack": lambda x: tf.stack([x, tf.sin(x)], axis=1),
    "split": lambda x: tf.split(x, [1, 2], axis=1)[1],
    "unstack": lambda x: tf.unstack(x, axis=1)[2],
    "where": lambda x: tf.where(x > 0, x * x, 3.0 * x),
    "clip_by_value": lambda x: tf.clip_by_value(x, -0.5, 0.5),
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_shape_op_gradient(name, dtype):
    x = _points((2, 3))
    x = np.where(np.abs(np.abs(x) - 0.5) < 0.05, 0.3, x)  # away from the clip bounds
    x = np.where(np.abs(x) < 0.05, 0.3, x)  # away from the where switch
    check_grads(SHAPE_OPS[name], [x], order=2, dtype=dtype)


def test_cast_gradient_between_float_dtypes():
    # A round trip through float32 rounds x, so a wide step keeps the difference quotient exact.
    round_trip = lambda x: tf.cast(tf.cast(x, tf.float32), tf.float64)  # noqa: E731
    check_grads(round_trip, [_points((2, 3))], order=2, eps=1e-2, rtol=1e-4)


NN = {
    "softmax": lambda x: tf.nn.softmax(x),
    "softmax_axis0": lambda x: tf.nn.softmax(x, axis=0),
    "log_softmax": lambda x: tf.nn.log_softmax(x),
    "softmax_cross_entropy": lambda x: tf.nn.softmax_cross_entropy_with_logits(
        labels=tf.constant([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]], dtype=x.dtype), logits=x),
    "sparse_softmax_cross_entropy": lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.constant([2, 0]), logits=x),
    "sigmoid_cross_entropy": lambda x: tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.constant([[0.0, 1.0, 0.5], [1.0, 0.0, 0.2]], dtype=x.dtype), logits=x),
}


@pytest.mark.parametrize("name", sorted(NN))
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_nn_op_gradient(name, dtype):
    check_grads(NN[name], [_points((2, 3))], order=2, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_softmax_cross_entropy_gradient_for_labels(dtype):
    logits = tf.constant(_points((2, 3)))
    labels = np.array([[0.2, 0.3, 0.5], [0.6, 0.4, 0.0]])
    check_grads(lambda y: tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=tf.cast(logits, y.dtype)), [labels], dtype=dtype)


def test_third_derivative_through_three_tapes():
    x = tf.constant(0.7, dtype=tf.float64)
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.sin(x) * x
            dy = t1.gradient(y, x)
        d2y = t2.gradient(dy, x)
    d3y = t3.gradient(d2y, x)
    # d3/dx3 (x sin x) = -3 sin x - x cos x
    assert float(d3y) == pytest.approx(-3 * np.sin(0.7) - 0.7 * np.cos(0.7), rel=1e-12)


def test_check_grads_detects_a_wrong_vjp():
    with pytest.raises(GradientCheckError, match="order 1"):
        check_grads(lambda x: tf.stop_gradient(x) * x, [np.ones(3)])


def test_check_grads_detects_a_wrong_second_derivative():
    # stop_gradient inside the backward pass only: first order right, second order wrong.
    @tf.custom_gradient
    def cube(x):
        def grad(upstream):
            return upstream * 3.0 * tf.stop_gradient(x * x)
        return x * x * x, grad

    check_grads(cube, [np.array([0.5, 1.5])], order=1)
    with pytest.raises(GradientCheckError, match="order 2"):
        check_grads(cube, [np.array([0.5, 1.5])], order=2)


def test_every_float_op_has_vjps():
    not_differentiable = {
        "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd",
        "LogicalOr", "LogicalNot", "IsNan", "IsInf", "IsFinite", "FloorDiv", "StopGradient",
    }
    missing = [name for name, op in OPS.items() if not op.differentiable and name not in not_differentiable]
    assert missing == []


def _gradient(fn, x, engine_path: bool):
    x = tf.constant(x)
    if engine_path:
        # An outer tape that watches x makes the backward pass record itself, so the VJPs
        # written in engine ops run instead of the NumPy ones.
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = fn(x)
            return tape.gradient(y, x).numpy()
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x).numpy()


PATH_CASES = {**{name: UNARY[name][0] for name in UNARY}, **SHAPE_OPS, **NN,
              "matmul": lambda x: tf.matmul(x, tf.transpose(x)),
              "matmul_transposed": lambda x: tf.matmul(x, x, transpose_a=True),
              "mean": lambda x: tf.reduce_mean(x, axis=1),
              "divide": lambda x: tf.divide(x, x + 3.0),
              "subtract": lambda x: 1.0 - x}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(PATH_CASES))
def test_numpy_vjps_match_engine_vjps(name, dtype):
    x = _points((2, 3), 0.3, 1.5).astype(dtype)

    fast = _gradient(PATH_CASES[name], x, engine_path=False)
    recorded = _gradient(PATH_CASES[name], x, engine_path=True)

    assert fast.dtype == dtype
    np.testing.assert_allclose(fast, recorded, rtol=1e-6 if dtype == np.float32 else 1e-12)


def test_tensordot_gradient():
    check_grads(lambda a, b: tf.tensordot(a, b, [[1, 2], [1, 0]]), [_points((2, 3, 4)), _points((4, 3, 2))])


def test_check_grads_in_float32_detects_a_wrong_vjp():
    with pytest.raises(GradientCheckError):
        check_grads(lambda x: tf.stop_gradient(x) * x, [np.ones(3)], dtype=np.float32)


def _gradient_at(fn, values):
    x = tf.constant(np.asarray(values, dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x).numpy()


# The derivative at a kink is a convention; each row is TensorFlow's choice.
KINK_CASES = [
    ("relu at 0", tf.nn.relu, [0.0], [0.0]),
    ("relu6 at 0 and 6", tf.nn.relu6, [0.0, 6.0], [0.0, 0.0]),
    ("abs at 0", tf.abs, [0.0], [0.0]),
    ("leaky_relu at 0", lambda x: tf.nn.leaky_relu(x, alpha=0.2), [0.0], [0.2]),
    ("elu at 0", tf.nn.elu, [0.0], [1.0]),
    ("selu at 0", tf.nn.selu, [0.0], [1.0507009873554805]),
    ("softplus at 0", tf.nn.softplus, [0.0], [0.5]),
    ("maximum tie to first", lambda x: tf.maximum(x, tf.constant([1.0])), [1.0], [1.0]),
    ("minimum tie to first", lambda x: tf.minimum(x, tf.constant([1.0])), [1.0], [1.0]),
    ("maximum tie, second gets none", lambda x: tf.maximum(tf.constant([1.0]), x), [1.0], [0.0]),
    ("reduce_max ties share", tf.reduce_max, [2.0, 2.0, 1.0], [0.5, 0.5, 0.0]),
    ("reduce_min ties share", tf.reduce_min, [1.0, 1.0, 1.0, 3.0], [1 / 3, 1 / 3, 1 / 3, 0.0]),
    ("clip at the bound", lambda x: tf.clip_by_value(x, 0.0, 1.0), [0.0, 1.0], [1.0, 1.0]),
    ("sqrt at 0 is infinite", tf.sqrt, [0.0], [np.inf]),
]


@pytest.mark.parametrize("case", KINK_CASES, ids=[case[0] for case in KINK_CASES])
def test_derivative_convention_at_kink(case):
    _, fn, x, expected = case

    gradient = _gradient_at(fn, x)

    np.testing.assert_allclose(gradient, np.asarray(expected, np.float32), rtol=1e-6)


def test_clip_by_norm_values_and_gradient():
    clipped = tf.clip_by_norm(tf.constant([3.0, 4.0]), 1.0)
    np.testing.assert_allclose(clipped.numpy(), [0.6, 0.8], rtol=1e-6)
    check_grads(lambda x: tf.clip_by_norm(x, 1.0), [np.array([3.0, 4.0])])
    check_grads(lambda x: tf.clip_by_norm(x, 10.0), [np.array([3.0, 4.0])])


def test_tensor_prints_as_tensorflow_does():
    assert str(tf.constant(6.0)) == "tf.Tensor(6.0, shape=(), dtype=float32)"
    assert str(tf.constant([0.0, 0.0])) == "tf.Tensor([0. 0.], shape=(2,), dtype=float32)"
    assert str(tf.constant([[1.0], [2.0]])) == "tf.Tensor(\n[[1.]\n [2.]], shape=(2, 1), dtype=float32)"
    assert repr(tf.constant([1.0])) == "<tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.], dtype=float32)>"
    assert tf.Variable(3.0, name="x0").name == "x0:0"
