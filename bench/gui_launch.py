"""Time from process start to the first paint of the main window.

``python -m bench.gui_launch START_TIME OUTPUT_JSON [PROJECT]`` runs the ``tapestudio`` command
line as a user's launch does (``tapestudio PROJECT``), with an event filter that records the
wall-clock time of the main window's first paint and then quits. ``START_TIME`` is the
parent's ``time.time()`` just before it started this process, so the figure includes the
interpreter's start and every import. Settings and autosaves go to a temporary folder, so
that no recovery dialog or saved layout changes the launch.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    start_time, output = float(argv[0]), Path(argv[1])
    project = argv[2] if len(argv) > 2 else "iris"
    folder = tempfile.mkdtemp(prefix="tapestudio-launch-")
    os.environ["TAPESTUDIO_DATA_DIR"] = str(Path(folder) / "data")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(Path(folder) / "settings"))
    app = QApplication(sys.argv[:1])
    marks = {"qt_ready": time.time()}

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt name
            if "first_paint" not in marks and event.type() == QEvent.Type.Paint:
                window = watched.window() if hasattr(watched, "window") else None
                if isinstance(window, QMainWindow):
                    marks["first_paint"] = time.time()
                    QTimer.singleShot(0, app.quit)
            return False

    watcher = FirstPaint()
    app.installEventFilter(watcher)

    from tapestudio.cli import main as tapestudio_main

    marks["imported"] = time.time()
    tapestudio_main([project])
    result = {name: moment - start_time for name, moment in marks.items()}
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
