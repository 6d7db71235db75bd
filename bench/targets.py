"""TapeStudio's performance targets, and whether a run meets them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """A limit on one TapeStudio cell (seconds per call, or per recorded op for W3).

    The limit is ``factor`` times the ``reference`` library's cell of the same workload, or,
    when ``reference`` is None, ``factor`` itself in seconds.
    """

    workload: str
    description: str
    reference: str | None
    factor: float


TARGETS = (
    Target("W1", "W1 at most half of PyTorch eager's time", "torch", 0.5),
    Target("W2", "W2 at most 1.15x the NumPy baseline", "numpy", 1.15),
    Target("W3", "W3 at most half of PyTorch eager's time per op", "torch", 0.5),
    Target("W3", "W3 at most 3 µs per recorded op", None, 3e-6),
    Target("W4", "W4 at most a quarter of PyTorch eager's time", "torch", 0.25),
    Target("W5", "W5 at most a quarter of PyTorch eager's time", "torch", 0.25),
)

SUBJECT = "tapestudio"
"""The library whose cells the targets limit."""


@dataclass(frozen=True)
class TargetResult:
    """A target checked against one run; ``met`` is None when a needed cell is missing."""

    target: Target
    value: float | None
    limit: float | None
    met: bool | None
    note: str = ""

    @property
    def excess(self) -> float | None:
        """Return how many times over the limit the value is (below 1 when the target is met)."""
        if self.value is None or not self.limit:
            return None
        return self.value / self.limit

    def to_dict(self) -> dict:
        return {
            "workload": self.target.workload,
            "target": self.target.description,
            "value_seconds": self.value,
            "limit_seconds": self.limit,
            "met": self.met,
            "excess": self.excess,
            "note": self.note,
        }


def evaluate(cells: dict, targets: tuple[Target, ...] = TARGETS) -> list[TargetResult]:
    """Check every target whose workload ran; ``cells[library][workload]`` is seconds or None.

    A target whose TapeStudio cell or reference cell is missing is listed with ``met`` None.
    """
    results = []
    for target in targets:
        subject_cells = cells.get(SUBJECT, {})
        if target.workload not in subject_cells:
            continue
        value = subject_cells[target.workload]
        if target.reference is None:
            limit = target.factor
        else:
            reference_value = cells.get(target.reference, {}).get(target.workload)
            limit = None if reference_value is None else target.factor * reference_value
        if value is None or limit is None:
            missing = SUBJECT if value is None else target.reference
            results.append(TargetResult(target, value, limit, None, f"no {missing} time in this run"))
        else:
            results.append(TargetResult(target, value, limit, value <= limit))
    return results
