"""Check a registered op by name: its gradients, its NumPy VJPs and its dtypes."""

from __future__ import annotations

import numpy as np

from ..engine import GradientTape, constant
from .ops import PluginOp
from .registry import current

__all__ = ["check_op"]

_SHAPE = (2, 3)


def check_op(op: str | PluginOp, order: int = 2, seed: int = 0) -> list[str]:
    """Check an op, given by its registered name or as a ``PluginOp``; return what passed.

    The checks, one line each in the result:

    1. ``tapestudio.testing.check_grads`` to ``order``: the VJPs against central finite
       differences in float64, and again through nested tapes for each higher order.
    2. For an op with NumPy VJPs: that they give the values of its engine VJPs.
    3. That float32 inputs give a float32 output.

    The inputs are arrays of shape (2, 3), one per input, drawn uniformly from the op's
    ``domain`` with ``seed``.

    Raises:
        ValueError: no loaded op has that name, or ``order`` is below 1.
        tapestudio.testing.GradientCheckError: a derivative or a NumPy VJP is wrong.
        PluginError: the op failed or returned a value of the wrong shape or dtype.
        TypeError: a built-in op returned another dtype for float32 inputs.
    """
    from ..testing import check_grads

    if isinstance(op, str):
        op = current().op(op)
    generator = np.random.default_rng(seed)
    low, high = op.domain
    arrays = [generator.uniform(low, high, size=_SHAPE) for _ in range(op.arity)]
    passed = []

    check_grads(op, arrays, order=order, seed=seed)
    passed.append(f"gradients agree with finite differences to order {order}")

    if op.has_numpy_vjps:
        _check_numpy_vjps(op, arrays, generator)
        passed.append("NumPy VJPs give the values of the engine VJPs")

    _check_float32(op, arrays)
    passed.append("float32 inputs give a float32 output")
    return passed


def _gradients(op, arrays: list, cotangent: np.ndarray, recorded: bool) -> list:
    """Return the gradients of ``op`` at ``arrays`` for ``cotangent``. With ``recorded``, an
    outer tape records the backward pass, so the engine VJPs run instead of the NumPy ones."""
    inputs = [constant(array) for array in arrays]
    if not recorded:
        return _tape_gradients(op, inputs, cotangent)

    with GradientTape() as outer:
        outer.watch(inputs)
        return _tape_gradients(op, inputs, cotangent)


def _tape_gradients(op, inputs: list, cotangent: np.ndarray) -> list:
    with GradientTape() as tape:
        tape.watch(inputs)
        output = op(*inputs)
    gradients = tape.gradient(output, inputs, output_gradients=constant(cotangent))
    return [np.zeros(x.shape) if g is None else g.numpy() for g, x in zip(gradients, inputs)]


def _check_numpy_vjps(op, arrays: list, generator: np.random.Generator) -> None:
    from ..testing import GradientCheckError

    output_shape = np.shape(op(*[constant(array) for array in arrays]).numpy())
    cotangent = generator.standard_normal(output_shape)
    fast = _gradients(op, arrays, cotangent, recorded=False)
    engine = _gradients(op, arrays, cotangent, recorded=True)
    for index, (numpy_value, engine_value) in enumerate(zip(fast, engine)):
        if not np.allclose(numpy_value, engine_value, rtol=1e-10, atol=1e-12):
            worst = float(np.max(np.abs(numpy_value - engine_value)))
            raise GradientCheckError(
                f"op {op.name!r}: the NumPy VJP of input {index} differs from its engine VJP by up to {worst!r}."
            )


def _check_float32(op, arrays: list) -> None:
    output = op(*[constant(array.astype(np.float32)) for array in arrays])
    if output.numpy().dtype != np.float32:
        raise TypeError(f"op {op.name!r} returned {output.dtype.name} for float32 inputs, expected float32.")
