"""The plots of a session in tabs: training curves, weights and non-finite values.

``refresh`` runs on the window's frame timer. The step plots read only new history rows, and
only the plots on the visible tab are updated, except after ``invalidate`` (a pause, a reset,
a new session), which updates every plot once. The weights view and the decision regions are
drawn from the latest weights at most every ``SLOW_INTERVAL_SECONDS`` during a run: a new
image each frame would cost more drawing time than the eye gains from it.

The plots of the other tabs, and the decision regions of data that has them, are built when
they are first shown or asked for: each pyqtgraph plot takes tens of milliseconds to build,
and the window should appear quickly.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from tapestudio.studio import Session
from tapestudio.studio.regions import regions_unavailable_reason

from .card import PlotCard
from .health import HealthPlot
from .metrics import MetricPlot
from .objective import ObjectivePlot
from .regions import RegionsPlot
from .step_plot import StepPlot
from .weights import WeightsView

logger = logging.getLogger(__name__)

SLOW_INTERVAL_SECONDS = 0.2
WEIGHTS_TAB = 1
HEALTH_TAB = 2


class PlotsPanel(QTabWidget):
    """Every live plot of one session; ``refresh`` redraws them from its history and weights.

    Signals: ``png_saved(path)`` when any plot was saved as a PNG image.
    """

    png_saved = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._force = True
        self._slow_state: tuple | None = None
        self._slow_drawn_at = float("-inf")
        self._regions_plot: RegionsPlot | None = None
        self._weights_view: WeightsView | None = None
        self._health_plot: HealthPlot | None = None
        self._folder_store = None

        self.objective_plot = ObjectivePlot(self)
        self.metric_plot = MetricPlot(self)
        for card in (self.objective_plot, self.metric_plot):
            self._adopt(card)

        self._add_tabs()
        self.currentChanged.connect(self._tab_changed)
        self.set_session(session)

    def _add_tabs(self) -> None:
        self._top = QSplitter(Qt.Orientation.Horizontal, self)
        self._top.addWidget(self.objective_plot)
        training = QSplitter(Qt.Orientation.Vertical, self)
        training.addWidget(self._top)
        training.addWidget(self.metric_plot)
        training.setSizes([450, 450])

        self.addTab(training, "Training")
        self.addTab(_Placeholder(self), "Weights")
        self.addTab(_Placeholder(self), "Non-finite values")

    # -- plots built on first use ------------------------------------------------------------

    @property
    def regions_plot(self) -> RegionsPlot:
        """The decision regions, beside the objective; hidden for data without regions."""
        if self._regions_plot is None:
            self._regions_plot = RegionsPlot(self)
            self._adopt(self._regions_plot)
            self._top.addWidget(self._regions_plot)
            self._top.setSizes([500, 400])
            self._regions_plot.set_session(self._session)
            self._regions_plot.setVisible(self._regions_plot.available)
        return self._regions_plot

    @property
    def weights_view(self) -> WeightsView:
        """Heatmaps and histograms of a variable and its latest update, on the Weights tab."""
        if self._weights_view is None:
            self._weights_view = WeightsView(self)
            for card in self._weights_view.cards:
                self._adopt(card)
            self._weights_view.set_variables(self._session.variable_names)
            self._weights_view.variable_combo.currentTextChanged.connect(lambda _name: self.invalidate())
            self.widget(WEIGHTS_TAB).set_content(self._weights_view)
            self._draw_weights()
        return self._weights_view

    # The name the first window used for its kernel heatmap.
    heatmap = weights_view

    @property
    def health_plot(self) -> HealthPlot:
        """The NaN and infinity counts per tape, on the Non-finite values tab."""
        if self._health_plot is None:
            self._health_plot = HealthPlot(self)
            self._adopt(self._health_plot)
            self.widget(HEALTH_TAB).set_content(self._health_plot)
            self._health_plot.update_from(self._session.history)
        return self._health_plot

    @property
    def step_plots(self) -> list[StepPlot]:
        """The plots against the step axis that have been built."""
        built = [self.objective_plot, self.metric_plot]
        return built + ([self._health_plot] if self._health_plot is not None else [])

    @property
    def cards(self) -> list[PlotCard]:
        """Every plot that can be saved as a PNG image (building those not built yet)."""
        return [
            self.objective_plot, self.regions_plot, self.metric_plot, self.health_plot,
            *self.weights_view.cards,
        ]

    def set_folder_store(self, store) -> None:
        """Make every plot's PNG dialog start in ``store.last_folder()`` and update it."""
        self._folder_store = store
        for card in self._built_cards():
            card.folder_store = store

    def _built_cards(self) -> list[PlotCard]:
        cards = [self.objective_plot, self.metric_plot, self._regions_plot, self._health_plot]
        if self._weights_view is not None:
            cards += self._weights_view.cards
        return [card for card in cards if card is not None]

    def _adopt(self, card: PlotCard) -> None:
        card.png_saved.connect(self.png_saved)
        card.folder_store = self._folder_store

    def _tab_changed(self, index: int) -> None:
        # Reading the property builds the tab's plots the first time.
        built = {WEIGHTS_TAB: lambda: self.weights_view, HEALTH_TAB: lambda: self.health_plot}
        if index in built:
            built[index]()
        self.invalidate()

    # -- showing ---------------------------------------------------------------------------

    def show_card(self, card: PlotCard) -> None:
        """Bring the tab that contains ``card`` to the front."""
        for index in range(self.count()):
            page = self.widget(index)
            if page is card or page.isAncestorOf(card):
                self.setCurrentIndex(index)
                card.layout().activate()
                return

    def save_png(self, card: PlotCard, path: str | Path) -> Path:
        """Show ``card``'s tab and save the plot to ``path``; raises OSError as ``card.save_png``."""
        self.show_card(card)
        self.refresh()
        return card.save_png(path)

    def set_session(self, session: Session) -> None:
        """Show ``session`` from now on (after a rebuild or a newly opened project)."""
        self._session = session
        if self._weights_view is not None:
            self._weights_view.set_variables(session.variable_names)
        if self._regions_plot is not None or regions_unavailable_reason(session) is None:
            self.regions_plot.set_session(session)
            self.regions_plot.setVisible(self.regions_plot.available)
        for plot in self.step_plots:
            plot.rebuild_next()
        self.invalidate()

    def invalidate(self) -> None:
        """Make the next ``refresh`` update every built plot, visible or not, even without new steps."""
        self._force = True

    def refresh(self) -> None:
        """Redraw from the session what has changed; called from the window's frame timer."""
        force, self._force = self._force, False
        history = self._session.history
        for plot in self.step_plots:
            if force or plot.isVisible():
                plot.update_from(history)

        now = time.monotonic()
        state = (id(self._session), history.generation, self._session.step_count)
        due = state != self._slow_state and now - self._slow_drawn_at >= SLOW_INTERVAL_SECONDS
        if not (force or due):
            return

        regions = self._regions_plot
        if regions is not None and regions.available and (force or regions.isVisible()):
            regions.update_from(self._session)
        if self._weights_view is not None and (force or self._weights_view.isVisible()):
            self._draw_weights()
        self._slow_state = state
        self._slow_drawn_at = now

    def _draw_weights(self) -> None:
        self._weights_view.show_arrays(self._session.weights(), self._session.latest_updates())


class _Placeholder(QWidget):
    """An empty tab page that receives its plots when they are built."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def set_content(self, widget: QWidget) -> None:
        self._layout.addWidget(widget)
