"""``tf.nn``: activations, softmax and cross-entropies."""

from .engine.ops.math_ops import sigmoid, tanh  # noqa: F401
from .engine.ops.nn_ops import (  # noqa: F401
    elu, leaky_relu, log_softmax, relu, relu6, selu, sigmoid_cross_entropy_with_logits, softmax,
    softmax_cross_entropy_with_logits, softplus, softsign, sparse_softmax_cross_entropy_with_logits,
)
