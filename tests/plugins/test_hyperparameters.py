"""Hyperparameter declarations: types, ranges and the checks of values."""

import numpy as np
import pytest

from tapestudio.optimizers import Hyperparameter


def test_kind_follows_default():
    assert Hyperparameter(True, description="A flag.").kind is bool
    assert Hyperparameter(3, description="A count.").kind is int
    assert Hyperparameter(0.5, description="A rate.").kind is float


def test_check_returns_float_for_int():
    value = Hyperparameter(0.5, description="A rate.").check("rate", 1)

    assert value == 1.0
    assert isinstance(value, float)


def test_check_accepts_numpy_bool_for_flag():
    assert Hyperparameter(False, description="A flag.").check("flag", np.True_) is True


@pytest.mark.parametrize(("value", "error"), [
    (True, TypeError), ("0.5", TypeError), (float("inf"), ValueError), (-0.1, ValueError), (1.5, ValueError),
])
def test_check_rejects_bad_rate(value, error):
    declaration = Hyperparameter(0.5, minimum=0.0, maximum=1.0, description="A rate.")

    with pytest.raises(error):
        declaration.check("rate", value)


def test_check_rejects_fraction_for_int():
    with pytest.raises(ValueError, match="count must be a whole number, got 2.5"):
        Hyperparameter(3, minimum=1, description="A count.").check("count", 2.5)


def test_range_text_shows_open_sides():
    assert Hyperparameter(0.5, minimum=0.0, description="A rate.").range_text() == "[0, inf)"
    assert Hyperparameter(0.5, maximum=1.0, description="A rate.").range_text() == "(-inf, 1]"


@pytest.mark.parametrize(("declaration", "message"), [
    (Hyperparameter(2.0, minimum=0.0, maximum=1.0, description="A rate."), r"must be in \[0, 1\], got 2.0"),
    (Hyperparameter(0.5, minimum=1.0, maximum=0.0, description="A rate."), "minimum 1.0 above its maximum 0.0"),
    (Hyperparameter(True, minimum=0, description="A flag."), "flags take no bounds"),
    (Hyperparameter("fast", description="A mode."), "must be a bool, an int or a float"),
    (Hyperparameter(0.5), "needs a description"),
])
def test_check_declaration_rejects_inconsistency(declaration, message):
    with pytest.raises((TypeError, ValueError), match=message):
        declaration.check_declaration("rate")
