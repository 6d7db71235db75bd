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

__all__ = ["custom_gradient", "grad_pass_through"]


class _VariableRecorder:
    """A stand-in tape that records which trainable variables a function reads.

    While the function runs it sits on the tape stack, so variable reads notify it like any
    tape. It tracks no tensor, so it never records an op.
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
    gradient per flattened input (a tensor, or a list or tuple); it is called once per backward
    pass. When ``f`` reads variables that are not among its inputs, ``grad_fn`` must also take
    ``variables=`` and return ``(input_gradients, variable_gradients)``.

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

        flat_args = nest.flatten(list(args))
        argument_ids = {id(a) for a in flat_args}
        variables = sorted(
            (v for key, v in recorder.variables.items() if key not in argument_ids),
            key=lambda v: v._unique_id,
        )
        if variables and not _accepts_variables(grad_fn):
            raise TypeError(
                "@tf.custom_gradient grad_fn must accept keyword argument 'variables', since "
                f"function uses variables: {[v.name for v in variables]}"
            )

        flat_result = [convert_to_tensor(y) for y in nest.flatten(result)]
        tapes = tape_stack.active
        if not tapes:
            return nest.pack_sequence_as(result, [EagerTensor(y._value) for y in flat_result])

        inputs = tuple(
            a if isinstance(a, (Tensor, Variable)) else convert_to_tensor(a) for a in flat_args
        ) + tuple(variables)
        gradients = _GradientFunction(grad_fn, len(flat_args), variables, flat_result)
        name = f"CustomGradient[{getattr(f, '__name__', 'f')}]"
        outputs = _record_outputs(tapes, name, inputs, flat_result, gradients)
        return nest.pack_sequence_as(result, outputs)

    return decorated


def _record_outputs(tapes, name: str, inputs: tuple, flat_result: list, gradients) -> list:
    """Record the function as one op and return its outputs as new tensors.

    Several outputs of one floating dtype are recorded as one flat output, from which each
    output is sliced and reshaped with engine ops, so that one backward pass calls ``grad_fn``
    once with the cotangents of all of them.
    """
    from .ops.array_ops import getitem, reshape

    dtypes = {y._value.dtype for y in flat_result}
    if len(flat_result) == 1 or (len(dtypes) == 1 and next(iter(dtypes)).kind in "fc"):
        joint = EagerTensor(
            flat_result[0]._value if len(flat_result) == 1
            else np.concatenate([np.ravel(y._value) for y in flat_result])
        )
        record(tapes, Op(name, None, vjp_variadic=gradients.vjp), inputs, joint, None)
        if len(flat_result) == 1:
            return [joint]
        outputs, start = [], 0
        for y in flat_result:
            size = y._value.size
            outputs.append(reshape(getitem(joint, slice(start, start + size)), y._value.shape))
            start += size
        return outputs

    # NOTE: outputs of different dtypes cannot share one flat output. Each is recorded on its
    # own, so grad_fn runs once per output that gets a cotangent, with zeros for the others.
    # That matches one call for a grad_fn that is linear in its cotangents, as VJPs are.
    outputs = []
    for index, y in enumerate(flat_result):
        output = EagerTensor(y._value)
        vjp = functools.partial(gradients.vjp_for_output, index)
        record(tapes, Op(name, None, vjp_variadic=vjp), inputs, output, None)
        outputs.append(output)
    return outputs


class _GradientFunction:
    """Call ``grad_fn`` once per backward pass and hand out the gradient of each input.

    The backward pass requests the gradients of one record's inputs in increasing order, all with the same
    cotangent value (possibly wrapped in a new Tensor each time), so a new cotangent value or
    an index that does not increase starts a new pass.
    """

    def __init__(self, grad_fn, input_count: int, variables: list, flat_result: list) -> None:
        self.grad_fn = grad_fn
        self.input_count = input_count
        self.variables = variables
        self.shapes = [y._value.shape for y in flat_result]
        self._cotangent = None
        self._last_index = -1
        self._gradients: list = []

    def vjp(self, input_index: int, g, out, *inputs):
        if g._value is not self._cotangent or input_index <= self._last_index:
            self._cotangent = g._value
            self._gradients = self._call(self._split(g))
        self._last_index = input_index
        return self._gradients[input_index]

    def vjp_for_output(self, output_index: int, input_index: int, g, out, *inputs):
        if g._value is not self._cotangent or input_index <= self._last_index:
            self._cotangent = g._value
            upstream = [
                g if i == output_index else EagerTensor(np.zeros(shape, g._value.dtype))
                for i, shape in enumerate(self.shapes)
            ]
            self._gradients = self._call(upstream)
        self._last_index = input_index
        return self._gradients[input_index]

    def _split(self, g) -> list:
        """Cut the flat cotangent of several outputs into one cotangent per output."""
        if len(self.shapes) == 1:
            return [g]
        from .ops.array_ops import getitem, reshape

        pieces, start = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape, dtype=np.int64))
            pieces.append(reshape(getitem(g, slice(start, start + size)), shape))
            start += size
        return pieces

    def _call(self, upstream: list) -> list:
        if self.variables:
            input_gradients, variable_gradients = self.grad_fn(*upstream, variables=self.variables)
            variable_gradients = list(nest.flatten(variable_gradients))
            if len(variable_gradients) != len(self.variables):
                raise ValueError("Must return gradient for each variable from @custom_gradient grad_fn.")
        else:
            input_gradients = self.grad_fn(*upstream)
            variable_gradients = []
        if isinstance(input_gradients, (list, tuple)):
            input_gradients = nest.flatten(list(input_gradients))
        else:
            input_gradients = [input_gradients]
        if len(input_gradients) != self.input_count:
            raise ValueError(
                f"custom_gradient function expected to return {self.input_count} gradients, but "
                f"returned {len(input_gradients)} instead."
            )
        gradients = input_gradients + variable_gradients
        return [None if g is None else convert_to_tensor(g) for g in gradients]


def grad_pass_through(f):
    """Wrap ``f`` so that its outputs pass the gradient to its inputs unchanged.

    The forward pass computes ``f(x)``; the backward pass treats it as the identity, which is
    how a non-differentiable step (rounding, an assignment) is trained through.
    """

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        @custom_gradient
        def identity_gradient(*inputs):
            def grad_fn(*upstream, variables=None):
                if variables:
                    # Variables the wrapped function reads get no gradient.
                    return list(upstream), [None] * len(variables)
                return list(upstream)

            return f(*inputs, **kwargs), grad_fn

        return identity_gradient(*args)

    return wrapped
