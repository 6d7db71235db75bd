"""Check vector-Jacobian products against finite differences, to any order.

``check_grads(fn, args)`` is what TapeStudio's own op tests use, and what a plugin author runs
on a new op::

    from tapestudio.testing import check_grads
    check_grads(lambda x: tf.sin(x) * x, [np.linspace(-1, 1, 5)], order=2)
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .engine import GradientTape, Tensor, constant, nest
from .engine.ops.array_ops import concat, reshape

__all__ = ["check_grads", "GradientCheckError", "numerical_vjp"]


class GradientCheckError(AssertionError):
    """A VJP disagrees with the finite-difference estimate of the same derivative."""


def _to_array(value) -> np.ndarray:
    if isinstance(value, Tensor):
        return np.asarray(value._value)
    return np.asarray(value)


def _flat_output(fn: Callable, arrays: list) -> np.ndarray:
    outputs = nest.flatten(fn(*[constant(a) for a in arrays]))
    return np.concatenate([_to_array(o).ravel() for o in outputs]).astype(np.float64)


def numerical_vjp(fn: Callable, arrays: list, cotangent: np.ndarray, directions: list, eps: float) -> float:
    """Estimate ``<cotangent, J(x) v>`` by central differences along the directions ``v``."""
    plus = [a + eps * d for a, d in zip(arrays, directions)]
    minus = [a - eps * d for a, d in zip(arrays, directions)]
    difference = _flat_output(fn, plus) - _flat_output(fn, minus)
    return float(np.dot(cotangent, difference) / (2 * eps))


def _analytic_vjp(fn: Callable, arrays: list, cotangent: np.ndarray) -> list[np.ndarray]:
    inputs = [constant(a) for a in arrays]
    with GradientTape() as tape:
        tape.watch(inputs)
        outputs = nest.flatten(fn(*inputs))
    cotangents, start = [], 0
    for output in outputs:
        size = _to_array(output).size
        piece = cotangent[start:start + size].reshape(_to_array(output).shape)
        cotangents.append(constant(piece.astype(_to_array(output).dtype)))
        start += size
    gradients = tape.gradient(outputs, inputs, output_gradients=cotangents)
    return [np.zeros_like(a) if g is None else _to_array(g).astype(np.float64) for g, a in zip(gradients, arrays)]


def _vjp_function(fn: Callable, cotangent_seed: int) -> Callable:
    """Return ``x -> J(x)^T u`` for a fixed random ``u``, computed with a tape, as one flat tensor.

    Its own derivative, taken through an outer tape, is a second-order derivative of ``fn``.
    """

    def vjp(*inputs):
        with GradientTape() as tape:
            tape.watch(list(inputs))
            outputs = nest.flatten(fn(*inputs))
        generator = np.random.default_rng(cotangent_seed)
        cotangents = [
            constant(generator.standard_normal(_to_array(o).shape).astype(_to_array(o).dtype))
            for o in outputs
        ]
        gradients = tape.gradient(outputs, list(inputs), output_gradients=cotangents)
        pieces = []
        for g, x in zip(gradients, inputs):
            if g is None:
                g = constant(np.zeros_like(_to_array(x)))
            pieces.append(reshape(g, (-1,)))
        return concat(pieces, axis=0)

    return vjp


def check_grads(fn: Callable, args: Sequence, order: int = 2, eps: float = 1e-6,
                rtol: float | None = None, atol: float | None = None, seed: int = 0,
                trials: int = 2, dtype=np.float64) -> None:
    """Check the VJPs of ``fn`` against central finite differences, up to ``order``.

    ``fn`` takes tensors and returns a tensor or a nested structure of tensors. For ``trials``
    random cotangents ``u`` and directions ``v`` it compares ``<J^T u, v>`` from a tape, with
    the inputs in ``dtype``, against ``<u, (f(x + eps v) - f(x - eps v)) / 2 eps>`` computed in
    float64, where the difference quotient is accurate. For order 2 and higher it repeats the
    check on the VJP function itself, computed inside an outer tape, so second derivatives
    come from nested tapes.

    Args:
        fn: the function to check.
        args: the points to check at; each is converted to a float64 array.
        order: how many derivatives deep to check (1 checks the VJPs only).
        rtol, atol: the tolerance; by default 1e-5 and 1e-6 for float64, and 1e-3 and 1e-4
            for float32 and float16, whose rounding the analytic side carries.
        dtype: the dtype of the inputs that the tape differentiates.

    Raises:
        GradientCheckError: an analytic and a numerical derivative differ by more than
            ``atol + rtol * |numerical|``.
        ValueError: ``order`` is below 1.
    """
    if order < 1:
        raise ValueError(f"order must be 1 or more, got {order}.")
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating dtype, got {dtype}.")
    precise = dtype == np.float64
    if rtol is None:
        rtol = 1e-5 if precise else 1e-3
    if atol is None:
        atol = 1e-6 if precise else 1e-4
    arrays = [np.asarray(a, dtype=np.float64) for a in args]
    for depth in range(1, order + 1):
        _check_first_order(fn, arrays, dtype, depth, eps, rtol, atol, seed + depth, trials)
        fn = _vjp_function(fn, seed + 100 + depth)


def _check_first_order(fn, arrays, dtype, depth, eps, rtol, atol, seed, trials) -> None:
    generator = np.random.default_rng(seed)
    for trial in range(trials):
        output_size = _flat_output(fn, arrays).size
        cotangent = generator.standard_normal(output_size)
        directions = [generator.standard_normal(a.shape) for a in arrays]
        gradients = _analytic_vjp(fn, [a.astype(dtype) for a in arrays], cotangent)
        analytic = sum(float(np.sum(g * d)) for g, d in zip(gradients, directions))
        numeric = numerical_vjp(fn, arrays, cotangent, directions, eps)
        if not abs(analytic - numeric) <= atol + rtol * abs(numeric):
            raise GradientCheckError(
                f"Derivative of order {depth} disagrees with finite differences (trial {trial}): "
                f"the tape gives {analytic!r}, central differences give {numeric!r}."
            )
