"""``tf.random``: seeded random tensors."""

from .engine.random_ops import normal, set_seed, shuffle, truncated_normal, uniform  # noqa: F401
