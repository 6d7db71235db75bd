"""Live plots of a session: the objective, one metric per (tape, variable) and a kernel heatmap.

Each plot item is created once and updated with ``setData`` by ``refresh``. The window calls
``refresh`` from a timer at a bounded frame rate, never once per training step. The curves are
created again only when the set of (tape, variable) pairs changes, after a rebuild.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget
from PySide6.QtCore import Qt

from tapestudio.studio import Session

logger = logging.getLogger(__name__)

# Per-(tape, variable) metrics that make sense as curves, as the history names them.
CURVE_METRICS = ["update_norm", "grad_norm", "weight_norm", "update_ratio", "nan_count", "inf_count"]
DEFAULT_METRIC = "update_norm"

# Ten distinct colours that stay readable on a white background.
PALETTE = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
]
HEATMAP_COLORMAP = "CET-D1"
# The heatmap redraws at most this often during a run, in seconds: a new image each frame
# would cost more drawing time than the eye gains from it.
HEATMAP_INTERVAL_SECONDS = 0.2


def _configure_curve(curve: pg.PlotDataItem) -> None:
    """Draw only the visible x range, downsampled with min/max peaks kept, for long runs."""
    curve.setClipToView(True)
    curve.setDownsampling(auto=True, method="peak")


def _new_plot_widget(title: str, left: str) -> pg.PlotWidget:
    widget = pg.PlotWidget(background="w")
    item = widget.getPlotItem()
    item.setTitle(title, color="k")
    item.setLabel("bottom", "step")
    item.setLabel("left", left)
    item.showGrid(x=True, y=True, alpha=0.2)
    for axis in ("left", "bottom"):
        item.getAxis(axis).setPen("k")
        item.getAxis(axis).setTextPen("k")
    return widget


class ObjectivePlot(QWidget):
    """The objective against the step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = _new_plot_widget("Objective", "objective")
        self.curve = self.plot_widget.plot(pen=pg.mkPen("k", width=1), name="objective")
        _configure_curve(self.curve)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)

    def update_from(self, steps: np.ndarray, objective: np.ndarray) -> None:
        self.curve.setData(steps, objective)


class MetricPlot(QWidget):
    """One metric (update_norm by default) of every (tape, variable) pair, with a legend."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.metric_combo = QComboBox(self)
        self.metric_combo.addItems(CURVE_METRICS)
        self.metric_combo.setCurrentText(DEFAULT_METRIC)
        self.metric_combo.currentTextChanged.connect(self._show_metric)

        self.plot_widget = _new_plot_widget(DEFAULT_METRIC, DEFAULT_METRIC)
        self.legend = self.plot_widget.addLegend(
            offset=(10, 10), brush=pg.mkBrush(255, 255, 255, 200), labelTextColor="k"
        )
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}

        header = QHBoxLayout()
        header.addWidget(QLabel("Metric per tape and variable:", self))
        header.addWidget(self.metric_combo)
        header.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.plot_widget)

    @property
    def metric(self) -> str:
        return self.metric_combo.currentText()

    def set_keys(self, keys: list[tuple[str, str]]) -> None:
        """Create one curve per (tape, variable) pair; called only when the pairs change."""
        item = self.plot_widget.getPlotItem()
        for curve in self.curves.values():
            item.removeItem(curve)
        self.legend.clear()
        self.curves = {}

        for number, (tape, variable) in enumerate(keys):
            pen = pg.mkPen(PALETTE[number % len(PALETTE)], width=1)
            curve = item.plot(pen=pen, name=f"{tape}: {variable}")
            _configure_curve(curve)
            self.curves[(tape, variable)] = curve

    def update_from(self, session: Session, steps: np.ndarray) -> None:
        history = session.history
        metric = self.metric
        for (tape, variable), curve in self.curves.items():
            values = history.series(tape, variable, metric)[: len(steps)]
            curve.setData(steps, values)

    def _show_metric(self, metric: str) -> None:
        item = self.plot_widget.getPlotItem()
        item.setTitle(metric, color="k")
        item.setLabel("left", metric)


class KernelHeatmap(QWidget):
    """The current values of one kernel, chosen in a combo box, as an image with a colour bar.

    Rows of the image are the kernel's input index and columns its unit, as in the
    ``(inputs, units)`` array; row 0 is drawn at the top. Levels are symmetric around zero.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kernel_combo = QComboBox(self)
        self.kernel_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.plot_item = self.graphics.addPlot()
        self.plot_item.setTitle("Kernel values", color="k")
        self.plot_item.setLabel("bottom", "unit")
        self.plot_item.setLabel("left", "input")
        self.plot_item.invertY(True)
        for axis in ("left", "bottom"):
            self.plot_item.getAxis(axis).setPen("k")
            self.plot_item.getAxis(axis).setTextPen("k")

        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot_item.addItem(self.image)
        self.color_bar = pg.ColorBarItem(
            values=(-1.0, 1.0), colorMap=pg.colormap.get(HEATMAP_COLORMAP), interactive=False
        )
        self.color_bar.setImageItem(self.image, insert_in=self.plot_item)
        self.color_bar.getAxis("right").setPen("k")
        self.color_bar.getAxis("right").setTextPen("k")

        header = QHBoxLayout()
        header.addWidget(QLabel("Kernel:", self))
        header.addWidget(self.kernel_combo)
        header.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.graphics)

    @property
    def kernel(self) -> str:
        return self.kernel_combo.currentText()

    def set_kernels(self, kernels: list[str]) -> None:
        current = self.kernel
        self.kernel_combo.clear()
        self.kernel_combo.addItems(kernels)
        if current in kernels:
            self.kernel_combo.setCurrentText(current)

    def update_from(self, weights: dict[str, np.ndarray]) -> None:
        values = weights.get(self.kernel)
        if values is None:
            self.image.clear()
            return

        image = np.ascontiguousarray(np.atleast_2d(values), dtype=np.float32)
        finite = image[np.isfinite(image)]
        limit = float(np.max(np.abs(finite))) if finite.size else 0.0
        limit = limit if limit > 0.0 else 1.0

        self.image.setImage(image, autoLevels=False)
        self.color_bar.setLevels((-limit, limit))
        shape = f"{image.shape[0]}\N{MULTIPLICATION SIGN}{image.shape[1]}"
        self.plot_item.setTitle(f"{self.kernel} ({shape})", color="k")


