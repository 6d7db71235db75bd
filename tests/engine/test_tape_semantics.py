"""GradientTape behaves as TensorFlow 2's tf.GradientTape does in eager mode.

Expected values and error messages are those of TensorFlow 2.21. Where the engine differs, the
test is marked xfail with the wrong behaviour in its reason.
"""

from __future__ import annotations

import collections
import logging
import threading

import numpy as np
import pytest

import tapestudio as tf

ALREADY_USED = (
    "A non-persistent GradientTape can only be used to compute one set of gradients "
    "(or jacobians)"
)
PERSISTENT_IN_CONTEXT = (
    "Calling GradientTape.gradient on a persistent tape inside its context is significantly "
    "less efficient than calling it outside the context (it causes the gradient ops to be "
    "recorded on the tape, leading to increased CPU and memory usage). Only call "
    "GradientTape.gradient inside the context if you actually want to trace the gradient in "
    "order to compute higher order derivatives."
)
NON_FLOAT_WATCH = "The dtype of the watched tensor must be floating (e.g. tf.float32), got"


def exact(message: str) -> str:
    """Return a pytest ``match`` pattern that accepts exactly ``message``."""
    import re

    return "^" + re.escape(message) + "$"


def watched_square(value=3.0, dtype=None):
    """Return ``(x, y, tape)`` with ``x`` a watched constant and ``y = x * x``."""
    x = tf.constant(value, dtype=dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    return x, y, tape


# -- constructor ------------------------------------------------------------------------------


def test_constructor_defaults_to_non_persistent():
    x, y, tape = watched_square()
    tape.gradient(y, x)

    with pytest.raises(RuntimeError):
        tape.gradient(y, x)


def test_constructor_defaults_to_watching_accessed_variables():
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * v

    assert tape.gradient(y, v).numpy() == pytest.approx(6.0)


def test_constructor_accepts_both_keywords():
    v = tf.Variable(3.0)
    with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
        tape.watch(v)
        y = v * v

    assert tape.gradient(y, v).numpy() == pytest.approx(6.0)
    assert tape.gradient(y, v).numpy() == pytest.approx(6.0)


def test_gradient_tape_is_exported_from_autodiff():
    assert tf.autodiff.GradientTape is tf.GradientTape


def test_construction_does_not_start_recording():
    v = tf.Variable(3.0)
    tape = tf.GradientTape()
    y = v * v
    with tape:
        pass

    assert tape.gradient(y, v) is None


def test_gradient_on_never_entered_tape_raises():
    x = tf.constant(1.0)
    tape = tf.GradientTape(persistent=True)

    with pytest.raises(RuntimeError, match=exact(ALREADY_USED)):
        tape.gradient(x, x)


def test_enter_while_recording_raises_value_error():
    tape = tf.GradientTape()
    with tape:
        with pytest.raises(
            ValueError,
            match=exact(
                "Tape is still recording, This can happen if you try to re-enter an "
                "already-active tape."
            ),
        ):
            tape.__enter__()


def test_reentered_tape_keeps_ops_of_both_blocks():
    x = tf.constant(3.0)
    tape = tf.GradientTape()
    with tape:
        tape.watch(x)
        y = x * 2.0
    with tape:
        z = y * 2.0

    assert tape.gradient(z, x).numpy() == pytest.approx(4.0)


def test_entering_used_tape_starts_fresh_recording():
    x, y, tape = watched_square()
    tape.gradient(y, x)
    with tape:
        tape.watch(x)
        z = x * x * x

    assert tape.gradient(z, x).numpy() == pytest.approx(27.0)


def test_entering_used_tape_forgets_old_records():
    x, y, tape = watched_square()
    tape.gradient(y, x)
    with tape:
        pass

    assert tape.gradient(y, x) is None


# -- what gets recorded -----------------------------------------------------------------------


def test_op_on_unwatched_constant_is_not_recorded():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        y = x * x

    assert tape.gradient(y, x) is None


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64], ids=lambda d: d.name)
def test_floating_dtypes_are_recorded(dtype):
    x, y, tape = watched_square(3.0, dtype)

    assert float(tape.gradient(y, x).numpy()) == pytest.approx(6.0)


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64], ids=lambda d: d.name)
def test_gradient_has_dtype_of_source(dtype):
    x, y, tape = watched_square(3.0, dtype)

    assert tape.gradient(y, x).dtype == dtype


@pytest.mark.xfail(
    reason="complex gradients are not conjugated: d(x*x)/dx at 1+2j gives 2+4j, TensorFlow "
    "gives 2-4j",
    strict=True,
)
def test_complex_gradient_is_conjugated():
    x, y, tape = watched_square(1.0 + 2.0j, tf.complex64)

    assert complex(tape.gradient(y, x).numpy()) == pytest.approx(2.0 - 4.0j)


def test_each_tape_records_with_its_own_watched_set():
    x = tf.constant(2.0)
    y = tf.constant(5.0)
    with tf.GradientTape() as tape_x, tf.GradientTape() as tape_y:
        tape_x.watch(x)
        tape_y.watch(y)
        z = x * y

    assert tape_x.gradient(z, [x, y])[0].numpy() == pytest.approx(5.0)
    assert tape_y.gradient(z, [x, y])[0] is None


def test_source_watched_by_other_tape_is_unconnected():
    x = tf.constant(2.0)
    y = tf.constant(5.0)
    with tf.GradientTape() as tape_x, tf.GradientTape() as tape_y:
        tape_x.watch(x)
        tape_y.watch(y)
        z = x * y

    assert tape_x.gradient(z, y) is None
    assert tape_y.gradient(z, y).numpy() == pytest.approx(2.0)


def test_op_before_watch_is_not_recorded():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        y = x * x
        tape.watch(x)

    assert tape.gradient(y, x) is None


def test_numpy_detour_gives_none():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.constant((x * x).numpy()) * 2.0

    assert tape.gradient(y, x) is None


def test_constant_of_tensor_keeps_gradient():
    v = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        loss = tf.constant(v + v)

    assert tape.gradient(loss, v).numpy() == pytest.approx(2.0)


def test_constant_of_tensor_same_dtype_keeps_gradient():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.constant(x * x, dtype=tf.float32)

    assert tape.gradient(y, x) is not None


def test_constant_of_tensor_dtype_change_raises():
    with pytest.raises(TypeError):
        tf.constant(tf.constant(2.0), dtype=tf.float64)


@pytest.mark.parametrize("x_value, expected", [(2.0, 4.0), (-2.0, -1.0)])
def test_only_executed_branch_is_recorded(x_value, expected):
    x = tf.constant(x_value)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x if x > 0 else -x

    assert tape.gradient(y, x).numpy() == pytest.approx(expected)


# -- watch() ----------------------------------------------------------------------------------


def test_watch_accepts_nested_structure():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    c = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch([a, (b, {"c": c})])
        y = a * b * c

    grads = tape.gradient(y, [a, b, c])

    assert [g.numpy() for g in grads] == pytest.approx([6.0, 3.0, 2.0])


@pytest.mark.parametrize("leaf", [3.0, None, "abc"], ids=["float", "none", "str"])
def test_watch_non_tensor_raises_value_error(leaf):
    with tf.GradientTape() as tape:
        with pytest.raises(ValueError, match="not tf.Tensor or tf.Variable or ExtensionType"):
            tape.watch(leaf)


