"""A read-only panel that shows the log records of the ``tapestudio`` loggers, from any thread.

A logging handler on the ``tapestudio`` logger formats each record in the thread that logs it
and appends it to a bounded queue. A timer in the GUI thread moves the queued lines into the
view in one batch. A burst of records from the training thread therefore costs one redraw
per timer tick, not one queued signal per record, and memory stays bounded when records
arrive faster than they are shown: the oldest are dropped and the panel says how many.
"""

from __future__ import annotations

import collections
import logging
import threading
from dataclasses import dataclass

from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

# The view keeps this many lines; older ones scroll away.
MAX_LOG_LINES = 5000
# How often queued records reach the view, in milliseconds.
FLUSH_INTERVAL_MS = 100
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ROOT_LOGGER = "tapestudio"

LEVELS = {
    "Debug": logging.DEBUG,
    "Info": logging.INFO,
    "Warning": logging.WARNING,
    "Error": logging.ERROR,
}
DEFAULT_LEVEL = logging.INFO


@dataclass(frozen=True)
class LogLine:
    """One formatted record: its level number and its text (several lines for a traceback)."""

    level: int
    text: str


class BufferingLogHandler(logging.Handler):
    """Logging handler that keeps the latest formatted records for the GUI thread to take.

    ``emit`` may run in any thread. ``take`` returns the records queued since the last call
    and how many older ones were dropped because the queue was full.
    """

    def __init__(self, capacity: int = MAX_LOG_LINES) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter(LOG_FORMAT, datefmt="%H:%M:%S"))
        self._queue: collections.deque[LogLine] = collections.deque(maxlen=capacity)
        self._queue_lock = threading.Lock()
        self._dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = LogLine(record.levelno, self.format(record))
        except Exception:  # noqa: BLE001 - logging's own convention for a failing record
            self.handleError(record)
            return

        with self._queue_lock:
            if len(self._queue) == self._queue.maxlen:
                self._dropped += 1
            self._queue.append(line)

    def take(self) -> tuple[list[LogLine], int]:
        with self._queue_lock:
            lines = list(self._queue)
            dropped = self._dropped
            self._queue.clear()
            self._dropped = 0
        return lines, dropped


class LogPanel(QWidget):
    """Shows the records of the ``tapestudio`` logger and its children while attached.

    The level box filters what is shown. Records at Info and above are always kept, so going
    back from Warning to Info shows the Info lines again; Debug records are kept only while
    Debug is chosen, because they can come from every training step.
    """

    def __init__(self, parent: QWidget | None = None, level: int = DEFAULT_LEVEL) -> None:
        super().__init__(parent)
        self._lines: collections.deque[LogLine] = collections.deque(maxlen=MAX_LOG_LINES)
        self._handler = BufferingLogHandler()
        self._logger = logging.getLogger(ROOT_LOGGER)
        self._attached = False
        # The logger's own level before attach() lowered it, restored by detach().
        self._logger_level = self._logger.level
        self._dropped = 0

        self.level_combo = QComboBox(self)
        self.level_combo.addItems(list(LEVELS))
        self.level_combo.setToolTip("Show records at this level and above")
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.clicked.connect(self.clear)
        self.dropped_label = QLabel(self)

        self.view = QPlainTextEdit(self)
        self.view.setReadOnly(True)
        self.view.setMaximumBlockCount(MAX_LOG_LINES)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

        controls = QHBoxLayout()
        controls.addWidget(QLabel("Level", self))
        controls.addWidget(self.level_combo)
        controls.addWidget(self.clear_button)
        controls.addWidget(self.dropped_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.view)

        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self.flush)

        self.level_combo.setCurrentText(_level_name(level))
        self.level_combo.currentTextChanged.connect(self._level_chosen)
        self._handler.setLevel(min(level, DEFAULT_LEVEL))

    # -- attaching -----------------------------------------------------------------------

    def attach(self) -> None:
        """Start collecting records; lowers the ``tapestudio`` logger's level to the panel's."""
        if self._attached:
            return
        self._logger_level = self._logger.level
        self._logger.addHandler(self._handler)
        self._attached = True
        self._set_logger_level()
        self._flush_timer.start()

    def detach(self) -> None:
        """Stop collecting records and give the logger back the level it had."""
        if not self._attached:
            return
        self.flush()
        self._flush_timer.stop()
        self._logger.removeHandler(self._handler)
        self._logger.setLevel(self._logger_level)
        self._attached = False

    def _set_logger_level(self) -> None:
        """Let the logger pass the records the handler takes, and no lower ones than it did."""
        if not self._attached:
            return

        self._logger.setLevel(self._logger_level)
        if self._logger.getEffectiveLevel() > self._handler.level:
            self._logger.setLevel(self._handler.level)

    # -- showing -------------------------------------------------------------------------

    def level(self) -> int:
        """Return the lowest level shown."""
        return LEVELS[self.level_combo.currentText()]

    def set_level(self, level: int) -> None:
        """Show records at ``level`` (a ``logging`` level) and above."""
        self.level_combo.setCurrentText(_level_name(level))

    def text(self) -> str:
        """Return the text shown, after moving any queued records into the view."""
        self.flush()
        return self.view.toPlainText()

    def flush(self) -> None:
        """Move the queued records into the view; runs on a timer in the GUI thread."""
        lines, dropped = self._handler.take()
        if dropped:
            self._dropped += dropped
            self.dropped_label.setText(f"{self._dropped} older records dropped")
        if not lines:
            return

        self._lines.extend(lines)
        self._append([line for line in lines if line.level >= self.level()])

    def clear(self) -> None:
        """Remove every line, shown or hidden by the level filter."""
        self.flush()
        self._lines.clear()
        self._dropped = 0
        self.dropped_label.clear()
        self.view.clear()

    def _append(self, lines: list[LogLine]) -> None:
        if not lines:
            return
        scrollbar = self.view.verticalScrollBar()
        at_bottom = scrollbar.value() == scrollbar.maximum()

        # One insertion for the whole batch: appendPlainText per line redoes the layout
        # each time, which is what makes a view fall behind a burst.
        cursor = QTextCursor(self.view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        prefix = "\n" if not self.view.document().isEmpty() else ""
        cursor.insertText(prefix + "\n".join(line.text for line in lines))
        if at_bottom:
            scrollbar.setValue(scrollbar.maximum())

    def _level_chosen(self, _name: str) -> None:
        self.flush()
        level = self.level()
        self._handler.setLevel(min(level, DEFAULT_LEVEL))
        if level > logging.DEBUG:
            # Debug lines are no longer collected, so the kept ones go too.
            self._lines = collections.deque(
                (line for line in self._lines if line.level > logging.DEBUG), maxlen=MAX_LOG_LINES
            )
        self._set_logger_level()

        self.view.clear()
        self._append([line for line in self._lines if line.level >= level])


def _level_name(level: int) -> str:
    for name, number in LEVELS.items():
        if number >= level:
            return name
    return "Error"
