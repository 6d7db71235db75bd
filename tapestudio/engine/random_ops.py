"""Random tensors from one global generator, seeded with ``set_seed``.

The streams are NumPy's (PCG64), so seeded values are reproducible within TapeStudio but differ
from TensorFlow's for the same seed.
"""

from __future__ import annotations

import numpy as np

from .dtypes import as_dtype, float32
from .tensor import EagerTensor, Tensor

__all__ = ["set_seed", "normal", "uniform", "truncated_normal", "shuffle", "get_generator"]

_generator = np.random.default_rng()


def set_seed(seed: int) -> None:
    """Restart the global random stream from ``seed``, so later draws repeat."""
    global _generator
    _generator = np.random.default_rng(int(seed))


def get_generator(seed: int | None = None) -> np.random.Generator:
    """Return the global generator, or a new one for an op-level ``seed``."""
    return _generator if seed is None else np.random.default_rng(int(seed))


def _shape(shape) -> tuple:
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    return (int(shape),) if np.ndim(shape) == 0 else tuple(int(d) for d in shape)


def _check_floating(dtype, op_name: str):
    dtype = as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"{op_name} needs a floating dtype, got {dtype.name}.")
    return dtype


def normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None) -> Tensor:
    """Draw from a normal distribution with the given mean and standard deviation.

    Raises:
        ValueError: ``dtype`` is not floating.
    """
    dtype = _check_floating(dtype, "random.normal")
    values = get_generator(seed).normal(float(mean), float(stddev), _shape(shape))
    return EagerTensor(values.astype(dtype._np))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None) -> Tensor:
    """Draw from a normal distribution, redrawing values more than two deviations from the mean."""
    dtype = _check_floating(dtype, "random.truncated_normal")
    generator = get_generator(seed)
    values = generator.standard_normal(_shape(shape))
    outside = np.abs(values) > 2
    while np.any(outside):
        values[outside] = generator.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return EagerTensor((values * float(stddev) + float(mean)).astype(dtype._np))


def uniform(shape, minval=0, maxval=None, dtype=float32, seed=None, name=None) -> Tensor:
    """Draw uniformly from ``[minval, maxval)``; ``maxval`` defaults to 1 for floating dtypes.

    Raises:
        ValueError: an integer dtype without ``maxval``.
    """
    dtype = as_dtype(dtype)
    generator = get_generator(seed)
    if dtype.is_integer:
        if maxval is None:
            raise ValueError("Must specify maxval for integer dtype random.uniform.")
        values = generator.integers(int(minval), int(maxval), _shape(shape))
    else:
        high = 1.0 if maxval is None else float(maxval)
        values = generator.uniform(float(minval), high, _shape(shape))
    return EagerTensor(values.astype(dtype._np))


def shuffle(value, seed=None, name=None) -> Tensor:
    """Return ``value`` with its first axis in random order."""
    array = value._value if isinstance(value, Tensor) else np.asarray(value)
    return EagerTensor(get_generator(seed).permutation(array))
