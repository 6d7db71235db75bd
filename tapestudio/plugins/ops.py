"""Ops looked up by name: defined by plugins, and by TapeStudio for its built-in activations.

A plugin defines an op in one of two ways:

- ``define_op``: a forward function on NumPy values and one VJP per input, written with
  engine ops so that nested tapes give higher-order derivatives, plus optional NumPy VJPs for
  backward passes that no tape records. It becomes an engine ``Op`` of its own.
- ``composite_op``: a function of tensors written with engine ops; the engine differentiates
  it through the ops it calls.

Both return a ``PluginOp``, which is called on tensors like any TensorFlow op. A plugin op
checks everything that crosses the boundary to plugin code: an exception inside the plugin, or
a result of the wrong type, shape or dtype, raises ``PluginError`` naming the op and its
distribution. The built-in ops skip these checks.
"""

from __future__ import annotations

import inspect
import math
import re
from functools import partial
from types import MappingProxyType
from typing import Callable, Mapping, Sequence

import numpy as np

from ..engine.core import NotBatchable, Op, apply
from ..engine.errors import InvalidArgumentError
from ..engine.ops._convert import like, to_tensor
from ..engine.tensor import Tensor
from . import provenance
from .errors import PluginDefinitionError, PluginError

__all__ = ["PluginOp", "define_op", "composite_op"]

_OP_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_DEFAULT_DOMAIN = (-3.0, 3.0)


