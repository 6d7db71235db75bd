"""The plots of a session in tabs: training curves, weights and non-finite values.

``refresh`` runs on the window's frame timer. The step plots read only new history rows, and
only the plots on the visible tab are updated, except after ``invalidate`` (a pause, a reset,
a new session), which updates every plot once. The weights view and the decision regions are
drawn from the latest weights at most every ``SLOW_INTERVAL_SECONDS`` during a run: a new
image each frame would cost more drawing time than the eye gains from it.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QTabWidget, QWidget

from tapestudio.studio import Session

from .card import PlotCard
from .health import HealthPlot
from .metrics import MetricPlot
from .objective import ObjectivePlot
from .regions import RegionsPlot
from .step_plot import StepPlot
from .weights import WeightsView

logger = logging.getLogger(__name__)

SLOW_INTERVAL_SECONDS = 0.2


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

        self.objective_plot = ObjectivePlot(self)
        self.regions_plot = RegionsPlot(self)
        self.metric_plot = MetricPlot(self)
        self.health_plot = HealthPlot(self)
        self.weights_view = WeightsView(self)
        # The name the first window used for its kernel heatmap.
        self.heatmap = self.weights_view

        self._add_tabs()
        for card in self.cards:
            card.png_saved.connect(self.png_saved)
        self.currentChanged.connect(lambda _index: self.invalidate())
        self.weights_view.variable_combo.currentTextChanged.connect(lambda _name: self.invalidate())

        self.set_session(session)

    def _add_tabs(self) -> None:
        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.addWidget(self.objective_plot)
        top.addWidget(self.regions_plot)
        top.setSizes([500, 400])
        training = QSplitter(Qt.Orientation.Vertical, self)
        training.addWidget(top)
        training.addWidget(self.metric_plot)
        training.setSizes([450, 450])

        self.addTab(training, "Training")
        self.addTab(self.weights_view, "Weights")
        self.addTab(self.health_plot, "Non-finite values")

    @property
    def step_plots(self) -> list[StepPlot]:
        """The plots against the step axis."""
        return [self.objective_plot, self.metric_plot, self.health_plot]

    @property
    def cards(self) -> list[PlotCard]:
        """Every plot that can be saved as a PNG image."""
        return [self.objective_plot, self.regions_plot, self.metric_plot, self.health_plot, *self.weights_view.cards]

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
        self.weights_view.set_variables(session.variable_names)
        self.regions_plot.set_session(session)
        self.regions_plot.setVisible(self.regions_plot.available)
        for plot in self.step_plots:
            plot.rebuild_next()
        self.invalidate()

    def invalidate(self) -> None:
        """Make the next ``refresh`` update every plot, visible or not, even without new steps."""
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

        if force or self.regions_plot.isVisible():
            self.regions_plot.update_from(self._session)
        if force or self.weights_view.isVisible():
            self.weights_view.show_arrays(self._session.weights(), self._session.latest_updates())
        self._slow_state = state
        self._slow_drawn_at = now
