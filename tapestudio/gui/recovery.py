"""Autosave of unsaved changes, and the offer to recover them after a crash.

Each window that autosaves owns a slot in ``<data folder>/autosave``: a JSON file with the
project, written while the project has unsaved changes and removed once it has none, and a
QLockFile held for as long as the window is open. A slot whose JSON file exists but whose
lock can be taken belonged to a TapeStudio process that ended without closing its window:
it crashed or was killed. At start the app offers to recover such a slot.

The data folder is ``$TAPESTUDIO_DATA_DIR`` when that is set, otherwise the per-user
application data folder (``~/.local/share/TapeStudio/TapeStudio`` on Linux).
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from tapestudio.studio import Project, ProjectError, project_from_dict, project_to_dict
from tapestudio.studio.atomic import write_text_atomic

if TYPE_CHECKING:
    from .main_window import MainWindow

logger = logging.getLogger(__name__)

DATA_FOLDER_VARIABLE = "TAPESTUDIO_DATA_DIR"
AUTOSAVE_FORMAT = "tapestudio-autosave"
AUTOSAVE_VERSION = 1

# The autosave runs this long after the last edit, so that a burst of edits is one write.
EDIT_DELAY_MS = 500
# And at this interval in any case, to catch changes that did not come as an edit.
AUTOSAVE_INTERVAL_MS = 60_000

# (project, its file or None, whether it has unsaved changes)
Snapshot = tuple[Project, "Path | None", bool]


def data_folder() -> Path:
    """Return the folder for TapeStudio's per-user data, from the environment or Qt.

    Qt's location depends on the organization and application names, so set them on the
    QApplication first.
    """
    override = os.environ.get(DATA_FOLDER_VARIABLE)
    if override:
        return Path(override).expanduser()

    location = QStandardPaths.StandardLocation.AppDataLocation
    return Path(QStandardPaths.writableLocation(location))


def autosave_folder(folder: Path) -> Path:
    return folder / "autosave"


class Autosave(QObject):
    """The autosave slot of one window.

    ``snapshot()`` returns the window's project, its file and whether it has unsaved changes.
    Call ``schedule`` after every edit, ``save_now`` to write at once and ``close`` when the
    window closes, which removes the slot.
    """

    def __init__(
        self,
        folder: Path,
        snapshot: Callable[[], Snapshot],
        parent: QObject | None = None,
        interval_ms: int = AUTOSAVE_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self._snapshot = snapshot
        self.folder = autosave_folder(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            logger.warning("Could not create the autosave folder %s, so autosave fails: %s", self.folder, error)

        slot = uuid.uuid4().hex
        self.path = self.folder / f"{slot}.json"
        self._lock = QLockFile(str(self.folder / f"{slot}.lock"))
        if not self._lock.tryLock(0):
            logger.warning("Could not lock the autosave slot %s: %s", self.path, self._lock.error())
        self._last_written: dict | None = None

        self._edit_timer = QTimer(self)
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(EDIT_DELAY_MS)
        self._edit_timer.timeout.connect(self.save_now)

        self._interval_timer = QTimer(self)
        self._interval_timer.setInterval(interval_ms)
        self._interval_timer.timeout.connect(self.save_now)
        self._interval_timer.start()

    def schedule(self) -> None:
        """Autosave shortly, once the edits in progress have stopped."""
        self._edit_timer.start()

    def save_now(self) -> bool:
        """Write the project if it has unsaved changes, or remove the autosave if it has none.

        Returns True when the autosave file contains the current project afterwards. A write that
        fails is logged and tried again at the next edit or interval.
        """
        self._edit_timer.stop()
        project, path, modified = self._snapshot()
        if not modified:
            self.clear()
            return False

        content = autosave_content(project, path)
        # The time of writing is left out, so that an unchanged project is not written again.
        unchanged = {key: value for key, value in content.items() if key != "saved_at"}
        if unchanged == self._last_written and self.path.exists():
            return True
        try:
            write_text_atomic(self.path, json.dumps(content, indent=1) + "\n")
        except OSError as error:
            logger.warning("Autosave to %s failed: %s", self.path, error)
            return False

        self._last_written = unchanged
        logger.debug("Autosaved %s to %s", project.name, self.path)
        return True

    def clear(self) -> None:
        """Remove the autosaved project, because the window has no unsaved changes."""
        self._edit_timer.stop()
        self._last_written = None
        try:
            self.path.unlink(missing_ok=True)
        except OSError as error:
            logger.warning("Could not remove the autosave %s: %s", self.path, error)

    def close(self) -> None:
        """Stop autosaving and give up the slot, because the window closes normally."""
        self._interval_timer.stop()
        self.clear()
        self._lock.unlock()


def autosave_content(project: Project, path: Path | None) -> dict:
    """Return the JSON object of an autosave: the project and the file it belongs to."""
    return {
        "format": AUTOSAVE_FORMAT,
        "version": AUTOSAVE_VERSION,
        "saved_at": time.time(),
        "project_path": str(path) if path is not None else None,
        "project": project_to_dict(project),
    }


@dataclass
class RecoverableProject:
    """An autosave left behind by a process that crashed. Its lock is held until released."""

    autosave_path: Path
    project: Project
    project_path: Path | None
    saved_at: float
    lock: QLockFile

    def describe(self) -> str:
        where = self.project_path.name if self.project_path is not None else self.project.name
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.saved_at))
        return f"{where} (autosaved {when})"

    def discard(self) -> None:
        """Delete the autosave and its lock."""
        self.autosave_path.unlink(missing_ok=True)
        self.lock.unlock()

    def release(self) -> None:
        """Keep the autosave for the next start, and let other processes take it."""
        self.lock.unlock()


def find_recoverable(folder: Path) -> list[RecoverableProject]:
    """Return the autosaves under ``folder`` whose process has ended, the latest first.

    The lock of each one returned is held, so another TapeStudio starting at the same time
    does not offer it too. An autosave that cannot be read is logged and left in place.
    """
    slots = autosave_folder(folder)
    if not slots.is_dir():
        return []
    _remove_stale_locks(slots)

    found = []
    for path in sorted(slots.glob("*.json")):
        lock = QLockFile(str(path.with_suffix(".lock")))
        # Without a stale time only a dead owner process makes a lock stale, never its age.
        lock.setStaleLockTime(0)
        if not lock.tryLock(0):
            continue

        try:
            found.append(read_autosave(path, lock))
        except (OSError, ValueError, ProjectError) as error:
            logger.warning("Could not read the autosave %s, so it is not offered: %s", path, error)
            lock.unlock()
    return sorted(found, key=lambda recoverable: recoverable.saved_at, reverse=True)


def _remove_stale_locks(slots: Path) -> None:
    """Remove the locks of ended processes that left no autosave (they had no unsaved changes)."""
    for path in slots.glob("*.lock"):
        if path.with_suffix(".json").exists():
            continue
        lock = QLockFile(str(path))
        lock.setStaleLockTime(0)
        if lock.tryLock(0):
            lock.unlock()


def read_autosave(path: Path, lock: QLockFile) -> RecoverableProject:
    """Read an autosave file. Raises OSError, ValueError or ProjectError when it is invalid."""
    content = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(content, dict):
        raise ValueError(f"not a TapeStudio autosave (a JSON {type(content).__name__}, not an object)")
    if content.get("format") != AUTOSAVE_FORMAT:
        raise ValueError(f"not a TapeStudio autosave (format {content.get('format')!r})")
    if content.get("version") != AUTOSAVE_VERSION:
        raise ValueError(f"autosave version {content.get('version')!r} is not {AUTOSAVE_VERSION}")

    project_path = Path(content["project_path"]) if content.get("project_path") else None
    project = project_from_dict(content["project"], source=str(project_path or path))
    # Relative CSV paths in the project start from the folder of the file it belongs to.
    project.source = project_path
    return RecoverableProject(path, project, project_path, float(content["saved_at"]), lock)


def offer_recovery(window: MainWindow, folder: Path) -> QMessageBox | None:
    """Ask, in a window-modal message box, whether to recover the latest crashed autosave.

    Recover opens it in ``window`` as a project with unsaved changes, Discard deletes it,
    and Later keeps it for the next start. When several are left, each is offered in turn.
    Returns the first message box, or None when there is nothing to recover.
    """
    pending = find_recoverable(folder)
    if not pending:
        return None
    return _offer_next(window, pending)


def _offer_next(window: MainWindow, pending: list[RecoverableProject]) -> QMessageBox | None:
    if not pending:
        return None
    recoverable = pending.pop(0)

    box = QMessageBox(window)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Recover unsaved changes")
    box.setText("TapeStudio did not close normally last time.")
    box.setInformativeText(
        f"The unsaved changes to {recoverable.describe()} can be recovered. "
        "Discard deletes them. Later keeps them for the next start."
    )
    recover = box.addButton("&Recover", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("&Later", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(recover)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answer(_result: int = 0) -> None:
        clicked = box.clickedButton()
        if clicked is recover:
            _recover(window, recoverable)
        elif clicked is discard:
            recoverable.discard()
            logger.info("Discarded the autosave %s", recoverable.autosave_path)
        else:
            recoverable.release()
        _offer_next(window, pending)

    box.finished.connect(answer)
    box.open()
    return box


def _recover(window: MainWindow, recoverable: RecoverableProject) -> None:
    if window.open_project(recoverable.project, recoverable.project_path, modified=True):
        recoverable.discard()
        logger.info("Recovered %s from %s", recoverable.describe(), recoverable.autosave_path)
    else:
        recoverable.release()
