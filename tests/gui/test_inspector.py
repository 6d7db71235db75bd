"""The tape inspector dock and the pause at the first non-finite value, driven as a user would."""

from __future__ import annotations

import warnings

import pytest
from PySide6.QtWidgets import QMessageBox

from tapestudio.gui import MainWindow
from tapestudio.gui.inspector import ALL_TAPES, GRADIENT, OPERATION, SHAPES, VALUE
from tapestudio.studio import load_example

from .conftest import RUN_TIMEOUT_MS

LAYER1_OPS = ["ReadVariableOp", "MatMul", "AddV2", "Relu", "MatMul", "AddV2", "Sum"]
LAYER2_OPS = ["ReadVariableOp", "MatMul", "AddV2", "Sum"]
# With this learning rate weighted-gradients overflows float32 in the third step's forward pass.
DIVERGING_LEARNING_RATE = 1e10
DIVERGING_STEP = 3


def _op_names(inspector, tape):
    return [item.text(OPERATION).split()[-1] for item in inspector.op_items(tape)]


def _visible_message_boxes(window):
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


@pytest.fixture
def stepped_window(window, qtbot, wait_idle):
    """The weighted-gradients window after one Step, with the inspector showing it."""
    window.actions.step.trigger()
    wait_idle(window)
    qtbot.waitUntil(lambda: window.inspector.inspection is not None, timeout=RUN_TIMEOUT_MS)
    return window


@pytest.fixture
def diverging_window(qtbot):
    """A window on weighted-gradients whose learning rates make it overflow in a few steps."""
    project = load_example("weighted-gradients")
    for tape in project.tapes:
        tape.optimizer.hyperparameters["learning_rate"] = DIVERGING_LEARNING_RATE

    window = MainWindow(project)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with warnings.catch_warnings():
        # NumPy warns about the overflow that this fixture sets up.
        warnings.simplefilter("ignore", RuntimeWarning)
        yield window


def test_inspector_lists_ops_after_step(stepped_window):
    inspector = stepped_window.inspector

    assert inspector.inspection.step == 1
    assert _op_names(inspector, "layer1") == LAYER1_OPS
    assert _op_names(inspector, "layer2") == LAYER2_OPS


def test_inspector_shows_shapes_and_values(stepped_window):
    matmul = stepped_window.inspector.op_items("layer2")[1]

    assert matmul.text(SHAPES) == "(1, 64), (64, 10) \N{RIGHTWARDS ARROW} (1, 10)"
    assert matmul.text(VALUE).startswith("min ")
    assert matmul.childCount() == 2
    assert "Relu" in matmul.child(0).text(OPERATION)


def test_inspector_gradient_norm_matches_history(stepped_window):
    history = stepped_window.session.history
    read_kernel = stepped_window.inspector.op_items("layer2")[0]

    grad_norm = history.series("layer2", "dense_1/kernel", "grad_norm")[0]
    assert float(read_kernel.text(GRADIENT)) == pytest.approx(grad_norm, rel=1e-3)


def test_inspector_tape_rows_name_reached_variables(stepped_window):
    tree = stepped_window.inspector.tree

    rows = [tree.topLevelItem(row).text(OPERATION) for row in range(tree.topLevelItemCount())]

    assert len(rows) == 2
    assert "tape layer1" in rows[0]
    assert "reaches dense/kernel" in rows[0]
    assert "reaches dense_1/kernel" in rows[1]


def test_inspector_tape_choice_filters(stepped_window):
    inspector = stepped_window.inspector

    inspector.tape_combo.setCurrentText("layer2")

    assert inspector.tree.topLevelItemCount() == 1
    assert _op_names(inspector, "layer2") == LAYER2_OPS
    assert inspector.op_items("layer1") == []


def test_inspector_all_tapes_after_filter(stepped_window):
    inspector = stepped_window.inspector
    inspector.tape_combo.setCurrentText("layer1")

    inspector.tape_combo.setCurrentText(ALL_TAPES)

    assert inspector.tree.topLevelItemCount() == 2


