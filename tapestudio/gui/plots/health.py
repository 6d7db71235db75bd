"""The NaN and infinity counts in each tape's gradients against the step."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QWidget

from tapestudio.studio.history import History, HistoryRows

from .step_plot import StepPlot
from .style import PALETTE, pen


class HealthPlot(StepPlot):
    """Per tape, the number of NaN (solid line) and infinite (dashed) gradient values per step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Non-finite gradient values per tape", "count", parent)
        # Counts are never negative; without a limit, all-zero counts centre the axis on 0.
        self.view_box.setLimits(yMin=-0.1)
        self._tapes: list[str] = []

    @property
    def tapes(self) -> list[str]:
        """The tapes drawn, in legend order."""
        return list(self._tapes)

    def curve_specs(self, history: History) -> list[tuple[str, QPen]]:
        self._tapes = list(dict.fromkeys(tape for tape, _ in history.keys()))
        specs = []
        for number, tape in enumerate(self._tapes):
            color = PALETTE[number % len(PALETTE)]
            specs.append((f"{tape}: NaN", pen(color)))
            specs.append((f"{tape}: infinite", pen(color, dashed=True)))
        return specs

    def columns(self, rows: HistoryRows) -> np.ndarray:
        if not self._tapes:
            return np.full((len(rows), 1), np.nan)
        parts = []
        for tape in self._tapes:
            parts.append(rows.tape_total(tape, "nan_count"))
            parts.append(rows.tape_total(tape, "inf_count"))
        return np.column_stack(parts)
