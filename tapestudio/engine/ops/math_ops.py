"""Elementwise arithmetic, elementwise functions, comparisons, cast and matmul.

Where a derivative is a convention, the op follows TensorFlow 2 (``math_grad.py``):
- ``abs`` at 0: the gradient is ``sign(0) = 0``.
- ``maximum`` and ``minimum`` on a tie: the whole gradient goes to the first input.
- ``pow(x, y)`` with respect to ``y`` at ``x <= 0``: 0, because ``log(x)`` is replaced by 0 there.
- ``sqrt`` at 0: ``0.5 * g / 0`` gives infinity (NaN when ``g`` is 0), as in TensorFlow.
"""

from __future__ import annotations

import math

import numpy as np

from ..core import apply, define_op
from ..errors import InvalidArgumentError
from ..tensor import EagerTensor, Tensor
from ..dtypes import as_dtype
from ._convert import operands, to_tensor

__all__ = [
    "add", "subtract", "multiply", "divide", "truediv", "floordiv", "mod", "negative", "pow",
    "maximum", "minimum", "abs", "sign", "square", "sqrt", "rsqrt", "exp", "expm1", "log",
    "log1p", "sin", "cos", "tan", "tanh", "sigmoid", "reciprocal", "matmul", "tensordot", "cast",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_not", "add_n", "unbroadcast", "is_nan", "is_inf",
    "is_finite",
]


# -- broadcasting ------------------------------------------------------------------------------

def unbroadcast(g: Tensor, shape: tuple) -> Tensor:
    """Sum the cotangent ``g`` over the axes along which an input of ``shape`` was broadcast."""
    g_shape = g._value.shape
    if g_shape == shape:
        return g
    from .array_ops import reshape
    from .reduction_ops import reduce_sum

    extra = len(g_shape) - len(shape)
    axes = list(range(extra))
    for i, size in enumerate(shape):
        if size == 1 and g_shape[i + extra] != 1:
            axes.append(i + extra)
    if axes:
        g = reduce_sum(g, axis=axes)
    return reshape(g, shape)


def unbroadcast_array(g, shape: tuple, out):
    """NumPy version of ``unbroadcast``, for backward passes that no tape records.

    ``g`` may carry leading batch axes in front of the shape of the op's output ``out``, one
    cotangent per row of a Jacobian. Those axes are kept.
    """
    g_shape = g.shape
    if g_shape == shape:
        return g
    lead = g.ndim - out.ndim
    if g_shape[lead:] == shape:
        return g
    if lead == 0 and g.size == math.prod(shape):
        # Only axes of length 1 were added or broadcast, so the sum is a reshape.
        return g.reshape(shape)
    extra = g.ndim - lead - len(shape)
    axes = list(range(lead, lead + extra))
    for i, size in enumerate(shape):
        if size == 1 and g_shape[lead + extra + i] != 1:
            axes.append(lead + extra + i)
    return g.sum(axis=tuple(axes)).reshape(g_shape[:lead] + shape)


def _unbroadcast_fast(g, shape: tuple, out):
    return g if g.shape == shape else unbroadcast_array(g, shape, out)


def _binary(op, x, y) -> Tensor:
    x, y = operands(x, y, op.name)
    try:
        return apply(op, (x, y))
    except ValueError:
        x_shape, y_shape = x._value.shape, y._value.shape
        try:
            np.broadcast_shapes(x_shape, y_shape)
        except ValueError:
            raise InvalidArgumentError(
                f"Incompatible shapes: {list(x_shape)} vs. {list(y_shape)} [Op:{op.name}]"
            ) from None
        raise


def _unary(op, x) -> Tensor:
    return apply(op, (x if isinstance(x, Tensor) else to_tensor(x),))


# -- arithmetic --------------------------------------------------------------------------------

