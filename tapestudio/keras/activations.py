"""Layer activations by name.

The names come from the op registry: TapeStudio's built-in activations and every plugin op
declared with ``activation=True``, so ``Dense(4, activation="gelu")`` works once a plugin
provides ``gelu``.
"""

from __future__ import annotations

from .. import plugins

__all__ = ["get", "names", "linear"]


def linear(x):
    """Return ``x`` unchanged."""
    return x


def names() -> list[str]:
    """Return the names accepted as ``activation=`` of a layer, sorted."""
    return plugins.activation_names()


def get(identifier):
    """Return the activation function for a name, None (linear) or a callable.

    Raises:
        ValueError: no loaded op of that name can serve as an activation. The message lists
            the names available, and the reason when an installed plugin declares the name.
    """
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    return plugins.activation(str(identifier))
