"""A plot with a header: its title, its own controls and a button that saves it as a PNG image."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

logger = logging.getLogger(__name__)

PNG_FILTER = "PNG images (*.png);;All files (*)"
# Width and height, in pixels, of a plot saved while it is not shown.
HIDDEN_SIZE = (800, 500)


class PlotCard(QWidget):
    """A titled frame around one graphics widget, which ``save_png`` writes to a file.

    Signals: ``png_saved(path)`` after a successful save.
    """

    png_saved = Signal(str)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.title_label = QLabel(f"<b>{title}</b>", self)

        self.png_button = QToolButton(self)
        self.png_button.setText("PNG")
        self.png_button.setToolTip(f"Save the {title.lower()} plot as a PNG image")
        self.png_button.clicked.connect(self.choose_png_path)

        self.header = QHBoxLayout()
        self.header.setContentsMargins(4, 2, 4, 0)
        self.header.addWidget(self.title_label)
        self.header.addStretch(1)
        self._controls_at = self.header.count()
        self.header.addWidget(self.png_button)

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self._layout.addLayout(self.header)
        self.graphics: QWidget | None = None
        # Where the file dialog starts: an object with last_folder() and set_last_folder(),
        # such as the app's settings; None starts in the home folder and remembers nothing.
        self.folder_store = None

    def add_control(self, widget: QWidget) -> None:
        """Put a control (a combo box, a spin box, ...) in the header, before the PNG button."""
        self.header.insertWidget(self._controls_at, widget)
        self._controls_at += 1

    def set_graphics(self, widget: QWidget, view_box: pg.ViewBox | None = None) -> None:
        """Show ``widget`` under the header; it is what ``save_png`` captures.

        With ``view_box``, its right-click menu gets a "Save plot as PNG..." entry too.
        """
        self.graphics = widget
        self._layout.addWidget(widget, 1)
        if view_box is not None and view_box.menu is not None:
            view_box.menu.addSeparator()
            action = view_box.menu.addAction("Save plot as PNG...")
            action.triggered.connect(lambda _checked=False: self.choose_png_path())

    def save_png(self, path: str | Path) -> Path:
        """Write the plot, as it is drawn now, to ``path`` as a PNG image and return the path.

        Raises OSError when the image cannot be written.
        """
        path = Path(path)
        if not self.isVisible():
            # A plot on another tab has never been laid out; give it the size of a typical one.
            self.resize(max(self.width(), HIDDEN_SIZE[0]), max(self.height(), HIDDEN_SIZE[1]))
            self._layout.activate()
        pixmap = self.graphics.grab()
        if pixmap.isNull() or not pixmap.save(str(path), "PNG"):
            raise OSError(f"could not write the {self.title.lower()} plot to {path}")

        logger.info("Saved the %s plot to %s", self.title.lower(), path)
        self.png_saved.emit(str(path))
        return path

    def choose_png_path(self) -> None:
        """Ask for a file name and save the plot there; a failure is shown in a message box."""
        folder = Path(self.folder_store.last_folder()) if self.folder_store is not None else Path.home()
        suggested = str(folder / f"{_file_stem(self.title)}.png")
        path, _ = QFileDialog.getSaveFileName(self, "Save plot as PNG", suggested, PNG_FILTER)
        if not path:
            return

        if self.folder_store is not None:
            self.folder_store.set_last_folder(Path(path).parent)
        try:
            self.save_png(path)
        except OSError as error:
            logger.error("%s", error)
            QMessageBox.warning(self, "Could not save the plot", str(error))


def _file_stem(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "plot"
