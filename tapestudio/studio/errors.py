"""The errors the studio layer raises for invalid projects and failed training steps."""

from __future__ import annotations


class ProjectError(ValueError):
    """A project file or project object that is invalid.

    ``source`` is the file (or another description of where the project came from), ``field``
    the dotted path of the offending field, such as ``tapes[1].optimizer.name`` (None for the
    file as a whole), and ``problem`` what is wrong and, where it helps, what to do.
    """

    def __init__(self, source: str | None, field: str | None, problem: str) -> None:
        self.source = source
        self.field = field
        self.problem = problem

        parts = [part for part in (source, field) if part]
        super().__init__(": ".join([*parts, problem]))


class RunError(RuntimeError):
    """A training step that failed; ``step`` is its 1-based number.

    The history keeps every step before it. The original exception is the ``__cause__``.
    """

    def __init__(self, step: int, message: str) -> None:
        self.step = step
        super().__init__(f"step {step} failed: {message}")
