"""Autosave of unsaved changes, and recovering them after the process was killed."""

import copy
import json
import os
import subprocess
import sys
import textwrap

import pytest

from tapestudio.gui.app import open_main_window
from tapestudio.gui.recovery import (
    AUTOSAVE_FORMAT,
    DATA_FOLDER_VARIABLE,
    Autosave,
    autosave_folder,
    find_recoverable,
)
from tapestudio.gui.settings import AppSettings
from tapestudio.studio import load_example

from .app_helpers import click, data_folder, make_app_window, track_window, wait_for_message_box

# Starting Python, Qt and TapeStudio in a new process takes a few seconds on a slow machine.
CHILD_TIMEOUT_MS = 60_000

# The app as a user runs it, with one edit made once the window is shown. It is killed
# while its event loop runs, so it never closes its window.
CHILD_SCRIPT = textwrap.dedent(
    """
    import copy
    import sys

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
    app = QApplication([])

    from tapestudio.gui.app import open_main_window

    window = open_main_window(None)
    edited = copy.deepcopy(window.session.project)
    edited.seed = 1234
    edited.tapes[0].optimizer.hyperparameters["learning_rate"] = 0.25
    window.apply_project_edit(edited, "Change seed and learning rate")
    app.exec()
    """
)

# A process that takes a lock and ends without releasing it, as a crash does.
LOCK_AND_EXIT_SCRIPT = textwrap.dedent(
    """
    import os
    import sys

    from PySide6.QtCore import QLockFile

    lock = QLockFile(sys.argv[1])
    lock.tryLock(0)
    os._exit(0)
    """
)


def _autosaves(app_folders):
    folder = autosave_folder(data_folder(app_folders))
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def _edit_seed(window, seed=7):
    project = copy.deepcopy(window.session.project)
    project.seed = seed
    assert window.apply_project_edit(project)


@pytest.fixture
def app_window(qtbot, app_folders):
    return make_app_window(qtbot, app_folders)


@pytest.fixture
def crashed_app(qtbot, app_folders):
    """Run the app in a child process, wait for its autosave, then kill it with SIGKILL."""
    environment = dict(os.environ)
    environment["QT_QPA_PLATFORM"] = "offscreen"
    environment[DATA_FOLDER_VARIABLE] = str(data_folder(app_folders))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_SCRIPT, str(app_folders / "settings")],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        qtbot.waitUntil(
            lambda: bool(_autosaves(app_folders)) or child.poll() is not None, timeout=CHILD_TIMEOUT_MS
        )
        assert child.poll() is None, child.stderr.read().decode(errors="replace")
    finally:
        child.kill()
        # Reaping the child matters: the lock check treats a zombie process as running.
        child.wait()
        child.stderr.close()
    return _autosaves(app_folders)


# -- autosave --------------------------------------------------------------------------------


def test_edit_autosaves(app_window, qtbot, app_folders):
    _edit_seed(app_window)

    qtbot.waitUntil(lambda: len(_autosaves(app_folders)) == 1)
    content = json.loads(_autosaves(app_folders)[0].read_text(encoding="utf-8"))
    assert content["format"] == AUTOSAVE_FORMAT
    assert content["project"]["seed"] == 7
    assert content["project_path"] is None


def test_no_autosave_without_changes(app_window, app_folders):
    assert app_window.autosave.save_now() is False
    assert _autosaves(app_folders) == []


def test_save_removes_autosave(app_window, qtbot, app_folders, tmp_path):
    _edit_seed(app_window)
    qtbot.waitUntil(lambda: len(_autosaves(app_folders)) == 1)

    app_window.save_project_file(tmp_path / "saved.json")
    assert _autosaves(app_folders) == []


def test_undo_to_clean_removes_autosave(app_window, qtbot, app_folders):
    _edit_seed(app_window)
    qtbot.waitUntil(lambda: len(_autosaves(app_folders)) == 1)

    app_window.actions.undo.trigger()
    assert _autosaves(app_folders) == []


