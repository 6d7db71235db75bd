"""TapeStudio: a workbench for gradient tapes, on a NumPy engine with TensorFlow's semantics.

``import tapestudio as tf`` runs TensorFlow code that stays inside the covered API: tensors,
variables, ``GradientTape``, the ops under their TensorFlow names, ``tf.math``, ``tf.nn``,
``tf.random`` and ``tf.keras`` (Sequential models of Dense layers).
"""

from types import SimpleNamespace as _SimpleNamespace

from . import math, nn, random  # noqa: F401  (TensorFlow-shaped namespaces)
from .engine import (  # noqa: F401
    EagerTensor, GradientTape, InvalidArgumentError, OpError, ResourceVariable, Tensor,
    TensorShape, UnconnectedGradients, Variable, constant, convert_to_tensor, custom_gradient,
    grad_pass_through, is_tensor, nest,
)
from .engine.dtypes import (  # noqa: F401
    DType, as_dtype, bool_ as bool, complex64, complex128, float16, float32, float64, int8, int16,
    int32, int64, string, uint8,
)
from .engine.ops.array_ops import (  # noqa: F401
    argmax, argmin, broadcast_to, clip_by_norm, clip_by_value, concat, expand_dims, eye, fill, gather, identity,
    linspace, one_hot, ones, ones_like, rank, reshape, shape, size, split, squeeze, stack,
    stop_gradient, tile, transpose, unstack, where, zeros, zeros_like,
)
from .engine.ops.array_ops import range_ as range  # noqa: F401
from .engine.ops.math_ops import (  # noqa: F401
    abs, add, add_n, cast, cos, divide, equal, exp, greater, greater_equal, less, less_equal, log,
    logical_and, logical_not, logical_or, matmul, maximum, minimum, multiply, negative, not_equal,
    pow, sigmoid, sign, sin, sqrt, square, subtract, tan, tanh, tensordot, truediv,
)
from .engine.ops.reduction_ops import (  # noqa: F401
    norm, reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_sum,
)
from . import keras, optimizers  # noqa: E402,F401
from .engine import errors  # noqa: E402,F401

autodiff = _SimpleNamespace(GradientTape=GradientTape)  # tf.autodiff.GradientTape

__version__ = "0.1.0"
