"""The objective against the step: raw and smoothed, for training and, when held out, validation."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QDoubleSpinBox, QLabel, QWidget

from tapestudio.studio.history import History, HistoryRows
from tapestudio.studio.smoothing import DEFAULT_WEIGHT, MAX_WEIGHT, EmaSmoother

from .step_plot import StepPlot
from .style import PALETTE, lighter, pen

TRAINING_COLOR = PALETTE[0]
VALIDATION_COLOR = PALETTE[3]


class ObjectivePlot(StepPlot):
    """The training objective (and ``val_objective`` when the history has it), raw and smoothed.

    The smoothed curves are TensorBoard's debiased moving average with the weight of the spin
    box in the header; the raw values are drawn in a lighter shade underneath. Both are in the
    legend.
    """

    needs_metric_values = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Objective", "objective", parent)
        self.smoothing = QDoubleSpinBox(self)
        self.smoothing.setRange(0.0, MAX_WEIGHT)
        self.smoothing.setDecimals(3)
        self.smoothing.setSingleStep(0.05)
        self.smoothing.setValue(DEFAULT_WEIGHT)
        self.smoothing.setToolTip(
            "Weight of the debiased exponential moving average, as in TensorBoard: "
            "0 draws the raw values, values near 1 smooth more"
        )
        self.smoothing.valueChanged.connect(self._smoothing_changed)
        self.add_control(QLabel("Smoothing", self))
        self.add_control(self.smoothing)

        self._smoothers = [EmaSmoother(DEFAULT_WEIGHT), EmaSmoother(DEFAULT_WEIGHT)]
        self._validation = False

    @property
    def weight(self) -> float:
        """The smoothing weight in use."""
        return float(self.smoothing.value())

    @property
    def curve(self):
        """The raw training objective curve."""
        return self.items[0]

    @property
    def smoothed_curve(self):
        """The smoothed training objective curve."""
        return self.items[1]

    @property
    def validation_curves(self) -> list:
        """The raw and smoothed validation curves, or an empty list without validation data."""
        return self.items[2:4]

    def curve_specs(self, history: History) -> list[tuple[str, QPen]]:
        self._validation = history.has_validation
        weight = f"{self.weight:g}"
        specs = [
            ("training", pen(lighter(TRAINING_COLOR))),
            (f"training, smoothed ({weight})", pen(TRAINING_COLOR)),
        ]
        if self._validation:
            specs += [
                ("validation", pen(lighter(VALIDATION_COLOR))),
                (f"validation, smoothed ({weight})", pen(VALIDATION_COLOR)),
            ]
        return specs

    def on_rebuild(self) -> None:
        for smoother in self._smoothers:
            smoother.set_weight(self.weight)

    def columns(self, rows: HistoryRows) -> np.ndarray:
        parts = [rows.objective, self._smoothers[0].extend(rows.objective)]
        if self._validation:
            parts += [rows.val_objective, self._smoothers[1].extend(rows.val_objective)]
        return np.column_stack(parts)

    def _smoothing_changed(self) -> None:
        self.rebuild_next()
