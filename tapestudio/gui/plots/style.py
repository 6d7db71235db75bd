"""Colours, pens and axis set-up shared by every plot."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor

# Ten distinct colours that stay readable on a white background.
PALETTE = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
]
TEXT_COLOR = "k"
# Opaque light grey: pyqtgraph's own axis grid (showGrid with alpha) cost about 15 ms per paint
# of a 700x400 plot on the offscreen platform, a separate GridItem about 2 ms.
GRID_COLOR = "#e6e6e6"
EVENT_COLOR = "#7a5195"
# A fixed width for the left axis, in pixels, so that longer tick labels during a run do not
# move the plot area and make the layout run again.
LEFT_AXIS_WIDTH = 62


def lighter(color: str, amount: float = 0.6) -> QColor:
    """Return ``color`` mixed with white (``amount`` 0 keeps it, 1 is white), fully opaque.

    Raw curves are drawn in the lighter shade under their smoothed curve. An opaque pen draws
    faster than a transparent one.
    """
    base = QColor(color)
    mixed = [round(channel + (255 - channel) * amount) for channel in (base.red(), base.green(), base.blue())]
    return QColor(*mixed)


def pen(color: str | QColor, dashed: bool = False) -> pg.QtGui.QPen:
    """Return a cosmetic 1-pixel pen, the fastest width to draw."""
    style = pg.QtCore.Qt.PenStyle.DashLine if dashed else pg.QtCore.Qt.PenStyle.SolidLine
    return pg.mkPen(color, width=1, style=style)


def style_plot_item(item: pg.PlotItem, left: str, bottom: str, grid: bool = True) -> None:
    """Label the axes, draw them in black, fix the left axis width and add a light grid."""
    item.setLabel("left", left)
    item.setLabel("bottom", bottom)
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(TEXT_COLOR)
        axis.setTextPen(TEXT_COLOR)
        # Tick labels show the values themselves, not values scaled by a factor in the label.
        axis.enableAutoSIPrefix(False)
    item.getAxis("left").setWidth(LEFT_AXIS_WIDTH)

    if grid:
        grid_item = pg.GridItem(pen=pg.mkPen(GRID_COLOR, width=1), textPen=None)
        grid_item.setZValue(-100)
        item.addItem(grid_item, ignoreBounds=True)


def new_plot_widget(left: str, bottom: str = "step") -> pg.PlotWidget:
    """Return a white PlotWidget with styled axes."""
    widget = pg.PlotWidget(background="w")
    style_plot_item(widget.getPlotItem(), left, bottom)
    return widget


def add_legend(item: pg.PlotItem) -> pg.LegendItem:
    """Add a legend in the top-right corner, where falling curves leave room.

    Its background is opaque white: a translucent one took about 1 ms to blend on every paint.
    """
    return item.addLegend(
        offset=(-10, 10), brush=pg.mkBrush(255, 255, 255), pen=pg.mkPen("#d0d0d0"), labelTextColor=TEXT_COLOR
    )
