"""Decision regions behind the samples, for classification data with two features."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from tapestudio.studio import Session
from tapestudio.studio.regions import (
    DEFAULT_RESOLUTION,
    class_names,
    decision_grid,
    region_colors,
    regions_unavailable_reason,
    sample_points,
)

from .card import PlotCard
from .style import PALETTE, TEXT_COLOR, add_legend, new_plot_widget

# The class colours follow TensorFlow Playground's orange and blue for two classes.
CLASS_COLORS = [PALETTE[3], PALETTE[0], PALETTE[2], PALETTE[1], PALETTE[4], PALETTE[5], PALETTE[6], PALETTE[7]]
SAMPLE_SIZE = 7


class RegionsPlot(PlotCard):
    """The model's predicted class over the plane of the two features, with the samples on top.

    Training samples are filled circles and validation samples hollow ones, in their class's
    colour. ``available`` is False for data without regions (see
    ``regions_unavailable_reason``), and then the plot stays empty.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Decision regions", parent)
        self.plot_widget = new_plot_widget("feature 2", "feature 1")
        self.plot_item = self.plot_widget.getPlotItem()
        self.legend = add_legend(self.plot_item)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-50)
        self.plot_item.addItem(self.image)
        self.set_graphics(self.plot_widget, self.plot_item.getViewBox())

        self.scatters: list[pg.ScatterPlotItem] = []
        self.grid = None
        self.reason: str | None = "no session yet"

    @property
    def available(self) -> bool:
        return self.reason is None

    def set_session(self, session: Session) -> None:
        """Draw the samples of ``session`` and clear the regions until ``update_from``."""
        for scatter in self.scatters:
            self.plot_item.removeItem(scatter)
        self.scatters = []
        self.legend.clear()
        self.image.clear()
        self.grid = None

        self.reason = regions_unavailable_reason(session)
        if self.reason is not None:
            return

        names = session.dataset.feature_names
        self.plot_item.setLabel("bottom", names[0])
        self.plot_item.setLabel("left", names[1])
        self._add_samples(session)

    def _add_samples(self, session: Session) -> None:
        features, labels, held_out = sample_points(session)
        for index, name in enumerate(class_names(session)):
            color = QColor(CLASS_COLORS[index % len(CLASS_COLORS)])
            train = (labels == index) & ~held_out
            validation = (labels == index) & held_out
            scatter = pg.ScatterPlotItem(
                features[train, 0], features[train, 1], size=SAMPLE_SIZE,
                pen=pg.mkPen(TEXT_COLOR, width=1), brush=pg.mkBrush(color), name=name,
            )
            self.plot_item.addItem(scatter)
            self.scatters.append(scatter)
            if validation.any():
                hollow = pg.ScatterPlotItem(
                    features[validation, 0], features[validation, 1], size=SAMPLE_SIZE,
                    pen=pg.mkPen(color, width=2), brush=pg.mkBrush(255, 255, 255),
                    name=f"{name} (validation)",
                )
                self.plot_item.addItem(hollow)
                self.scatters.append(hollow)

    def update_from(self, session: Session) -> None:
        """Evaluate the model on the grid with the latest weights and draw the regions."""
        if not self.available:
            return

        self.grid = decision_grid(session, DEFAULT_RESOLUTION)
        colors = [QColor(CLASS_COLORS[index % len(CLASS_COLORS)]) for index in range(len(self.grid.classes))]
        image = region_colors(self.grid, [(color.red(), color.green(), color.blue()) for color in colors])
        self.image.setImage(image, autoLevels=False, levels=(0, 255))

        (x_low, x_high), (y_low, y_high) = self.grid.x_range, self.grid.y_range
        self.image.setRect(QRectF(x_low, y_low, x_high - x_low, y_high - y_low))