class PlotsPanel(QWidget):
    """The three live plots; ``refresh`` redraws them from a session's history and weights."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._keys: list[tuple[str, str]] = []
        # (history generation, length) last drawn; None forces the next refresh to draw.
        self._drawn: tuple[int, int] | None = None
        self._heatmap_drawn_at = float("-inf")

        self.objective_plot = ObjectivePlot(self)
        self.metric_plot = MetricPlot(self)
        self.heatmap = KernelHeatmap(self)
        self.metric_plot.metric_combo.currentTextChanged.connect(self.invalidate)
        self.heatmap.kernel_combo.currentTextChanged.connect(self.invalidate)

        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.addWidget(self.objective_plot)
        top.addWidget(self.heatmap)
        top.setSizes([500, 400])
        column = QSplitter(Qt.Orientation.Vertical, self)
        column.addWidget(top)
        column.addWidget(self.metric_plot)
        column.setSizes([400, 500])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(column)

        self.set_session(session)

    def set_session(self, session: Session) -> None:
        self._session = session
        self._keys = []
        self.heatmap.set_kernels([name for name in session.variable_names if name.endswith("/kernel")])
        self.invalidate()

    def invalidate(self) -> None:
        """Make the next ``refresh`` redraw everything, even if no step was added."""
        self._drawn = None
        self._heatmap_drawn_at = float("-inf")

    def refresh(self) -> None:
        """Redraw from the session if it has new records; called from the window's timer."""
        history = self._session.history
        state = (history.generation, len(history))
        if state == self._drawn:
            return

        keys = list(history.keys())
        if keys != self._keys:
            self.metric_plot.set_keys(keys)
            self._keys = keys

        # The worker may append between these reads. The history only grows during a run, so
        # arrays cut to the length of the first read stay aligned.
        steps = history.steps()
        self.objective_plot.update_from(steps, history.objective()[: len(steps)])
        self.metric_plot.update_from(self._session, steps)

        now = time.monotonic()
        if now - self._heatmap_drawn_at >= HEATMAP_INTERVAL_SECONDS:
            self.heatmap.update_from(self._session.weights())
            self._heatmap_drawn_at = now
        self._drawn = (state[0], len(steps))
