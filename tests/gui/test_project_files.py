"""New, Open, Open Recent, Save and Save As, and the question before unsaved changes are lost."""

import copy
import json

import pytest
from PySide6.QtWidgets import QMessageBox

from tapestudio.gui.settings import MAX_RECENT_FILES, AppSettings
from tapestudio.studio import load_example, load_project, save_project

from .app_helpers import (
    choose_file,
    click,
    make_app_window,
    shown_title,
    visible_message_boxes,
    wait_for_file_dialog,
    wait_for_message_box,
)

Button = QMessageBox.StandardButton


@pytest.fixture
def app_window(qtbot, app_folders):
    return make_app_window(qtbot, app_folders)


@pytest.fixture
def iris_file(tmp_path):
    path = tmp_path / "iris.json"
    save_project(load_example("iris"), path)
    return path


def _edit_seed(window, seed=7):
    project = copy.deepcopy(window.session.project)
    project.seed = seed
    assert window.apply_project_edit(project)


# -- New ------------------------------------------------------------------------------------


def test_new_opens_untitled_copy(app_window):
    app_window.actions.new.trigger()

    assert app_window.session.project.name == "untitled"
    assert app_window.project_path is None
    assert shown_title(app_window) == "untitled \N{EN DASH} TapeStudio"
    assert not app_window.isWindowModified()


def test_new_with_changes_asks(app_window, qtbot):
    _edit_seed(app_window)
    app_window.actions.new.trigger()

    box = wait_for_message_box(qtbot, app_window, "Save the changes")
    assert "weighted-gradients" in box.text()
    assert app_window.session.project.name == "weighted-gradients"


def test_new_cancel_keeps_changes(app_window, qtbot):
    _edit_seed(app_window)
    app_window.actions.new.trigger()
    click(wait_for_message_box(qtbot, app_window, "Save the changes"), Button.Cancel)

    qtbot.waitUntil(lambda: not visible_message_boxes(app_window))
    assert app_window.session.project.seed == 7
    assert app_window.isWindowModified()


def test_new_discard_drops_changes(app_window, qtbot):
    _edit_seed(app_window)
    app_window.actions.new.trigger()
    click(wait_for_message_box(qtbot, app_window, "Save the changes"), Button.Discard)

    qtbot.waitUntil(lambda: app_window.session.project.name == "untitled")
    assert not app_window.isWindowModified()


def test_new_save_writes_file_first(app_window, qtbot, tmp_path):
    path = tmp_path / "first.json"
    app_window.save_project_file(path)
    _edit_seed(app_window, seed=11)

    app_window.actions.new.trigger()
    click(wait_for_message_box(qtbot, app_window, "Save the changes"), Button.Save)

    qtbot.waitUntil(lambda: app_window.session.project.name == "untitled")
    assert load_project(path).seed == 11


def test_new_save_without_file_asks_for_one(app_window, qtbot, tmp_path):
    _edit_seed(app_window)
    app_window.actions.new.trigger()
    click(wait_for_message_box(qtbot, app_window, "Save the changes"), Button.Save)

    choose_file(qtbot, app_window, tmp_path / "kept")
    qtbot.waitUntil(lambda: app_window.session.project.name == "untitled")
    assert load_project(tmp_path / "kept.json").seed == 7


# -- Save and Save As ----------------------------------------------------------------------


def test_save_as_adds_suffix(app_window, qtbot, tmp_path):
    app_window.actions.save_as.trigger()
    choose_file(qtbot, app_window, tmp_path / "experiment")

    path = tmp_path / "experiment.json"
    qtbot.waitUntil(path.exists)
    assert app_window.project_path == path
    assert shown_title(app_window) == "experiment.json \N{EN DASH} TapeStudio"
    assert load_project(path).name == "weighted-gradients"


def test_save_as_suggests_project_name(app_window, qtbot):
    app_window.actions.save_as.trigger()
    dialog = wait_for_file_dialog(qtbot, app_window)

    assert dialog.selectedFiles()[0].endswith("weighted-gradients.json")
    assert dialog.defaultSuffix() == "json"
    dialog.reject()


