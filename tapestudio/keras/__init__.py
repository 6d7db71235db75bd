"""``tf.keras``: Sequential models of Dense layers, initializers, activations and losses."""

from types import SimpleNamespace

from .. import optimizers
from ..engine import random_ops
from . import activations, initializers, layers, losses
from .layers import reset_names
from .models import Input, Sequential

__all__ = ["Sequential", "Input", "layers", "activations", "initializers", "losses", "optimizers",
           "utils", "backend"]


def _set_random_seed(seed: int) -> None:
    """Seed the random stream that initializers and ``tf.random`` draw from."""
    random_ops.set_seed(seed)


utils = SimpleNamespace(set_random_seed=_set_random_seed)
backend = SimpleNamespace(clear_session=reset_names)
