"""run_app builds the window, opens the requested project and returns the event loop's code.

QApplication.exec is replaced by a function that inspects and closes the window, because a
real exec would need QApplication.quit, which also ends the event loops of later tests.
"""

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from tapestudio.gui import MainWindow, run_app
from tapestudio.studio import load_example, save_project


@pytest.fixture
def run_and_inspect(qapp, monkeypatch):
    """Return a function that calls run_app(project) and returns what its window showed."""
    seen = {}

    def inspect_and_close(app):
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        window = windows[-1]
        seen["project"] = window.session.project.name
        seen["title"] = window.windowTitle()
        seen["messages"] = [box.text() for box in window.findChildren(QMessageBox) if box.isVisible()]
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", inspect_and_close)

    def run(project):
        seen["exit_code"] = run_app(project)
        return seen

    return run


def test_run_app_opens_default_example(run_and_inspect):
    seen = run_and_inspect(None)

    assert seen["exit_code"] == 0
    assert seen["project"] == "weighted-gradients"
    assert seen["messages"] == []


def test_run_app_opens_project_file(run_and_inspect, tmp_path):
    path = tmp_path / "flowers.json"
    save_project(load_example("iris"), path)

    seen = run_and_inspect(str(path))
    assert seen["project"] == "iris"
    assert seen["title"].startswith("flowers.json")


def test_run_app_reports_missing_file(run_and_inspect, tmp_path):
    seen = run_and_inspect(str(tmp_path / "missing.json"))

    assert seen["project"] == "weighted-gradients"
    assert len(seen["messages"]) == 1
    assert "missing.json" in seen["messages"][0]