def test_graph_draws_variables_and_ops(stepped_window):
    nodes = stepped_window.inspector.graph.node_items

    assert "variable:dense/kernel" in nodes
    assert "variable:dense_1/kernel" in nodes
    assert sorted(key for key in nodes if key.startswith("op:")) == [f"op:{n}" for n in range(8)]


def test_graph_tape_choice_fades_other_tape(stepped_window):
    inspector = stepped_window.inspector

    inspector.tape_combo.setCurrentText("layer2")

    nodes = inspector.graph.node_items
    assert nodes["op:0"].opacity() < 1.0
    assert nodes["op:4"].opacity() == 1.0


def test_inspector_follows_later_steps(stepped_window, qtbot, wait_idle):
    stepped_window.actions.step.trigger()
    wait_idle(stepped_window)

    qtbot.waitUntil(lambda: stepped_window.inspector.inspection.step == 2, timeout=RUN_TIMEOUT_MS)
    assert "Step 2" in stepped_window.inspector.step_label.text()


def test_hidden_inspector_stops_capture(window, qtbot):
    window.inspector.pause_check.setChecked(False)

    window.inspector_dock.hide()

    assert window.session.inspect is False


def test_pause_names_op_of_first_nonfinite(diverging_window, qtbot, wait_idle):
    diverging_window.actions.run.trigger()

    qtbot.waitUntil(lambda: len(_visible_message_boxes(diverging_window)) == 1, timeout=RUN_TIMEOUT_MS)
    wait_idle(diverging_window)
    box = _visible_message_boxes(diverging_window)[0]
    assert "MatMul" in box.text()
    assert f"step {DIVERGING_STEP}" in box.text()
    assert "objective" in box.text()
    box.close()


def test_pause_stops_at_first_nonfinite_step(diverging_window, qtbot, wait_idle):
    diverging_window.actions.run.trigger()

    qtbot.waitUntil(lambda: len(_visible_message_boxes(diverging_window)) == 1, timeout=RUN_TIMEOUT_MS)
    wait_idle(diverging_window)
    assert len(diverging_window.session.history) == DIVERGING_STEP
    assert diverging_window.actions.run.isEnabled()


def test_pause_selects_op_in_inspector(diverging_window, qtbot, wait_idle):
    diverging_window.actions.run.trigger()
    qtbot.waitUntil(lambda: len(_visible_message_boxes(diverging_window)) == 1, timeout=RUN_TIMEOUT_MS)
    wait_idle(diverging_window)

    inspector = diverging_window.inspector
    qtbot.waitUntil(lambda: inspector.tree.currentItem() is not None, timeout=RUN_TIMEOUT_MS)
    assert inspector.report.value.op_name == "MatMul"
    assert inspector.tree.currentItem().text(OPERATION).endswith("MatMul")
    assert inspector.nonfinite_label.isVisible()


def test_run_resumed_after_pause_goes_on(diverging_window, qtbot, wait_idle, wait_for_steps):
    diverging_window.actions.run.trigger()
    qtbot.waitUntil(lambda: len(_visible_message_boxes(diverging_window)) == 1, timeout=RUN_TIMEOUT_MS)
    wait_idle(diverging_window)
    _visible_message_boxes(diverging_window)[0].close()

    diverging_window.actions.run.trigger()
    wait_for_steps(diverging_window, DIVERGING_STEP + 3)
    diverging_window.actions.pause.trigger()
    wait_idle(diverging_window)

    assert _visible_message_boxes(diverging_window) == []


def test_pause_switched_off_runs_on(diverging_window, qtbot, wait_idle, wait_for_steps):
    diverging_window.inspector.pause_check.setChecked(False)

    diverging_window.actions.run.trigger()
    wait_for_steps(diverging_window, DIVERGING_STEP + 3)
    diverging_window.actions.pause.trigger()
    wait_idle(diverging_window)

    assert _visible_message_boxes(diverging_window) == []