def test_watch_float_message_is_exact():
    with tf.GradientTape() as tape:
        with pytest.raises(
            ValueError,
            match=exact(
                "Passed in object 3.0 of type 'float', not tf.Tensor or tf.Variable or "
                "ExtensionType."
            ),
        ):
            tape.watch(3.0)


def test_watch_non_tensor_inside_structure_raises_value_error():
    with tf.GradientTape() as tape:
        with pytest.raises(ValueError, match="Passed in object 2.0 of type 'float'"):
            tape.watch([tf.constant(1.0), 2.0])


def test_watch_ndarray_message_shows_str_of_object():
    with tf.GradientTape() as tape:
        with pytest.raises(
            ValueError,
            match=exact(
                "Passed in object [1. 2.] of type 'ndarray', not tf.Tensor or tf.Variable or "
                "ExtensionType."
            ),
        ):
            tape.watch(np.array([1.0, 2.0]))


def test_watch_constant_makes_it_differentiable():
    x, y, tape = watched_square(3.0)

    assert tape.gradient(y, x).numpy() == pytest.approx(6.0)


def test_watch_twice_does_not_double_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        tape.watch(x)
        y = x * x

    assert tape.gradient(y, x).numpy() == pytest.approx(6.0)


def test_equal_constants_are_distinct_sources():
    x1 = tf.constant(3.0)
    x2 = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x1)
        tape.watch(x2)
        y = x1 + x2 * 2.0

    assert tape.gradient(y, x1).numpy() == pytest.approx(1.0)


def test_watch_non_trainable_variable_makes_it_differentiable():
    v = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = v * v * v

    assert tape.gradient(y, v).numpy() == pytest.approx(12.0)


