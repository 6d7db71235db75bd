"""The File and Edit menus: their entries and standard shortcuts."""

import pytest
from PySide6.QtGui import QKeySequence


def _menu(window, title):
    [menu] = [action.menu() for action in window.menuBar().actions() if action.text() == title]
    return menu


def _entries(menu):
    return [action.text() for action in menu.actions() if not action.isSeparator()]


def test_file_menu_entries_in_order(window):
    entries = _entries(_menu(window, "&File"))

    expected = ["&New", "&Open...", "Open &Recent", "Open E&xample", "&Save", "Save &As...", "&Quit"]
    assert [entry for entry in entries if entry in expected] == expected
    assert any(entry.startswith("&Export") for entry in entries)


def test_edit_menu_has_undo_and_redo(window):
    assert _menu(window, "&Edit").actions()[:2] == [window.actions.undo, window.actions.redo]


@pytest.mark.parametrize(
    ("action", "keys"),
    [
        ("new", "Ctrl+N"),
        ("open", "Ctrl+O"),
        ("save", "Ctrl+S"),
        ("save_as", "Ctrl+Shift+S"),
        ("undo", "Ctrl+Z"),
        ("quit", "Ctrl+Q"),
    ],
)
def test_standard_shortcut(window, action, keys):
    shortcuts = getattr(window.actions, action).shortcuts()

    assert QKeySequence(keys) in shortcuts


def test_redo_has_platform_shortcut(window):
    shortcuts = window.actions.redo.shortcuts()

    assert {QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")} & set(shortcuts)