def test_close_removes_autosave_and_lock(app_window, qtbot, app_folders):
    _edit_seed(app_window)
    qtbot.waitUntil(lambda: len(_autosaves(app_folders)) == 1)

    app_window.ask_to_save = False
    app_window.close()
    assert list(autosave_folder(data_folder(app_folders)).iterdir()) == []


def test_autosave_records_project_file(app_window, qtbot, app_folders, tmp_path):
    path = tmp_path / "project.json"
    app_window.save_project_file(path)
    _edit_seed(app_window)

    qtbot.waitUntil(lambda: len(_autosaves(app_folders)) == 1)
    content = json.loads(_autosaves(app_folders)[0].read_text(encoding="utf-8"))
    assert content["project_path"] == str(path)


def test_interval_autosave_without_edit(qtbot, tmp_path):
    project = load_example("weighted-gradients")
    autosave = Autosave(tmp_path, lambda: (project, None, True), interval_ms=50)

    qtbot.waitUntil(autosave.path.exists)
    autosave.close()
    assert not autosave.path.exists()


def test_live_window_autosave_not_offered(app_window, qtbot, app_folders):
    _edit_seed(app_window)
    qtbot.waitUntil(lambda: len(_autosaves(app_folders)) == 1)

    assert find_recoverable(data_folder(app_folders)) == []


# -- recovery after a crash ------------------------------------------------------------------


def _open_after_crash(qtbot, app_folders):
    window = open_main_window(None, AppSettings.for_user(), data_folder(app_folders))
    track_window(qtbot, window)
    return window


def test_recover_after_crash(crashed_app, qtbot, app_folders):
    window = _open_after_crash(qtbot, app_folders)
    box = wait_for_message_box(qtbot, window, "can be recovered")
    assert "weighted-gradients" in box.informativeText()

    click(box, "Recover")
    qtbot.waitUntil(lambda: window.session.project.seed == 1234)
    assert window.session.project.tapes[0].optimizer.hyperparameters["learning_rate"] == 0.25
    assert window.isWindowModified()
    assert not crashed_app[0].exists()

    # The recovered changes are unsaved, so this window's own autosave holds them now.
    [autosave] = _autosaves(app_folders)
    assert autosave == window.autosave.path
    assert json.loads(autosave.read_text(encoding="utf-8"))["project"]["seed"] == 1234


def test_discard_after_crash(crashed_app, qtbot, app_folders):
    window = _open_after_crash(qtbot, app_folders)
    click(wait_for_message_box(qtbot, window, "can be recovered"), "Discard")

    qtbot.waitUntil(lambda: not crashed_app[0].exists())
    assert window.session.project.seed == 0
    assert not window.isWindowModified()


def test_later_keeps_autosave(crashed_app, qtbot, app_folders):
    window = _open_after_crash(qtbot, app_folders)
    click(wait_for_message_box(qtbot, window, "can be recovered"), "Later")

    qtbot.waitUntil(lambda: len(find_recoverable(data_folder(app_folders))) == 1)
    assert crashed_app[0].exists()
    assert window.session.project.seed == 0


def test_stale_lock_without_autosave_removed(app_window, app_folders):
    stale = autosave_folder(data_folder(app_folders)) / "ended.lock"
    subprocess.run([sys.executable, "-c", LOCK_AND_EXIT_SCRIPT, str(stale)], check=True)
    assert stale.exists()

    assert find_recoverable(data_folder(app_folders)) == []
    assert not stale.exists()
    assert app_window.autosave.path.with_suffix(".lock").exists()


@pytest.mark.parametrize("text", ["[1, 2]", "{not json", '{"format": "other"}'])
def test_invalid_autosave_left_in_place(app_folders, text):
    folder = autosave_folder(data_folder(app_folders))
    folder.mkdir(parents=True)
    autosave = folder / "invalid.json"
    autosave.write_text(text, encoding="utf-8")

    assert find_recoverable(data_folder(app_folders)) == []
    assert autosave.read_text(encoding="utf-8") == text