def test_save_as_keeps_other_suffix(app_window, qtbot, tmp_path):
    app_window.actions.save_as.trigger()
    choose_file(qtbot, app_window, tmp_path / "experiment.tape")

    qtbot.waitUntil((tmp_path / "experiment.tape").exists)
    assert not (tmp_path / "experiment.tape.json").exists()


def test_save_as_cancel_writes_nothing(app_window, qtbot, tmp_path):
    app_window.actions.save_as.trigger()
    wait_for_file_dialog(qtbot, app_window).reject()

    assert app_window.project_path is None
    assert list(tmp_path.iterdir()) == []


def test_suffix_added_after_dialog_asks_to_replace(app_window, qtbot, tmp_path):
    # A native dialog that ignores the default suffix returns the name as typed.
    existing = tmp_path / "taken.json"
    existing.write_text("{}", encoding="utf-8")
    app_window.actions.save_as.trigger()
    dialog = wait_for_file_dialog(qtbot, app_window)
    dialog.fileSelected.emit(str(tmp_path / "taken"))
    dialog.reject()

    click(wait_for_message_box(qtbot, app_window, "Replace it?"), Button.Yes)
    qtbot.waitUntil(lambda: app_window.project_path == existing)
    assert json.loads(existing.read_text(encoding="utf-8"))["name"] == "weighted-gradients"


def test_suffix_added_replace_cancelled(app_window, qtbot, tmp_path):
    existing = tmp_path / "taken.json"
    existing.write_text("{}", encoding="utf-8")
    app_window.actions.save_as.trigger()
    dialog = wait_for_file_dialog(qtbot, app_window)
    dialog.fileSelected.emit(str(tmp_path / "taken"))
    dialog.reject()

    click(wait_for_message_box(qtbot, app_window, "Replace it?"), Button.Cancel)
    qtbot.waitUntil(lambda: not visible_message_boxes(app_window))
    assert existing.read_text(encoding="utf-8") == "{}"
    assert app_window.project_path is None


def test_save_writes_edits_to_file(app_window, tmp_path):
    path = tmp_path / "project.json"
    app_window.save_project_file(path)
    _edit_seed(app_window, seed=21)

    app_window.actions.save.trigger()
    assert load_project(path).seed == 21
    assert not app_window.isWindowModified()


def test_save_leaves_no_temporary_files(app_window, tmp_path):
    app_window.save_project_file(tmp_path / "project.json")
    _edit_seed(app_window)
    app_window.actions.save.trigger()

    assert [path.name for path in tmp_path.iterdir()] == ["project.json"]


# -- Open ------------------------------------------------------------------------------------


def test_open_dialog_opens_file(app_window, qtbot, iris_file):
    app_window.actions.open.trigger()
    choose_file(qtbot, app_window, iris_file)

    qtbot.waitUntil(lambda: app_window.session.project.name == "iris")
    assert app_window.project_path == iris_file
    assert app_window.settings.recent_files()[0] == iris_file


def test_open_with_changes_asks_first(app_window, qtbot, iris_file):
    _edit_seed(app_window)
    app_window.actions.open.trigger()
    choose_file(qtbot, app_window, iris_file)

    click(wait_for_message_box(qtbot, app_window, "before opening iris.json"), Button.Discard)
    qtbot.waitUntil(lambda: app_window.session.project.name == "iris")