_ADD = define_op(
    "AddV2", np.add,
    lambda g, out, x, y: unbroadcast(g, x._value.shape),
    lambda g, out, x, y: unbroadcast(g, y._value.shape),
    numpy_vjps=(
        lambda g, out, x, y: g if g.shape == x.shape else unbroadcast_array(g, x.shape, out),
        lambda g, out, x, y: g if g.shape == y.shape else unbroadcast_array(g, y.shape, out),
    ),
)
_SUB = define_op(
    "Sub", np.subtract,
    lambda g, out, x, y: unbroadcast(g, x._value.shape),
    lambda g, out, x, y: unbroadcast(negative(g), y._value.shape),
    numpy_vjps=(
        lambda g, out, x, y: unbroadcast_array(g, x.shape, out),
        lambda g, out, x, y: unbroadcast_array(-g, y.shape, out),
    ),
)
_MUL = define_op(
    "Mul", np.multiply,
    lambda g, out, x, y: unbroadcast(multiply(g, y), x._value.shape),
    lambda g, out, x, y: unbroadcast(multiply(x, g), y._value.shape),
    numpy_vjps=(
        lambda g, out, x, y: _unbroadcast_fast(g * y, x.shape, out),
        lambda g, out, x, y: _unbroadcast_fast(x * g, y.shape, out),
    ),
)


def _div_forward(x, y):
    if x.dtype.kind in "iu":
        # Integer true division gives float64, as tf.math.truediv does for int32.
        return np.true_divide(x, y, dtype=np.float64)
    return np.true_divide(x, y)


_DIV = define_op(
    "RealDiv", _div_forward,
    lambda g, out, x, y: unbroadcast(divide(g, y), x._value.shape),
    lambda g, out, x, y: unbroadcast(multiply(g, divide(divide(negative(x), y), y)), y._value.shape),
    numpy_vjps=(
        lambda g, out, x, y: unbroadcast_array(g / y, x.shape, out),
        lambda g, out, x, y: unbroadcast_array(g * (-x / y / y), y.shape, out),
    ),
)
_FLOORDIV = define_op("FloorDiv", np.floor_divide)
_MOD = define_op(
    "FloorMod", np.mod,
    lambda g, out, x, y: unbroadcast(g, x._value.shape),
    lambda g, out, x, y: unbroadcast(multiply(g, negative(floordiv(x, y))), y._value.shape),
)
_NEG = define_op(
    "Neg", np.negative, lambda g, out, x: negative(g), numpy_vjps=(lambda g, out, x: -g,),
)


def _pow_vjp_y(g, out, x, y):
    positive = greater(x, 0)
    safe_x = _where(positive, x, _ones_like(x))
    log_x = _where(positive, log(safe_x), _zeros_like(x))
    return unbroadcast(multiply(multiply(g, out), log_x), y._value.shape)


_POW = define_op(
    "Pow", np.power,
    lambda g, out, x, y: unbroadcast(multiply(multiply(g, y), pow(x, subtract(y, 1))), x._value.shape),
    _pow_vjp_y,
)


def _max_vjp_x(g, out, x, y):
    return unbroadcast(_where(greater_equal(x, y), g, _zeros_like(g)), x._value.shape)


def _max_vjp_y(g, out, x, y):
    return unbroadcast(_where(greater_equal(x, y), _zeros_like(g), g), y._value.shape)


def _min_vjp_x(g, out, x, y):
    return unbroadcast(_where(less_equal(x, y), g, _zeros_like(g)), x._value.shape)


def _min_vjp_y(g, out, x, y):
    return unbroadcast(_where(less_equal(x, y), _zeros_like(g), g), y._value.shape)


_MAXIMUM = define_op("Maximum", np.maximum, _max_vjp_x, _max_vjp_y)
_MINIMUM = define_op("Minimum", np.minimum, _min_vjp_x, _min_vjp_y)


def add(x, y, name=None) -> Tensor:
    """Return ``x + y`` with broadcasting."""
    return _binary(_ADD, x, y)


def subtract(x, y, name=None) -> Tensor:
    """Return ``x - y`` with broadcasting."""
    return _binary(_SUB, x, y)


