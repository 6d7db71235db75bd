"""Mistakes TensorFlow users commonly report about GradientTape, run against TapeStudio.

Each group restates one kind of public report as a small program with the value or error that
TensorFlow 2.21 gives, plus nearby cases of the same kind. Where the engine differs, the test is
marked xfail with the wrong behaviour in its reason.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pytest

import tapestudio as tf

ALREADY_USED = (
    "A non-persistent GradientTape can only be used to compute one set of gradients "
    "(or jacobians)"
)


def floats(tensors) -> list:
    """Return a list of Python floats, one per scalar tensor (None stays None)."""
    return [None if t is None else float(t) for t in tensors]


# -- source tensor never watched --------------------------------------------------------------


def test_unwatched_tensor_from_before_tape_gives_none():
    x = tf.constant(3.0)
    y = tf.constant(4.0)
    with tf.GradientTape() as tape:
        z = x + y

    assert tape.gradient(z, x) is None


def test_tensor_watched_inside_tape_gives_gradient():
    x = tf.constant(3.0)
    y = tf.constant(4.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = x + y

    assert tape.gradient(z, x).numpy() == pytest.approx(1.0)


def test_unwatched_tensor_created_inside_tape_gives_none():
    with tf.GradientTape() as tape:
        x = tf.constant(3.0)
        z = x * x

    assert tape.gradient(z, x) is None


def test_variable_in_place_of_tensor_gives_gradient():
    x = tf.Variable(3.0)
    y = tf.constant(4.0)
    with tf.GradientTape() as tape:
        z = x + y

    assert tape.gradient(z, x).numpy() == pytest.approx(1.0)


def test_inputs_watched_after_forward_pass_give_none():
    inputs = tf.constant([[1.0, 2.0]])
    kernel = tf.constant([[1.0], [1.0]])
    with tf.GradientTape() as tape:
        outputs = tf.matmul(inputs, kernel)
        tape.watch(inputs)

    assert tape.gradient(outputs, inputs) is None


def test_late_watch_reaches_op_recorded_for_variable():
    inputs = tf.constant([[1.0, 2.0]])
    kernel = tf.Variable([[3.0], [4.0]])
    with tf.GradientTape() as tape:
        outputs = tf.matmul(inputs, kernel)
        tape.watch(inputs)

    # The kernel read made the tape record the matmul with both inputs, so the late watch
    # still finds a path, as in TensorFlow.
    np.testing.assert_array_equal(tape.gradient(outputs, inputs).numpy(), [[3.0, 4.0]])


def test_inputs_watched_before_forward_pass_give_gradient():
    inputs = tf.constant([[1.0, 2.0]])
    kernel = tf.Variable([[3.0], [4.0]])
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = tf.matmul(inputs, kernel)

    np.testing.assert_array_equal(tape.gradient(outputs, inputs).numpy(), [[3.0, 4.0]])


# -- NumPy detour inside the forward pass -----------------------------------------------------


def test_numpy_round_trip_gives_none():
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        a = w * w
        b = tf.constant(a.numpy())
        loss = tf.reduce_sum(b)

    assert tape.gradient(loss, w) is None


def test_without_numpy_round_trip_gives_gradient():
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        a = w * w
        loss = tf.reduce_sum(a)

    np.testing.assert_array_equal(tape.gradient(loss, w).numpy(), [2.0, 4.0])


def test_python_float_round_trip_gives_none():
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        loss = tf.constant(float(w * w)) * 3.0

    assert tape.gradient(loss, w) is None


def test_convert_to_tensor_of_numpy_gives_none():
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        a = tf.convert_to_tensor(np.asarray(w * w))
        loss = tf.reduce_sum(a)

    assert tape.gradient(loss, w) is None


def test_numpy_ufunc_on_tensor_returns_array():
    result = np.square(tf.constant([1.0, 2.0]))

    np.testing.assert_array_equal(result, [1.0, 4.0])


def test_numpy_ufunc_on_variable_returns_array():
    result = np.exp(tf.Variable([0.0]))

    np.testing.assert_array_equal(result, [1.0])


def test_numpy_ufunc_detour_gives_none():
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        b = np.square(w * w)
        loss = tf.reduce_sum(tf.constant(b))

    assert tape.gradient(loss, w) is None


def test_keras_optimizer_rejects_all_none_gradients():
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.constant((w * w).numpy()))
    grads = [tape.gradient(loss, w)]
    optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)

    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        optimizer.apply_gradients(zip(grads, [w]))


# -- assignment inside the tape ---------------------------------------------------------------


def test_assign_add_cuts_gradient_to_added_tensor():
    v = tf.Variable(1.0)
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        v.assign_add(x)
        loss = v * v

    dx, dv = tape.gradient(loss, [x, v])

    assert dx is None
    # v is read after the assignment, so d(v * v)/dv = 2 * 3.0.
    assert dv.numpy() == pytest.approx(6.0)


def test_assign_cuts_gradient_to_assigned_expression():
    v = tf.Variable(1.0)
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        v.assign(x * x)
        loss = v * 3.0

    assert tape.gradient(loss, x) is None


def test_assign_sub_cuts_gradient_to_other_variable():
    v = tf.Variable(5.0)
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        v.assign_sub(w * w)
        loss = v * 1.0

    assert tape.gradient(loss, w) is None


def test_computing_with_tensor_keeps_gradient_that_assignment_loses():
    x = tf.constant(2.0)
    v = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = v + x
        loss = total * total

    # d((v + x)^2)/dx = 2 * 3.0.
    assert tape.gradient(loss, x).numpy() == pytest.approx(6.0)


# -- Python rebinding turns a Variable into a Tensor ------------------------------------------


def _rebinding_loop(update):
    """Run two epochs of ``y = x + 1`` and return (type name, gradient) of each epoch."""
    x = tf.Variable(2.0)
    results = []
    for _ in range(2):
        with tf.GradientTape() as tape:
            y = x + 1
        results.append((type(x).__name__, tape.gradient(y, x)))
        x = update(x)
    return results


def test_rebinding_works_in_first_epoch():
    results = _rebinding_loop(lambda x: x + 1)

    assert results[0][0] == "ResourceVariable"
    assert results[0][1].numpy() == pytest.approx(1.0)


def test_rebinding_gives_none_from_second_epoch():
    results = _rebinding_loop(lambda x: x + 1)

    assert results[1][0] == "EagerTensor"
    assert results[1][1] is None


def test_assign_add_keeps_variable_in_every_epoch():
    results = _rebinding_loop(lambda x: x.assign_add(1) and x)

    assert [name for name, _ in results] == ["ResourceVariable", "ResourceVariable"]
    assert floats(grad for _, grad in results) == [1.0, 1.0]


def test_rebinding_weights_in_training_loop_stops_learning():
    w = tf.Variable(3.0)
    grads = []
    for _ in range(2):
        with tf.GradientTape() as tape:
            loss = w * w
        grad = tape.gradient(loss, w)
        grads.append(grad)
        if grad is not None:
            w = w - 0.1 * grad

    assert grads[0].numpy() == pytest.approx(6.0)
    assert grads[1] is None


def test_in_place_add_on_variable_raises_runtime_error():
    v = tf.Variable(1.0)

    with pytest.raises(RuntimeError, match="assign_add"):
        v += 1.0


# -- second derivatives: inside or outside the tape's context ---------------------------------


def test_gradient_inside_persistent_context_is_differentiable():
    y = tf.constant(2.0)
    v = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(y)
        tape.watch(v)
        w = y * y * v
        g = tape.gradient(w, y)
    h = tape.gradient(g, v)

    assert g.numpy() == pytest.approx(12.0)
    assert h.numpy() == pytest.approx(4.0)


def test_gradient_after_persistent_context_is_not_differentiable():
    y = tf.constant(2.0)
    v = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(y)
        tape.watch(v)
        w = y * y * v
    g = tape.gradient(w, y)
    h = tape.gradient(g, v)

    assert g.numpy() == pytest.approx(12.0)
    assert h is None


def test_gradient_inside_persistent_context_logs_warning(caplog):
    y = tf.constant(2.0)
    with caplog.at_level(logging.WARNING, logger="tapestudio"):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(y)
            w = y * y
            tape.gradient(w, y)

    assert len(caplog.records) == 1
    assert "persistent tape inside its context" in caplog.records[0].getMessage()


def test_jacobian_inside_persistent_context_works():
    y = tf.constant(2.0)
    v = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(y)
        tape.watch(v)
        w = y * y * v
        jacobians = tape.jacobian(w, [y, v])

    # dw/dy = 2 y v and dw/dv = y^2. A scalar target gives each source's own shape.
    assert floats(jacobians) == [12.0, 4.0]
    assert jacobians[0].shape == ()


def test_jacobian_inside_non_persistent_context_works():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x * x
        jacobian = tape.jacobian(y, x)

    np.testing.assert_array_equal(jacobian.numpy(), [[3.0, 0.0], [0.0, 12.0]])


def test_inner_gradient_outside_outer_block_gives_none():
    v = tf.Variable(3.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            w = v * v * v
    g = inner.gradient(w, v)

    assert outer.gradient(g, v) is None


# -- batch_jacobian of rows that depend on each other -----------------------------------------


def _coupled_gradient_tape():
    """Return ``(x, dx, tape)`` where dx is the gradient of a function coupling x's two rows."""
    x = tf.Variable([[1.0], [1.0]], dtype=tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        with tf.GradientTape() as inner:
            objective = x[0] ** 2 + x[1] ** 2 + x[0] * x[1]
        dx = inner.gradient(objective, x)
    return x, dx, tape


def test_coupled_gradient_value():
    x, dx, tape = _coupled_gradient_tape()

    np.testing.assert_array_equal(dx.numpy(), [[3.0], [3.0]])


def test_batch_jacobian_of_coupled_rows_sums_hessian_columns():
    x, dx, tape = _coupled_gradient_tape()

    result = tape.batch_jacobian(dx, x)

    # The Hessian is [[2, 1], [1, 2]], so each row gets its column sum 3, not the diagonal 2.
    np.testing.assert_array_equal(result.numpy(), [[[3.0]], [[3.0]]])
    assert result.dtype == tf.float64


def test_full_jacobian_of_coupled_rows_gives_hessian():
    x, dx, tape = _coupled_gradient_tape()

    result = tape.jacobian(dx, x)

    assert result.shape == (2, 1, 2, 1)
    np.testing.assert_array_equal(result.numpy().reshape(2, 2), [[2.0, 1.0], [1.0, 2.0]])


def test_gradient_of_coupled_gradient_sums_hessian_rows():
    x, dx, tape = _coupled_gradient_tape()

    np.testing.assert_array_equal(tape.gradient(dx, x).numpy(), [[3.0], [3.0]])


def test_batch_jacobian_independent_rows_per_example():
    x = tf.Variable([[1.0], [2.0]], dtype=tf.float64)
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            objective = tf.reduce_sum(x ** 3)
        dx = inner.gradient(objective, x)

    # d(3 x^2)/dx = 6 x, row by row.
    np.testing.assert_array_equal(tape.batch_jacobian(dx, x).numpy(), [[[6.0]], [[12.0]]])


# -- None or zeros for unconnected variables --------------------------------------------------


def _unconnected_pair():
    x = tf.Variable([2.0, 2.0])
    y = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        z = y * y
    return x, y, z, tape


def test_unconnected_variable_gives_none():
    x, y, z, tape = _unconnected_pair()

    dx, dy = tape.gradient(z, [x, y])

    assert dx is None
    assert dy.numpy() == pytest.approx(6.0)


def test_unconnected_variable_gives_zeros_on_request():
    x, y, z, tape = _unconnected_pair()

    dx, dy = tape.gradient(z, [x, y], unconnected_gradients=tf.UnconnectedGradients.ZERO)

    np.testing.assert_array_equal(dx.numpy(), [0.0, 0.0])
    assert dy.numpy() == pytest.approx(6.0)


def test_unknown_unconnected_value_raises_value_error():
    x, y, z, tape = _unconnected_pair()

    with pytest.raises(ValueError, match="^Unknown value for unconnected_gradients: 'nonsense'$"):
        tape.gradient(z, [x, y], unconnected_gradients="nonsense")


def test_unconnected_variable_jacobian_gives_zeros_on_request():
    x, y, z, tape = _unconnected_pair()

    result = tape.jacobian(z * tf.constant([1.0, 1.0, 1.0]), x, unconnected_gradients="zero")

    np.testing.assert_array_equal(result.numpy(), np.zeros((3, 2)))


def test_zero_gradient_leaves_variable_unchanged_by_optimizer():
    x, y, z, tape = _unconnected_pair()
    grads = tape.gradient(z, [x, y], unconnected_gradients="zero")

    tf.keras.optimizers.SGD(learning_rate=0.1).apply_gradients(zip(grads, [x, y]))

    np.testing.assert_array_equal(x.numpy(), [2.0, 2.0])
    assert y.numpy() == pytest.approx(2.4)


# -- integer inputs and integer paths ---------------------------------------------------------


def test_watching_integer_logs_warning(caplog, fresh_watch_warning_budget):
    x = tf.constant(10)
    with caplog.at_level(logging.WARNING, logger="tapestudio"):
        with tf.GradientTape() as tape:
            tape.watch(x)

    assert [r.getMessage() for r in caplog.records] == [
        "The dtype of the watched tensor must be floating (e.g. tf.float32), got tf.int32"
    ]


def test_integer_square_gives_none(fresh_watch_warning_budget):
    x = tf.constant(10)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x

    assert tape.gradient(y, x) is None


def test_float_square_gives_gradient():
    x = tf.constant(10.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x

    assert tape.gradient(y, x).numpy() == pytest.approx(20.0)


def test_cast_to_integer_and_back_gives_none():
    xf = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(xf)
        r = tf.cast(tf.cast(xf, tf.int32), tf.float32) * 2.0

    assert tape.gradient(r, xf) is None


def test_variable_of_integers_gives_none():
    v = tf.Variable(3)
    with tf.GradientTape() as tape:
        y = v * v

    assert tape.gradient(y, v) is None


def test_variable_of_floats_gives_gradient():
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * v

    assert tape.gradient(y, v).numpy() == pytest.approx(6.0)


def test_integer_numpy_data_gives_no_float_gradient(fresh_watch_warning_budget):
    data = tf.constant(np.array([1, 2, 3]))
    with tf.GradientTape() as tape:
        tape.watch(data)
        y = tf.reduce_sum(data * data)

    assert tape.gradient(y, data) is None


def test_boolean_mask_cast_to_float_keeps_gradient():
    x = tf.constant([2.0, -1.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * tf.cast(x > 0, tf.float32)

    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0, 0.0])


# -- non-trainable variables ------------------------------------------------------------------


def test_non_trainable_variable_gets_none():
    a = tf.Variable(2.0)
    m = tf.Variable(5.0, trainable=False)
    with tf.GradientTape(persistent=True) as tape:
        y = a * m + m

    da, dm = tape.gradient(y, [a, m])

    assert da.numpy() == pytest.approx(5.0)
    assert dm is None


def test_non_trainable_variable_is_not_watched():
    a = tf.Variable(2.0)
    m = tf.Variable(5.0, trainable=False)
    with tf.GradientTape(persistent=True) as tape:
        y = a * m + m

    assert tape.watched_variables() == (a,)


def test_watched_non_trainable_variable_gets_gradient():
    a = tf.Variable(2.0)
    m = tf.Variable(5.0, trainable=False)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(m)
        y = a * m + m

    # dy/dm = a + 1.
    assert floats(tape.gradient(y, [a, m])) == [5.0, 3.0]


def test_watched_variables_keep_construction_order():
    a = tf.Variable(2.0)
    m = tf.Variable(5.0, trainable=False)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(m)
        y = a * m + m

    assert tape.watched_variables() == (a, m)


def test_selective_watching_differentiates_only_watched_variable():
    first = tf.Variable(2.0)
    second = tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(first)
        y = first * first + second * second

    d_first, d_second = tape.gradient(y, [first, second])

    assert d_first.numpy() == pytest.approx(4.0)
    assert d_second is None


def test_optimizer_leaves_non_trainable_variable_alone():
    a = tf.Variable(2.0)
    m = tf.Variable(5.0, trainable=False)
    with tf.GradientTape() as tape:
        y = a * m + m
    grads = tape.gradient(y, [a, m])

    tf.keras.optimizers.SGD(learning_rate=0.1).apply_gradients(zip(grads, [a, m]))

    assert a.numpy() == pytest.approx(1.5)
    assert m.numpy() == pytest.approx(5.0)


# -- two tapes at once, or one tape used twice ------------------------------------------------


def _gan_variables():
    return tf.Variable(1.5), tf.Variable(0.5)


def test_two_tapes_give_generator_gradients():
    g, d = _gan_variables()
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        fake = 2.0 * g
        out = d * fake
        gen_loss = -out

    assert floats(gen_tape.gradient(gen_loss, [g, d])) == [-1.0, -3.0]


def test_two_tapes_give_discriminator_gradients():
    g, d = _gan_variables()
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        fake = 2.0 * g
        out = d * fake
        disc_loss = out * out

    assert floats(disc_tape.gradient(disc_loss, [g, d])) == [3.0, 9.0]


def test_both_tapes_watch_both_variables():
    g, d = _gan_variables()
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        out = d * (2.0 * g)

    assert gen_tape.watched_variables() == (g, d)
    assert disc_tape.watched_variables() == (g, d)


def test_one_non_persistent_tape_used_twice_raises():
    g, d = _gan_variables()
    with tf.GradientTape() as tape:
        out = d * (2.0 * g)
        gen_loss = -out
        disc_loss = out * out
    tape.gradient(gen_loss, [g, d])

    with pytest.raises(RuntimeError, match="^" + re.escape(ALREADY_USED) + "$"):
        tape.gradient(disc_loss, [g, d])


def test_one_persistent_tape_serves_both_losses():
    g, d = _gan_variables()
    with tf.GradientTape(persistent=True) as tape:
        out = d * (2.0 * g)
        gen_loss = -out
        disc_loss = out * out

    assert floats(tape.gradient(gen_loss, [g, d])) == [-1.0, -3.0]
    assert floats(tape.gradient(disc_loss, [g, d])) == [3.0, 9.0]


# -- tf.where with NaN or inf in the branch not taken -----------------------------------------


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_where_forward_takes_finite_branch():
    a = tf.Variable(10.0)
    with tf.GradientTape() as tape:
        out = tf.where(a < 15.0, a, tf.math.pow(10.0, tf.math.exp(a)))

    assert out.numpy() == pytest.approx(10.0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_where_gradient_is_nan_from_infinite_branch():
    a = tf.Variable(10.0)
    with tf.GradientTape() as tape:
        out = tf.where(a < 15.0, a, tf.math.pow(10.0, tf.math.exp(a)))

    # 10^exp(10) overflows float32 to inf, and the zero cotangent times inf is NaN.
    assert np.isnan(tape.gradient(out, a).numpy())


def _where_sqrt_tape():
    x = tf.constant([-1.0, 4.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        unsafe = tf.where(x > 0, tf.sqrt(x), x)
        safe = tf.where(x > 0, tf.sqrt(tf.where(x > 0, x, 1.0)), x)
    return x, unsafe, safe, tape


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_where_sqrt_forward_value():
    x, unsafe, safe, tape = _where_sqrt_tape()

    np.testing.assert_array_equal(unsafe.numpy(), [-1.0, 2.0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_where_sqrt_of_negative_keeps_gradient_finite():
    x, unsafe, safe, tape = _where_sqrt_tape()

    np.testing.assert_array_equal(tape.gradient(unsafe, x).numpy(), [1.0, 0.25])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    "function", [tf.sqrt, tf.math.rsqrt, tf.math.reciprocal], ids=["sqrt", "rsqrt", "reciprocal"]
)
def test_unselected_branch_zero_cotangent_gives_zero(function):
    x = tf.constant([-1.0, 0.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.where(x > 100.0, function(x), x)

    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0, 1.0, 1.0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("function", [tf.math.log, lambda v: 1.0 / v], ids=["log", "divide"])
def test_unselected_log_or_divide_gives_nan(function):
    x = tf.constant([0.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.where(x > 100.0, function(x), x)

    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [np.nan, 1.0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_double_where_keeps_gradient_finite():
    x, unsafe, safe, tape = _where_sqrt_tape()

    np.testing.assert_array_equal(tape.gradient(safe, x).numpy(), [1.0, 0.25])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_where_reciprocal_at_zero_gives_nan_gradient():
    x = tf.constant([0.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        unsafe = tf.where(x != 0, 1 / x, 0.0)
        safe = tf.where(x != 0, 1 / tf.where(x != 0, x, 1.0), 0.0)

    np.testing.assert_array_equal(tape.gradient(unsafe, x).numpy(), [np.nan, -0.25])
    np.testing.assert_array_equal(tape.gradient(safe, x).numpy(), [0.0, -0.25])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_sqrt_gradient_at_zero_is_infinite():
    x = tf.constant([0.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.sqrt(x)

    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [np.inf, 0.25])


# -- hand-written cross-entropy and log(0) ----------------------------------------------------


def _cross_entropy_tape(logits):
    z = tf.constant(logits)
    labels = tf.constant([1.0, 0.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(z)
        p = tf.nn.softmax(z)
        manual = -tf.reduce_sum(labels * tf.math.log(p))
        fused = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=z)
    return z, p, manual, fused, tape


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_softmax_of_far_apart_logits_underflows_to_zero():
    z, p, manual, fused, tape = _cross_entropy_tape([0.0, -200.0])

    np.testing.assert_array_equal(p.numpy(), [1.0, 0.0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_manual_cross_entropy_is_nan():
    z, p, manual, fused, tape = _cross_entropy_tape([0.0, -200.0])

    # 0 * log(0) = 0 * -inf is NaN.
    assert np.isnan(manual.numpy())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_manual_cross_entropy_gradient_is_nan():
    z, p, manual, fused, tape = _cross_entropy_tape([0.0, -200.0])

    assert np.isnan(tape.gradient(manual, z).numpy()).all()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_fused_cross_entropy_is_zero():
    z, p, manual, fused, tape = _cross_entropy_tape([0.0, -200.0])

    assert fused.numpy() == 0.0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_fused_cross_entropy_gradient_is_zero():
    z, p, manual, fused, tape = _cross_entropy_tape([0.0, -200.0])

    np.testing.assert_array_equal(tape.gradient(fused, z).numpy(), [0.0, 0.0])


def test_log_softmax_cross_entropy_stays_finite():
    z = tf.constant([0.0, -200.0])
    with tf.GradientTape() as tape:
        tape.watch(z)
        loss = -tf.reduce_sum(tf.constant([1.0, 0.0]) * tf.nn.log_softmax(z))

    assert loss.numpy() == 0.0
    np.testing.assert_array_equal(tape.gradient(loss, z).numpy(), [0.0, 0.0])


def test_sparse_fused_cross_entropy_gradient_is_zero():
    z = tf.constant([[0.0, -200.0]])
    with tf.GradientTape() as tape:
        tape.watch(z)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([0]), logits=z)

    np.testing.assert_array_equal(tape.gradient(loss, z).numpy(), [[0.0, 0.0]])


def test_softmax_flushes_subnormal_probability_to_zero():
    z, p, manual, fused, tape = _cross_entropy_tape([0.0, -100.0])

    assert p.numpy()[1] == 0.0


def test_manual_cross_entropy_of_subnormal_probability_is_nan():
    z, p, manual, fused, tape = _cross_entropy_tape([0.0, -100.0])

    assert np.isnan(manual.numpy())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_manual_sigmoid_cross_entropy_overflows():
    x = tf.constant(-100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = -tf.math.log(tf.sigmoid(x))

    assert loss.numpy() == np.inf
    assert np.isnan(tape.gradient(loss, x).numpy())


def test_fused_sigmoid_cross_entropy_stays_finite():
    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(0.0), logits=x)

    assert loss.numpy() == pytest.approx(100.0)
    assert tape.gradient(loss, x).numpy() == pytest.approx(1.0)


# -- stop_gradient and optimizers -------------------------------------------------------------


def _stopped_first_layer():
    w1 = tf.Variable(2.0)
    w2 = tf.Variable(3.0)
    x = tf.constant(4.0)
    with tf.GradientTape(persistent=True) as tape:
        h = w1 * x
        y = tf.stop_gradient(h) * w2
    return w1, w2, y, tape


def test_stop_gradient_forward_value():
    w1, w2, y, tape = _stopped_first_layer()

    assert y.numpy() == pytest.approx(24.0)


def test_stop_gradient_leaves_first_layer_without_gradient():
    w1, w2, y, tape = _stopped_first_layer()

    dw1, dw2 = tape.gradient(y, [w1, w2])

    assert dw1 is None
    assert dw2.numpy() == pytest.approx(8.0)


def test_stop_gradient_gives_zero_on_request():
    w1, w2, y, tape = _stopped_first_layer()

    assert tape.gradient(y, w1, unconnected_gradients=tf.UnconnectedGradients.ZERO).numpy() == 0.0


def test_optimizer_skips_none_gradient_with_warning(caplog):
    w1, w2, y, tape = _stopped_first_layer()
    grads = tape.gradient(y, [w1, w2])
    optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)

    with caplog.at_level(logging.WARNING, logger="tapestudio"):
        optimizer.apply_gradients(zip(grads, [w1, w2]))

    assert len(caplog.records) == 1
    assert "Gradients do not exist for variable" in caplog.records[0].getMessage()


def test_optimizer_updates_variable_that_has_gradient():
    w1, w2, y, tape = _stopped_first_layer()
    grads = tape.gradient(y, [w1, w2])

    tf.keras.optimizers.SGD(learning_rate=0.1).apply_gradients(zip(grads, [w1, w2]))

    assert w1.numpy() == pytest.approx(2.0)
    assert w2.numpy() == pytest.approx(2.2)


def test_optimizer_rejects_only_none_gradients():
    w1, w2, y, tape = _stopped_first_layer()
    grad = tape.gradient(y, w1)

    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        tf.keras.optimizers.SGD(learning_rate=0.1).apply_gradients([(grad, w1)])


# -- per-layer learning rates from one gradient call ------------------------------------------


def _two_layer_loss(a, b, tape_kwargs=None):
    x = 1.0
    target = 0.0
    with tf.GradientTape(**(tape_kwargs or {})) as tape:
        loss = (a * b * x - target) ** 2
    return loss, tape


def test_one_gradient_call_gives_both_layers():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    loss, tape = _two_layer_loss(a, b)

    ga, gb = tape.gradient(loss, [a, b])

    assert loss.numpy() == pytest.approx(4.0)
    assert ga.numpy() == pytest.approx(8.0)
    assert gb.numpy() == pytest.approx(4.0)


def test_per_layer_learning_rates_update_simultaneously():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    loss, tape = _two_layer_loss(a, b)
    ga, gb = tape.gradient(loss, [a, b])

    a.assign_sub(0.1 * ga)
    b.assign_sub(0.01 * gb)

    assert a.numpy() == pytest.approx(0.2)
    assert b.numpy() == pytest.approx(1.96)


def test_per_layer_optimizers_match_manual_update():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    loss, tape = _two_layer_loss(a, b)
    ga, gb = tape.gradient(loss, [a, b])

    tf.keras.optimizers.SGD(learning_rate=0.1).apply_gradients([(ga, a)])
    tf.keras.optimizers.SGD(learning_rate=0.01).apply_gradients([(gb, b)])

    assert a.numpy() == pytest.approx(0.2)
    assert b.numpy() == pytest.approx(1.96)


def test_recomputing_after_first_update_is_not_simultaneous():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    loss, tape = _two_layer_loss(a, b)
    a.assign_sub(0.1 * tape.gradient(loss, a))

    loss, tape = _two_layer_loss(a, b)
    gb = tape.gradient(loss, b)
    b.assign_sub(0.01 * gb)

    # 2 * a' * b * a' with a' = 0.2 and b = 2.
    assert gb.numpy() == pytest.approx(0.16)
    assert b.numpy() == pytest.approx(1.9984)


def test_second_gradient_for_other_layer_raises():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    loss, tape = _two_layer_loss(a, b)
    tape.gradient(loss, a)

    with pytest.raises(RuntimeError, match="can only be used to compute one set of gradients"):
        tape.gradient(loss, b)


def test_persistent_tape_gives_each_layer_separately():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    loss, tape = _two_layer_loss(a, b, {"persistent": True})

    assert tape.gradient(loss, a).numpy() == pytest.approx(8.0)
    assert tape.gradient(loss, b).numpy() == pytest.approx(4.0)
