"""A training step that fails reaches the window as a message; the history so far is kept."""

import csv

import pytest
from PySide6.QtWidgets import QMessageBox

from tapestudio.gui import MainWindow
from tapestudio.optimizers import SGD, registry
from tapestudio.studio import load_example

FAILING_ITERATION = 4


class FailingSGD(SGD):
    """SGD that raises on its fourth update, as a broken plugin optimizer would."""

    def update_step(self, gradient, variable, slots):
        if self.iterations >= FAILING_ITERATION:
            raise FloatingPointError(f"update {self.iterations} of {variable.path} failed")
        return super().update_step(gradient, variable, slots)


@pytest.fixture
def failing_window(qtbot, monkeypatch):
    # NOTE: registers the optimizer in the registry's table; switch to a test plugin
    # distribution once optimizers are discovered through entry points.
    monkeypatch.setitem(registry._OPTIMIZERS, "FailingSGD", FailingSGD)
    project = load_example("weighted-gradients")
    project.tapes[0].optimizer.name = "FailingSGD"

    window = MainWindow(project)
    qtbot.addWidget(window)
    window.show()
    return window


def _visible_message_boxes(window):
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_failed_step_shows_message(failing_window, qtbot, wait_idle):
    failing_window.actions.run.trigger()

    qtbot.waitUntil(lambda: len(_visible_message_boxes(failing_window)) == 1, timeout=20_000)
    wait_idle(failing_window)
    box = _visible_message_boxes(failing_window)[0]
    assert f"step {FAILING_ITERATION} failed" in box.text()
    assert "FloatingPointError" in box.text()
    assert "Run stopped" in failing_window.statusBar().currentMessage()
    box.close()


def test_failed_step_keeps_history(failing_window, qtbot, wait_idle):
    failing_window.actions.run.trigger()
    qtbot.waitUntil(lambda: len(_visible_message_boxes(failing_window)) == 1, timeout=20_000)
    wait_idle(failing_window)

    assert len(failing_window.session.history) == FAILING_ITERATION - 1
    assert failing_window.actions.run.isEnabled()
    assert failing_window.isVisible()


def test_failed_run_can_be_exported(failing_window, qtbot, tmp_path, wait_idle):
    failing_window.actions.run.trigger()
    qtbot.waitUntil(lambda: len(_visible_message_boxes(failing_window)) == 1, timeout=20_000)
    wait_idle(failing_window)

    failing_window.export_csv(tmp_path)
    with open(tmp_path / "metrics_wide.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [int(row["step"]) for row in rows] == list(range(1, FAILING_ITERATION))
