"""A read-only panel that shows TapeStudio's log records, from any thread."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPlainTextEdit, QWidget

# Older lines are dropped past this count, so a long session keeps a bounded log.
MAX_LOG_LINES = 5000
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _RecordEmitter(QObject):
    formatted = Signal(str)


class QtLogHandler(logging.Handler):
    """Logging handler that sends formatted records to the GUI thread through a signal."""

    def __init__(self) -> None:
        super().__init__()
        self.emitter = _RecordEmitter()
        self.setFormatter(logging.Formatter(LOG_FORMAT, datefmt="%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.emitter.formatted.emit(self.format(record))
        except RuntimeError:
            # The panel was deleted while a record from another thread was in flight.
            pass


class LogPanel(QPlainTextEdit):
    """Shows records of the ``tapestudio`` logger while attached."""

    def __init__(self, parent: QWidget | None = None, level: int = logging.INFO) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_LOG_LINES)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

        self._handler = QtLogHandler()
        self._handler.setLevel(level)
        self._handler.emitter.formatted.connect(self.appendPlainText)
        self._logger = logging.getLogger("tapestudio")
        self._attached = False

    def attach(self) -> None:
        """Start showing records; lowers the ``tapestudio`` logger level to the panel's if needed."""
        if self._attached:
            return
        if self._logger.getEffectiveLevel() > self._handler.level:
            self._logger.setLevel(self._handler.level)
        self._logger.addHandler(self._handler)
        self._attached = True

    def detach(self) -> None:
        if self._attached:
            self._logger.removeHandler(self._handler)
            self._attached = False
