"""Synthetic data sets drawn from a seed: XOR, circles, two spirals, moons and a noisy sine.

The four classification sets have two features (x, y) and two classes with the same number of
samples each (the first class gets the extra sample of an odd count), stored class by class.
The clean points lie within [-1, 1] in both coordinates, except the moons, which span
[-1.5, 1.5] in x and [-0.75, 0.75] in y. ``noise`` is the standard deviation of Gaussian noise
added to each coordinate, in those units, so 0.1 blurs the class boundaries a little and 0.5
mixes the classes a lot.

The sine set is a regression set with one feature: x is uniform in [-pi, pi] and the label is
sin(x) plus Gaussian noise of standard deviation ``noise``.

Each generator uses ``numpy.random.default_rng(seed)`` and nothing else, so the same name,
sample count, noise and seed always give the same array, on every platform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tapestudio.studio.dataset import Dataset

# Bounds that project files and the data panel accept.
MIN_SAMPLES = 4
MAX_SAMPLES = 100_000
MAX_NOISE = 2.0

# Number of turns of each arm of the two spirals.
SPIRAL_TURNS = 1.75


@dataclass(frozen=True)
class SyntheticSet:
    """A synthetic data set: its title for menus, a default noise and its generator.

    ``generate(samples, noise, generator)`` returns float64 features (samples, features) and
    labels (samples,): class indices for classification sets, targets for regression sets.
    """

    title: str
    classes: tuple[str, ...] | None
    default_noise: float
    generate: Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def _class_sizes(samples: int) -> tuple[int, int]:
    first = (samples + 1) // 2
    return first, samples - first


def _class_labels(samples: int) -> np.ndarray:
    first, second = _class_sizes(samples)
    return np.concatenate([np.zeros(first), np.ones(second)])


def _xor(samples: int, noise: float, generator: np.random.Generator):
    # Class 0 sits in the quadrants where x and y have the same sign, class 1 in the others.
    # Points keep a margin of 0.05 from the axes, so the clean classes never touch.
    labels = _class_labels(samples)
    magnitudes = generator.uniform(0.05, 1.0, size=(samples, 2))
    x_signs = generator.choice([-1.0, 1.0], size=samples)
    y_signs = np.where(labels == 0, x_signs, -x_signs)

    points = magnitudes * np.stack([x_signs, y_signs], axis=1)
    return points + noise * generator.standard_normal((samples, 2)), labels


def _circles(samples: int, noise: float, generator: np.random.Generator):
    # Class 0 is a ring of radius 0.7 to 1.0 around class 1, a disc of radius 0 to 0.4.
    first, second = _class_sizes(samples)
    radii = np.concatenate([
        generator.uniform(0.7, 1.0, size=first),
        0.4 * np.sqrt(generator.uniform(0.0, 1.0, size=second)),
    ])
    angles = generator.uniform(0.0, 2 * np.pi, size=samples)

    points = np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)
    return points + noise * generator.standard_normal((samples, 2)), _class_labels(samples)


def _spirals(samples: int, noise: float, generator: np.random.Generator):
    # Each arm starts at the centre and winds outwards to radius 1; the second arm is the first
    # turned by half a turn.
    labels = _class_labels(samples)
    position = np.sqrt(generator.uniform(0.0, 1.0, size=samples))
    angles = 2 * np.pi * SPIRAL_TURNS * position + np.pi * labels

    points = np.stack([position * np.cos(angles), position * np.sin(angles)], axis=1)
    return points + noise * generator.standard_normal((samples, 2)), labels


def _moons(samples: int, noise: float, generator: np.random.Generator):
    # Two interleaved half circles of radius 1: class 0 is the upper one, centred at the
    # origin, class 1 the lower one, centred at (1, 0.5). The pair is then shifted to centre
    # on the origin.
    first, second = _class_sizes(samples)
    upper = generator.uniform(0.0, np.pi, size=first)
    lower = generator.uniform(0.0, np.pi, size=second)

    points = np.concatenate([
        np.stack([np.cos(upper), np.sin(upper)], axis=1),
        np.stack([1.0 - np.cos(lower), 0.5 - np.sin(lower)], axis=1),
    ])
    points -= np.array([0.5, 0.25])
    return points + noise * generator.standard_normal((samples, 2)), _class_labels(samples)


def _sine(samples: int, noise: float, generator: np.random.Generator):
    inputs = generator.uniform(-np.pi, np.pi, size=(samples, 1))
    targets = np.sin(inputs[:, 0]) + noise * generator.standard_normal(samples)
    return inputs, targets


SYNTHETIC_SETS: dict[str, SyntheticSet] = {
    "xor": SyntheticSet("XOR", ("same sign", "opposite sign"), 0.05, _xor),
    "circles": SyntheticSet("Circles", ("outer", "inner"), 0.05, _circles),
    "spirals": SyntheticSet("Two spirals", ("first arm", "second arm"), 0.05, _spirals),
    "moons": SyntheticSet("Moons", ("upper", "lower"), 0.1, _moons),
    "sine": SyntheticSet("Noisy sine (regression)", None, 0.1, _sine),
}


def synthetic_dataset_names() -> list[str]:
    """Return the names of the synthetic data sets, in menu order."""
    return list(SYNTHETIC_SETS)


def synthetic_dataset(name: str, samples: int, noise: float, seed: int) -> Dataset:
    """Draw the synthetic data set ``name``.

    Returns a Dataset with float32 features of shape (samples, 2) and class-index labels for
    ``xor``, ``circles``, ``spirals`` and ``moons``, or shape (samples, 1) and regression
    targets for ``sine``. Raises KeyError for an unknown name and ValueError for a sample
    count outside [MIN_SAMPLES, MAX_SAMPLES], a noise outside [0, MAX_NOISE] or a negative
    seed.
    """
    if name not in SYNTHETIC_SETS:
        known = ", ".join(SYNTHETIC_SETS)
        raise KeyError(f"no synthetic data set {name!r}; the synthetic data sets are: {known}")
    if not MIN_SAMPLES <= samples <= MAX_SAMPLES:
        raise ValueError(
            f"sample count must be between {MIN_SAMPLES} and {MAX_SAMPLES}, got {samples}"
        )
    if not 0.0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise must be between 0 and {MAX_NOISE}, got {noise}")
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, got {seed}")

    spec = SYNTHETIC_SETS[name]
    features, labels = spec.generate(samples, noise, np.random.default_rng(seed))

    feature_names = ("x", "y") if features.shape[1] == 2 else ("x",)
    label_name = "class" if spec.classes is not None else "y"
    return Dataset(
        name,
        features.astype(np.float32),
        feature_names,
        labels.astype(np.float32),
        label_name,
        spec.classes,
    )
