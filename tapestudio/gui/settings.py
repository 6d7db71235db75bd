"""Settings kept between runs: the window layout, recent project files and the last folder.

``AppSettings.for_user()`` stores them with QSettings in an INI file in the user's
configuration folder (``~/.config/TapeStudio/TapeStudio.ini`` on Linux), so that
``QSettings.setPath`` can point it elsewhere, as the tests do. ``AppSettings.in_memory()``
keeps them for one window only.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

logger = logging.getLogger(__name__)

ORGANIZATION = "TapeStudio"
APPLICATION = "TapeStudio"
MAX_RECENT_FILES = 10

# Bump when the docks or toolbars change so much that an old saved layout no longer fits;
# QMainWindow.restoreState ignores a state saved with another version.
LAYOUT_VERSION = 1

RECENT_FILES_KEY = "files/recent"
LAST_FOLDER_KEY = "files/last_folder"
GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
SPLITTERS_KEY = "window/splitters"


class _MemoryStore:
    """The part of the QSettings interface that AppSettings uses, kept in a dict."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    def value(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def setValue(self, key: str, value: Any) -> None:  # noqa: N802 - QSettings name
        self._values[key] = value

    def remove(self, key: str) -> None:
        self._values.pop(key, None)

    def sync(self) -> None:
        pass


class AppSettings:
    """Typed access to the settings that outlive a window."""

    def __init__(self, store: QSettings | _MemoryStore) -> None:
        self._store = store

    @classmethod
    def for_user(cls) -> AppSettings:
        """Return the settings of the current user, in an INI file."""
        store = QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
        )
        logger.debug("Settings file: %s", store.fileName())
        return cls(store)

    @classmethod
    def in_memory(cls) -> AppSettings:
        """Return settings that are forgotten when the object goes away."""
        return cls(_MemoryStore())

    def sync(self) -> None:
        """Write pending changes to disk (QSettings also does so on its own, later)."""
        self._store.sync()

    # -- recent files --------------------------------------------------------------------

    def recent_files(self) -> list[Path]:
        """Return the recently opened or saved project files, the latest first."""
        value = self._store.value(RECENT_FILES_KEY, [])
        # An INI file gives back a one-element list as a plain string.
        if isinstance(value, str):
            value = [value]
        return [Path(text) for text in value or [] if text]

    def add_recent_file(self, path: str | os.PathLike) -> None:
        """Put ``path`` (made absolute) first in the recent files, keeping at most 10."""
        path = Path(path).absolute()
        paths = [path] + [known for known in self.recent_files() if known != path]
        self._write_recent(paths[:MAX_RECENT_FILES])

    def remove_recent_file(self, path: str | os.PathLike) -> None:
        path = Path(path).absolute()
        self._write_recent([known for known in self.recent_files() if known != path])

    def clear_recent_files(self) -> None:
        self._write_recent([])

    def _write_recent(self, paths: list[Path]) -> None:
        self._store.setValue(RECENT_FILES_KEY, [str(path) for path in paths])

    # -- last folder ---------------------------------------------------------------------

    def last_folder(self) -> Path:
        """Return the folder a file dialog opens in: the last one used, or the home folder."""
        value = self._store.value(LAST_FOLDER_KEY, "")
        folder = Path(value) if value else Path.home()
        return folder if folder.is_dir() else Path.home()

    def set_last_folder(self, folder: str | os.PathLike) -> None:
        self._store.setValue(LAST_FOLDER_KEY, str(folder))

    # -- window layout -------------------------------------------------------------------

    def save_layout(self, window: QMainWindow) -> None:
        """Store the window's geometry, its docks and toolbars, and the sizes of its splitters."""
        self._store.setValue(GEOMETRY_KEY, window.saveGeometry())
        self._store.setValue(STATE_KEY, window.saveState(LAYOUT_VERSION))
        self._store.setValue(SPLITTERS_KEY, {
            key: splitter.saveState() for key, splitter in named_splitters(window).items()
        })

    def restore_layout(self, window: QMainWindow) -> bool:
        """Restore what ``save_layout`` stored; return False when nothing was stored.

        Docks and toolbars are matched by object name and splitters by their place in the
        widget tree, so parts added since the layout was saved keep their default place.
        """
        geometry = self._store.value(GEOMETRY_KEY)
        if not isinstance(geometry, QByteArray):
            return False

        window.restoreGeometry(geometry)
        state = self._store.value(STATE_KEY)
        if isinstance(state, QByteArray) and not window.restoreState(state, LAYOUT_VERSION):
            logger.info("The saved window layout does not fit this version; using the default")

        saved_splitters = self._store.value(SPLITTERS_KEY) or {}
        for key, splitter in named_splitters(window).items():
            splitter_state = saved_splitters.get(key) if isinstance(saved_splitters, dict) else None
            if isinstance(splitter_state, QByteArray):
                splitter.restoreState(splitter_state)
        return True


def named_splitters(window: QWidget) -> dict[str, QSplitter]:
    """Return the splitters inside ``window`` by a key that stays the same between runs.

    The key is the path of object names from the window down. An unnamed widget stands in
    as its class name and its index among siblings of that class. The splitter's count of
    panes ends the key, so that a splitter whose panes changed does not get an old state.
    """
    splitters = {}
    for splitter in window.findChildren(QSplitter):
        parts = []
        widget: QWidget | None = splitter
        while widget is not None and widget is not window:
            parts.append(_widget_key(widget))
            widget = widget.parentWidget()
        splitters[f"{'/'.join(reversed(parts))}:{splitter.count()}"] = splitter
    return splitters


def _widget_key(widget: QWidget) -> str:
    if widget.objectName():
        return widget.objectName()

    parent = widget.parentWidget()
    kind = type(widget).__name__
    if parent is None:
        return kind
    siblings = [child for child in parent.children() if type(child) is type(widget)]
    return f"{kind}{siblings.index(widget)}"