def multiply(x, y, name=None) -> Tensor:
    """Return ``x * y`` with broadcasting."""
    return _binary(_MUL, x, y)


def divide(x, y, name=None) -> Tensor:
    """Return ``x / y``; integer inputs give float64, as in TensorFlow."""
    return _binary(_DIV, x, y)


truediv = divide


def floordiv(x, y, name=None) -> Tensor:
    """Return ``floor(x / y)``; not differentiable."""
    return _binary(_FLOORDIV, x, y)


def mod(x, y, name=None) -> Tensor:
    """Return the remainder of floor division, with the sign of ``y``."""
    return _binary(_MOD, x, y)


def negative(x, name=None) -> Tensor:
    return _unary(_NEG, x)


def pow(x, y, name=None) -> Tensor:  # noqa: A001 - TensorFlow's name
    """Return ``x ** y``; the gradient for ``y`` is 0 where ``x <= 0``."""
    return _binary(_POW, x, y)


def maximum(x, y, name=None) -> Tensor:
    """Return the elementwise maximum; on a tie the gradient goes to ``x``."""
    return _binary(_MAXIMUM, x, y)


def minimum(x, y, name=None) -> Tensor:
    """Return the elementwise minimum; on a tie the gradient goes to ``x``."""
    return _binary(_MINIMUM, x, y)


def add_n(inputs, name=None) -> Tensor:
    """Return the sum of a list of tensors of one shape and dtype."""
    inputs = list(inputs)
    if not inputs:
        raise ValueError("add_n needs at least one tensor.")
    total = to_tensor(inputs[0])
    for x in inputs[1:]:
        total = add(total, x)
    return total


# -- elementwise functions ---------------------------------------------------------------------

_FLOAT32_MAX = float(np.finfo(np.float32).max)
_FLOAT32_SMALLEST = float(np.finfo(np.float32).tiny)
_SMALLEST_NORMAL = {np.dtype(np.float16): np.finfo(np.float16).tiny, np.dtype(np.float32): np.finfo(np.float32).tiny}


def flush_subnormals(values):
    """Return float16 or float32 ``values`` with subnormal numbers replaced by 0.

    TensorFlow's CPU kernels run with flush-to-zero, so exp(-100) in float32 is 0 there, not
    3.8e-44; without this, a probability that TensorFlow rounds to 0 (and whose log is -inf)
    would stay finite here. Only the ops whose results commonly fall into that range (exp,
    sigmoid, softmax) call it, so other ops still keep subnormals.
    """
    smallest = _SMALLEST_NORMAL.get(values.dtype)
    if smallest is None:
        return values
    small = np.abs(values) < smallest
    if values.ndim == 0:
        return values.dtype.type(0) if small else values
    if small.any():
        return np.where(small, values.dtype.type(0), values)
    return values



def _rounded_from_float64(function, scalar_function=None, flush=False):
    """Wrap a NumPy function so that half and single precision inputs are computed in double
    precision and rounded once.

    NumPy's float32 kernels for sin, exp and the like can be one unit in the last place off the
    correctly rounded value (float32 cos(5) gives 0.28366217, where 0.2836622 is nearest);
    rounding the double-precision result gives the nearest value, which is what TensorFlow's
    kernels print for the reference cases. ``scalar_function``, a function of the ``math``
    module, does the same for a float32 scalar at a fraction of NumPy's per-call cost. With
    ``flush``, subnormal results become 0 (see ``flush_subnormals``).
    """

    def forward(x):
        if scalar_function is not None and (type(x) is np.float32 or (x.ndim == 0 and x.dtype == np.float32)):
            try:
                result = scalar_function(float(x))
            except (OverflowError, ValueError):
                pass  # infinities, NaN-producing domains: NumPy's path gives TensorFlow's values
            else:
                if flush and -_FLOAT32_SMALLEST < result < _FLOAT32_SMALLEST:
                    return np.float32(0)
                if -_FLOAT32_MAX <= result <= _FLOAT32_MAX or result != result:
                    return np.float32(result)
        if x.dtype.kind != "f" or x.dtype.itemsize == 8:
            return function(x)
        result = function(x.astype(np.float64)).astype(x.dtype)
        return flush_subnormals(result) if flush else result

    forward.__name__ = function.__name__
    return forward


