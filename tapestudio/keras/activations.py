"""Layer activations by name."""

from __future__ import annotations

from ..engine.ops import math_ops, nn_ops

__all__ = ["get", "names", "linear"]


def linear(x):
    """Return ``x`` unchanged."""
    return x


_BY_NAME = {
    "linear": linear,
    "relu": nn_ops.relu,
    "relu6": nn_ops.relu6,
    "sigmoid": math_ops.sigmoid,
    "tanh": math_ops.tanh,
    "softmax": nn_ops.softmax,
    "log_softmax": nn_ops.log_softmax,
    "elu": nn_ops.elu,
    "selu": nn_ops.selu,
    "softplus": nn_ops.softplus,
    "softsign": nn_ops.softsign,
    "leaky_relu": nn_ops.leaky_relu,
    "exponential": math_ops.exp,
}


def names() -> list[str]:
    """Return the names accepted as ``activation=`` of a layer."""
    return sorted(_BY_NAME)


def get(identifier):
    """Return the activation function for a name, None (linear) or a callable.

    Raises:
        ValueError: the name is unknown.
    """
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    try:
        return _BY_NAME[str(identifier)]
    except KeyError:
        raise ValueError(
            f"Unknown activation {identifier!r}; available: {', '.join(names())}."
        ) from None
