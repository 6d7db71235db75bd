"""Activation ops for TapeStudio: GELU, SiLU (swish), Mish and the hard sigmoid family.

Each op computes its forward pass on NumPy values and its VJP with TapeStudio's engine ops, so
nested tapes give second and higher derivatives. Most also have a NumPy VJP for the backward
passes that no tape records. The definitions follow Keras 3's activations of the same names.
"""

from __future__ import annotations

import math

import numpy as np

import tapestudio as tf
from tapestudio.plugins import api

__all__ = ["gelu", "gelu_tanh", "hard_sigmoid", "hard_silu", "mish", "normal_cdf", "silu", "swish"]

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TANH_SCALE = math.sqrt(2.0 / math.pi)
_CUBIC = 0.044715

# NumPy has no erf; math.erf is exact to double precision, at the cost of a Python call per element.
_erf = np.frompyfunc(math.erf, 1, 1)


def _normal_cdf_values(x: np.ndarray) -> np.ndarray:
    """Return the standard normal CDF of ``x`` in float64."""
    return 0.5 * (1.0 + np.asarray(_erf(np.asarray(x, np.float64) * _SQRT_HALF), dtype=np.float64))


def _normal_pdf_values(x):
    return np.exp(-0.5 * x * x) * _INV_SQRT_2PI


def _normal_pdf(x):
    return tf.exp(x * x * -0.5) * _INV_SQRT_2PI


# -- the standard normal CDF -------------------------------------------------------------------

normal_cdf = api.define_op(
    "normal_cdf",
    lambda x: _normal_cdf_values(x).astype(x.dtype),
    [lambda g, out, x: g * _normal_pdf(x)],
    numpy_vjps=[lambda g, out, x: g * _normal_pdf_values(x)],
    description="Standard normal cumulative distribution function, (1 + erf(x / sqrt(2))) / 2.",
    api_version=1,
)


# -- GELU --------------------------------------------------------------------------------------

def _gelu_forward(x, approximate=False):
    if approximate:
        inner = _TANH_SCALE * (x + _CUBIC * x * x * x)
        return 0.5 * x * (1.0 + np.tanh(inner))
    return (np.asarray(x, np.float64) * _normal_cdf_values(x)).astype(x.dtype)


def _gelu_vjp(g, out, x, approximate=False):
    if approximate:
        t = tf.tanh((x + x * x * x * _CUBIC) * _TANH_SCALE)
        slope = (t + 1.0) * 0.5 + x * (1.0 - t * t) * (x * x * (3.0 * _CUBIC) + 1.0) * (0.5 * _TANH_SCALE)
        return g * slope
    return g * (normal_cdf(x) + x * _normal_pdf(x))


def _gelu_numpy_vjp(g, out, x, approximate=False):
    if approximate:
        t = np.tanh(_TANH_SCALE * (x + _CUBIC * x * x * x))
        slope = 0.5 * (1.0 + t) + 0.5 * _TANH_SCALE * x * (1.0 - t * t) * (1.0 + 3.0 * _CUBIC * x * x)
        return g * slope
    slope = _normal_cdf_values(x).astype(x.dtype) + x * _normal_pdf_values(x)
    return g * slope


gelu = api.define_op(
    "gelu", _gelu_forward, [_gelu_vjp], numpy_vjps=[_gelu_numpy_vjp],
    attributes={"approximate": False}, activation=True, api_version=1,
    description="Gaussian error linear unit, x * Phi(x); approximate=True uses the tanh form.",
)

gelu_tanh = api.define_op(
    "gelu_tanh",
    lambda x: _gelu_forward(x, approximate=True),
    [lambda g, out, x: _gelu_vjp(g, out, x, approximate=True)],
    numpy_vjps=[lambda g, out, x: _gelu_numpy_vjp(g, out, x, approximate=True)],
    activation=True, api_version=1,
    description="GELU with the tanh approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).",
)


# -- SiLU (swish) ------------------------------------------------------------------------------

def _sigmoid_values(x):
    # tanh is bounded, so this form does not overflow, unlike 1 / (1 + exp(-x)) for large negative x.
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _silu_forward(x):
    return x * _sigmoid_values(x)


def _silu_vjp(g, out, x):
    s = tf.sigmoid(x)
    return g * (s * (x * (1.0 - s) + 1.0))


def _silu_numpy_vjp(g, out, x):
    s = _sigmoid_values(x)
    return g * (s * (1.0 + x * (1.0 - s)))


silu = api.define_op(
    "silu", _silu_forward, [_silu_vjp], numpy_vjps=[_silu_numpy_vjp], activation=True, api_version=1,
    description="Sigmoid linear unit, x * sigmoid(x).",
)
swish = api.define_op(
    "swish", _silu_forward, [_silu_vjp], numpy_vjps=[_silu_numpy_vjp], activation=True, api_version=1,
    description="Swish, another name of SiLU: x * sigmoid(x).",
)


# -- Mish --------------------------------------------------------------------------------------

# Mish's VJP needs softplus with the gradient sigmoid(x) everywhere. The engine's tf.nn.softplus
# is a composite whose gradient at exactly 0 is 1 instead of 0.5, so the plugin defines its own.
# It is not published: the entry points list only the ops meant for users.
_softplus = api.define_op(
    "softplus_primitive",
    lambda x: np.logaddexp(0, x),
    [lambda g, out, x: g * tf.sigmoid(x)],
    numpy_vjps=[lambda g, out, x: g * _sigmoid_values(x)],
    api_version=1, description="log(1 + exp(x)), with the gradient sigmoid(x).",
)


def _mish_forward(x):
    return x * np.tanh(np.logaddexp(0, x))


def _mish_vjp(g, out, x):
    t = tf.tanh(_softplus(x))
    return g * (t + x * (1.0 - t * t) * tf.sigmoid(x))


def _mish_numpy_vjp(g, out, x):
    t = np.tanh(np.logaddexp(0, x))
    return g * (t + x * (1.0 - t * t) * _sigmoid_values(x))


mish = api.define_op(
    "mish", _mish_forward, [_mish_vjp], numpy_vjps=[_mish_numpy_vjp], activation=True, api_version=1,
    description="Mish (Misra, 2019), x * tanh(softplus(x)).",
)


# -- hard sigmoid and hard SiLU ----------------------------------------------------------------

def _hard_sigmoid_forward(x):
    return np.clip(x * (1.0 / 6.0) + 0.5, 0, 1)


def _hard_sigmoid_vjp(g, out, x):
    inside = tf.logical_and(tf.greater(x, -3.0), tf.less(x, 3.0))
    return tf.where(inside, g * (1.0 / 6.0), tf.zeros_like(g))


def _hard_sigmoid_numpy_vjp(g, out, x):
    inside = (x > -3) & (x < 3)
    return np.where(inside, g * (1.0 / 6.0), np.zeros_like(g))


hard_sigmoid = api.define_op(
    "hard_sigmoid", _hard_sigmoid_forward, [_hard_sigmoid_vjp], numpy_vjps=[_hard_sigmoid_numpy_vjp],
    activation=True, api_version=1, domain=(-5.0, 5.0),
    description="Piecewise linear sigmoid, relu6(x + 3) / 6; the gradient at -3 and 3 is 0.",
)

hard_silu = api.composite_op(
    "hard_silu", lambda x: x * hard_sigmoid(x), activation=True, api_version=1, domain=(-5.0, 5.0),
    description="Hard SiLU (hard swish), x * hard_sigmoid(x).",
)
