"""The tape's recorded ops and the cotangents a backward pass sends through them."""

from __future__ import annotations

import numpy as np
import pytest

import tapestudio as tf
from tapestudio.engine import observe_backward


def test_recorded_ops_in_execution_order():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.sin(x) * 3.0)

    ops = tape.recorded_ops()

    assert [op.name for op in ops] == ["Sin", "Mul", "Sum"]
    assert ops[-1].output is y
    assert ops[0].inputs[0] is x


def test_recorded_ops_leave_out_ops_on_unwatched_values():
    x = tf.constant(1.0)
    c = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        unrelated = tf.exp(c)
        y = x * unrelated

    assert [op.name for op in tape.recorded_ops()] == ["Mul"]


@pytest.mark.parametrize("nested", [False, True], ids=["arrays", "recorded"])
def test_observe_backward_reports_each_cotangent(nested):
    x = tf.constant([1.0, 2.0])
    seen = []
    outer = tf.GradientTape()
    if nested:
        # An outer tape that watches x makes the backward pass run on tensors.
        outer.__enter__()
        outer.watch(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        s = tf.sin(x)
        y = tf.reduce_sum(s * 3.0)
    with observe_backward(lambda op, cotangent: seen.append((op.name, np.asarray(cotangent)))):
        tape.gradient(y, x)
    if nested:
        outer.__exit__(None, None, None)

    names = [name for name, _ in seen]
    assert names == ["Sum", "Mul", "Sin"]
    np.testing.assert_allclose(seen[0][1], 1.0)
    np.testing.assert_allclose(seen[1][1], [1.0, 1.0])
    np.testing.assert_allclose(seen[2][1], [3.0, 3.0])


def test_observe_backward_stops_after_block():
    x = tf.constant(1.0)
    seen = []
    with observe_backward(lambda op, cotangent: seen.append(op.name)):
        pass
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)

    assert seen == []
