"""check_op on every registered op, and on ops that must fail it."""

import pytest

from tapestudio import plugins
from tapestudio.plugins import PluginError, api
from tapestudio.plugins.builtins import BUILTIN_ENTRY_POINTS
from tapestudio.testing import GradientCheckError

pytestmark = pytest.mark.usefixtures("installed_plugins")

PLUGIN_OPS = ["gelu", "gelu_tanh", "hard_sigmoid", "hard_silu", "mish", "normal_cdf", "silu", "swish"]


@pytest.mark.parametrize("name", sorted(BUILTIN_ENTRY_POINTS["op"]) + PLUGIN_OPS)
def test_op_passes_check_to_second_order(name):
    passed = plugins.check_op(name, order=2)

    assert passed[0] == "gradients agree with finite differences to order 2"


def test_check_reports_numpy_vjps():
    passed = plugins.check_op("gelu")

    assert "NumPy VJPs give the values of the engine VJPs" in passed


def test_check_of_wrong_vjp_shape_raises_plugin_error():
    with pytest.raises(PluginError, match="wrong_vjp_shape"):
        plugins.check_op("wrong_vjp_shape")


def test_check_of_unknown_op_raises_value_error():
    with pytest.raises(ValueError, match="Unknown op 'no_such_op'"):
        plugins.check_op("no_such_op")


def test_check_takes_op_object():
    passed = plugins.check_op(plugins.op("silu"), order=1)

    assert passed[0] == "gradients agree with finite differences to order 1"


def test_check_finds_numpy_vjp_that_disagrees():
    # Off by 1e-7: within the finite-difference tolerance, but not the same values.
    op = api.define_op(
        "disagreeing", lambda x: x * 2, [lambda g, out, x: g * 2.0], numpy_vjps=[lambda g, out, x: g * 2 + 1e-7],
        api_version=1, description="2 x, with a NumPy VJP that is slightly off.",
    )

    with pytest.raises(GradientCheckError, match="the NumPy VJP of input 0 differs from its engine VJP"):
        plugins.check_op(op)
