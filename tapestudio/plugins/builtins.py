"""TapeStudio's own ops and optimizers, as its pyproject.toml publishes them.

The built-in ops are the layer activations. They wrap the engine's functions without the
checks that plugin ops get, so using one by name costs one extra Python call.

``BUILTIN_ENTRY_POINTS`` repeats the two entry-point tables of TapeStudio's pyproject.toml
(a test keeps them equal). Discovery uses it for any built-in that the installed metadata
lacks, such as after editing pyproject.toml without reinstalling.
"""

from __future__ import annotations

from ..engine.ops import math_ops, nn_ops
from .ops import builtin_op
from .status import OP, OPTIMIZER

__all__ = ["BUILTIN_ENTRY_POINTS"]


def _identity(x):
    return x


linear = builtin_op("linear", _identity, "Returns its input unchanged.")
relu = builtin_op("relu", nn_ops.relu, "max(x, 0); the gradient at 0 is 0.")
relu6 = builtin_op("relu6", nn_ops.relu6, "min(max(x, 0), 6); the gradient at 0 and at 6 is 0.", domain=(-2.0, 8.0))
sigmoid = builtin_op("sigmoid", math_ops.sigmoid, "1 / (1 + exp(-x)).")
tanh = builtin_op("tanh", math_ops.tanh, "Hyperbolic tangent.")
softmax = builtin_op(
    "softmax", nn_ops.softmax, "exp(x) / sum(exp(x)) along an axis, the last by default.", attributes={"axis": -1},
)
log_softmax = builtin_op(
    "log_softmax", nn_ops.log_softmax, "x - log(sum(exp(x))) along an axis, the last by default.",
    attributes={"axis": -1},
)
elu = builtin_op("elu", nn_ops.elu, "x where positive, else exp(x) - 1.")
selu = builtin_op("selu", nn_ops.selu, "Scaled exponential linear unit (Klambauer et al., 2017).")
softplus = builtin_op("softplus", nn_ops.softplus, "log(1 + exp(x)), computed without overflow.")
softsign = builtin_op("softsign", nn_ops.softsign, "x / (1 + |x|).")
leaky_relu = builtin_op(
    "leaky_relu", nn_ops.leaky_relu, "x where positive, else alpha * x.", attributes={"alpha": 0.2},
)
exponential = builtin_op("exponential", math_ops.exp, "exp(x).")

_OPS = (linear, relu, relu6, sigmoid, tanh, softmax, log_softmax, elu, selu, softplus, softsign, leaky_relu,
        exponential)
_OPTIMIZERS = ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad")

BUILTIN_ENTRY_POINTS: dict[str, dict[str, str]] = {
    OP: {op.name: f"{__name__}:{op.name}" for op in _OPS},
    OPTIMIZER: {name: f"tapestudio.optimizers:{name}" for name in _OPTIMIZERS},
}
"""Kind (``"op"`` or ``"optimizer"``) to entry-point name to ``"module:attribute"``."""