class PluginOp:
    """An op registered by name; call it on tensors: ``op(x)``, ``op(x, y)``, ``op(x, alpha=0.1)``.

    Inputs may be Tensors, Variables, NumPy arrays or Python numbers. They must be
    floating-point (float16, float32 or float64) and of one dtype; a Python number takes the
    dtype of the tensor inputs. The result is a Tensor of that dtype, recorded by every tape
    that watches an input.

    Read-only attributes:

    - ``name``, ``description`` (one line) and ``api_version``;
    - ``arity``: the number of inputs;
    - ``activation``: whether a layer can use the op as its activation;
    - ``attributes``: the keyword attributes with their defaults;
    - ``domain``: the interval the gradient check draws inputs from;
    - ``is_primitive``: True for a forward with VJPs, False for a composite;
    - ``has_numpy_vjps``.
    """

    def __init__(self, *, name: str, arity: int, activation: bool, description: str, api_version: int,
                 attributes: Mapping[str, object], output_shape: Callable | None,
                 domain: tuple[float, float], function: Callable | None = None,
                 forward: Callable | None = None, vjps: Sequence[Callable | None] = (),
                 numpy_vjps: Sequence[Callable | None] | None = None, checked: bool = True) -> None:
        self._name = name
        self._arity = arity
        self._activation = activation
        self._description = description
        self._api_version = api_version
        self._attributes = dict(attributes)
        self._output_shape = output_shape
        self._domain = domain
        self._function = function
        self._forward_function = forward
        self._vjps = tuple(vjps)
        self._numpy_vjps = tuple(numpy_vjps) if numpy_vjps is not None else None
        self._checked = checked
        self._module = getattr(function or forward, "__module__", None)
        self._primitive = self._engine_op() if forward is not None else None

    def _engine_op(self) -> Op:
        vjps = [None if vjp is None else partial(self._run_vjp, index) for index, vjp in enumerate(self._vjps)]
        numpy_vjps = None
        if self._numpy_vjps is not None:
            numpy_vjps = [
                None if vjp is None else partial(self._run_numpy_vjp, index)
                for index, vjp in enumerate(self._numpy_vjps)
            ]
        return Op(self._name, self._run_forward, vjps, numpy_vjps=numpy_vjps)

    # -- read-only description -----------------------------------------------------------------

    name = property(lambda self: self._name, doc="The op's registry name.")
    arity = property(lambda self: self._arity, doc="The number of inputs.")
    activation = property(lambda self: self._activation, doc="Whether a layer can use it as its activation.")
    description = property(lambda self: self._description, doc="One line saying what the op computes.")
    api_version = property(lambda self: self._api_version, doc="The plugin API version it was written for.")
    domain = property(lambda self: self._domain, doc="The interval ``check_op`` draws inputs from.")
    is_primitive = property(lambda self: self._primitive is not None, doc="True for a forward with VJPs.")
    has_numpy_vjps = property(lambda self: self._numpy_vjps is not None, doc="True when it has NumPy VJPs.")

    @property
    def attributes(self) -> Mapping[str, object]:
        """The keyword attributes the op takes, with their defaults."""
        return MappingProxyType(self._attributes)

    @property
    def __name__(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"PluginOp({self._name!r}, arity={self._arity}, activation={self._activation})"

    # -- calling -------------------------------------------------------------------------------

    def __call__(self, *inputs, name=None, **attributes) -> Tensor:
        """Run the op on ``inputs``; ``name`` is accepted and ignored, as in TensorFlow ops.

        Raises:
            TypeError: the number of inputs differs from the arity, or an attribute is unknown.
            InvalidArgumentError: an input is not floating-point, the inputs' dtypes differ, or
                their shapes do not fit together.
            PluginError: the plugin's code failed or returned a wrong value.
        """
        if len(inputs) != self._arity:
            raise TypeError(f"op {self._name!r} takes {self._arity} input(s), got {len(inputs)}.")
        values = self._attribute_values(attributes)

        if self._primitive is not None:
            return apply(self._primitive, self._input_tensors(inputs), values)
        if not self._checked:
            return self._function(*inputs, **values)
        return self._run_composite(self._input_tensors(inputs), values)

    def _attribute_values(self, given: dict) -> dict:
        if not given:
            return dict(self._attributes)
        unknown = sorted(set(given) - set(self._attributes))
        if unknown:
            takes = ", ".join(self._attributes) or "none"
            raise TypeError(f"op {self._name!r} got unknown attributes {unknown}; it takes: {takes}.")
        if not self._attributes:
            return {}
        return {**self._attributes, **given}

    def _input_tensors(self, inputs: tuple) -> tuple:
        tensors: list = [None] * len(inputs)
        reference = None
        for index, x in enumerate(inputs):
            if isinstance(x, Tensor) or hasattr(x, "_read_for_op"):
                tensors[index] = to_tensor(x)
                if reference is None:
                    reference = tensors[index]
        for index, x in enumerate(inputs):
            if tensors[index] is None:
                tensors[index] = to_tensor(x) if reference is None else like(x, reference)

        dtype = tensors[0]._value.dtype
        for index, tensor in enumerate(tensors):
            input_dtype = tensor._value.dtype
            if input_dtype.kind != "f":
                raise InvalidArgumentError(
                    f"op {self._name!r} takes floating-point tensors (float16, float32 or float64), "
                    f"but input {index} is {input_dtype.name}; cast it with tf.cast."
                )
            if input_dtype != dtype:
                raise InvalidArgumentError(
                    f"op {self._name!r} takes inputs of one dtype, but input 0 is {dtype.name} and "
                    f"input {index} is {input_dtype.name}; cast one of them with tf.cast."
                )
        return tuple(tensors)

    # -- checks around plugin code -------------------------------------------------------------

    def _expected_shape(self, shapes: list, attributes: dict) -> tuple:
        """Return the output shape for inputs of ``shapes``: their broadcast shape, or what the
        op's ``output_shape`` function returns."""
        if self._output_shape is None:
            try:
                return tuple(np.broadcast_shapes(*shapes))
            except ValueError:
                listed = " vs. ".join(str(list(shape)) for shape in shapes)
                raise InvalidArgumentError(f"Incompatible shapes: {listed} [Op:{self._name}]") from None

        try:
            shape = self._output_shape(*shapes, **attributes)
        except ValueError as error:
            # The op rejects these input shapes: the caller's mistake, not the plugin's.
            raise InvalidArgumentError(f"{error} [Op:{self._name}]") from None
        except Exception as error:
            raise self._failure("output_shape", _describe(error)) from error
        try:
            return tuple(int(size) for size in shape)
        except (TypeError, ValueError):
            raise self._failure("output_shape", f"returned {shape!r}, expected a tuple of ints") from None

    def _run_forward(self, *values, **attributes):
        shape = self._expected_shape([np.shape(value) for value in values], attributes)
        try:
            result = self._forward_function(*values, **attributes)
        except PluginError:
            raise
        except Exception as error:
            raise self._failure("forward", _describe(error)) from error
        self._check_array("forward", result, shape, values[0].dtype, "the output shape", "the inputs' dtype")
        return result

    def _run_vjp(self, index: int, cotangent, output, *inputs, **attributes):
        stage = f"the VJP of input {index}"
        try:
            result = self._vjps[index](cotangent, output, *inputs, **attributes)
        except PluginError:
            raise
        except Exception as error:
            raise self._failure(stage, _describe(error)) from error
        if result is None:
            return None
        if not isinstance(result, Tensor):
            raise self._failure(
                stage, f"returned {type(result).__name__}, expected a Tensor computed with engine ops, or None",
            )
        source = inputs[index]._value
        self._check_array(stage, result._value, source.shape, source.dtype, f"the shape of input {index}",
                          f"the dtype of input {index}")
        return result

    def _run_numpy_vjp(self, index: int, cotangent, output, *values, **attributes):
        stage = f"the NumPy VJP of input {index}"
        if np.ndim(cotangent) != np.ndim(output):
            # A batch of cotangents from jacobian(): let the engine push them one at a time.
            raise NotBatchable(f"the NumPy VJPs of plugin op {self._name!r} take one cotangent at a time")
        try:
            result = self._numpy_vjps[index](cotangent, output, *values, **attributes)
        except (PluginError, NotBatchable):
            raise
        except Exception as error:
            raise self._failure(stage, _describe(error)) from error
        if result is None:
            return None
        source = values[index]
        self._check_array(stage, result, np.shape(source), source.dtype, f"the shape of input {index}",
                          f"the dtype of input {index}")
        return result

    def _run_composite(self, tensors: tuple, attributes: dict) -> Tensor:
        shape = self._expected_shape([tensor._value.shape for tensor in tensors], attributes)
        try:
            result = self._function(*tensors, **attributes)
        except PluginError:
            raise
        except Exception as error:
            raise self._failure("its function", _describe(error)) from error

        if not isinstance(result, Tensor):
            raise self._failure("its function", f"returned {type(result).__name__}, expected a Tensor")
        self._check_array("its function", result._value, shape, tensors[0]._value.dtype, "the output shape",
                          "the inputs' dtype")
        return result

    def _check_array(self, stage: str, result, shape: tuple, dtype, shape_source: str, dtype_source: str) -> None:
        if not isinstance(result, (np.ndarray, np.generic)):
            raise self._failure(stage, f"returned {type(result).__name__}, expected a NumPy array")
        if result.shape != tuple(shape):
            raise self._failure(stage, f"returned shape {result.shape}, expected {tuple(shape)}, {shape_source}")
        if result.dtype != dtype:
            raise self._failure(stage, f"returned dtype {result.dtype}, expected {np.dtype(dtype)}, {dtype_source}")

    def _failure(self, stage: str, problem: str) -> PluginError:
        distribution, version = provenance.source_of(self, module=self._module)
        return PluginError("op", self._name, distribution, version, stage, problem)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# -- definitions -----------------------------------------------------------------------------

def define_op(name: str, forward: Callable, vjps: Sequence[Callable | None], *, api_version: int,
              description: str, numpy_vjps: Sequence[Callable | None] | None = None,
              arity: int | None = None, activation: bool = False,
              attributes: Mapping[str, object] | None = None, output_shape: Callable | None = None,
              domain: tuple[float, float] = _DEFAULT_DOMAIN) -> PluginOp:
    """Define an op from a forward function and one VJP per input.

    Args:
        name: the registry name, lowercase letters, digits and underscores (``"gelu"``). The
            entry point that publishes the op must have the same name.
        forward: ``forward(*values, **attributes) -> ndarray``. The values are NumPy arrays of
            one floating dtype; the result must have that dtype and the output shape.
        vjps: one function per input, ``vjp(cotangent, output, *inputs, **attributes)``, taking
            and returning Tensors: the cotangent of that input, with its shape and dtype, or
            None where no gradient flows. Write them with engine ops (``tf.multiply``,
            operators on tensors, other plugin ops) so that nested tapes differentiate them
            again. None in place of a function marks an input that never gets a gradient.
        api_version: the plugin API version the op was written for, as an integer literal.
        description: one line saying what the op computes.
        numpy_vjps: optional, one per input like ``vjps`` but on NumPy arrays; used for
            backward passes that no tape records. They must give the values of ``vjps``.
        arity: the number of inputs; ``len(vjps)`` when omitted.
        activation: whether a layer can use the op as its activation (arity 1, output of the
            input's shape).
        attributes: keyword attributes with their defaults, passed to every function.
        output_shape: ``output_shape(*input_shapes, **attributes) -> tuple``; by default the
            broadcast shape of the inputs. It raises ValueError for input shapes the op rejects.
        domain: ``(low, high)``, where ``check_op`` draws the inputs of the gradient check.

    Raises:
        PluginDefinitionError: an argument is invalid. The message names it and the reason.
    """
    vjps = _sequence(vjps, "vjps")
    arity = len(vjps) if arity is None else arity
    attributes = _check_common(name, arity, activation, description, api_version, attributes, output_shape, domain)

    if len(vjps) != arity:
        raise PluginDefinitionError(f"op {name!r} has arity {arity} but {len(vjps)} VJPs; give one per input.")
    if all(vjp is None for vjp in vjps):
        raise PluginDefinitionError(f"op {name!r} has no VJP; give at least one input a VJP function.")
    _check_callable(name, "forward", forward, arity, attributes)
    for index, vjp in enumerate(vjps):
        if vjp is not None:
            _check_callable(name, f"VJP {index}", vjp, arity + 2, attributes)

    if numpy_vjps is not None:
        numpy_vjps = _sequence(numpy_vjps, "numpy_vjps")
        if len(numpy_vjps) != arity:
            raise PluginDefinitionError(
                f"op {name!r} has arity {arity} but {len(numpy_vjps)} NumPy VJPs; give one per input."
            )
        for index, (vjp, numpy_vjp) in enumerate(zip(vjps, numpy_vjps)):
            if (vjp is None) != (numpy_vjp is None):
                raise PluginDefinitionError(
                    f"op {name!r}: input {index} has a VJP or a NumPy VJP but not both; give both or neither."
                )
            if numpy_vjp is not None:
                _check_callable(name, f"NumPy VJP {index}", numpy_vjp, arity + 2, attributes)

    return PluginOp(
        name=name, arity=arity, activation=activation, description=description, api_version=api_version,
        attributes=attributes, output_shape=output_shape, domain=tuple(domain), forward=forward, vjps=vjps,
        numpy_vjps=numpy_vjps,
    )


def composite_op(name: str, function: Callable, *, api_version: int, description: str, arity: int = 1,
                 activation: bool = False, attributes: Mapping[str, object] | None = None,
                 output_shape: Callable | None = None, domain: tuple[float, float] = _DEFAULT_DOMAIN) -> PluginOp:
    """Define an op as a function of tensors written with engine ops.

    ``function(*tensors, **attributes)`` returns a Tensor with the inputs' dtype and the
    output shape. Its gradients, to any order, come from the engine ops it calls. The other
    arguments are those of ``define_op``.

    Raises:
        PluginDefinitionError: an argument is invalid. The message names it and the reason.
    """
    attributes = _check_common(name, arity, activation, description, api_version, attributes, output_shape, domain)
    _check_callable(name, "function", function, arity, attributes)
    return PluginOp(
        name=name, arity=arity, activation=activation, description=description, api_version=api_version,
        attributes=attributes, output_shape=output_shape, domain=tuple(domain), function=function,
    )


def builtin_op(name: str, function: Callable, description: str, *, attributes: Mapping[str, object] | None = None,
               domain: tuple[float, float] = _DEFAULT_DOMAIN) -> PluginOp:
    """Wrap one of TapeStudio's own activation functions as an op, without the plugin checks."""
    return PluginOp(
        name=name, arity=1, activation=True, description=description, api_version=1,
        attributes=dict(attributes or {}), output_shape=None, domain=domain, function=function, checked=False,
    )


def _sequence(functions, label: str) -> tuple:
    if callable(functions) or isinstance(functions, (str, bytes)):
        raise PluginDefinitionError(f"{label} must be a list with one function (or None) per input, got {functions!r}.")
    try:
        return tuple(functions)
    except TypeError:
        raise PluginDefinitionError(
            f"{label} must be a list with one function (or None) per input, got {functions!r}."
        ) from None


def _check_common(name, arity, activation, description, api_version, attributes, output_shape, domain) -> dict:
    """Check the arguments that ``define_op`` and ``composite_op`` share; return the attributes."""
    if not isinstance(name, str) or not _OP_NAME.match(name):
        raise PluginDefinitionError(
            f"Op name {name!r} is invalid; use lowercase letters, digits and underscores, starting with a letter."
        )
    if isinstance(arity, bool) or not isinstance(arity, int) or arity < 1:
        raise PluginDefinitionError(f"op {name!r}: arity must be a positive int, got {arity!r}.")
    if isinstance(api_version, bool) or not isinstance(api_version, int):
        raise PluginDefinitionError(f"op {name!r}: api_version must be an int, got {api_version!r}.")
    if not isinstance(description, str) or not description.strip() or "\n" in description:
        raise PluginDefinitionError(f"op {name!r}: description must be one non-empty line, got {description!r}.")
    if not isinstance(activation, bool):
        raise PluginDefinitionError(f"op {name!r}: activation must be True or False, got {activation!r}.")
    if activation and (arity != 1 or output_shape is not None):
        raise PluginDefinitionError(
            f"op {name!r}: an activation takes one input and keeps its shape; drop activation=True "
            "or the extra inputs and output_shape."
        )
    if output_shape is not None and not callable(output_shape):
        raise PluginDefinitionError(f"op {name!r}: output_shape must be a function or None, got {output_shape!r}.")
    _check_domain(name, domain)
    return _check_attributes(name, attributes)


def _check_domain(name: str, domain) -> None:
    try:
        low, high = (float(bound) for bound in domain)
    except (TypeError, ValueError):
        raise PluginDefinitionError(f"op {name!r}: domain must be a pair (low, high), got {domain!r}.") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise PluginDefinitionError(f"op {name!r}: domain must be finite with low < high, got {domain!r}.")


def _check_attributes(name: str, attributes) -> dict:
    if attributes is None:
        return {}
    if not isinstance(attributes, Mapping):
        raise PluginDefinitionError(
            f"op {name!r}: attributes must map names to defaults, got {attributes!r}."
        )
    for key in attributes:
        if not isinstance(key, str) or not key.isidentifier() or key == "name":
            raise PluginDefinitionError(
                f"op {name!r}: attribute name {key!r} is invalid; use an identifier other than 'name'."
            )
    return dict(attributes)


def _check_callable(name: str, label: str, function, positional: int, attributes: dict) -> None:
    """Check that ``function`` accepts ``positional`` arguments and the attribute keywords."""
    if not callable(function):
        raise PluginDefinitionError(f"op {name!r}: {label} must be a function, got {function!r}.")
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return  # Some built-in functions and NumPy ufuncs have no signature to check.
    try:
        signature.bind(*range(positional), **dict.fromkeys(attributes))
    except TypeError as error:
        keywords = f" and the keywords {', '.join(attributes)}" if attributes else ""
        raise PluginDefinitionError(
            f"op {name!r}: {label} must accept {positional} positional arguments{keywords} ({error})."
        ) from None
