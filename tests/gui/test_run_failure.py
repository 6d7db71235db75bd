"""A plugin that fails during a run stops it with a message; the window and the history stay.

The failing op and optimizer come from the test plugin distributions (tests/plugins/fixtures),
installed for the test session: ``FailsAtStepFive`` raises in its fifth update, and
``wrong_vjp_shape`` returns a VJP of the wrong shape on the first backward pass.
"""

import csv
import json

import pytest
from PySide6.QtWidgets import QMessageBox

from tapestudio.gui import MainWindow
from tapestudio.studio import load_example

FAILING_STEP = 5
STEP_FIVE_DISTRIBUTION = "tapestudio-fixture-step-five"


def _window(qtbot, project):
    window = MainWindow(project)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def failing_window(qtbot, plugins_on_path):
    project = load_example("weighted-gradients")
    project.tapes[0].optimizer.name = "FailsAtStepFive"
    return _window(qtbot, project)


@pytest.fixture
def wrong_vjp_window(qtbot, plugins_on_path):
    project = load_example("weighted-gradients")
    project.model.layers[0].activation = "wrong_vjp_shape"
    return _window(qtbot, project)


def _visible_message_boxes(window):
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def _run_until_failure(window, qtbot, wait_idle):
    window.actions.run.trigger()
    qtbot.waitUntil(lambda: len(_visible_message_boxes(window)) == 1, timeout=20_000)
    wait_idle(window)
    return _visible_message_boxes(window)[0]


def test_failed_step_shows_message(failing_window, qtbot, wait_idle):
    box = _run_until_failure(failing_window, qtbot, wait_idle)

    assert f"step {FAILING_STEP} failed" in box.text()
    assert f"optimizer 'FailsAtStepFive' from plugin {STEP_FIVE_DISTRIBUTION} 0.1.0" in box.text()
    assert "FloatingPointError" in box.text()
    assert "Run stopped" in failing_window.statusBar().currentMessage()
    box.close()


def test_failed_step_keeps_history(failing_window, qtbot, wait_idle):
    _run_until_failure(failing_window, qtbot, wait_idle)

    assert len(failing_window.session.history) == FAILING_STEP - 1
    assert failing_window.actions.run.isEnabled()
    assert failing_window.isVisible()


def test_failed_run_can_be_exported(failing_window, qtbot, tmp_path, wait_idle):
    _run_until_failure(failing_window, qtbot, wait_idle)

    failing_window.export_csv(tmp_path)
    with open(tmp_path / "metrics_wide.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    run = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert [int(row["step"]) for row in rows] == list(range(1, FAILING_STEP))
    assert run["plugins"] == [
        {"distribution": STEP_FIVE_DISTRIBUTION, "version": "0.1.0", "ops": [], "optimizers": ["FailsAtStepFive"]}
    ]


def test_wrong_vjp_shape_stops_first_step(wrong_vjp_window, qtbot, wait_idle):
    box = _run_until_failure(wrong_vjp_window, qtbot, wait_idle)

    assert "step 1 failed" in box.text()
    assert "op 'wrong_vjp_shape' from plugin tapestudio-fixture-bad-vjp 0.1.0" in box.text()
    assert "returned shape" in box.text()
    assert len(wrong_vjp_window.session.history) == 0
    assert wrong_vjp_window.isVisible()
