"""Exceptions raised by ops, named as TensorFlow names them."""

from __future__ import annotations

__all__ = ["OpError", "InvalidArgumentError"]


class OpError(Exception):
    """An op failed on the values it was given."""


class InvalidArgumentError(OpError, ValueError):
    """An op received an argument it cannot use: a wrong dtype, shape or index.

    It is also a ValueError, so code that catches ValueError for bad input catches it too.
    """
