"""TapeStudio's automatic-differentiation engine: NumPy values, tapes and ops.

It imports only NumPy and the standard library. The vocabulary (primal, cotangent, vjp, tape,
watch, source, target, unconnected) is defined in :mod:`tapestudio.engine.tape`.
"""

from . import dtypes, nest
from . import operators as _operators  # noqa: F401  (installs Tensor and Variable operators)
from .core import OPS, Op, apply, define_op
from .custom_gradient import custom_gradient, grad_pass_through
from .errors import InvalidArgumentError, OpError
from .tape import GradientTape, RecordedOp, UnconnectedGradients, observe_backward
from .tensor import EagerTensor, Tensor, TensorShape, constant, convert_to_tensor, is_tensor
from .variables import ResourceVariable, Variable

__all__ = [
    "dtypes", "nest", "OPS", "Op", "apply", "define_op", "custom_gradient", "grad_pass_through", "InvalidArgumentError", "OpError",
    "GradientTape", "UnconnectedGradients", "RecordedOp", "observe_backward", "EagerTensor", "Tensor", "TensorShape", "constant",
    "convert_to_tensor", "is_tensor", "ResourceVariable", "Variable",
]
