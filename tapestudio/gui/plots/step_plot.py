"""The base of the plots against the step axis, and the markers of hyperparameter changes.

A ``StepPlot`` reads only the history rows added since its last frame and appends them to an
``EnvelopeTable``. Each redraw takes the visible step range from the table at no more than
four points per pixel, so drawing a million steps costs about as much as drawing a thousand,
and pyqtgraph's own clipping and downsampling stay off. A pan or zoom reads the new range.

Until the user pans or zooms, the plot follows the data with ranges rounded outwards to round
steps (see ``rounded_range``), set before the paint. pyqtgraph's automatic range would move the
axes a little on every frame, and each move redraws the axis tick labels and the grid and costs
a second paint. The "A" button of the plot returns to following the data.

The curves are ``PlotCurveItem`` objects fed with the table's points. ``PlotDataItem`` would
scan each array again for its bounds and keep a second copy, which cost more GUI-thread time
per frame than anything else in these plots. For a logarithmic y axis the plot passes log10 of
the values and switches the axis to logarithmic tick labels, as ``PlotDataItem`` does inside.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QWidget

from tapestudio.studio.downsampling import EnvelopeTable, log_values, plot_bounds
from tapestudio.studio.history import History, HistoryEvent, HistoryRows

from .card import PlotCard
from .style import EVENT_COLOR, add_legend, new_plot_widget, pen

# Points drawn per pixel of plot width (each envelope bucket gives two points).
POINTS_PER_PIXEL = 4
# The width used before the plot has been laid out, in pixels.
FALLBACK_WIDTH = 600
# Rows read from the history at a time: a plot catching up with a long history (after a change
# of metric, or on a tab shown for the first time) copies it piece by piece, not all at once.
READ_ROWS = 65_536
# Beyond this many change markers in a plot only their tooltips name them, so that the labels
# of a slider drag do not cover the curves.
MAX_LABELLED_EVENTS = 12
# While zoomed in, the curves extend this fraction of the visible width beyond each side, so
# that a pan shows data before the next query.
PAN_MARGIN = 0.25


class EventMarkers:
    """Vertical lines at the steps where hyperparameters changed, with the change as label."""

    def __init__(self, plot_item: pg.PlotItem, legend: pg.LegendItem) -> None:
        self._plot_item = plot_item
        self._legend = legend
        self._lines: list[pg.InfiniteLine] = []
        self._drawn: list[HistoryEvent] = []
        self._pen = pen(EVENT_COLOR, dashed=True)
        # Stands for every marker in the legend; it is never added to the plot.
        self._legend_sample = pg.PlotDataItem(pen=self._pen)

    @property
    def lines(self) -> list[pg.InfiniteLine]:
        return list(self._lines)

    def update(self, events: list[HistoryEvent]) -> bool:
        """Show ``events``; return True when the markers changed."""
        if events == self._drawn:
            return False

        self.clear()
        labelled = len(events) <= MAX_LABELLED_EVENTS
        for event in events:
            line = pg.InfiniteLine(
                pos=event.step, angle=90, movable=False, pen=self._pen,
                label=event.text if labelled else None,
                labelOpts={
                    "position": 0.04, "color": EVENT_COLOR, "fill": (255, 255, 255),
                    "anchors": [(0, 1), (0, 1)],
                },
            )
            line.setToolTip(f"step {event.step}: {event.text}")
            self._plot_item.addItem(line, ignoreBounds=True)
            self._lines.append(line)

        if events:
            self._legend.addItem(self._legend_sample, "hyperparameter change")
        self._drawn = list(events)
        return True

    def clear(self) -> None:
        for line in self._lines:
            self._plot_item.removeItem(line)
        self._lines = []
        self._legend.removeItem(self._legend_sample)
        self._drawn = []


class StepPlot(PlotCard):
    """Curves against the step, one per column that ``columns`` computes from history rows.

    Subclasses define ``curve_specs`` (legend name and pen of each column) and ``columns``.
    ``update_from(history)`` appends new rows and redraws; ``rebuild_next`` makes the next
    update read the whole history again, for a change of what the columns mean.
    """

    # Whether ``columns`` needs the per-(tape, variable) metric values of the rows.
    needs_metric_values = True

    def __init__(self, title: str, left_label: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.plot_widget = new_plot_widget(left_label)
        self.plot_item = self.plot_widget.getPlotItem()
        self.view_box = self.plot_item.getViewBox()
        self.legend = add_legend(self.plot_item)
        self.markers = EventMarkers(self.plot_item, self.legend)
        self.set_graphics(self.plot_widget, self.view_box)

        self._items: list[pg.PlotCurveItem] = []
        self._table: EnvelopeTable | None = None
        self._source: tuple[int, int] | None = None
        self._rows_read = 0
        # True while the plot sets its view range to the data, False after a pan or zoom.
        self.follows_data = True
        self._setting_range = False
        self._shown_bounds = None

        self.view_box.disableAutoRange()
        self.view_box.sigRangeChanged.connect(self._on_range_changed)
        self.view_box.sigStateChanged.connect(self._on_view_state_changed)
        self.view_box.sigResized.connect(self.redraw)
        self.plot_item.ctrl.logYCheck.toggled.connect(lambda _checked: self.follow_data())

    # -- to define in subclasses ------------------------------------------------------------

    def curve_specs(self, history: History) -> list[tuple[str, QPen]]:
        """Return the legend name and pen of each column, in column order."""
        raise NotImplementedError

    def columns(self, rows: HistoryRows) -> np.ndarray:
        """Return the values to plot for ``rows``: shape (len(rows), len(curve_specs))."""
        raise NotImplementedError

    def on_rebuild(self) -> None:
        """Forget any state kept between rows (a smoother, say) before the history is reread."""

    # -- updating ---------------------------------------------------------------------------

    @property
    def log_y(self) -> bool:
        """Whether the y axis is logarithmic (set in the plot's right-click menu or header)."""
        return bool(self.plot_item.ctrl.logYCheck.isChecked())

    @property
    def items(self) -> list[pg.PlotCurveItem]:
        """The curve items, in column order."""
        return list(self._items)

    def rebuild_next(self) -> None:
        """Make the next ``update_from`` recreate the curves and read the whole history."""
        self._table = None

    def update_from(self, history: History) -> bool:
        """Append the history's new rows and redraw; return True when anything changed."""
        source = (id(history), history.generation)
        if self._table is None or source != self._source:
            self._rebuild(history, source)

        changed = False
        while True:
            stop = self._rows_read + READ_ROWS
            rows = history.rows(self._rows_read, stop, with_values=self.needs_metric_values)
            if rows.generation != source[1]:
                # The history was cleared between the two reads; start over next frame.
                self.rebuild_next()
                return False
            if len(rows):
                self._table.extend(rows.steps, self.columns(rows))
                self._rows_read += len(rows)
                changed = True
            if len(rows) < READ_ROWS:
                break
        changed = self.markers.update(history.events()) or changed
        if changed:
            self.redraw()
        return changed

    def _rebuild(self, history: History, source: tuple[int, int]) -> None:
        for item in self._items:
            self.plot_item.removeItem(item)
        self.legend.clear()
        self.markers.clear()

        specs = self.curve_specs(history)
        self._items = []
        for name, curve_pen in specs:
            item = pg.PlotCurveItem(pen=curve_pen, name=name, connect="finite")
            self.plot_item.addItem(item)
            self._items.append(item)

        self._table = EnvelopeTable(max(1, len(specs)))
        self._source = source
        self._rows_read = 0
        self.on_rebuild()

    # -- drawing ----------------------------------------------------------------------------

    def redraw(self) -> None:
        """Give each curve the table's points for the visible step range."""
        if self._table is None or not self._items:
            return

        x_min, x_max = self._query_range()
        width = int(self.view_box.width()) or FALLBACK_WIDTH
        x, ys = self._table.view(x_min, x_max, POINTS_PER_PIXEL * width)
        if self.log_y:
            ys = log_values(ys)
        for item, y in zip(self._items, ys, strict=False):
            item.setData(x, y)
        if self.follows_data:
            self._show_bounds(x, ys)

    def _query_range(self) -> tuple[float, float]:
        if self.follows_data:
            return -np.inf, np.inf
        x_min, x_max = self.view_box.viewRange()[0]
        margin = PAN_MARGIN * (x_max - x_min)
        return x_min - margin, x_max + margin

    def _show_bounds(self, x: np.ndarray, ys: list[np.ndarray]) -> None:
        bounds = plot_bounds(x, ys)
        # pyqtgraph's setRange does a fair amount of work before it finds nothing changed.
        if bounds is None or bounds == self._shown_bounds:
            return
        self._shown_bounds = bounds
        self._setting_range = True
        try:
            self.view_box.setRange(xRange=bounds[0], yRange=bounds[1], padding=0)
        finally:
            self._setting_range = False

    def follow_data(self) -> None:
        """Show the whole history again and keep following it as it grows."""
        self.follows_data = True
        self._shown_bounds = None
        self.redraw()

    def _on_range_changed(self) -> None:
        # A range change that this plot did not make is a pan or zoom: stop following the
        # data and read the new range from the table.
        if self._setting_range:
            return
        self.follows_data = False
        self.redraw()

    def _on_view_state_changed(self) -> None:
        # The "A" button turns pyqtgraph's automatic range on; this plot follows the data itself.
        if any(self.view_box.state["autoRange"]):
            self.view_box.disableAutoRange()
            self.follow_data()

