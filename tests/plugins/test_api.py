"""The plugin API without installed plugins: defining ops, calling them and their checks."""

import numpy as np
import pytest

import tapestudio as tf
from tapestudio import plugins
from tapestudio.engine import InvalidArgumentError
from tapestudio.plugins import PluginDefinitionError, PluginError, api
from tapestudio.testing import check_grads


def _cube_forward(x):
    return x * x * x


def _cube_vjp(g, out, x):
    return g * x * x * 3.0


def _cube_numpy_vjp(g, out, x):
    return g * 3 * x * x


CUBE = api.define_op(
    "cube", _cube_forward, [_cube_vjp], numpy_vjps=[_cube_numpy_vjp], activation=True, api_version=1,
    description="x^3.",
)


def _weighted_sum_forward(x, w, axis=-1):
    return np.sum(x * w, axis=axis)


def _weighted_sum_vjp_x(g, out, x, w, axis=-1):
    return tf.expand_dims(g, axis) * w


def _weighted_sum_vjp_w(g, out, x, w, axis=-1):
    return tf.expand_dims(g, axis) * x


def _drop_axis(x_shape, w_shape, axis=-1):
    if x_shape != w_shape:
        raise ValueError(f"x and w must have one shape, got {x_shape} and {w_shape}")
    return tuple(size for index, size in enumerate(x_shape) if index != axis % len(x_shape))


# Its VJPs do not undo broadcasting, so the tests differentiate it only on inputs of one shape.
ADD = api.define_op(
    "add_inputs", np.add, [lambda g, out, x, y: g, lambda g, out, x, y: g], api_version=1, description="x + y.",
)

WEIGHTED_SUM = api.define_op(
    "weighted_sum", _weighted_sum_forward, [_weighted_sum_vjp_x, _weighted_sum_vjp_w],
    attributes={"axis": -1}, output_shape=_drop_axis, api_version=1, description="sum(x * w) along an axis.",
)


# -- defining ----------------------------------------------------------------------------------

def test_define_op_describes_op():
    assert (CUBE.name, CUBE.arity, CUBE.activation, CUBE.api_version) == ("cube", 1, True, 1)
    assert CUBE.is_primitive
    assert CUBE.has_numpy_vjps


def test_arity_defaults_to_number_of_vjps():
    assert WEIGHTED_SUM.arity == 2


BAD_DEFINITIONS = {
    "uppercase name": (dict(name="Cube"), "Op name 'Cube' is invalid"),
    "arity mismatch": (dict(arity=2, activation=False), "has arity 2 but 1 VJPs"),
    "no vjp": (dict(vjps=[None]), "has no VJP"),
    "vjps not a list": (dict(vjps=_cube_vjp), "vjps must be a list"),
    "api_version not int": (dict(api_version="1"), "api_version must be an int"),
    "two-line description": (dict(description="x^3\nand more"), "description must be one non-empty line"),
    "empty description": (dict(description=" "), "description must be one non-empty line"),
    "forward signature": (dict(forward=lambda: 0), "forward must accept 1 positional arguments"),
    "vjp signature": (dict(vjps=[lambda g, out: g]), "VJP 0 must accept 3 positional arguments"),
    "numpy vjps length": (dict(numpy_vjps=[_cube_numpy_vjp, _cube_numpy_vjp]), "1 but 2 NumPy VJPs"),
    "numpy vjp without vjp": (dict(vjps=[None], numpy_vjps=[_cube_numpy_vjp]), "has no VJP"),
    "reserved attribute": (dict(attributes={"name": 1}), "attribute name 'name' is invalid"),
    "attribute not accepted": (dict(attributes={"power": 3}), "and the keywords power"),
    "activation with output shape": (dict(output_shape=lambda s: s), "an activation takes one input"),
    "inverted domain": (dict(domain=(1.0, -1.0)), "domain must be finite with low < high"),
}