def test_watch_variable_with_accessed_watching_off():
    v = tf.Variable(2.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(v)
        y = v * v

    assert tape.gradient(y, v).numpy() == pytest.approx(4.0)


def test_watched_variable_is_listed_even_if_never_read():
    v = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        tape.watch(v)

    assert tape.watched_variables() == (v,)


@pytest.mark.parametrize(
    "value, dtype_name", [(10, "int32"), (True, "bool")], ids=["int32", "bool"]
)
def test_watch_non_float_tensor_logs_warning(value, dtype_name, caplog, fresh_watch_warning_budget):
    x = tf.constant(value)
    with caplog.at_level(logging.WARNING, logger="tapestudio"):
        with tf.GradientTape() as tape:
            tape.watch(x)

    assert [r.getMessage() for r in caplog.records] == [f"{NON_FLOAT_WATCH} tf.{dtype_name}"]


def test_watch_non_float_warning_logger_and_level(caplog, fresh_watch_warning_budget):
    with caplog.at_level(logging.WARNING, logger="tapestudio"):
        with tf.GradientTape() as tape:
            tape.watch(tf.constant(10))

    assert caplog.records[0].levelno == logging.WARNING
    assert caplog.records[0].name.startswith("tapestudio.")


def test_watch_integer_variable_logs_warning(caplog, fresh_watch_warning_budget):
    v = tf.Variable(3)
    with caplog.at_level(logging.WARNING, logger="tapestudio"):
        with tf.GradientTape() as tape:
            tape.watch(v)

    assert [r.getMessage() for r in caplog.records] == [f"{NON_FLOAT_WATCH} tf.int32"]


def test_watch_non_float_warns_at_most_five_times(count_warnings_in_fresh_interpreter):
    code = """
    for i in range(8):
        with tf.GradientTape() as tape:
            tape.watch(tf.constant(i))
    """

    assert count_warnings_in_fresh_interpreter(code, NON_FLOAT_WATCH) == 5


def test_watched_integer_gives_none(fresh_watch_warning_budget):
    x = tf.constant(10)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x

    assert tape.gradient(y, x) is None


def test_watch_float_logs_nothing(caplog):
    with caplog.at_level(logging.DEBUG, logger="tapestudio"):
        watched_square()

    assert caplog.records == []


# -- automatic watching of variables ----------------------------------------------------------


def test_trainable_variable_read_is_watched():
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * 2.0

    assert tape.watched_variables() == (v,)


def test_non_trainable_variable_read_gives_none():
    v = tf.Variable(3.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * v

    assert tape.gradient(y, v) is None


def test_non_trainable_variable_read_is_not_watched():
    v = tf.Variable(3.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * v

    assert tape.watched_variables() == ()


def test_variable_created_inside_tape_is_watched_on_read():
    with tf.GradientTape() as tape:
        v = tf.Variable(3.0)
        y = v * v

    assert tape.gradient(y, v).numpy() == pytest.approx(6.0)


def test_unread_variable_gives_none():
    v = tf.Variable(3.0)
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = w * 2.0

    assert tape.gradient(y, v) is None


def test_unread_variable_is_not_watched():
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        pass

    assert tape.watched_variables() == ()


def test_accessed_variable_watching_off_gives_none():
    v = tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        y = v * v

    assert tape.gradient(y, v) is None


def test_accessed_variable_watching_off_lists_nothing():
    v = tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        y = v * v

    assert tape.watched_variables() == ()


@pytest.mark.parametrize("read", ["value", "read_value"])
def test_read_methods_are_recorded(read):
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = getattr(v, read)() * 2.0

    assert tape.gradient(y, v).numpy() == pytest.approx(2.0)


def test_watched_variables_follow_construction_order():
    first = tf.Variable(1.0)
    second = tf.Variable(2.0)
    third = tf.Variable(3.0, trainable=False)
    with tf.GradientTape() as tape:
        tape.watch(third)
        y = second * 2.0
        z = first * 2.0

    assert tape.watched_variables() == (first, second, third)


def test_watched_variables_survive_used_tape():
    v = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = v * v
    tape.gradient(y, v)

    assert tape.watched_variables() == (v,)


def test_watched_variables_empty_after_reset():
    v = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = v * v
        tape.reset()
        listed = tape.watched_variables()

    assert listed == ()


def test_watched_variables_list_variable_read_after_reset():
    v = tf.Variable(1.0)
    w = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = v * w
        tape.reset()
        z = w * 2.0

    assert tape.watched_variables() == (w,)


# -- variables and assignment -----------------------------------------------------------------


def test_variable_reads_around_assignment_add_up():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y1 = v * v
        v.assign_sub(1.0)
        y2 = v * v
        loss = y1 + y2

    # 2 * 2.0 from the first read plus 2 * 1.0 from the second.
    assert tape.gradient(loss, v).numpy() == pytest.approx(6.0)


@pytest.mark.parametrize("method", ["assign", "assign_add", "assign_sub"])
def test_assigned_value_gets_no_gradient(method):
    v = tf.Variable(1.0)
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        getattr(v, method)(x * 3.0)
        y = v * v

    assert tape.gradient(y, x) is None


def test_assign_add_cuts_added_variable():
    x0 = tf.Variable(3.0)
    x1 = tf.Variable(0.0)
    with tf.GradientTape() as tape:
        x1.assign_add(x0)
        y = x1 ** 2

    assert tape.gradient(y, x0) is None


def test_gradient_uses_value_read_after_assignment():
    v = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        v.assign(5.0)
        y = v * v

    assert tape.gradient(y, v).numpy() == pytest.approx(10.0)


def test_variable_rebound_to_tensor_gives_none_next_step():
    x = tf.Variable(2.0)
    results = []
    for _ in range(2):
        with tf.GradientTape() as tape:
            y = x + 1.0
        results.append((type(x).__name__, tape.gradient(y, x)))
        x = x + 1.0

    assert results[0][0] == "ResourceVariable"
    assert results[0][1].numpy() == pytest.approx(1.0)
    assert results[1][0] == "EagerTensor"
    assert results[1][1] is None


def test_grad_pass_through_gives_identity_gradient():
    x = tf.Variable(1.0)
    z = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = tf.grad_pass_through(x.assign)(z ** 2)

    assert tape.gradient(y, z).numpy() == pytest.approx(6.0)


# -- default dtypes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, dtype",
    [
        (1.0, tf.float32),
        (1, tf.int32),
        ([1, 2], tf.int32),
        ([1.0, 2.0], tf.float32),
        (np.array([1, 2], dtype=np.int64), tf.int64),
        (np.array([1.0, 2.0]), tf.float64),
    ],
    ids=["float", "int", "int_list", "float_list", "numpy_int64", "numpy_float64"],
)
def test_constant_default_dtype(value, dtype):
    assert tf.constant(value).dtype == dtype


def test_variable_of_python_int_is_int32():
    assert tf.Variable(3).dtype == tf.int32


@pytest.mark.parametrize(
    "other", [tf.constant(1.0, dtype=tf.float64), tf.constant(1)], ids=["float64", "int32"]
)
def test_mixed_dtypes_raise_instead_of_promoting(other):
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant(1.0) * other


def test_integer_variable_gives_none():
    v = tf.Variable(3)
    with tf.GradientTape() as tape:
        y = v * v

    assert tape.gradient(y, v) is None


# -- gradient(): argument checks and their order ----------------------------------------------


def test_second_gradient_call_raises_runtime_error():
    x, y, tape = watched_square()
    tape.gradient(y, x)

    with pytest.raises(RuntimeError, match=exact(ALREADY_USED)):
        tape.gradient(y, x)


def test_used_tape_is_checked_before_target_none():
    x, y, tape = watched_square()
    tape.gradient(y, x)

    with pytest.raises(RuntimeError):
        tape.gradient(None, x)


def test_target_none_raises_type_error():
    x, y, tape = watched_square()

    with pytest.raises(
        TypeError,
        match=exact(
            "Argument `target` should be a list or nested structure of Tensors, Variables or "
            "CompositeTensors to be differentiated, but received None."
        ),
    ):
        tape.gradient(None, x)


def test_target_none_is_checked_before_unconnected_gradients():
    x, y, tape = watched_square()

    with pytest.raises(TypeError):
        tape.gradient(None, x, unconnected_gradients="nonsense")


def test_target_none_does_not_use_up_tape():
    x, y, tape = watched_square()
    with pytest.raises(TypeError):
        tape.gradient(None, x)

    assert tape.gradient(y, x).numpy() == pytest.approx(6.0)


def test_unknown_unconnected_gradients_raises_value_error():
    x, y, tape = watched_square()

    message = "Unknown value for unconnected_gradients: 'nonsense'"
    with pytest.raises(ValueError, match=exact(message)):
        tape.gradient(y, x, unconnected_gradients="nonsense")


def test_unknown_unconnected_gradients_does_not_use_up_tape():
    x, y, tape = watched_square()
    with pytest.raises(ValueError):
        tape.gradient(y, x, unconnected_gradients="nonsense")

    assert tape.gradient(y, x).numpy() == pytest.approx(6.0)


@pytest.mark.parametrize("value", ["none", tf.UnconnectedGradients.NONE])
def test_unconnected_gradients_none_by_string_or_enum(value):
    x, y, tape = watched_square()

    assert tape.gradient(y, tf.constant(1.0), unconnected_gradients=value) is None


@pytest.mark.parametrize("value", ["zero", tf.UnconnectedGradients.ZERO])
def test_unconnected_gradients_zero_by_string_or_enum(value):
    x, y, tape = watched_square()

    assert tape.gradient(y, tf.constant(1.0), unconnected_gradients=value).numpy() == 0.0


def test_non_tensor_source_raises_value_error():
    x, y, tape = watched_square()

    with pytest.raises(ValueError, match="3.0"):
        tape.gradient(y, 3.0)


def test_in_context_gradient_non_persistent_works():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0
        grad = tape.gradient(y, x)

    assert grad.numpy() == pytest.approx(2.0)


def test_in_context_gradient_non_persistent_logs_nothing(caplog):
    x = tf.constant(1.0)
    with caplog.at_level(logging.DEBUG, logger="tapestudio"):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * 2.0
            tape.gradient(y, x)

    assert caplog.records == []


def test_in_context_gradient_stops_non_persistent_recording():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        tape.gradient(y, x)
        # The tape stopped recording, so entering it again is allowed and starts a new tape.
        with tape:
            tape.watch(x)
            z = x * x * x

    assert tape.gradient(z, x).numpy() == pytest.approx(27.0)


def test_in_context_gradient_persistent_logs_warning(caplog):
    x = tf.constant(1.0)
    with caplog.at_level(logging.WARNING, logger="tapestudio"):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * 2.0
            tape.gradient(y, x)

    assert [r.getMessage() for r in caplog.records] == [PERSISTENT_IN_CONTEXT]


def test_in_context_gradient_warns_once_for_repeated_calls(caplog):
    x = tf.constant(1.0)
    with caplog.at_level(logging.WARNING, logger="tapestudio"):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * 2.0
            for _ in range(3):
                tape.gradient(y, x)

    assert len(caplog.records) == 1


def test_in_context_warning_once_per_training_loop(
    count_warnings_in_fresh_interpreter,
):
    code = """
    x = tf.constant(1.0)
    for step in range(3):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * 2.0
            tape.gradient(y, x)
    """

    assert count_warnings_in_fresh_interpreter(code, "on a persistent tape inside its context") == 1


def test_in_context_gradient_records_backward_ops():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x * x
        dy = tape.gradient(y, x)

    assert tape.gradient(dy, x).numpy() == pytest.approx(18.0)


# -- targets ----------------------------------------------------------------------------------


def test_non_scalar_target_gives_gradient_of_sum():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * tf.constant([3.0, 4.0])

    assert tape.gradient(y, x).numpy() == pytest.approx(7.0)


def test_list_of_targets_gives_sum_of_gradients():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y0 = x ** 2
        y1 = 1 / x

    assert tape.gradient([y0, y1], x).numpy() == pytest.approx(3.75)


def test_dict_of_targets_gives_sum_of_gradients():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y0 = x ** 2
        y1 = 1 / x

    assert tape.gradient({"y0": y0, "y1": y1}, x).numpy() == pytest.approx(3.75)


def test_target_that_feeds_another_target_adds_its_gradient():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x

    assert tape.gradient([x, y], x).numpy() == pytest.approx(5.0)


def test_target_that_is_its_watched_source_gives_ones():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)

    np.testing.assert_array_equal(tape.gradient(x, x).numpy(), np.ones((2, 2)))


def test_target_listed_twice_gives_twice_the_gradient():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)

    np.testing.assert_array_equal(tape.gradient([x, x], x).numpy(), np.full((2, 2), 2.0))


def test_target_that_is_unwatched_source_gives_ones():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        pass

    assert tape.gradient(x, x).numpy() == pytest.approx(1.0)


def test_target_assigned_without_op_gives_one():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x

    assert tape.gradient(y, x).numpy() == pytest.approx(1.0)


def test_identity_target_gives_one():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.identity(x)

    assert tape.gradient(y, x).numpy() == pytest.approx(1.0)


def test_target_not_on_tape_gives_none():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)

    assert tape.gradient(tf.constant(5.0), x) is None


