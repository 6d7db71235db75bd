"""Weight initializers with Keras' names and formulas."""

from __future__ import annotations

import numpy as np

from ..engine import random_ops

__all__ = ["GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "Zeros", "Ones",
           "RandomNormal", "RandomUniform", "get"]


def _fans(shape: tuple) -> tuple[int, int]:
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: ``initializer(shape, dtype)`` returns a NumPy array."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def _generator(self) -> np.random.Generator:
        return random_ops.get_generator(self.seed)

    def __call__(self, shape, dtype="float32") -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Zeros(Initializer):
    def __call__(self, shape, dtype="float32"):
        return np.zeros(tuple(shape), dtype=dtype)


class Ones(Initializer):
    def __call__(self, shape, dtype="float32"):
        return np.ones(tuple(shape), dtype=dtype)


class GlorotUniform(Initializer):
    """Uniform in ``[-limit, limit]`` with ``limit = sqrt(6 / (fan_in + fan_out))``."""

    def __call__(self, shape, dtype="float32"):
        fan_in, fan_out = _fans(tuple(shape))
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return self._generator().uniform(-limit, limit, tuple(shape)).astype(dtype)


class GlorotNormal(Initializer):
    """Normal with standard deviation ``sqrt(2 / (fan_in + fan_out))``, truncated at two."""

    def __call__(self, shape, dtype="float32"):
        fan_in, fan_out = _fans(tuple(shape))
        stddev = np.sqrt(2.0 / (fan_in + fan_out)) / 0.87962566103423978
        return _truncated(self._generator(), tuple(shape), stddev).astype(dtype)


class HeUniform(Initializer):
    """Uniform in ``[-limit, limit]`` with ``limit = sqrt(6 / fan_in)``."""

    def __call__(self, shape, dtype="float32"):
        fan_in, _ = _fans(tuple(shape))
        limit = np.sqrt(6.0 / fan_in)
        return self._generator().uniform(-limit, limit, tuple(shape)).astype(dtype)


class HeNormal(Initializer):
    """Normal with standard deviation ``sqrt(2 / fan_in)``, truncated at two."""

    def __call__(self, shape, dtype="float32"):
        fan_in, _ = _fans(tuple(shape))
        stddev = np.sqrt(2.0 / fan_in) / 0.87962566103423978
        return _truncated(self._generator(), tuple(shape), stddev).astype(dtype)


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype="float32"):
        return self._generator().normal(self.mean, self.stddev, tuple(shape)).astype(dtype)


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype="float32"):
        return self._generator().uniform(self.minval, self.maxval, tuple(shape)).astype(dtype)


def _truncated(generator: np.random.Generator, shape: tuple, stddev: float) -> np.ndarray:
    values = generator.standard_normal(shape)
    outside = np.abs(values) > 2
    while np.any(outside):
        values[outside] = generator.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return values * stddev


_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal, "random_normal": RandomNormal,
    "random_uniform": RandomUniform,
}


def names() -> list[str]:
    return sorted(_BY_NAME)


def get(identifier) -> Initializer:
    """Return an initializer from a name such as ``"glorot_uniform"`` or an initializer.

    Raises:
        ValueError: the name is unknown.
    """
    if isinstance(identifier, Initializer) or callable(identifier):
        return identifier
    try:
        return _BY_NAME[str(identifier).lower()]()
    except KeyError:
        raise ValueError(
            f"Unknown initializer {identifier!r}; available: {', '.join(names())}."
        ) from None
