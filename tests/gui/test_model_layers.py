"""The model panel's layer list: add, remove and reorder layers, activations, initializers."""

from PySide6.QtCore import Qt

from tapestudio.keras import activations, initializers


def watched(window):
    return {tape.name: tape.variables for tape in window.session.project.tapes}


def test_add_then_remove_layer(window, qtbot):
    panel = window.model_panel

    qtbot.mouseClick(panel.add_layer_button, Qt.MouseButton.LeftButton)
    assert len(window.session.project.model.layers) == 3
    assert len(panel.layer_rows) == 3

    qtbot.mouseClick(panel.layer_rows[2].remove, Qt.MouseButton.LeftButton)
    assert len(window.session.project.model.layers) == 2
    assert len(panel.layer_rows) == 2


def test_move_layer_down_tapes_follow(window, qtbot):
    # The example's tape layer1 watches dense/kernel, layer2 watches dense_1/kernel.
    qtbot.mouseClick(window.model_panel.layer_rows[0].down, Qt.MouseButton.LeftButton)

    layers = window.session.project.model.layers
    assert [layer.units for layer in layers] == [10, 64]
    assert watched(window) == {"layer1": ["dense_1/kernel"], "layer2": ["dense/kernel"]}
    assert window.session.weights()["dense_1/kernel"].shape == (10, 64)


def test_move_layer_up_reported(window, qtbot):
    qtbot.mouseClick(window.model_panel.layer_rows[1].up, Qt.MouseButton.LeftButton)

    assert [layer.activation for layer in window.session.project.model.layers] == ["linear", "relu"]
    assert "the tapes follow the layers" in window.statusBar().currentMessage()


def test_move_buttons_at_ends_disabled(window):
    rows = window.model_panel.layer_rows

    assert not rows[0].up.isEnabled()
    assert rows[0].down.isEnabled()
    assert rows[1].up.isEnabled()
    assert not rows[1].down.isEnabled()


def test_only_layer_cannot_be_removed(window, qtbot):
    qtbot.mouseClick(window.model_panel.layer_rows[1].remove, Qt.MouseButton.LeftButton)

    assert not window.model_panel.layer_rows[0].remove.isEnabled()


def test_move_layer_undo_restores_tapes(window, qtbot):
    qtbot.mouseClick(window.model_panel.layer_rows[0].down, Qt.MouseButton.LeftButton)

    window.undo()

    assert watched(window) == {"layer1": ["dense/kernel"], "layer2": ["dense_1/kernel"]}


def test_activation_combo_lists_registry(window):
    combo = window.model_panel.layer_rows[0].activation
    items = {combo.itemText(index) for index in range(combo.count())}

    assert items == set(activations.names())


def test_activation_tooltip_from_op_description(window):
    combo = window.model_panel.layer_rows[0].activation
    row = combo.findText("softplus")

    tooltip = combo.itemData(row, Qt.ItemDataRole.ToolTipRole)

    assert tooltip == "softplus: log(1 + exp(x)), computed without overflow."


def test_change_activation(window):
    window.model_panel.layer_rows[0].activation.setCurrentText("softsign")

    assert window.session.project.model.layers[0].activation == "softsign"
    assert "softsign" in window.model_panel.layer_rows[0].activation.toolTip()


def test_initializer_combos_list_registry(window):
    combo = window.model_panel.layer_rows[0].kernel_initializer
    items = [combo.itemText(index) for index in range(combo.count())]

    assert items == initializers.names()


def test_change_initializers(window):
    row = window.model_panel.layer_rows[1]

    row.kernel_initializer.setCurrentText("ones")
    row.bias_initializer.setCurrentText("ones")

    layer = window.session.project.model.layers[1]
    assert (layer.kernel_initializer, layer.bias_initializer) == ("ones", "ones")
    assert (window.session.weights()["dense_1/kernel"] == 1).all()
    assert (window.session.weights()["dense_1/bias"] == 1).all()


def test_bias_off_disables_bias_initializer(window):
    row = window.model_panel.layer_rows[0]

    row.bias.setChecked(False)

    assert not window.model_panel.layer_rows[0].bias_initializer.isEnabled()
    assert "dense/bias" not in window.session.variable_names


def test_activations_refresh_on_plugins_changed(window):
    combo = window.model_panel.layer_rows[0].activation
    combo.addItem("stale")

    window.plugins_changed.emit()

    assert combo.findText("stale") < 0
    assert combo.currentText() == "relu"