def test_target_not_on_tape_gives_zeros_on_request():
    x = tf.constant([2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)

    grad = tape.gradient(tf.constant(5.0), x, unconnected_gradients=tf.UnconnectedGradients.ZERO)

    np.testing.assert_array_equal(grad.numpy(), [0.0, 0.0])


def test_string_target_gives_none():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)

    assert tape.gradient(tf.constant("abc"), x) is None


def test_integer_target_gives_none():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(x * 3.0, tf.int32)

    assert tape.gradient(y, x) is None


def test_integer_target_logs_nothing(caplog):
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(x * 3.0, tf.int32)
    with caplog.at_level(logging.INFO, logger="tapestudio"):
        tape.gradient(y, x)

    assert caplog.records == []


def test_variable_target_gives_none_for_other_variable():
    v = tf.Variable(2.0)
    w = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * w

    assert tape.gradient(v, w) is None


def test_variable_target_gives_one_for_itself():
    v = tf.Variable(2.0)
    w = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * w

    assert tape.gradient(v, [v, w])[0].numpy() == pytest.approx(1.0)


def test_python_max_of_variables_differentiates_chosen_variable():
    variables = [tf.Variable(2.0), tf.Variable(3.0), tf.Variable(5.0)]
    with tf.GradientTape() as tape:
        largest = max(variables)

    grads = tape.gradient(largest, variables)

    assert grads[0] is None
    assert grads[1] is None
    assert grads[2].numpy() == pytest.approx(1.0)


# -- sources ----------------------------------------------------------------------------------


def _three_sources():
    x1 = tf.constant(1.0)
    x2 = tf.constant(1.0)
    x3 = tf.constant(1.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x1, x2, x3])
        y = x1 + x2 * 2.0 + x3 * 3.0
    return (x1, x2, x3), y, tape


def test_gradient_keeps_nested_list_and_tuple_structure():
    (x1, x2, x3), y, tape = _three_sources()

    grads = tape.gradient(y, [(x1, x2), (x2, x3)])

    assert isinstance(grads, list)
    assert isinstance(grads[1], tuple)
    assert [[float(g) for g in pair] for pair in grads] == [[1.0, 2.0], [2.0, 3.0]]


def test_gradient_keeps_dict_structure():
    (x1, x2, x3), y, tape = _three_sources()

    grads = tape.gradient(y, [x1, {"x2": x2, "x3": x3}])

    assert sorted(grads[1]) == ["x2", "x3"]
    assert float(grads[0]) == pytest.approx(1.0)
    assert float(grads[1]["x2"]) == pytest.approx(2.0)
    assert float(grads[1]["x3"]) == pytest.approx(3.0)


def test_gradient_keeps_namedtuple_type():
    Pair = collections.namedtuple("Pair", "first second")
    (x1, x2, _), y, tape = _three_sources()

    grads = tape.gradient(y, Pair(x1, x2))

    assert isinstance(grads, Pair)
    assert float(grads.second) == pytest.approx(2.0)


def test_single_source_gives_single_tensor():
    x, y, tape = watched_square()

    assert isinstance(tape.gradient(y, x), tf.Tensor)


def test_one_tuple_source_gives_one_tuple():
    x, y, tape = watched_square()

    grads = tape.gradient(y, (x,))

    assert isinstance(grads, tuple)
    assert len(grads) == 1


