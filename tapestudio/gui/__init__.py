"""The TapeStudio desktop app (PySide6 and pyqtgraph): views and edits a studio session."""

from .app import run_app
from .main_window import MainWindow

__all__ = ["MainWindow", "run_app"]