_ABS = define_op("Abs", np.abs, lambda g, out, x: multiply(g, sign(x)))
_SIGN = define_op("Sign", np.sign, lambda g, out, x: _zeros_like(g))
_SQUARE = define_op(
    "Square", np.square, lambda g, out, x: multiply(g, multiply(x, 2.0)),
    numpy_vjps=(lambda g, out, x: g * (x * 2.0),),
)
def _unless_zero_cotangent(g, gradient) -> Tensor:
    """Return ``gradient``, with 0 wherever the cotangent ``g`` is 0.

    TensorFlow's SqrtGrad, RsqrtGrad and ReciprocalGrad kernels do this, so that the zero
    cotangent of a branch ``where`` did not select stays 0 even where the local derivative is
    infinite (``sqrt`` of a negative number or of 0).
    """
    return _where(equal(g, 0), _zeros_like(gradient), gradient)


def _unless_zero_cotangent_array(g, compute):
    """NumPy version of ``_unless_zero_cotangent``: ``compute()`` only where ``g`` is not 0."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gradient = compute()
    return np.where(g == 0, g.dtype.type(0), gradient)


def _sqrt_vjp(g, out, x):
    return _unless_zero_cotangent(g, divide(multiply(g, 0.5), out))


def _rsqrt_vjp(g, out, x):
    return _unless_zero_cotangent(g, multiply(g, multiply(multiply(out, multiply(out, out)), -0.5)))


def _reciprocal_vjp(g, out, x):
    return _unless_zero_cotangent(g, multiply(g, negative(square(out))))


_SQRT = define_op(
    "Sqrt", np.sqrt, _sqrt_vjp,
    numpy_vjps=(lambda g, out, x: _unless_zero_cotangent_array(g, lambda: (g * 0.5) / out),),
)
_RSQRT = define_op(
    "Rsqrt", lambda x: np.reciprocal(np.sqrt(x)), _rsqrt_vjp,
    numpy_vjps=(lambda g, out, x: _unless_zero_cotangent_array(g, lambda: g * (out * out * out) * -0.5),),
)
_EXP = define_op(
    "Exp", _rounded_from_float64(np.exp, math.exp, flush=True), lambda g, out, x: multiply(g, out),
    numpy_vjps=(lambda g, out, x: g * out,),
)
_EXPM1 = define_op("Expm1", _rounded_from_float64(np.expm1, math.expm1), lambda g, out, x: multiply(g, exp(x)))
_LOG = define_op(
    "Log", _rounded_from_float64(np.log, math.log), lambda g, out, x: multiply(g, reciprocal(x)),
    numpy_vjps=(lambda g, out, x: g * np.reciprocal(x),),
)
_LOG1P = define_op("Log1p", _rounded_from_float64(np.log1p, math.log1p), lambda g, out, x: multiply(g, reciprocal(add(x, 1.0))))
_RECIPROCAL = define_op(
    "Reciprocal", np.reciprocal, _reciprocal_vjp,
    numpy_vjps=(lambda g, out, x: _unless_zero_cotangent_array(g, lambda: g * -(out * out)),),
)
_SIN = define_op(
    "Sin", _rounded_from_float64(np.sin, math.sin), lambda g, out, x: multiply(g, cos(x)),
    numpy_vjps=(lambda g, out, x: g * _COS.forward(x),),
)
_COS = define_op(
    "Cos", _rounded_from_float64(np.cos, math.cos), lambda g, out, x: multiply(negative(g), sin(x)),
    numpy_vjps=(lambda g, out, x: -g * _SIN.forward(x),),
)
_TAN = define_op("Tan", _rounded_from_float64(np.tan, math.tan), lambda g, out, x: multiply(g, square(reciprocal(cos(x)))))
_TANH = define_op(
    "Tanh", _rounded_from_float64(np.tanh, math.tanh), lambda g, out, x: multiply(g, subtract(1.0, multiply(out, out))),
    numpy_vjps=(lambda g, out, x: g * (1.0 - out * out),),
)


def _sigmoid_forward(x):
    # Both branches avoid exp overflow: for x < 0, sigmoid(x) = e^x / (1 + e^x).
    one = x.dtype.type(1)
    if x.ndim == 0:
        if x >= 0:
            return one / (one + np.exp(-x))
        z = flush_subnormals(np.exp(x))
        return flush_subnormals(z / (one + z))
    z = flush_subnormals(np.exp(-np.abs(x)))
    return flush_subnormals(np.where(x >= 0, one / (one + z), z / (one + z)))


_SIGMOID = define_op(
    "Sigmoid", _sigmoid_forward,
    lambda g, out, x: multiply(multiply(g, out), subtract(1.0, out)),
    numpy_vjps=(lambda g, out, x: g * out * (1.0 - out),),
)


def abs(x, name=None) -> Tensor:  # noqa: A001 - TensorFlow's name
    """Return ``|x|``; the gradient at 0 is 0."""
    return _unary(_ABS, x)


def sign(x, name=None) -> Tensor:
    return _unary(_SIGN, x)


def square(x, name=None) -> Tensor:
    return _unary(_SQUARE, x)


def sqrt(x, name=None) -> Tensor:
    return _unary(_SQRT, x)


def rsqrt(x, name=None) -> Tensor:
    """Return ``1 / sqrt(x)``."""
    return _unary(_RSQRT, x)


def exp(x, name=None) -> Tensor:
    return _unary(_EXP, x)


def expm1(x, name=None) -> Tensor:
    """Return ``exp(x) - 1``, accurate near 0."""
    return _unary(_EXPM1, x)


def log(x, name=None) -> Tensor:
    """Return the natural logarithm; the gradient is ``g * reciprocal(x)``."""
    return _unary(_LOG, x)


def log1p(x, name=None) -> Tensor:
    """Return ``log(1 + x)``, accurate near 0."""
    return _unary(_LOG1P, x)


def reciprocal(x, name=None) -> Tensor:
    return _unary(_RECIPROCAL, x)


def sin(x, name=None) -> Tensor:
    return _unary(_SIN, x)


def cos(x, name=None) -> Tensor:
    return _unary(_COS, x)


def tan(x, name=None) -> Tensor:
    return _unary(_TAN, x)


def tanh(x, name=None) -> Tensor:
    """Return ``tanh(x)``; the gradient is ``g * (1 - y * y)`` with ``y`` the output."""
    return _unary(_TANH, x)


def sigmoid(x, name=None) -> Tensor:
    """Return ``1 / (1 + exp(-x))``; the gradient is ``g * y * (1 - y)`` with ``y`` the output."""
    return _unary(_SIGMOID, x)


# -- comparisons and logic (never differentiable) ----------------------------------------------

_EQUAL = define_op("Equal", np.equal)
_NOT_EQUAL = define_op("NotEqual", np.not_equal)
_LESS = define_op("Less", np.less)
_LESS_EQUAL = define_op("LessEqual", np.less_equal)
_GREATER = define_op("Greater", np.greater)
_GREATER_EQUAL = define_op("GreaterEqual", np.greater_equal)
_LOGICAL_AND = define_op("LogicalAnd", np.logical_and)
_LOGICAL_OR = define_op("LogicalOr", np.logical_or)
_LOGICAL_NOT = define_op("LogicalNot", np.logical_not)
_IS_NAN = define_op("IsNan", np.isnan)
_IS_INF = define_op("IsInf", np.isinf)
_IS_FINITE = define_op("IsFinite", np.isfinite)


def equal(x, y, name=None) -> Tensor:
    return _binary(_EQUAL, x, y)


def not_equal(x, y, name=None) -> Tensor:
    return _binary(_NOT_EQUAL, x, y)


def less(x, y, name=None) -> Tensor:
    return _binary(_LESS, x, y)


def less_equal(x, y, name=None) -> Tensor:
    return _binary(_LESS_EQUAL, x, y)


def greater(x, y, name=None) -> Tensor:
    return _binary(_GREATER, x, y)


def greater_equal(x, y, name=None) -> Tensor:
    return _binary(_GREATER_EQUAL, x, y)


def logical_and(x, y, name=None) -> Tensor:
    return _binary(_LOGICAL_AND, x, y)


def logical_or(x, y, name=None) -> Tensor:
    return _binary(_LOGICAL_OR, x, y)


def logical_not(x, name=None) -> Tensor:
    return _unary(_LOGICAL_NOT, x)


def is_nan(x, name=None) -> Tensor:
    return _unary(_IS_NAN, x)


def is_inf(x, name=None) -> Tensor:
    return _unary(_IS_INF, x)


def is_finite(x, name=None) -> Tensor:
    return _unary(_IS_FINITE, x)


# -- cast --------------------------------------------------------------------------------------

def _cast_vjp(g, out, x, dtype):
    if x._value.dtype.kind in "fc" and out._value.dtype.kind in "fc":
        return cast(g, x._value.dtype)
    return None


_CAST = define_op("Cast", lambda x, dtype: np.asarray(x).astype(dtype), _cast_vjp)


def cast(x, dtype, name=None) -> Tensor:
    """Return ``x`` converted to ``dtype``; gradients flow only between floating dtypes."""
    x = to_tensor(x)
    numpy_dtype = as_dtype(dtype)._np
    if x._value.dtype == numpy_dtype:
        return x
    return apply(_CAST, (x,), {"dtype": numpy_dtype})


# -- matmul ------------------------------------------------------------------------------------

def _swap(value, flag: bool):
    return value.swapaxes(-1, -2) if flag else value


def _product(a, b):
    """Return the matrix product; ``ndarray.dot`` has far less per-call overhead than
    ``np.matmul`` for small 2-D operands, and both call the same BLAS routine."""
    if a.ndim == 2 and b.ndim == 2:
        return a.dot(b)
    return np.matmul(a, b)


def _matmul_forward(a, b, transpose_a=False, transpose_b=False):
    return _product(_swap(a, transpose_a), _swap(b, transpose_b))


def _matmul_vjp_a(g, out, a, b, transpose_a=False, transpose_b=False):
    if not transpose_a and not transpose_b:
        ga = matmul(g, b, transpose_b=True)
    elif not transpose_a:
        ga = matmul(g, b)
    elif not transpose_b:
        ga = matmul(b, g, transpose_b=True)
    else:
        ga = matmul(b, g, transpose_a=True, transpose_b=True)
    return unbroadcast(ga, a._value.shape)


def _matmul_vjp_b(g, out, a, b, transpose_a=False, transpose_b=False):
    if not transpose_a and not transpose_b:
        gb = matmul(a, g, transpose_a=True)
    elif not transpose_a:
        gb = matmul(g, a, transpose_a=True)
    elif not transpose_b:
        gb = matmul(a, g)
    else:
        gb = matmul(g, a, transpose_a=True, transpose_b=True)
    return unbroadcast(gb, b._value.shape)


def _matmul_numpy_vjp_a(g, out, a, b, transpose_a=False, transpose_b=False):
    if not transpose_a:
        ga = _product(g, _swap(b, not transpose_b))
    else:
        ga = _product(_swap(b, transpose_b), _swap(g, True))
    return ga if ga.shape == a.shape else unbroadcast_array(ga, a.shape, out)


def _matmul_numpy_vjp_b(g, out, a, b, transpose_a=False, transpose_b=False):
    if not transpose_b:
        gb = _product(_swap(a, not transpose_a), g)
    else:
        gb = _product(_swap(g, True), _swap(a, transpose_a))
    return gb if gb.shape == b.shape else unbroadcast_array(gb, b.shape, out)


_MATMUL = define_op(
    "MatMul", _matmul_forward, _matmul_vjp_a, _matmul_vjp_b,
    numpy_vjps=(_matmul_numpy_vjp_a, _matmul_numpy_vjp_b),
)


def matmul(a, b, transpose_a=False, transpose_b=False, name=None) -> Tensor:
    """Return the matrix product of the last two axes of ``a`` and ``b``.

    Inputs have rank 2 or more; leading (batch) axes broadcast.

    Raises:
        InvalidArgumentError: a rank is below 2, the inner dimensions differ, or the dtypes differ.
    """
    a, b = operands(a, b, "MatMul")
    a_shape, b_shape = a._value.shape, b._value.shape
    if len(a_shape) < 2 or len(b_shape) < 2:
        raise InvalidArgumentError(
            f"Matrix size-incompatible: In[0]: {list(a_shape)}, In[1]: {list(b_shape)}; matmul "
            f"needs inputs of rank 2 or more (use tf.reshape or tf.tensordot for vectors)."
        )
    inner_a = a_shape[-2] if transpose_a else a_shape[-1]
    inner_b = b_shape[-1] if transpose_b else b_shape[-2]
    if inner_a != inner_b:
        raise InvalidArgumentError(
            f"Matrix size-incompatible: In[0]: {list(a_shape)}, In[1]: {list(b_shape)} [Op:MatMul]"
        )
    if transpose_a or transpose_b:
        return apply(_MATMUL, (a, b), {"transpose_a": transpose_a, "transpose_b": transpose_b})
    return apply(_MATMUL, (a, b))


# -- helpers shared with other op modules -----------------------------------------------------

def _zeros_like(x: Tensor) -> Tensor:
    return EagerTensor(np.zeros_like(x._value))


def _ones_like(x: Tensor) -> Tensor:
    return EagerTensor(np.ones_like(x._value))


def _where(condition, x, y) -> Tensor:
    from .array_ops import where

    return where(condition, x, y)



def tensordot(a, b, axes, name=None) -> Tensor:
    """Sum the products of ``a`` and ``b`` over the given axes.

    ``axes`` is an int N (the last N axes of ``a`` with the first N of ``b``) or a pair of
    axis lists. Computed as transposes, reshapes and one ``matmul``, so its gradient comes
    from theirs.

    Raises:
        InvalidArgumentError: the summed axes differ in length.
    """
    from .array_ops import reshape, transpose

    a, b = operands(a, b, "Tensordot")
    a_shape, b_shape = a._value.shape, b._value.shape
    if isinstance(axes, (int, np.integer)):
        count = int(axes)
        if count < 0 or count > min(len(a_shape), len(b_shape)):
            raise InvalidArgumentError(f"tensordot axes={count} is invalid for shapes {list(a_shape)} and {list(b_shape)}.")
        a_axes = list(range(len(a_shape) - count, len(a_shape)))
        b_axes = list(range(count))
    else:
        a_axes, b_axes = ([int(i) for i in np.atleast_1d(side)] for side in axes)
        a_axes = [i % len(a_shape) for i in a_axes]
        b_axes = [i % len(b_shape) for i in b_axes]
    if [a_shape[i] for i in a_axes] != [b_shape[i] for i in b_axes]:
        raise InvalidArgumentError(
            f"tensordot summed axes differ: {[a_shape[i] for i in a_axes]} of a and "
            f"{[b_shape[i] for i in b_axes]} of b."
        )
    a_free = [i for i in range(len(a_shape)) if i not in a_axes]
    b_free = [i for i in range(len(b_shape)) if i not in b_axes]
    summed = int(np.prod([a_shape[i] for i in a_axes], dtype=np.int64))
    a_matrix = reshape(transpose(a, a_free + a_axes), (-1, summed))
    b_matrix = reshape(transpose(b, b_axes + b_free), (summed, -1))
    result_shape = [a_shape[i] for i in a_free] + [b_shape[i] for i in b_free]
    return reshape(matmul(a_matrix, b_matrix), result_shape)
