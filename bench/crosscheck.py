"""Cross-check: every library's checked values against the reference row (NumPy's)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

ABSOLUTE_TOLERANCE = 1e-5
RELATIVE_TOLERANCE = 1e-5
"""Relative to the largest absolute reference value of the same array."""


@dataclass(frozen=True)
class Comparison:
    """One value of one library against the reference; ``difference`` is the max absolute one."""

    library: str
    workload: str
    name: str
    difference: float | None
    tolerance: float
    agrees: bool
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def decode_array(encoded: dict) -> np.ndarray:
    """Return the array that ``bench.child.encode_array`` encoded, as float64."""
    return np.asarray(encoded["data"], np.float64).reshape(encoded["shape"])


def compare(library: str, workload: str, name: str, value: np.ndarray, reference: np.ndarray) -> Comparison:
    """Compare one value with the reference within ``ABSOLUTE_TOLERANCE`` plus the relative part."""
    scale = float(np.max(np.abs(reference))) if reference.size else 0.0
    tolerance = ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * scale
    if value.shape != reference.shape:
        note = f"shape {value.shape}, expected {reference.shape}"
        return Comparison(library, workload, name, None, tolerance, False, note)
    if value.size == 0:
        return Comparison(library, workload, name, 0.0, tolerance, True)

    difference = float(np.max(np.abs(value - reference)))
    agrees = bool(np.isfinite(difference) and difference <= tolerance)
    return Comparison(library, workload, name, difference, tolerance, agrees)


def cross_check(values: dict, reference: str = "numpy") -> list[Comparison]:
    """Compare ``values[library][workload][name]`` (arrays) of every library with ``reference``'s.

    Values that the reference library did not produce are not compared. A value that the
    reference has and another library lacks is not reported either, because that library's
    table cell already shows why it is missing.
    """
    reference_values = values.get(reference, {})
    comparisons = []
    for library, by_workload in values.items():
        if library == reference:
            continue
        for workload, named in by_workload.items():
            for name, value in named.items():
                expected = reference_values.get(workload, {}).get(name)
                if expected is not None:
                    comparisons.append(compare(library, workload, name, value, expected))
    return comparisons
