"""New initial weights for a project: a fresh weight seed that leaves the data as it was."""

from __future__ import annotations

import copy

import numpy as np

from tapestudio.studio.project import MAX_SEED, Project


def draw_seed(generator: np.random.Generator | None = None) -> int:
    """Return a random seed from 0 to MAX_SEED; without ``generator``, from OS entropy."""
    generator = generator if generator is not None else np.random.default_rng()
    return int(generator.integers(0, MAX_SEED, endpoint=True))


def with_new_weight_seed(project: Project, seed: int | None = None) -> Project:
    """Return a copy of ``project`` whose ``seed`` (the initial weights) is ``seed`` or a new one.

    The project seed also draws the data's samples, split and batches unless ``data.seed`` is
    set, so the copy sets ``data.seed`` to the old project seed: the data stays the same and only
    the initial weights change. A drawn seed always differs from the current one. Raises
    ValueError for a seed outside 0 to MAX_SEED.
    """
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be from 0 to {MAX_SEED}, got {seed}")

    changed = copy.deepcopy(project)
    changed.source = project.source
    if changed.data.seed is None:
        changed.data.seed = project.seed

    new_seed = seed
    while new_seed is None or (seed is None and new_seed == project.seed):
        new_seed = draw_seed()
    changed.seed = new_seed
    return changed
