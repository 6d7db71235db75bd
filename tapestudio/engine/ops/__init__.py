"""The engine's built-in ops, by family."""

from .array_ops import *  # noqa: F401,F403
from .math_ops import *  # noqa: F401,F403
from .nn_ops import *  # noqa: F401,F403
from .reduction_ops import *  # noqa: F401,F403
