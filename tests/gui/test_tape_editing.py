"""Editing tapes through the real table, its buttons and the optimizer form.

The window runs the weighted-gradients example: tape layer1 watches dense/kernel (SGD, learning
rate 0.01) and tape layer2 watches dense_1/kernel (SGD, 0.001); both biases are frozen.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from tapestudio.gui.tape_table import NO_PARENT
from tapestudio.studio.history import HistoryEvent


@pytest.fixture
def panel(window):
    return window.tapes_panel


@pytest.fixture
def model(panel):
    return panel.model


def tape_names(window) -> list[str]:
    return [tape.name for tape in window.session.project.tapes]


def edit_cell(qtbot, view, index, text: str) -> None:
    """Open the cell's editor in the view, enter ``text`` and press Return."""
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.focusWidget()
    if isinstance(editor, QComboBox):
        editor.setCurrentText(text)
    else:
        assert isinstance(editor, QLineEdit)
        editor.selectAll()
        qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def toggle_cell(qtbot, view, index) -> None:
    """Toggle a check box cell with the space bar, as a keyboard user does."""
    view.setCurrentIndex(index)
    qtbot.keyClick(view, Qt.Key.Key_Space)


def type_into(qtbot, field: QLineEdit, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def choose_in_popup(qtbot, combo: QComboBox, text: str) -> None:
    """Open the combo box's list and click the entry ``text``, as a mouse user does."""
    combo.showPopup()
    popup = combo.view()
    qtbot.waitUntil(popup.isVisible)
    row = combo.findText(text)
    assert row >= 0, f"{text!r} is not offered; the entries are {[combo.itemText(i) for i in range(combo.count())]}"
    rect = popup.visualRect(popup.model().index(row, 0))
    qtbot.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def run_steps(window, count: int, qtbot, wait_idle) -> None:
    """Press Step ``count`` times, each time waiting until the step has finished."""
    for _ in range(count):
        target = window.session.step_count + 1
        window.actions.step.trigger()
        qtbot.waitUntil(lambda: window.session.step_count == target)
        wait_idle(window)


def nest_layer2_in_layer1(qtbot, panel, weight: str = "0.5") -> None:
    model = panel.model
    edit_cell(qtbot, panel.view, model.index(1, model.parent_column()), "layer1")
    qtbot.waitUntil(lambda: model.session.project.tape("layer2").parent == "layer1")
    edit_cell(qtbot, panel.view, model.index(1, model.penalty_column()), weight)
    qtbot.waitUntil(lambda: model.session.project.tape("layer2").penalty_weight == float(weight))


# -- add, rename, remove ---------------------------------------------------------------------


def test_add_button_adds_tape(window, panel):
    panel.add_button.click()

    assert tape_names(window) == ["layer1", "layer2", "tape3"]
    assert panel.model.rowCount() == 3


def test_rename_button_renames_tape(window, panel, qtbot):
    panel.view.selectRow(1)
    panel.rename_button.click()

    editor = panel.view.focusWidget()
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "layer2"
    editor.selectAll()
    qtbot.keyClicks(editor, "output")
    qtbot.keyClick(editor, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: tape_names(window) == ["layer1", "output"])
    assert ("output", "dense_1/kernel") in window.session.history.keys()


def test_rename_to_taken_name_rejected(window, panel, qtbot):
    edit_cell(qtbot, panel.view, panel.model.index(1, panel.model.name_column()), "layer1")

    qtbot.waitUntil(panel.message.isVisible)
    assert "already called 'layer1'" in panel.message.text()
    assert tape_names(window) == ["layer1", "layer2"]


def test_rename_with_slash_rejected(window, panel, qtbot):
    edit_cell(qtbot, panel.view, panel.model.index(0, panel.model.name_column()), "a/b")

    qtbot.waitUntil(panel.message.isVisible)
    assert "'/'" in panel.message.text()
    assert tape_names(window) == ["layer1", "layer2"]


def test_rename_parent_keeps_nesting(window, panel, qtbot):
    nest_layer2_in_layer1(qtbot, panel)

    edit_cell(qtbot, panel.view, panel.model.index(0, panel.model.name_column()), "outer")

    qtbot.waitUntil(lambda: tape_names(window) == ["outer", "layer2"])
    assert window.session.project.tape("layer2").parent == "outer"


def test_remove_button_removes_selected_tape(window, panel):
    panel.view.selectRow(0)
    panel.remove_button.click()

    assert tape_names(window) == ["layer2"]
    assert panel.model.rowCount() == 1


def test_remove_parent_moves_child_up(window, panel, qtbot):
    nest_layer2_in_layer1(qtbot, panel)

    panel.view.selectRow(0)
    panel.remove_button.click()

    assert tape_names(window) == ["layer2"]
    assert window.session.project.tape("layer2").parent is None


def test_tape_buttons_locked_while_running(window, panel, wait_for_steps, wait_idle):
    window.actions.run.trigger()
    wait_for_steps(window, 1)

    assert not panel.add_button.isEnabled()
    assert not panel.rename_button.isEnabled()
    assert not panel.remove_button.isEnabled()
    window.actions.pause.trigger()
    wait_idle(window)
    assert panel.add_button.isEnabled()


# -- persistent ------------------------------------------------------------------------------


def test_persistent_check_box_toggles(window, panel, qtbot):
    index = panel.model.index(0, panel.model.persistent_column())

    toggle_cell(qtbot, panel.view, index)

    assert window.session.project.tape("layer1").persistent is True
    assert panel.model.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked


def test_persistent_tape_gives_gradients_after_step(window, panel, qtbot, wait_idle):
    run_steps(window, 1, qtbot, wait_idle)
    toggle_cell(qtbot, panel.view, panel.model.index(0, panel.model.persistent_column()))

    run_steps(window, 1, qtbot, wait_idle)

    step = window.session.latest_tapes()["layer1"]
    first = step.tape.gradient(step.target, step.sources)
    second = step.tape.gradient(step.target, step.sources)
    np.testing.assert_array_equal(first[0].numpy(), second[0].numpy())
    assert window.session.history.events() == [HistoryEvent(2, "layer1: persistent False -> True")]


# -- nesting ---------------------------------------------------------------------------------


def test_parent_choices_exclude_itself(panel):
    choices = panel.model.data(panel.model.index(0, panel.model.parent_column()), Qt.ItemDataRole.UserRole + 1)

    assert choices == [NO_PARENT, "layer2"]


def test_nested_tape_excluded_from_parent_choices(panel, qtbot):
    nest_layer2_in_layer1(qtbot, panel)

    choices = panel.model.data(panel.model.index(0, panel.model.parent_column()), Qt.ItemDataRole.UserRole + 1)

    assert choices == [NO_PARENT]


def test_parent_and_penalty_set_in_table(window, panel, qtbot):
    nest_layer2_in_layer1(qtbot, panel, "0.5")

    tape = window.session.project.tape("layer2")
    assert tape.parent == "layer1"
    assert tape.penalty_weight == 0.5
    assert panel.model.data(panel.model.index(1, panel.model.parent_column())) == "layer1"


def test_nested_steps_add_penalty_to_parent(window, panel, qtbot, wait_idle):
    nest_layer2_in_layer1(qtbot, panel, "0.5")

    run_steps(window, 2, qtbot, wait_idle)

    steps = window.session.latest_tapes()
    gradient = steps["layer2"].gradients[0].numpy().astype(np.float64)
    penalty = 0.5 * np.sum(gradient**2)
    assert float(steps["layer2"].penalty.numpy()) == pytest.approx(penalty, rel=1e-5)
    objective = window.session.history.objective()[-1]
    assert float(steps["layer1"].target.numpy()) == pytest.approx(objective + penalty, rel=1e-5)


def test_penalty_weight_needs_parent(panel, qtbot):
    index = panel.model.index(0, panel.model.penalty_column())

    assert not panel.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not panel.model.setData(index, "0.5")
    assert "choose a parent first" in panel.message.text()


def test_negative_penalty_weight_rejected(window, panel, qtbot):
    nest_layer2_in_layer1(qtbot, panel, "0.5")

    edit_cell(qtbot, panel.view, panel.model.index(1, panel.model.penalty_column()), "-2")

    qtbot.waitUntil(panel.message.isVisible)
    assert "at least 0" in panel.message.text()
    assert window.session.project.tape("layer2").penalty_weight == 0.5


def test_parent_locked_penalty_live_while_running(window, panel, qtbot, wait_for_steps, wait_idle):
    nest_layer2_in_layer1(qtbot, panel, "0.5")
    model = panel.model
    window.actions.run.trigger()
    wait_for_steps(window, 1)

    assert not model.flags(model.index(1, model.parent_column())) & Qt.ItemFlag.ItemIsEditable
    earliest = window.session.step_count + 1
    assert model.setData(model.index(1, model.penalty_column()), "0.25")
    # A step in progress during the edit still runs with the old weight.
    latest = window.session.step_count + 2
    wait_for_steps(window, latest + 1)
    window.actions.pause.trigger()
    wait_idle(window)

    [event] = window.session.history.events()
    assert event.text == "layer2: penalty_weight 0.5 -> 0.25"
    assert earliest <= event.step <= latest


# -- optimizer and its form ------------------------------------------------------------------


def test_form_follows_selected_row(panel):
    panel.view.selectRow(1)

    assert panel.form.title() == "Optimizer of tape layer2"
    assert panel.form.fields["learning_rate"].text() == "0.001"


def test_form_tooltips_show_description_and_range(panel):
    field = panel.form.fields["momentum"]

    assert "momentum" in field.toolTip()
    assert "[0, 1]" in field.toolTip()


def test_change_optimizer_to_adam_in_form(window, panel, qtbot):
    choose_in_popup(qtbot, panel.form.optimizer_combo, "Adam")

    qtbot.waitUntil(lambda: window.session.project.tape("layer1").optimizer.name == "Adam")
    assert set(panel.form.fields) == {"learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"}
    assert panel.form.fields["learning_rate"].text() == "0.01"
    assert isinstance(panel.form.fields["amsgrad"], QCheckBox)


def test_edit_beta_1_in_form(window, panel, qtbot):
    choose_in_popup(qtbot, panel.form.optimizer_combo, "Adam")
    qtbot.waitUntil(lambda: "beta_1" in panel.form.fields)

    type_into(qtbot, panel.form.fields["beta_1"], "0.8")

    hyperparameters = window.session.project.tape("layer1").optimizer.hyperparameters
    qtbot.waitUntil(lambda: hyperparameters.get("beta_1") == 0.8)
    assert panel.form.fields["beta_1"].text() == "0.8"


def test_out_of_range_beta_1_rejected(window, panel, qtbot):
    choose_in_popup(qtbot, panel.form.optimizer_combo, "Adam")
    qtbot.waitUntil(lambda: "beta_1" in panel.form.fields)

    type_into(qtbot, panel.form.fields["beta_1"], "1.5")

    assert panel.message.isVisible()
    assert "beta_1 must be in [0, 1]" in panel.message.text()
    assert panel.form.fields["beta_1"].text() == "0.9"
    assert "beta_1" not in window.session.project.tape("layer1").optimizer.hyperparameters


def test_text_in_number_field_rejected(window, panel, qtbot):
    type_into(qtbot, panel.form.fields["learning_rate"], "fast")

    assert "not 'fast'" in panel.message.text()
    assert window.session.project.tape("layer1").optimizer.hyperparameters["learning_rate"] == 0.01


def test_flag_is_check_box_in_form(window, panel, qtbot):
    qtbot.mouseClick(panel.form.fields["nesterov"], Qt.MouseButton.LeftButton)

    assert window.session.project.tape("layer1").optimizer.hyperparameters["nesterov"] is True


def test_negative_learning_rate_in_table_rejected(window, panel, qtbot):
    index = panel.model.index(0, panel.model.hyperparameter_column("learning_rate"))

    edit_cell(qtbot, panel.view, index, "-1")

    qtbot.waitUntil(panel.message.isVisible)
    assert "learning_rate must be in [0, inf)" in panel.message.text()
    assert window.session.project.tape("layer1").optimizer.hyperparameters["learning_rate"] == 0.01


def test_optimizer_change_during_run_is_event(window, panel, qtbot, wait_for_steps, wait_idle):
    window.actions.run.trigger()
    wait_for_steps(window, 2)

    choose_in_popup(qtbot, panel.form.optimizer_combo, "RMSprop")
    qtbot.waitUntil(lambda: window.session.project.tape("layer1").optimizer.name == "RMSprop")
    wait_for_steps(window, window.session.step_count + 2)
    window.actions.pause.trigger()
    wait_idle(window)

    texts = [event.text for event in window.session.history.events()]
    assert texts == ["layer1: optimizer SGD -> RMSprop (learning_rate=0.01)"]
    assert window.is_running() is False


def test_live_learning_rate_change_is_event(window, panel, qtbot, wait_for_steps, wait_idle):
    window.actions.run.trigger()
    wait_for_steps(window, 2)

    type_into(qtbot, panel.form.fields["learning_rate"], "0.02")
    hyperparameters = window.session.project.tape("layer1").optimizer.hyperparameters
    qtbot.waitUntil(lambda: hyperparameters["learning_rate"] == 0.02)
    wait_for_steps(window, window.session.step_count + 3)
    window.actions.pause.trigger()
    wait_idle(window)

    history = window.session.history
    [event] = history.events()
    assert event.text == "layer1: learning_rate 0.01 -> 0.02"

    # SGD's update is learning_rate times the gradient: 0.01 before the event, 0.02 from it on.
    ratios = history.series("layer1", "dense/kernel", "update_norm") / history.series(
        "layer1", "dense/kernel", "grad_norm"
    )
    steps = history.steps()
    np.testing.assert_allclose(ratios[steps < event.step], 0.01, rtol=1e-4)
    np.testing.assert_allclose(ratios[steps >= event.step], 0.02, rtol=1e-4)


def test_plugin_optimizer_offered_after_install(window, panel, qtbot, plugins_on_path):
    # The plugins were installed after the window opened; opening the list reads them again.
    choose_in_popup(qtbot, panel.form.optimizer_combo, "Lion")

    qtbot.waitUntil(lambda: window.session.project.tape("layer1").optimizer.name == "Lion")
    assert "learning_rate" in panel.form.fields
    assert len(panel.form.fields) > 1


def test_plugins_changed_refreshes_form_choices(window, panel, plugins_on_path):
    window.plugins_changed.emit()

    assert panel.form.optimizer_combo.findText("Lion") >= 0


def test_plugin_optimizer_in_table_choices(panel, plugins_on_path):
    choices = panel.model.data(panel.model.index(0, panel.model.optimizer_column()), Qt.ItemDataRole.UserRole + 1)

    assert "Lion" in choices


# -- frozen and shared variables -------------------------------------------------------------


def test_frozen_variables_marked(panel):
    model = panel.model
    column = model.variable_column("dense/bias")

    assert model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DecorationRole) is not None
    assert model.data(model.index(0, column), Qt.ItemDataRole.BackgroundRole) is not None
    assert "frozen" in model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "Frozen: dense/bias, dense_1/bias." in panel.legend_summary.text()


def test_trained_variable_not_marked(panel):
    model = panel.model
    column = model.variable_column("dense/kernel")

    assert model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DecorationRole) is None


def test_shared_variable_marked(panel, qtbot):
    model = panel.model
    column = model.variable_column("dense/kernel")

    toggle_cell(qtbot, panel.view, model.index(1, column))

    assert model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DecorationRole) is not None
    assert model.data(model.index(1, column), Qt.ItemDataRole.BackgroundRole) is not None
    assert "layer1, layer2" in model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "Shared: dense/kernel." in panel.legend_summary.text()
