"""``custom_gradient``: replace the gradient of a function with one the user writes."""

from __future__ import annotations

import functools
import inspect

import numpy as np

from . import nest
from .context import tape_stack
from .core import Op, record
from .tensor import EagerTensor, Tensor, convert_to_tensor
from .variables import Variable

__all__ = ["custom_gradient"]


class _VariableRecorder:
    """A stand-in tape that records which trainable variables a function reads.

    It sits on the tape stack while the function runs, so variable reads notify it like any
    tape; it tracks nothing, so it never records an op.
    """

    _watch_accessed_variables = True

    def __init__(self) -> None:
        self._tracked: set[int] = set()
        self._records: list = []
        self.variables: dict[int, Variable] = {}

    def _watch_variable(self, variable: Variable) -> None:
        self.variables.setdefault(id(variable), variable)

    def __enter__(self):
        tape_stack.active.append(self)
        return self

    def __exit__(self, *exc_info) -> None:
        tape_stack.active.remove(self)


def _accepts_variables(function) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == "variables" or p.kind is p.VAR_KEYWORD for p in parameters)


def custom_gradient(f=None):
    """Decorate ``f(*x) -> (y, grad_fn)`` so that tapes differentiate ``y`` with ``grad_fn``.

    ``grad_fn(*upstream)`` receives one cotangent per flattened output of ``y`` and returns one
    gradient per positional input (a tensor, or a list or tuple). When ``f`` reads variables
    that are not among its inputs, ``grad_fn`` must also take ``variables=`` and return
    ``(input_gradients, variable_gradients)``.

    The ops inside ``f`` are still recorded by the tapes, but gradients of ``y`` flow only
    through ``grad_fn``.

    Raises:
        TypeError: ``f`` reads variables and ``grad_fn`` takes no ``variables`` argument.
        ValueError: ``grad_fn`` returns the wrong number of gradients.
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        with _VariableRecorder() as recorder:
            result, grad_fn = f(*args, **kwargs)
        variables = sorted(recorder.variables.values(), key=lambda v: v._unique_id)
        if variables and not _accepts_variables(grad_fn):
            raise TypeError(
                "@tf.custom_gradient grad_fn must accept keyword argument 'variables', since "
                f"function uses variables: {[v.name for v in variables]}"
            )

        flat_result = nest.flatten(result)
        outputs = [EagerTensor(convert_to_tensor(y)._value) for y in flat_result]
        inputs = tuple(
            a if isinstance(a, (Tensor, Variable)) else convert_to_tensor(a) for a in args
        ) + tuple(variables)

        tapes = tape_stack.active
        if tapes:
            gradients = _GradientCache(grad_fn, len(args), variables, outputs)
            for index, output in enumerate(outputs):
                op = Op(f"CustomGradient[{getattr(f, '__name__', 'f')}]", None,
                        vjp_variadic=functools.partial(gradients.vjp, index))
                record(tapes, op, inputs, output, None)
        return nest.pack_sequence_as(result, outputs)

    return decorated


class _GradientCache:
    """Call ``grad_fn`` once per cotangent and hand out the gradient of each input.

    Each output is recorded as an op of its own, so a function with several outputs calls
    ``grad_fn`` once per output that gets a cotangent, with zeros for the other outputs; the
    tape adds the results. That equals one call with every cotangent because ``grad_fn`` is a
    linear map of its cotangents.
    """

    def __init__(self, grad_fn, input_count: int, variables: list, outputs: list) -> None:
        self.grad_fn = grad_fn
        self.input_count = input_count
        self.variables = variables
        self.outputs = outputs
        self._last_cotangent = None
        self._last_gradients: list = []

    def vjp(self, output_index: int, input_index: int, g, out, *inputs):
        if g is not self._last_cotangent:
            self._last_cotangent = g
            self._last_gradients = self._call(output_index, g)
        return self._last_gradients[input_index]

    def _call(self, output_index: int, g) -> list:
        upstream = [
            g if i == output_index else EagerTensor(np.zeros_like(o._value))
            for i, o in enumerate(self.outputs)
        ]
        if self.variables:
            input_gradients, variable_gradients = self.grad_fn(*upstream, variables=self.variables)
            variable_gradients = list(nest.flatten(variable_gradients))
            if len(variable_gradients) != len(self.variables):
                raise ValueError("Must return gradient for each variable from @custom_gradient grad_fn.")
        else:
            input_gradients = self.grad_fn(*upstream)
            variable_gradients = []
        if isinstance(input_gradients, (list, tuple)):
            input_gradients = list(input_gradients)
        else:
            input_gradients = [input_gradients]
        if len(input_gradients) != self.input_count:
            raise ValueError(
                f"custom_gradient function expected to return {self.input_count} gradients, but "
                f"returned {len(input_gradients)} instead."
            )
        converted = [None if g is None else convert_to_tensor(g) for g in input_gradients]
        return converted + [None if g is None else convert_to_tensor(g) for g in variable_gradients]
