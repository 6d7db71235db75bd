"""Window layout, recent files and the last folder, kept in QSettings between runs."""

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QSplitter

from tapestudio.gui.app import open_main_window
from tapestudio.gui.settings import AppSettings, named_splitters

from .app_helpers import data_folder, track_window


def _open(qtbot, app_folders):
    window = open_main_window(None, AppSettings.for_user(), data_folder(app_folders))
    track_window(qtbot, window)
    qtbot.waitExposed(window)
    return window


def _first_splitter(window) -> QSplitter:
    return window.plots.findChildren(QSplitter)[0]


def test_layout_restored_in_next_window(qtbot, app_folders):
    first = _open(qtbot, app_folders)
    first.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, first.model_dock)
    # The offscreen screen is 800 by 800 pixels, and restoreGeometry shrinks a window to fit
    # its screen, so only the height (the default is 900) shows the geometry restored.
    first.resize(first.width(), 640)
    _first_splitter(first).setSizes([120, 500])
    sizes = _first_splitter(first).sizes()
    first.close()

    second = _open(qtbot, app_folders)
    assert second.height() == 640
    assert second.dockWidgetArea(second.model_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert _first_splitter(second).sizes() == sizes


def test_hidden_dock_stays_hidden(qtbot, app_folders):
    first = _open(qtbot, app_folders)
    first.tapes_dock.hide()
    first.close()

    second = _open(qtbot, app_folders)
    assert not second.tapes_dock.isVisible()
    assert second.model_dock.isVisible()


def test_first_start_uses_default_layout(qtbot, app_folders):
    window = _open(qtbot, app_folders)

    assert window.dockWidgetArea(window.log_dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert window.dockWidgetArea(window.model_dock) == Qt.DockWidgetArea.LeftDockWidgetArea


def test_settings_file_in_test_folder(app_folders):
    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "TapeStudio", "TapeStudio")

    assert settings.fileName().startswith(str(app_folders))


def test_splitter_keys_unique(window):
    splitters = named_splitters(window)

    assert len(splitters) == len(window.findChildren(QSplitter))


def test_recent_files_survive_new_settings_object(app_folders, tmp_path):
    settings = AppSettings.for_user()
    settings.add_recent_file(tmp_path / "a.json")
    settings.add_recent_file(tmp_path / "b.json")
    settings.sync()

    assert AppSettings.for_user().recent_files() == [tmp_path / "b.json", tmp_path / "a.json"]


def test_single_recent_file_survives(app_folders, tmp_path):
    settings = AppSettings.for_user()
    settings.add_recent_file(tmp_path / "only.json")
    settings.sync()

    assert AppSettings.for_user().recent_files() == [tmp_path / "only.json"]


def test_last_folder_kept(app_folders, tmp_path):
    AppSettings.for_user().set_last_folder(tmp_path)

    assert AppSettings.for_user().last_folder() == tmp_path


def test_missing_last_folder_falls_back_home(app_folders, tmp_path):
    settings = AppSettings.in_memory()
    settings.set_last_folder(tmp_path / "deleted")

    assert settings.last_folder().is_dir()
    assert settings.last_folder() != tmp_path / "deleted"


def test_in_memory_settings_not_shared(tmp_path):
    AppSettings.in_memory().add_recent_file(tmp_path / "a.json")

    assert AppSettings.in_memory().recent_files() == []
