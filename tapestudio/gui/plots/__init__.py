"""Live plots of a session, one module per kind of plot.

Each plot item is created once and updated with ``setData`` from the window's frame timer,
never once per training step. The GUI only draws: smoothing, downsampling, histograms,
heatmap levels and decision regions are computed in ``tapestudio.studio``.
"""

from .card import PlotCard
from .panel import PlotsPanel
from .style import PALETTE

__all__ = ["PALETTE", "PlotCard", "PlotsPanel"]