@pytest.mark.parametrize("case", sorted(BAD_DEFINITIONS))
def test_define_op_rejects_invalid_argument(case):
    changes, message = BAD_DEFINITIONS[case]
    arguments = dict(name="cube", forward=_cube_forward, vjps=[_cube_vjp], activation=True, api_version=1,
                     description="x^3.")
    arguments.update(changes)

    with pytest.raises(PluginDefinitionError, match=message):
        api.define_op(**arguments)


def test_composite_op_rejects_bad_function():
    with pytest.raises(PluginDefinitionError, match="function must be a function"):
        api.composite_op("twice", 2.0, api_version=1, description="2 x.")


# -- calling -----------------------------------------------------------------------------------

def test_op_keeps_input_dtype():
    for dtype in (np.float16, np.float32, np.float64):
        assert CUBE(tf.constant(np.array([2.0], dtype))).numpy().dtype == dtype


def test_op_takes_python_number_as_float32():
    assert CUBE(2.0).numpy() == np.float32(8.0)


def test_op_takes_variable_and_records_read():
    variable = tf.Variable([1.0, 2.0])

    with tf.GradientTape() as tape:
        y = CUBE(variable)

    np.testing.assert_allclose(tape.gradient(y, variable).numpy(), [3.0, 12.0])


def test_op_gradients_to_second_order():
    check_grads(CUBE, [np.array([-1.5, 0.5, 2.0])], order=2)


def test_two_input_op_gradients_to_second_order():
    check_grads(WEIGHTED_SUM, [np.arange(6.0).reshape(2, 3), np.linspace(-1, 1, 6).reshape(2, 3)], order=2)


def test_op_attribute_is_passed_to_every_function():
    x = np.arange(6.0).reshape(2, 3)
    w = np.ones((2, 3))

    check_grads(lambda a, b: WEIGHTED_SUM(a, b, axis=0), [x, w], order=2)
    assert WEIGHTED_SUM(x, w, axis=0).shape == (3,)


def test_op_rejects_unknown_attribute():
    with pytest.raises(TypeError, match="got unknown attributes \\['power'\\]; it takes: axis"):
        WEIGHTED_SUM(np.ones(2), np.ones(2), power=2)


def test_op_rejects_wrong_number_of_inputs():
    with pytest.raises(TypeError, match="op 'cube' takes 1 input\\(s\\), got 2"):
        CUBE(1.0, 2.0)


def test_op_rejects_integer_input():
    with pytest.raises(InvalidArgumentError, match="input 0 is int32; cast it with tf.cast"):
        CUBE(tf.constant([1, 2]))


def test_op_rejects_mixed_dtypes():
    with pytest.raises(InvalidArgumentError, match="input 0 is float32 and input 1 is float64"):
        WEIGHTED_SUM(tf.constant([1.0]), tf.constant(np.array([1.0])))


def test_op_converts_python_number_to_tensor_dtype():
    x = tf.constant(np.array([1.0, 2.0]))

    assert ADD(x, 2.0).dtype == tf.float64


def test_output_shape_rejection_is_invalid_argument():
    with pytest.raises(InvalidArgumentError, match="x and w must have one shape"):
        WEIGHTED_SUM(np.ones((2, 3)), np.ones((3, 2)))


def test_broadcast_mismatch_is_invalid_argument():
    with pytest.raises(InvalidArgumentError, match="Incompatible shapes: \\[2\\] vs. \\[3\\]"):
        ADD(np.ones(2), np.ones(3))


def test_composite_op_differentiates_through_engine_ops():
    softsign = api.composite_op(
        "my_softsign", lambda x: x / (tf.abs(x) + 1.0), activation=True, api_version=1, description="x / (1 + |x|).",
    )

    check_grads(softsign, [np.array([-2.0, 0.5, 3.0])], order=2)
    assert not softsign.is_primitive


