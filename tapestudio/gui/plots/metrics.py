"""One metric of every (tape, variable) pair against the step: a gradient or update norm, or the
ratio of update to weight."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from tapestudio.studio.history import History, HistoryRows

from .step_plot import StepPlot
from .style import PALETTE, pen

# Metric name in the history -> what the plot calls it.
METRIC_TITLES = {
    "grad_norm": "gradient norm",
    "update_norm": "update norm",
    "update_ratio": "update / weight norm",
    "weight_norm": "weight norm",
}
DEFAULT_METRIC = "update_norm"


class MetricPlot(StepPlot):
    """The chosen metric of each (tape, variable) pair, one curve and legend entry per pair."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Per tape and variable", METRIC_TITLES[DEFAULT_METRIC], parent)
        self.metric_combo = QComboBox(self)
        for metric, title in METRIC_TITLES.items():
            self.metric_combo.addItem(title, metric)
        self.metric_combo.setCurrentIndex(list(METRIC_TITLES).index(DEFAULT_METRIC))
        self.metric_combo.currentIndexChanged.connect(self._metric_changed)

        self.log_scale = QCheckBox("log scale", self)
        self.log_scale.setToolTip("Draw the values on a logarithmic axis; zero values are left out")
        self.log_scale.toggled.connect(lambda checked: self.plot_item.setLogMode(y=checked))
        # The right-click menu has its own log check box; keep the two in step.
        self.plot_item.ctrl.logYCheck.toggled.connect(self._log_scale_changed)

        self.add_control(self.metric_combo)
        self.add_control(self.log_scale)
        self._keys: list[tuple[str, str]] = []

    @property
    def metric(self) -> str:
        """The history name of the metric shown."""
        return str(self.metric_combo.currentData())

    @property
    def curves(self) -> dict:
        """The curve of each (tape, variable) pair."""
        return dict(zip(self._keys, self.items, strict=False))

    def curve_specs(self, history: History) -> list[tuple[str, QPen]]:
        self._keys = history.keys()
        return [
            (f"{tape}: {variable}", pen(PALETTE[number % len(PALETTE)]))
            for number, (tape, variable) in enumerate(self._keys)
        ]

    def columns(self, rows: HistoryRows) -> np.ndarray:
        if not self._keys:
            return np.full((len(rows), 1), np.nan)
        return np.column_stack([rows.series(tape, variable, self.metric) for tape, variable in self._keys])

    def _log_scale_changed(self, checked: bool) -> None:
        self.log_scale.blockSignals(True)
        self.log_scale.setChecked(checked)
        self.log_scale.blockSignals(False)

    def _metric_changed(self) -> None:
        self.plot_item.setLabel("left", METRIC_TITLES[self.metric])
        self.rebuild_next()
