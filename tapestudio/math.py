"""``tf.math``: elementwise and reduction ops under their TensorFlow names."""

from .engine.ops.array_ops import argmax, argmin  # noqa: F401
from .engine.ops.math_ops import (  # noqa: F401
    abs, add, add_n, cos, divide, equal, exp, expm1, floordiv, greater, greater_equal, is_finite,
    is_inf, is_nan, less, less_equal, log, log1p, logical_and, logical_not, logical_or, maximum,
    minimum, mod, multiply, negative, not_equal, pow, reciprocal, rsqrt, sigmoid, sign, sin, sqrt,
    square, subtract, tan, tanh, tensordot, truediv,
)
from .engine.ops.math_ops import mod as floormod  # noqa: F401
from .engine.ops.nn_ops import softplus, softsign  # noqa: F401
from .engine.ops.reduction_ops import (  # noqa: F401
    reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_sum,
)