def test_op_used_as_activation_directly():
    layer = tf.keras.layers.Dense(2, activation=CUBE)

    assert layer(tf.constant(np.ones((1, 2), np.float32))).shape == (1, 2)


# -- checks around plugin code -----------------------------------------------------------------

def test_forward_returning_list_raises():
    op = api.define_op("listed", lambda x: [1.0], [lambda g, out, x: g], api_version=1, description="A list.")

    with pytest.raises(PluginError, match="failed in forward: returned list, expected a NumPy array"):
        op(np.ones(1))


def test_forward_of_wrong_shape_raises():
    op = api.define_op("summed", np.sum, [lambda g, out, x: g], api_version=1, description="sum(x).")

    with pytest.raises(PluginError, match="returned shape \\(\\), expected \\(2,\\), the output shape"):
        op(np.ones(2))


def test_vjp_returning_array_raises():
    op = api.define_op("array_vjp", _cube_forward, [lambda g, out, x: np.ones(2)], api_version=1, description="x^3.")
    x = tf.constant(np.ones(2))

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = op(x)

    with pytest.raises(PluginError, match="returned ndarray, expected a Tensor computed with engine ops"):
        tape.gradient(y, x)


def test_vjp_of_wrong_dtype_raises():
    op = api.define_op(
        "cast_vjp", _cube_forward, [lambda g, out, x: tf.cast(g, tf.float64)], api_version=1, description="x^3.",
    )
    x = tf.constant(np.ones(2, np.float32))

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = op(x)

    with pytest.raises(PluginError, match="returned dtype float64, expected float32, the dtype of input 0"):
        tape.gradient(y, x)


def test_composite_returning_wrong_dtype_raises():
    op = api.composite_op("widened", lambda x: tf.cast(x, tf.float64), api_version=1, description="x in float64.")

    with pytest.raises(PluginError, match="failed in its function: returned dtype float64, expected float32"):
        op(tf.constant([1.0]))


def test_error_inside_nested_op_names_inner_op():
    inner = api.define_op(
        "inner_failing", _cube_forward, [lambda g, out, x: 1 / 0], api_version=1, description="x^3.",
    )
    outer = api.define_op(
        "outer_calling", _cube_forward, [lambda g, out, x: inner(x) * g], api_version=1, description="x^3.",
    )
    x = tf.constant([1.0])

    with tf.GradientTape() as tape:
        tape.watch(x)
        with tf.GradientTape() as inner_tape:
            inner_tape.watch(x)
            y = outer(x)
        first = inner_tape.gradient(y, x)

    with pytest.raises(PluginError, match="op 'inner_failing'"):
        tape.gradient(first, x)


def test_local_op_error_names_unknown_distribution():
    op = api.define_op("failing", lambda x: 1 / 0, [lambda g, out, x: g], api_version=1, description="Fails.")

    with pytest.raises(PluginError, match="from plugin an unknown distribution failed in forward: ZeroDivisionError"):
        op(np.ones(1))


def test_jacobian_through_op_with_numpy_vjps():
    x = tf.constant(np.array([1.0, 2.0]))

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = CUBE(x)

    np.testing.assert_allclose(tape.jacobian(y, x).numpy(), np.diag([3.0, 12.0]))


# -- built-ins ---------------------------------------------------------------------------------

def test_builtin_op_skips_plugin_checks():
    # The plugin checks reject integer inputs; the built-in relu takes them as tf.nn.relu does.
    result = plugins.op("relu")(tf.constant([-1, 2]))

    np.testing.assert_array_equal(result.numpy(), [0, 2])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_builtin_op_takes_axis_attribute(name):
    x = tf.constant(np.arange(6.0).reshape(2, 3))

    np.testing.assert_allclose(plugins.op(name)(x, axis=0).numpy(), getattr(tf.nn, name)(x, axis=0).numpy())


def test_api_version_constant():
    assert plugins.API_VERSION == api.API_VERSION == 1
