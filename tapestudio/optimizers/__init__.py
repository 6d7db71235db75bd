"""Optimizers that apply gradients to variables, with Keras' names, hyperparameters and defaults.

The built-in ones are SGD, Adam, AdamW, RMSprop and Adagrad. Plugins add more through the
``tapestudio.optimizers`` entry-point group, and ``get``, ``names`` and ``hyperparameters``
find those too.
"""

from .adagrad import Adagrad
from .adam import Adam, AdamW
from .base import Optimizer
from .hyperparameters import Hyperparameter
from .registry import get, get_class, hyperparameter_declarations, hyperparameters, names, register
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer", "Hyperparameter", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "get", "get_class",
    "hyperparameters", "hyperparameter_declarations", "names", "register",
]
