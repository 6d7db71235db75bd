"""Helpers shared by the GUI benchmark children: the Qt platform, percentiles, RSS, load."""

from __future__ import annotations

import os
import sys

import numpy as np

# The benchmark draws offscreen unless a display platform is chosen, so it runs on servers.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from .memory import resident_bytes  # noqa: E402

MEBIBYTE = 1024 * 1024


def percentiles_ms(seconds: list[float]) -> dict:
    """Return the median, 95th percentile and maximum of durations, in milliseconds."""
    if not seconds:
        return {"p50": None, "p95": None, "max": None, "count": 0}
    values = np.asarray(seconds) * 1000.0
    return {
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "max": float(values.max()),
        "count": int(values.size),
    }


def load_average() -> float | None:
    """Return the 1-minute load average of the machine, or None where it is not known."""
    try:
        return float(os.getloadavg()[0])
    except (AttributeError, OSError):
        return None


def rss_mib() -> float | None:
    """Return this process's resident set size in MiB, or None where it is not known."""
    size = resident_bytes()
    return None if size is None else size / MEBIBYTE


def application():
    """Return the QApplication, created on first use."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])


def spin(seconds: float) -> None:
    """Run the Qt event loop for ``seconds``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
