"""Declarations of optimizer hyperparameters: default, allowed range and description.

An optimizer class lists its hyperparameters as ``{name: Hyperparameter(...)}``. The same
declarations check the values passed to the optimizer and give the app what it needs to build
a form: the type, the default, the bounds and a one-line description.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

__all__ = ["Hyperparameter"]


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter of an optimizer.

    The type of ``default`` fixes the type of the values: a bool is a flag and takes True or
    False, an int takes integers, a float takes any finite real number. ``minimum`` and
    ``maximum`` are inclusive bounds, None leaves that side open; flags have no bounds.
    ``description`` is one line saying what the hyperparameter sets.
    """

    default: float | int | bool
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""

    @property
    def kind(self) -> type:
        """``bool``, ``int`` or ``float``: the type of the values, taken from the default."""
        if isinstance(self.default, bool):
            return bool
        if isinstance(self.default, numbers.Integral):
            return int
        return float

    def check_declaration(self, name: str) -> None:
        """Check that the declaration itself is consistent.

        Raises:
            TypeError: the default is not a bool, int or float, a bound is not a number, a
                flag has bounds, or the description is not a string.
            ValueError: the minimum is above the maximum, the default is outside them, or the
                description is empty or longer than one line.
        """
        if isinstance(self.default, bool) and (self.minimum is not None or self.maximum is not None):
            raise TypeError(f"Hyperparameter {name!r} is a flag (default {self.default}); flags take no bounds.")
        if not isinstance(self.default, (bool, numbers.Real)):
            raise TypeError(
                f"Hyperparameter {name!r} has default {self.default!r}; the default must be a bool, "
                "an int or a float."
            )
        for label, bound in (("minimum", self.minimum), ("maximum", self.maximum)):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, numbers.Real)):
                raise TypeError(f"Hyperparameter {name!r} has {label} {bound!r}; bounds must be numbers or None.")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(
                f"Hyperparameter {name!r} has minimum {self.minimum} above its maximum {self.maximum}."
            )
        if not isinstance(self.description, str) or not self.description.strip() or "\n" in self.description:
            raise ValueError(f"Hyperparameter {name!r} needs a description of one non-empty line.")
        self.check(name, self.default)

    def check(self, name: str, value):
        """Return ``value`` as the hyperparameter's type after checking it.

        Ints are accepted for a float hyperparameter and returned as floats; a float with an
        integral value is accepted for an int hyperparameter.

        Raises:
            TypeError: the value has the wrong type (a number for a flag, a flag for a number).
            ValueError: the value is not finite or lies outside ``[minimum, maximum]``.
        """
        kind = self.kind
        if kind is bool:
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, got {value!r}.")
            return bool(value)

        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a number, got {value!r}.")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}.")
        if kind is int and value != int(value):
            raise ValueError(f"{name} must be a whole number, got {value!r}.")
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise ValueError(f"{name} must be in {self.range_text()}, got {value!r}.")
        return int(value) if kind is int else float(value)

    def range_text(self) -> str:
        """Return the allowed range as text, such as ``[0, 1]`` or ``[0, inf)``."""
        low = "(-inf" if self.minimum is None else f"[{self.minimum:g}"
        high = "inf)" if self.maximum is None else f"{self.maximum:g}]"
        return f"{low}, {high}"

