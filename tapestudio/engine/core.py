"""Ops and their execution: compute the primal, then offer the op to every recording tape.

An op pairs a forward function on NumPy values with one vector-Jacobian product (VJP) per
input. A VJP takes the cotangent of the output, the output and the inputs (all Tensors, plus
the op's attributes as keywords) and returns the cotangent of its input, or None where no
gradient flows. VJPs are written with engine ops, so a backward pass that runs while another
tape records is recorded too: that is how nested tapes give higher-order derivatives.
"""

from __future__ import annotations

from typing import Callable, Sequence

from .context import tape_stack
from .tensor import EagerTensor, Tensor

__all__ = ["Op", "apply", "OPS", "NotBatchable"]

OPS: dict[str, "Op"] = {}
"""Every op the engine defines, by name. Plugin ops live in the plugin registry instead."""


class Op:
    """A primitive operation: a forward function on NumPy values and its VJPs.

    Args:
        name: the op's name, as TensorFlow names the op where it has one (``"Sin"``).
        forward: ``forward(*values, **attrs) -> ndarray``; values are NumPy arrays or scalars.
        vjps: one function per input, ``vjp(cotangent, output, *inputs, **attrs) -> Tensor | None``;
            None in place of a function marks an input that gets no gradient. Leave the whole
            tuple None for an op that is not differentiable at all, so tapes never record it.
        vjp_variadic: for ops with any number of inputs (``concat``, ``stack``):
            ``vjp_variadic(index, cotangent, output, *inputs, **attrs)``.
        numpy_vjps: optional first-order VJPs on NumPy values, one per input, with the
            signature of ``vjps`` but NumPy arrays in and out. A backward pass that no tape
            records uses them instead of ``vjps``, which saves the engine's per-op overhead;
            they must compute the same values. Because ``jacobian`` pushes all its rows through at
            once, the cotangent may carry leading batch axes in front of the output's shape.
            The function must keep them, or raise ``NotBatchable`` where it cannot.
    """

    def __init__(
        self,
        name: str,
        forward: Callable,
        vjps: Sequence[Callable | None] | None = None,
        vjp_variadic: Callable | None = None,
        numpy_vjps: Sequence[Callable | None] | None = None,
    ) -> None:
        self.name = name
        self.forward = forward
        self.vjps = tuple(vjps) if vjps is not None else None
        self.vjp_variadic = vjp_variadic
        self.numpy_vjps = tuple(numpy_vjps) if numpy_vjps is not None else None
        self.differentiable = vjps is not None or vjp_variadic is not None

    def vjp_for(self, index: int) -> Callable | None:
        """Return the VJP function for input ``index``, or None when it gets no gradient."""
        if self.vjp_variadic is not None:
            variadic = self.vjp_variadic
            return lambda g, out, *inputs, **attrs: variadic(index, g, out, *inputs, **attrs)
        return self.vjps[index]

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


class NotBatchable(Exception):
    """A NumPy VJP cannot take a batch of cotangents; the caller falls back to one at a time."""


def define_op(name: str, forward: Callable, *vjps: Callable | None, variadic: Callable | None = None,
              numpy_vjps: Sequence[Callable | None] | None = None) -> Op:
    """Create an op, add it to ``OPS`` and return it.

    Raises:
        ValueError: an op with this name exists already, or ``numpy_vjps`` has another length
            than ``vjps``.
    """
    if name in OPS:
        raise ValueError(f"An op named {name!r} is already defined.")
    if numpy_vjps is not None and len(numpy_vjps) != len(vjps):
        raise ValueError(f"Op {name!r} has {len(vjps)} VJPs but {len(numpy_vjps)} NumPy VJPs.")
    op = Op(name, forward, vjps if vjps else None, variadic, numpy_vjps)
    OPS[name] = op
    return op


def apply(op: Op, inputs: tuple, attrs: dict | None = None) -> Tensor:
    """Run ``op`` on input Tensors and record it on every tape that tracks an input.

    The forward function must return a NumPy array or NumPy scalar. This is the engine's hot
    path, so the recording rule of ``record`` is repeated inline here.
    """
    if attrs:
        out = EagerTensor(op.forward(*[x._value for x in inputs], **attrs))
    elif len(inputs) == 2:
        out = EagerTensor(op.forward(inputs[0]._value, inputs[1]._value))
    elif len(inputs) == 1:
        out = EagerTensor(op.forward(inputs[0]._value))
    else:
        out = EagerTensor(op.forward(*[x._value for x in inputs]))
    tapes = tape_stack.active
    if tapes and op.differentiable:
        for tape in tapes:
            tracked = tape._tracked
            for x in inputs:
                if id(x) in tracked and x._value.dtype.kind in "fc":
                    tape._records.append((op, inputs, out, attrs))
                    tracked.add(id(out))
                    break
    return out


def record(tapes: list, op: Op, inputs: tuple, out, attrs: dict | None) -> None:
    """Record one executed op on each tape that tracks one of its floating-point inputs.

    An input counts only when its dtype can carry a gradient (floating or complex): ops on
    integer or bool inputs alone are never recorded. The output is tracked whatever its dtype.
    """
    for tape in tapes:
        tracked = tape._tracked
        for x in inputs:
            if id(x) in tracked and x._value.dtype.kind in "fc":
                tape._records.append((op, inputs, out, attrs))
                tracked.add(id(out))
                break
