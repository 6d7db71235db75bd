"""Optimizers that apply gradients to variables, with Keras' names and defaults."""

from .base import Optimizer
from .registry import get, hyperparameters, names
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "get", "hyperparameters", "names"]