def test_open_invalid_file_keeps_project(app_window, qtbot, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    app_window.actions.open.trigger()
    choose_file(qtbot, app_window, broken)

    wait_for_message_box(qtbot, app_window, "broken.json")
    assert app_window.session.project.name == "weighted-gradients"
    assert broken not in app_window.settings.recent_files()


def test_example_menu_asks_first(app_window, qtbot):
    _edit_seed(app_window)
    [iris] = [action for action in app_window.actions.examples_menu.actions() if action.text() == "iris"]
    iris.trigger()

    click(wait_for_message_box(qtbot, app_window, "the example iris"), Button.Discard)
    qtbot.waitUntil(lambda: app_window.session.project.name == "iris")


# -- Open Recent -----------------------------------------------------------------------------


def _recent_actions(window):
    menu = window.actions.recent_menu
    menu.aboutToShow.emit()
    return [action for action in menu.actions() if action.data()]


def test_recent_menu_lists_saved_files(app_window, tmp_path):
    for name in ("one.json", "two.json"):
        app_window.save_project_file(tmp_path / name)

    texts = [action.text() for action in _recent_actions(app_window)]
    assert texts == ["&1 two.json", "&2 one.json"]


def test_recent_menu_opens_file(app_window, qtbot, iris_file):
    app_window.settings.add_recent_file(iris_file)
    [action] = _recent_actions(app_window)

    action.trigger()
    assert app_window.session.project.name == "iris"


def test_recent_files_keep_ten(app_window, tmp_path):
    paths = [tmp_path / f"project{number}.json" for number in range(MAX_RECENT_FILES + 2)]
    for path in paths:
        app_window.settings.add_recent_file(path)

    recent = app_window.settings.recent_files()
    assert len(recent) == MAX_RECENT_FILES
    assert recent[0] == paths[-1]
    assert paths[0] not in recent
    assert _recent_actions(app_window)[-1].text() == "1&0 project2.json"


def test_recent_file_moves_to_top(app_window, tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    app_window.settings.add_recent_file(first)
    app_window.settings.add_recent_file(second)
    app_window.settings.add_recent_file(first)

    assert app_window.settings.recent_files() == [first, second]


def test_missing_recent_file_removed(app_window, qtbot, tmp_path):
    missing = tmp_path / "gone.json"
    app_window.settings.add_recent_file(missing)
    [action] = _recent_actions(app_window)

    action.trigger()
    box = wait_for_message_box(qtbot, app_window, "no longer exists")
    assert "gone.json" in box.text()
    assert missing not in app_window.settings.recent_files()
    assert app_window.session.project.name == "weighted-gradients"


def test_clear_recent_files(app_window, tmp_path):
    app_window.settings.add_recent_file(tmp_path / "one.json")
    menu = app_window.actions.recent_menu
    menu.aboutToShow.emit()
    [clear] = [action for action in menu.actions() if "Clear" in action.text()]

    clear.trigger()
    assert app_window.settings.recent_files() == []


def test_recent_files_kept_between_runs(app_window, tmp_path):
    app_window.save_project_file(tmp_path / "kept.json")
    app_window.settings.sync()

    assert AppSettings.for_user().recent_files() == [tmp_path / "kept.json"]


# -- closing ---------------------------------------------------------------------------------


def test_close_with_changes_asks(app_window, qtbot):
    _edit_seed(app_window)
    app_window.close()

    wait_for_message_box(qtbot, app_window, "before closing")
    assert app_window.isVisible()


def test_close_cancel_keeps_window(app_window, qtbot):
    _edit_seed(app_window)
    app_window.actions.quit.trigger()
    click(wait_for_message_box(qtbot, app_window, "before closing"), Button.Cancel)

    qtbot.waitUntil(lambda: not visible_message_boxes(app_window))
    assert app_window.isVisible()
    assert app_window.controller.is_thread_running()


def test_close_discard_closes(app_window, qtbot):
    _edit_seed(app_window)
    app_window.actions.quit.trigger()
    click(wait_for_message_box(qtbot, app_window, "before closing"), Button.Discard)

    qtbot.waitUntil(lambda: not app_window.isVisible())
    assert not app_window.controller.is_thread_running()


def test_close_save_writes_then_closes(app_window, qtbot, tmp_path):
    path = tmp_path / "closing.json"
    app_window.save_project_file(path)
    _edit_seed(app_window, seed=5)

    app_window.close()
    click(wait_for_message_box(qtbot, app_window, "before closing"), Button.Save)

    qtbot.waitUntil(lambda: not app_window.isVisible())
    assert load_project(path).seed == 5


def test_close_without_changes_does_not_ask(app_window):
    app_window.close()

    assert not app_window.isVisible()
    assert visible_message_boxes(app_window) == []
