"""Heatmaps and histograms of one variable's weights and of its latest update."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from tapestudio.studio.heatmaps import heatmap
from tapestudio.studio.histograms import histogram

from .card import PlotCard
from .style import PALETTE, TEXT_COLOR, add_legend, lighter, new_plot_widget, pen, style_plot_item

HEATMAP_COLORMAP = "CET-D1"
MULTIPLY = "\N{MULTIPLICATION SIGN}"


class HeatmapCard(PlotCard):
    """A variable as an image with a colour bar, levels symmetric around zero.

    Rows of the image are the kernel's input index and columns its unit, as in the
    ``(inputs, units)`` array; row 0 is drawn at the top. A bias is one row. NaN and infinite
    values are left transparent and counted in the title.
    """

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.graphics_layout = pg.GraphicsLayoutWidget()
        self.graphics_layout.setBackground("w")
        self.plot_item = self.graphics_layout.addPlot()
        style_plot_item(self.plot_item, "input", "unit", grid=False)
        self.plot_item.invertY(True)

        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot_item.addItem(self.image)
        self.color_bar = pg.ColorBarItem(
            values=(-1.0, 1.0), colorMap=pg.colormap.get(HEATMAP_COLORMAP), interactive=False
        )
        self.color_bar.setImageItem(self.image, insert_in=self.plot_item)
        bar_axis = self.color_bar.getAxis("right")
        bar_axis.setPen(TEXT_COLOR)
        bar_axis.setTextPen(TEXT_COLOR)
        bar_axis.enableAutoSIPrefix(False)
        self.set_graphics(self.graphics_layout, self.plot_item.getViewBox())

    def show_values(self, name: str, values: np.ndarray | None) -> None:
        """Draw ``values`` (a variable's array) under the caption ``name``; None clears it."""
        if values is None:
            self.image.clear()
            self.plot_item.setTitle("")
            return

        result = heatmap(values)
        self.image.setImage(result.image, autoLevels=False)
        self.color_bar.setLevels((-result.limit, result.limit))

        rows, columns = result.image.shape
        caption = f"{name} ({rows}{MULTIPLY}{columns}), largest |value| {result.limit:.3g}"
        if result.nonfinite:
            caption += f", {result.nonfinite} not finite"
        self.plot_item.setTitle(caption, color=TEXT_COLOR)


class HistogramCard(PlotCard):
    """The distribution of one variable's values as a filled step curve, with a legend."""

    def __init__(self, title: str, value_label: str, color: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.plot_widget = new_plot_widget("count", value_label)
        self.plot_item = self.plot_widget.getPlotItem()
        self.legend = add_legend(self.plot_item)
        self.curve = pg.PlotDataItem(
            stepMode="center", fillLevel=0, pen=pen(color), brush=pg.mkBrush(lighter(color, 0.5))
        )
        self.plot_item.addItem(self.curve)
        self.histogram = None
        self.set_graphics(self.plot_widget, self.plot_item.getViewBox())

    def show_values(self, name: str, values: np.ndarray | None) -> None:
        """Count ``values`` into bins and draw them, named ``name`` in the legend."""
        if values is None:
            self.legend.clear()
            self.curve.setData([], [])
            self.histogram = None
            return

        result = histogram(values)
        self.curve.setData(result.edges, result.counts)
        label = f"{name}: {result.total} values"
        if result.nonfinite:
            label += f", {result.nonfinite} not finite"
        self._set_legend(label)
        self.histogram = result

    def _set_legend(self, label: str) -> None:
        # Changing the legend's layout costs more than a frame, so only a new text does it.
        if [item_label.text for _, item_label in self.legend.items] != [label]:
            self.legend.clear()
            self.legend.addItem(self.curve, label)


class WeightsView(QWidget):
    """A variable chosen in a combo box: heatmaps and histograms of its values and latest update."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.variable_combo = QComboBox(self)
        self.variable_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        self.values_heatmap = HeatmapCard("Weights", self)
        self.update_heatmap = HeatmapCard("Latest update", self)
        self.values_histogram = HistogramCard("Weight histogram", "weight", PALETTE[0], self)
        self.update_histogram = HistogramCard("Update histogram", "update", PALETTE[3], self)

        header = QHBoxLayout()
        header.addWidget(QLabel("Variable:", self))
        header.addWidget(self.variable_combo)
        header.addStretch(1)

        grid = QGridLayout()
        grid.addWidget(self.values_heatmap, 0, 0)
        grid.addWidget(self.update_heatmap, 0, 1)
        grid.addWidget(self.values_histogram, 1, 0)
        grid.addWidget(self.update_histogram, 1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addLayout(grid, 1)

    @property
    def cards(self) -> list[PlotCard]:
        return [self.values_heatmap, self.update_heatmap, self.values_histogram, self.update_histogram]

    @property
    def variable(self) -> str:
        """The Keras path of the variable shown."""
        return self.variable_combo.currentText()

    # The names the first window used for its single kernel heatmap.
    kernel = variable

    @property
    def kernel_combo(self) -> QComboBox:
        return self.variable_combo

    @property
    def image(self) -> pg.ImageItem:
        """The image item of the weights heatmap."""
        return self.values_heatmap.image

    def set_variables(self, names: list[str]) -> None:
        """Offer ``names`` in the combo box, kernels first, keeping the current one if present."""
        current = self.variable
        ordered = [name for name in names if name.endswith("/kernel")]
        ordered += [name for name in names if name not in ordered]

        self.variable_combo.blockSignals(True)
        self.variable_combo.clear()
        self.variable_combo.addItems(ordered)
        if current in ordered:
            self.variable_combo.setCurrentText(current)
        self.variable_combo.blockSignals(False)

    def show_arrays(self, weights: dict[str, np.ndarray], updates: dict[str, np.ndarray]) -> None:
        """Draw the chosen variable from ``weights`` and ``updates`` (arrays by Keras path)."""
        name = self.variable
        self.values_heatmap.show_values(name, weights.get(name))
        self.update_heatmap.show_values(name, updates.get(name))
        self.values_histogram.show_values(name, weights.get(name))
        self.update_histogram.show_values(name, updates.get(name))
