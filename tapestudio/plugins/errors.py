"""The exceptions of the plugin system."""

from __future__ import annotations

__all__ = ["PluginError", "PluginDefinitionError"]


class PluginError(RuntimeError):
    """An op or optimizer from a plugin failed while running, or returned a wrong value.

    Raised for an exception inside a plugin's forward function, VJP, NumPy VJP, slot creation
    or update step, and for a result of the wrong type, shape or dtype. The original exception,
    if any, is the ``__cause__``.

    Attributes:
        kind: ``"op"`` or ``"optimizer"``.
        name: the op's or optimizer's name.
        distribution: the distribution that provides it, such as ``"tapestudio-activations"``.
        version: that distribution's version ("" when unknown).
        stage: what was running: ``"forward"``, ``"VJP of input 0"``, ``"update_step"``, ...
        problem: what went wrong.
    """

    def __init__(self, kind: str, name: str, distribution: str, version: str, stage: str,
                 problem: str) -> None:
        self.kind = kind
        self.name = name
        self.distribution = distribution
        self.version = version
        self.stage = stage
        self.problem = problem

        source = f"{distribution} {version}".rstrip()
        super().__init__(f"{kind} {name!r} from plugin {source} failed in {stage}: {problem}")


class PluginDefinitionError(ValueError):
    """A plugin defines an op with invalid arguments.

    ``tapestudio.plugins.api`` raises it when the plugin module runs ``define_op`` or
    ``composite_op``, so discovery lists the plugin as invalid with this message.
    """