def test_broadcast_source_gets_gradient_of_its_own_shape():
    x = tf.constant([1.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * tf.constant([1.0, 2.0, 3.0])

    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [6.0])


def test_variable_source_gets_gradient_of_its_shape():
    v = tf.Variable([[1.0, 2.0, 3.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v * v)

    assert tape.gradient(y, v).shape == (1, 3)


def test_repeated_sources_each_get_full_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0

    assert [float(g) for g in tape.gradient(y, [x, x])] == [2.0, 2.0]


def test_intermediate_tensor_can_be_source():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        z = y * y

    assert tape.gradient(z, y).numpy() == pytest.approx(18.0)


def test_intermediate_source_keeps_leaf_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        z = y * y

    grads = tape.gradient(z, [x, y])

    assert float(grads[0]) == pytest.approx(108.0)
    assert float(grads[1]) == pytest.approx(18.0)


def test_gather_gradient_converts_to_dense_values():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.gather(v, [0, 0, 2]))

    grad = tf.convert_to_tensor(tape.gradient(y, v))

    np.testing.assert_array_equal(grad.numpy(), [2.0, 0.0, 1.0])


# -- unconnected sources ----------------------------------------------------------------------


def test_unconnected_source_gives_none_by_default():
    x, y, tape = watched_square()

    assert tape.gradient(y, tf.constant(1.0)) is None


def test_unconnected_zeros_have_source_shape_and_dtype():
    x, y, tape = watched_square()
    other = tf.constant(np.ones((2, 2)))

    grad = tape.gradient(y, other, unconnected_gradients=tf.UnconnectedGradients.ZERO)

    np.testing.assert_array_equal(grad.numpy(), np.zeros((2, 2)))
    assert grad.dtype == tf.float64


def test_unconnected_variable_gives_zeros_of_its_shape():
    v = tf.Variable([2.0, 2.0])
    w = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = w * w

    grad = tape.gradient(y, v, unconnected_gradients=tf.UnconnectedGradients.ZERO)

    np.testing.assert_array_equal(grad.numpy(), [0.0, 0.0])


def test_unconnected_zero_keeps_connected_gradients():
    v = tf.Variable([2.0, 2.0])
    w = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = w * w

    grads = tape.gradient(y, [v, w], unconnected_gradients=tf.UnconnectedGradients.ZERO)

    assert float(grads[1]) == pytest.approx(6.0)


def test_integer_source_gives_integer_zeros_on_request(fresh_watch_warning_budget):
    x = tf.constant([3, 4])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x

    grad = tape.gradient(y, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)

    np.testing.assert_array_equal(np.asarray(grad), [0, 0])
    assert grad.dtype == tf.int32


def test_stopped_source_is_unconnected():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.stop_gradient(x * x) * 3.0

    assert tape.gradient(y, x) is None


def test_stopped_source_gives_zero_on_request():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.stop_gradient(x * x) * 3.0

    assert tape.gradient(y, x, unconnected_gradients="zero").numpy() == 0.0


def test_non_differentiable_op_gives_none():
    x = tf.constant([1.0, 3.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(tf.argmax(x), tf.float32) * 2.0

    assert tape.gradient(y, x) is None


def test_floordiv_gives_none():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.math.floordiv(x, 1.5)

    assert tape.gradient(y, x) is None


# -- output_gradients -------------------------------------------------------------------------


def test_output_gradients_weight_each_target():
    x = tf.constant(3.0)
    y = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        loss = x * y

    grads = tape.gradient([loss, x], [x], output_gradients=[1.0, 2.0])

    # y * 1.0 from loss plus 2.0 from x itself.
    assert float(grads[0]) == pytest.approx(4.0)


def test_output_gradients_give_vector_jacobian_product():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x

    grad = tape.gradient(y, x, output_gradients=tf.constant([1.0, 2.0]))

    np.testing.assert_array_equal(grad.numpy(), [2.0, 8.0])


def test_output_gradients_follow_target_structure():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = x * x

    grad = tape.gradient({"a": loss, "b": loss}, x, output_gradients={"a": 1.0, "b": 3.0})

    assert grad.numpy() == pytest.approx(24.0)


def test_output_gradient_none_entry_means_ones():
    x = tf.constant(3.0)
    y = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        loss = x * y

    grads = tape.gradient([loss, x], [x], output_gradients=[None, 2.0])

    assert float(grads[0]) == pytest.approx(4.0)


def test_output_gradient_for_target_that_is_source():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)

    assert tape.gradient(x, x, output_gradients=[5.0]).numpy() == pytest.approx(5.0)


@pytest.mark.parametrize("output_gradients", [[1.0], [1.0, 2.0, 3.0]], ids=["too_few", "too_many"])
def test_output_gradients_count_mismatch_raises_value_error(output_gradients):
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = x * x

    with pytest.raises(ValueError, match="output_gradients"):
        tape.gradient([loss, x], x, output_gradients=output_gradients)


def test_output_gradients_flat_list_count_mismatch():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x

    # A Python list flattens to one entry per element, not to one tensor.
    with pytest.raises(ValueError, match="output_gradients"):
        tape.gradient(y, x, output_gradients=[1.0, 2.0])


def test_output_gradient_of_other_dtype_raises():
    x, y, tape = watched_square([1.0, 2.0])

    with pytest.raises(tf.errors.InvalidArgumentError):
        tape.gradient(y, x, output_gradients=tf.constant([1.0, 2.0], dtype=tf.float64))


def test_output_gradient_of_wrong_shape_raises():
    x, y, tape = watched_square([1.0, 2.0])

    with pytest.raises(tf.errors.InvalidArgumentError):
        tape.gradient(y, x, output_gradients=tf.constant([1.0, 2.0, 3.0]))


def test_output_gradient_scalar_broadcasts_over_target():
    x, y, tape = watched_square([1.0, 2.0])

    grad = tape.gradient(y, x, output_gradients=tf.constant(2.0))

    np.testing.assert_array_equal(grad.numpy(), [4.0, 8.0])


# -- persistent and non-persistent tapes ------------------------------------------------------


def test_second_call_with_other_arguments_raises():
    x = tf.constant(3.0)
    w = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        y = x * x
        z = w * w
    tape.gradient(y, x)

    with pytest.raises(RuntimeError, match=exact(ALREADY_USED)):
        tape.gradient(z, w)


def test_jacobian_after_gradient_raises_runtime_error():
    x, y, tape = watched_square()
    tape.gradient(y, x)

    with pytest.raises(RuntimeError, match=exact(ALREADY_USED)):
        tape.jacobian(y, x)


def test_gradient_after_jacobian_raises_runtime_error():
    x, y, tape = watched_square()
    tape.jacobian(y, x)

    with pytest.raises(RuntimeError, match=exact(ALREADY_USED)):
        tape.gradient(y, x)


def test_persistent_tape_allows_repeated_gradients():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y

    assert tape.gradient(y, x).numpy() == pytest.approx(6.0)
    assert tape.gradient(z, x).numpy() == pytest.approx(108.0)
    assert tape.gradient(z, y).numpy() == pytest.approx(18.0)


# -- nested tapes and higher order ------------------------------------------------------------


def test_nested_tapes_give_second_derivative():
    x = tf.constant(5.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x * x
        dy_dx = inner.gradient(y, x)

    assert dy_dx.numpy() == pytest.approx(10.0)
    assert outer.gradient(dy_dx, x).numpy() == pytest.approx(2.0)


def test_nested_tapes_on_variable_give_second_derivative():
    x = tf.Variable(1.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x * x * x
        dy_dx = inner.gradient(y, x)
    d2y_dx2 = outer.gradient(dy_dx, x)

    assert dy_dx.numpy() == pytest.approx(3.0)
    assert d2y_dx2.numpy() == pytest.approx(6.0)


def test_inner_gradient_after_outer_block_gives_none():
    x = tf.constant(5.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x * x
    dy_dx = inner.gradient(y, x)

    assert outer.gradient(dy_dx, x) is None


def test_persistent_tape_differentiates_its_own_gradients():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x * x
        dy = tape.gradient(y, x)
        d2y = tape.gradient(dy, x)
    d3y = tape.gradient(d2y, x)

    assert dy.numpy() == pytest.approx(27.0)
    assert d2y.numpy() == pytest.approx(18.0)
    assert d3y.numpy() == pytest.approx(6.0)


def test_outer_tape_must_watch_source_itself():
    x1 = tf.Variable(2.0, trainable=False)
    x2 = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            outer.watch(x1)
            inner.watch([x1, x2])
            y = x1 ** 3
            z = x2 ** 2
            dy, dz = inner.gradient([y, z], [x1, x2])
        d2y, d2z = outer.gradient([dy, dz], [x1, x2])

    assert d2y.numpy() == pytest.approx(12.0)
    assert d2z is None


def test_gradient_of_gradient_sums_hessian_rows():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            # f = x0^2 * x1 has Hessian [[2 x1, 2 x0], [2 x0, 0]] = [[4, 2], [2, 0]].
            f = x[0] * x[0] * x[1]
        grad = inner.gradient(f, x)

    np.testing.assert_allclose(outer.gradient(grad, x).numpy(), [6.0, 2.0])


def test_jacobian_of_gradient_gives_hessian():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            f = x[0] * x[0] * x[1]
        grad = inner.gradient(f, x)

    np.testing.assert_allclose(outer.jacobian(grad, x).numpy(), [[4.0, 2.0], [2.0, 0.0]])


def test_two_open_tapes_each_record_shared_ops():
    g = tf.Variable(1.5)
    d = tf.Variable(0.5)
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        out = d * (2.0 * g)
        gen_loss = -out
        disc_loss = out * out

    assert [float(v) for v in gen_tape.gradient(gen_loss, [g, d])] == [-1.0, -3.0]
    assert [float(v) for v in disc_tape.gradient(disc_loss, [g, d])] == [3.0, 9.0]


def test_open_sibling_tape_records_other_tapes_backward_pass():
    x = tf.constant(3.0)
    with tf.GradientTape() as first, tf.GradientTape() as second:
        first.watch(x)
        second.watch(x)
        y = x * x * x
        dy = first.gradient(y, x)

    assert dy.numpy() == pytest.approx(27.0)
    assert second.gradient(dy, x).numpy() == pytest.approx(18.0)


# -- stop_recording() and reset() -------------------------------------------------------------


def test_stop_recording_leaves_ops_unrecorded():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        with tape.stop_recording():
            y = x * x

    assert tape.gradient(y, x) is None


def test_stop_recording_keeps_earlier_and_later_ops():
    x1 = tf.constant(2.0)
    x2 = tf.constant(4.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x1, x2])
        before = x1 * x2
        with tape.stop_recording():
            during = x1 * x2
        after = x1 * x2

    assert tape.gradient(before, x2).numpy() == pytest.approx(2.0)
    assert tape.gradient(during, x2) is None
    assert tape.gradient(after, x2).numpy() == pytest.approx(2.0)


def test_stop_recording_leaves_other_tapes_recording():
    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            with inner.stop_recording():
                y = x * x

    assert outer.gradient(y, x).numpy() == pytest.approx(4.0)


def test_gradient_inside_stop_recording_logs_nothing(caplog):
    x = tf.constant(3.0)
    with caplog.at_level(logging.WARNING, logger="tapestudio"):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * x * x
            with tape.stop_recording():
                tape.gradient(y, x)

    assert caplog.records == []


def test_gradient_inside_stop_recording_is_not_recorded():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x * x
        with tape.stop_recording():
            dy = tape.gradient(y, x)

    assert dy.numpy() == pytest.approx(27.0)
    assert tape.gradient(dy, x) is None


def test_stop_recording_never_entered_raises():
    tape = tf.GradientTape()

    with pytest.raises(
        RuntimeError, match=exact("Trying to stop recording a tape which is not recording.")
    ):
        with tape.stop_recording():
            pass


def test_stop_recording_on_used_tape_raises_runtime_error():
    x, y, tape = watched_square()
    tape.gradient(y, x)

    with pytest.raises(RuntimeError, match="Trying to stop recording"):
        with tape.stop_recording():
            pass


def test_stop_recording_after_exit_raises_value_error():
    x = tf.constant(1.0)
    tape = tf.GradientTape()
    with tape:
        tape.watch(x)

    with pytest.raises(ValueError, match=exact("Tape is not recording.")):
        with tape.stop_recording():
            pass


def test_stop_recording_after_empty_exit_raises():
    tape = tf.GradientTape()
    with tape:
        pass

    with pytest.raises(ValueError, match=exact("Tape is not recording.")):
        with tape.stop_recording():
            pass


def test_reset_discards_earlier_records():
    v = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        loss = v * v
        tape.reset()
        loss += v * v

    assert tape.gradient(loss, v).numpy() == pytest.approx(2.0)


def test_reset_forgets_watched_tensors():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        tape.reset()
        y = x * x

    assert tape.gradient(y, x) is None


def test_reset_outside_context_raises_value_error():
    tape = tf.GradientTape()
    with tape:
        pass

    with pytest.raises(ValueError, match=exact("Tape is not recording.")):
        tape.reset()


# -- jacobian() -------------------------------------------------------------------------------


def test_jacobian_of_vector():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x

    np.testing.assert_array_equal(tape.jacobian(y, x).numpy(), [[2.0, 0.0], [0.0, 4.0]])


@pytest.mark.parametrize(
    "target_shape, source_shape",
    [((2, 3), (4,)), ((), (2, 2)), ((3,), ()), ((2, 1), (1, 3))],
    ids=str,
)
def test_jacobian_shape_is_target_then_source(target_shape, source_shape):
    values = np.linspace(0.5, 1.5, int(np.prod(source_shape)), dtype=np.float32)
    x = tf.constant(values.reshape(source_shape))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x * x) * tf.ones(target_shape)

    assert tape.jacobian(y, x).shape == target_shape + source_shape


def test_jacobian_summed_over_target_axes_equals_gradient():
    x = tf.constant([[0.5, -1.0], [2.0, 0.25]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.sin(x) * tf.reduce_sum(x)

    jacobian = tape.jacobian(y, x).numpy()

    np.testing.assert_allclose(jacobian.sum(axis=(0, 1)), tape.gradient(y, x).numpy(), rtol=1e-6)


def test_jacobian_keeps_source_structure():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x

    jacobians = tape.jacobian(y, [x, {"a": x}])

    assert float(jacobians[0]) == pytest.approx(4.0)
    assert float(jacobians[1]["a"]) == pytest.approx(4.0)


def test_jacobian_of_variable():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = v * v

    np.testing.assert_array_equal(tape.jacobian(y, v).numpy(), [[2.0, 0.0], [0.0, 4.0]])


def test_jacobian_of_watched_source_is_identity():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)

    np.testing.assert_array_equal(tape.jacobian(x, x).numpy(), np.eye(3))


def test_jacobian_of_unconnected_source_is_none():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0

    assert tape.jacobian(y, tf.constant([5.0])) is None


def test_jacobian_of_unconnected_source_gives_zeros_on_request():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0

    jacobian = tape.jacobian(
        y, tf.constant([5.0]), unconnected_gradients=tf.UnconnectedGradients.ZERO
    )

    np.testing.assert_array_equal(jacobian.numpy(), [[0.0], [0.0]])


def test_jacobian_with_unknown_unconnected_gradients_raises_value_error():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0

    with pytest.raises(ValueError):
        tape.jacobian(y, x, unconnected_gradients="nonsense")


def test_second_jacobian_call_raises():
    x, y, tape = watched_square([1.0, 2.0])
    tape.jacobian(y, x)

    with pytest.raises(RuntimeError, match=exact(ALREADY_USED)):
        tape.jacobian(y, x)


def test_jacobian_without_pfor_needs_persistent():
    x, y, tape = watched_square([1.0, 2.0])

    with pytest.raises(
        RuntimeError,
        match=exact(
            "GradientTape must be created with persistent=True to compute the jacobian with "
            "eager execution enabled and with  experimental_use_pfor set to False."
        ),
    ):
        tape.jacobian(y, x, experimental_use_pfor=False)


def test_jacobian_reports_used_tape_before_pfor_setting():
    x, y, tape = watched_square([1.0, 2.0])
    tape.gradient(y, x)

    with pytest.raises(RuntimeError, match=exact(ALREADY_USED)):
        tape.jacobian(y, x, experimental_use_pfor=False)


def test_jacobian_without_pfor_on_persistent_tape_matches_pfor():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.sin(x) * x

    np.testing.assert_allclose(
        tape.jacobian(y, x, experimental_use_pfor=False).numpy(), tape.jacobian(y, x).numpy()
    )


def test_jacobian_inside_context_of_non_persistent_tape_works():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        jacobian = tape.jacobian(y, x)

    np.testing.assert_array_equal(jacobian.numpy(), [[2.0, 0.0], [0.0, 4.0]])


def test_jacobian_inside_context_of_persistent_tape_is_recorded():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x * x
        jacobian = tape.jacobian(y, x)

    # The Jacobian is diag(3 x^2), so the gradient of the sum of its elements is 6 x.
    np.testing.assert_allclose(tape.gradient(jacobian, x).numpy(), [6.0, 12.0])


def test_jacobian_of_empty_target_has_zero_rows():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x[:0] * 2.0

    assert tape.jacobian(y, x).shape == (0, 2)


# -- batch_jacobian() -------------------------------------------------------------------------


def test_batch_jacobian_of_matrix():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x

    np.testing.assert_array_equal(
        tape.batch_jacobian(y, x).numpy(), [[[2.0, 0.0], [0.0, 4.0]], [[6.0, 0.0], [0.0, 8.0]]]
    )


def test_batch_jacobian_shape():
    x = tf.constant(np.ones((2, 4), dtype=np.float32))
    w = tf.constant(np.ones((4, 3), dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.matmul(x, w)

    assert tape.batch_jacobian(y, x).shape == (2, 3, 4)


def test_batch_jacobian_of_matmul_repeats_transposed_weights():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    w = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.matmul(x, w)

    np.testing.assert_array_equal(tape.batch_jacobian(y, x).numpy()[2], w.numpy().T)


@pytest.mark.parametrize("unconnected", ["none", "zero"])
def test_batch_jacobian_of_unconnected_source_gives_zeros(unconnected):
    x = tf.constant([[1.0, 2.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0

    result = tape.batch_jacobian(y, tf.constant([[5.0, 6.0]]), unconnected_gradients=unconnected)

    np.testing.assert_array_equal(result.numpy(), np.zeros((1, 2, 2)))


def test_batch_jacobian_zeros_have_target_dtype():
    x = tf.constant([[1.0, 2.0]], dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(x, tf.float32) * 2.0

    result = tape.batch_jacobian(y, tf.constant([[5.0, 6.0]], dtype=tf.float64))

    assert result.dtype == tf.float32


def test_batch_jacobian_of_rank_one_raises_value_error():
    x, y, tape = watched_square([1.0, 2.0])

    with pytest.raises(ValueError):
        tape.batch_jacobian(y, x)


def test_batch_jacobian_batch_mismatch_raises_value_error():
    x = tf.constant([[1.0, 2.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0

    with pytest.raises(ValueError, match=r"^Need first dimension of target shape \("):
        tape.batch_jacobian(y, tf.constant([[5.0, 6.0], [1.0, 1.0]]))


def test_second_batch_jacobian_raises_runtime_error():
    x, y, tape = watched_square([[1.0, 2.0]])
    tape.batch_jacobian(y, x)

    with pytest.raises(RuntimeError, match="^A non-persistent GradientTape can only be used to"):
        tape.batch_jacobian(y, x)


def test_batch_jacobian_reports_used_tape_before_shapes():
    x, y, tape = watched_square([[1.0, 2.0]])
    tape.gradient(y, x)

    with pytest.raises(RuntimeError):
        tape.batch_jacobian(tf.reshape(y, [2]), x)


def test_batch_jacobian_without_pfor_needs_persistent():
    x, y, tape = watched_square([[1.0, 2.0]])

    with pytest.raises(
        RuntimeError,
        match=exact(
            "GradientTape must be created with persistent=True to compute the batch_jacobian "
            "with eager execution enabled and  with experimental_use_pfor set to False."
        ),
    ):
        tape.batch_jacobian(y, x, experimental_use_pfor=False)


def test_batch_jacobian_parallel_iterations_needs_persistent():
    x, y, tape = watched_square([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])

    with pytest.raises(
        RuntimeError,
        match="GradientTape must be created with persistent=True to compute the batch_jacobian "
        "with parallel_iterations.",
    ):
        tape.batch_jacobian(y, x, parallel_iterations=2)


def test_batch_jacobian_large_parallel_iterations_works():
    x, y, tape = watched_square([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])

    assert tape.batch_jacobian(y, x, parallel_iterations=10).shape == (2, 3, 3)


def test_persistent_batch_jacobian_accepts_loop_settings():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.sin(x) * x
    expected = tape.batch_jacobian(y, x).numpy()

    looped = tape.batch_jacobian(y, x, experimental_use_pfor=False, parallel_iterations=2)

    np.testing.assert_allclose(looped.numpy(), expected)


# -- stop_gradient ----------------------------------------------------------------------------


def test_stop_gradient_blocks_one_term():
    x = tf.constant(2.0)
    y = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = x * x + tf.stop_gradient(y * y)

    dz_dx, dz_dy = tape.gradient(z, [x, y])

    assert dz_dx.numpy() == pytest.approx(4.0)
    assert dz_dy is None


def test_stop_gradient_forward_is_identity():
    x = tf.constant([1.0, -2.0])

    np.testing.assert_array_equal(tf.stop_gradient(x).numpy(), [1.0, -2.0])


def test_stop_gradient_on_one_factor_keeps_the_other():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * tf.stop_gradient(x)

    assert tape.gradient(y, x).numpy() == pytest.approx(3.0)


# -- custom_gradient --------------------------------------------------------------------------


def _log1pexp_naive(x):
    return tf.math.log(1 + tf.exp(x))


@tf.custom_gradient
def _log1pexp(x):
    e = tf.exp(x)

    def grad(upstream):
        return upstream * (1 - 1 / (1 + e))

    return tf.math.log(1 + e), grad


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_naive_log1pexp_gradient_is_nan_at_100():
    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = _log1pexp_naive(x)

    assert np.isnan(tape.gradient(y, x).numpy())


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_custom_log1pexp_gradient_is_one_at_100():
    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = _log1pexp(x)

    assert tape.gradient(y, x).numpy() == pytest.approx(1.0)


@tf.custom_gradient
def _bar(x, y):
    def grad(upstream):
        return upstream * y, upstream * x

    return x * y, grad


def test_custom_gradient_of_two_inputs():
    x = tf.constant(2.0)
    y = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = _bar(x, y)

    dz_dx, dz_dy = tape.gradient(z, [x, y])

    assert dz_dx.numpy() == pytest.approx(3.0)
    assert dz_dy.numpy() == pytest.approx(2.0)


@tf.custom_gradient
def _clip_gradients(y):
    def grad(upstream):
        norm = tf.sqrt(tf.reduce_sum(upstream * upstream))
        return upstream * tf.minimum(1.0, 0.5 / norm)

    return y, grad


def test_custom_gradient_clips_upstream_gradient():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        output = _clip_gradients(v * v)

    assert tape.gradient(output, v).numpy() == pytest.approx(2.0)


def test_custom_gradient_replaces_gradient_of_function():
    @tf.custom_gradient
    def f(x):
        def grad(upstream):
            return upstream * 100.0

        return x * x, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)

    assert tape.gradient(y, x).numpy() == pytest.approx(100.0)


def test_custom_gradient_inner_ops_are_still_recorded():
    inner = []

    @tf.custom_gradient
    def f(x):
        h = x * x
        inner.append(h)

        def grad(upstream):
            return upstream * 100.0

        return h * 1.0, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        f(x)

    assert tape.gradient(inner[0], x).numpy() == pytest.approx(6.0)


def test_custom_gradient_without_tape_returns_value():
    calls = []

    @tf.custom_gradient
    def f(x):
        def grad(upstream):
            calls.append(upstream)
            return upstream

        return x * 2.0, grad

    assert f(tf.constant(3.0)).numpy() == pytest.approx(6.0)
    assert calls == []


def test_custom_gradient_keeps_output_structure():
    @tf.custom_gradient
    def f(x):
        def grad(upstream):
            return upstream * 5.0

        return {"a": x * 2.0}, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        result = f(x)

    assert sorted(result) == ["a"]
    assert tape.gradient(result, x).numpy() == pytest.approx(5.0)


def test_custom_gradient_one_element_list():
    @tf.custom_gradient
    def f(x):
        def grad(upstream):
            return [upstream * 5.0]

        return x * 2.0, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)

    assert tape.gradient(y, x).numpy() == pytest.approx(5.0)


def test_custom_gradient_none_is_unconnected():
    @tf.custom_gradient
    def f(x):
        def grad(upstream):
            return None

        return x * 2.0, grad

    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = f(x)

    assert tape.gradient(y, x) is None
    assert tape.gradient(y, x, unconnected_gradients="zero").numpy() == 0.0


def test_custom_gradient_calls_grad_fn_once():
    calls = []

    @tf.custom_gradient
    def f(x, y):
        def grad(upstream):
            calls.append(upstream)
            return upstream * y, upstream * x

        return x * y, grad

    x = tf.constant(2.0)
    y = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = f(x, y)
    tape.gradient(z, [x, y])

    assert len(calls) == 1


def test_custom_gradient_wrong_input_count_raises():
    @tf.custom_gradient
    def f(x, y):
        def grad(upstream):
            return upstream

        return x * y, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = f(x, tf.constant(3.0))

    with pytest.raises(
        ValueError,
        match=exact(
            "custom_gradient function expected to return 2 gradients, but returned 1 instead."
        ),
    ):
        tape.gradient(z, x)


def test_custom_gradient_gives_variables_to_grad_fn():
    w = tf.Variable(2.0)
    received = []

    @tf.custom_gradient
    def f(x):
        def grad(upstream, variables):
            received.append(list(variables))
            return upstream * 7.0, [upstream * 10.0]

        return x * w, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    dy_dx, dy_dw = tape.gradient(y, [x, w])

    assert received[0] == [w]
    assert dy_dx.numpy() == pytest.approx(7.0)
    assert dy_dw.numpy() == pytest.approx(10.0)


def test_custom_gradient_variables_through_var_keyword():
    w = tf.Variable(2.0)

    @tf.custom_gradient
    def f(x):
        def grad(upstream, **kwargs):
            return upstream * w, [upstream * 10.0]

        return x * w, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)

    assert tape.gradient(y, w).numpy() == pytest.approx(10.0)


def test_custom_gradient_missing_variables_keyword_raises():
    w = tf.Variable(2.0, name="w")

    @tf.custom_gradient
    def f(x):
        def grad(upstream):
            return upstream

        return x * w, grad

    with tf.GradientTape() as tape:
        with pytest.raises(
            TypeError,
            match=r"^@tf\.custom_gradient grad_fn must accept keyword argument 'variables', "
            r"since function uses variables: ",
        ):
            f(tf.constant(3.0))


def test_custom_gradient_missing_keyword_raises_without_tape():
    w = tf.Variable(2.0)

    @tf.custom_gradient
    def f(x):
        def grad(upstream):
            return upstream

        return x * w, grad

    with pytest.raises(TypeError):
        f(tf.constant(3.0))


def test_custom_gradient_non_trainable_variable_allowed():
    m = tf.Variable(1.0, trainable=False)

    @tf.custom_gradient
    def f(x):
        def grad(upstream):
            return upstream * 5.0

        return x * m, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)

    assert tape.gradient(y, x).numpy() == pytest.approx(5.0)


def test_custom_gradient_wrong_variable_count_raises():
    w = tf.Variable(2.0)

    @tf.custom_gradient
    def f(x):
        def grad(upstream, variables):
            return upstream * w, []

        return x * w, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)

    with pytest.raises(
        ValueError,
        match=exact("Must return gradient for each variable from @custom_gradient grad_fn."),
    ):
        tape.gradient(y, [x, w])


def test_custom_gradient_variable_argument_is_an_input():
    @tf.custom_gradient
    def f(v):
        def grad(upstream):
            return upstream * 10.0

        return v * v, grad

    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = f(v)

    assert tape.gradient(y, v).numpy() == pytest.approx(10.0)


def test_custom_gradient_list_argument_is_flattened():
    @tf.custom_gradient
    def f(pair):
        def grad(upstream):
            return [upstream * 10.0, upstream * 20.0]

        return pair[0] * pair[1], grad

    x = tf.constant(2.0)
    y = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = f([x, y])

    assert [float(g) for g in tape.gradient(z, [x, y])] == [10.0, 20.0]


def _scaled_pair():
    """Return a custom-gradient function of two outputs and the list of its grad_fn calls."""
    calls = []

    @tf.custom_gradient
    def f(x, y):
        def grad(upstream_a, upstream_b):
            calls.append((float(upstream_a), float(upstream_b)))
            return upstream_a * 2.0, upstream_b * 3.0

        return (x * 2.0, y * 3.0), grad

    return f, calls


def test_custom_gradient_of_two_outputs():
    f, _ = _scaled_pair()
    x = tf.constant(1.0)
    y = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        a, b = f(x, y)
        z = a + b

    assert [float(g) for g in tape.gradient(z, [x, y])] == [2.0, 3.0]


def test_custom_gradient_two_outputs_under_outer_tape():
    f, _ = _scaled_pair()
    x = tf.constant(1.0)
    y = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        a, b = f(x, y)
        z = a + b
    with tf.GradientTape():
        grads = tape.gradient(z, [x, y])

    assert [float(g) for g in grads] == [2.0, 3.0]


def test_custom_gradient_two_outputs_one_call():
    f, calls = _scaled_pair()
    x = tf.constant(1.0)
    y = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        a, b = f(x, y)
    tape.gradient([a, b], [x, y])

    assert calls == [(1.0, 1.0)]


def test_custom_gradient_clips_global_norm_of_two_outputs():
    @tf.custom_gradient
    def clip_pair(x, y):
        def grad(upstream_x, upstream_y):
            norm = tf.sqrt(upstream_x * upstream_x + upstream_y * upstream_y)
            scale = tf.minimum(1.0, 1.0 / norm)
            return upstream_x * scale, upstream_y * scale

        return (tf.identity(x), tf.identity(y)), grad

    x = tf.constant(1.0)
    y = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        a, b = clip_pair(x, y)

    grads = tape.gradient([a, b], [x, y])

    assert [float(g) for g in grads] == pytest.approx([0.70710677, 0.70710677])


def test_custom_gradient_second_order_uses_grad_fn_ops():
    @tf.custom_gradient
    def f(x):
        def grad(upstream):
            return upstream * 5.0

        return x * 2.0, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        dy = inner.gradient(y, x)

    # grad_fn's result does not depend on x, so there is no second derivative.
    assert dy.numpy() == pytest.approx(5.0)
    assert outer.gradient(dy, x) is None


def test_custom_gradient_second_order_through_forward_values():
    x = tf.constant(0.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = _log1pexp(x)
        dy = inner.gradient(y, x)

    # grad_fn returns sigmoid(x) from the recorded exp(x), whose derivative at 0 is 0.25.
    assert dy.numpy() == pytest.approx(0.5)
    assert outer.gradient(dy, x).numpy() == pytest.approx(0.25)


def test_custom_gradient_of_unwatched_input_gives_none():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        y = _log1pexp(x)

    assert tape.gradient(y, x) is None


# -- integer and bool tensors -----------------------------------------------------------------


def test_cast_through_integer_gives_none():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(tf.cast(x, tf.int32), tf.float32) * 2.0

    assert tape.gradient(y, x) is None


def test_cast_between_floats_keeps_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(x, tf.float64) * 2.0

    grad = tape.gradient(y, x)

    assert grad.numpy() == pytest.approx(2.0)
    assert grad.dtype == tf.float32


def test_integer_factor_keeps_float_path(fresh_watch_warning_budget):
    x = tf.constant(3.0)
    n = tf.constant(4)
    with tf.GradientTape() as tape:
        tape.watch([x, n])
        y = x * tf.cast(n, tf.float32)

    dy_dx, dy_dn = tape.gradient(y, [x, n])

    assert dy_dx.numpy() == pytest.approx(4.0)
    assert dy_dn is None


def test_watched_bool_gives_none(fresh_watch_warning_budget):
    b = tf.constant([True, False])
    with tf.GradientTape() as tape:
        tape.watch(b)
        y = tf.cast(b, tf.float32) * 2.0

    assert tape.gradient(y, b) is None


# -- threads ----------------------------------------------------------------------------------


def _run_in_thread(function):
    thread = threading.Thread(target=function)
    thread.start()
    thread.join()


def test_op_on_other_thread_is_not_recorded():
    x = tf.constant(2.0)
    results = {}
    with tf.GradientTape() as tape:
        tape.watch(x)
        _run_in_thread(lambda: results.update(y=x * x))

    assert tape.gradient(results["y"], x) is None


def test_variable_read_on_other_thread_is_not_watched():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        _run_in_thread(lambda: v * v)

    assert tape.watched_variables() == ()


def test_tape_on_other_thread_works_independently():
    x = tf.constant(2.0)
    results = {}

    def differentiate():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        results["grad"] = tape.gradient(y, x)

    with tf.GradientTape() as main_tape:
        main_tape.watch(x)
        _run_in_thread(differentiate)
        z = x * 3.0

    assert results["grad"].numpy() == pytest.approx(4.0)
    assert main_tape.gradient(z, x).numpy() == pytest.approx(3.0)
