"""The model panel: each edit rebuilds the session with an edited copy of the project."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox


def test_units_edit_rebuilds_session(window):
    window.model_panel.layer_rows[0].units.setValue(8)

    assert window.session.project.model.layers[0].units == 8
    assert window.session.weights()["dense/kernel"].shape == (10, 8)
    assert window.isWindowModified()


def test_activation_edit_rebuilds_session(window):
    window.model_panel.layer_rows[1].activation.setCurrentText("tanh")

    assert window.session.project.model.layers[1].activation == "tanh"


def test_activation_combo_lists_common_names(window):
    combo = window.model_panel.layer_rows[0].activation
    items = [combo.itemText(i) for i in range(combo.count())]

    assert items[:5] == ["linear", "relu", "sigmoid", "tanh", "softmax"]


def test_input_size_edit_rebuilds_session(window):
    window.model_panel.input_size.setValue(3)

    assert window.session.weights()["dense/kernel"].shape == (3, 64)


def test_edit_clears_history(window, qtbot, wait_idle):
    window.actions.step.trigger()
    qtbot.waitUntil(lambda: window.session.step_count == 1)
    wait_idle(window)

    window.model_panel.seed.setValue(7)
    assert window.session.project.seed == 7
    assert len(window.session.history) == 0


def test_add_layer_appends_dense(window):
    window.model_panel.add_layer_button.click()

    assert len(window.session.project.model.layers) == 3
    assert "dense_2/kernel" in window.session.variable_names
    assert len(window.model_panel.layer_rows) == 3


def test_remove_layer_renames_tape_variables(window):
    window.model_panel.add_layer_button.click()
    window.model_panel.layer_rows[0].remove.click()

    tapes = {tape.name: tape.variables for tape in window.session.project.tapes}
    assert tapes["layer1"] == []
    assert tapes["layer2"] == ["dense/kernel"]
    assert len(window.model_panel.layer_rows) == 2


def test_bias_off_drops_tape_variable(window):
    model = window.tapes_panel.model
    index = model.index(1, model.variable_column("dense_1/bias"))
    model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert window.session.project.tapes[1].variables == ["dense_1/kernel", "dense_1/bias"]

    window.model_panel.layer_rows[1].bias.setChecked(False)

    assert "dense_1/bias" not in window.session.variable_names
    assert window.session.project.tapes[1].variables == ["dense_1/kernel"]


def test_invalid_edit_keeps_session(window, qtbot):
    window.model_panel.objective.setCurrentText("softmax_cross_entropy")

    qtbot.waitUntil(lambda: any(box.isVisible() for box in window.findChildren(QMessageBox)))
    box = next(box for box in window.findChildren(QMessageBox) if box.isVisible())
    assert "not applied" in box.text()
    box.close()
    assert window.session.project.objective == "sum"
    assert window.model_panel.objective.currentText() == "sum"


def test_panel_disabled_while_running(window, wait_for_steps, wait_idle):
    window.actions.run.trigger()
    wait_for_steps(window, 1)

    assert not window.model_panel.isEnabled()
    window.actions.pause.trigger()
    wait_idle(window)
    assert window.model_panel.isEnabled()
