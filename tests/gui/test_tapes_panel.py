"""The tapes table model: Qt's model checks, variable check boxes and live hyperparameters."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from tapestudio.gui.tapes_panel import CHOICES_ROLE


@pytest.fixture
def model(window):
    return window.tapes_panel.model


def test_model_passes_qt_model_tester(model, qtmodeltester):
    qtmodeltester.check(model)


def test_model_after_rebuild_passes_tester(window, model, qtmodeltester):
    model.add_tape()

    qtmodeltester.check(model)
    assert model.rowCount() == 3
    assert window.tapes_panel.view.model().rowCount() == 3


def test_add_tape_resets_model(model, qtbot):
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        model.add_tape()
    assert model.headerData(2, Qt.Orientation.Vertical) == "tape3"


def test_rows_and_columns_follow_project(window, model):
    project = window.session.project

    assert model.rowCount() == len(project.tapes)
    assert model.headerData(0, Qt.Orientation.Vertical) == project.tapes[0].name
    for path in project.variable_names():
        column = model.variable_column(path)
        assert model.headerData(column, Qt.Orientation.Horizontal) == path
    assert model.name_column() == 0
    assert model.variable_column(project.variable_names()[0]) == 1
    assert model.hyperparameter_column("learning_rate") == model.optimizer_column() + 1


def test_check_state_shows_watched_variables(window, model):
    tape = window.session.project.tapes[0]

    for path in window.session.variable_names:
        state = model.data(model.index(0, model.variable_column(path)), Qt.ItemDataRole.CheckStateRole)
        expected = Qt.CheckState.Checked if path in tape.variables else Qt.CheckState.Unchecked
        assert state == expected, path


def test_checking_variable_rebuilds_session(window, model):
    index = model.index(0, model.variable_column("dense/bias"))

    assert model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert window.session.project.tapes[0].variables == ["dense/kernel", "dense/bias"]
    assert ("layer1", "dense/bias") in window.session.history.keys()
    assert model.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked


def test_unchecking_variable_freezes_it(window, model):
    index = model.index(0, model.variable_column("dense/kernel"))

    assert model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert "dense/kernel" in window.session.project.frozen_variables()
    tooltip = model.headerData(index.column(), Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "frozen" in tooltip


def test_shared_variable_has_background(window, model):
    index = model.index(1, model.variable_column("dense/kernel"))
    model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)

    shared = model.index(0, model.variable_column("dense/kernel"))
    assert model.data(shared, Qt.ItemDataRole.BackgroundRole) is not None
    assert "layer1, layer2" in model.data(shared, Qt.ItemDataRole.ToolTipRole)


def test_check_boxes_locked_while_running(window, model, wait_for_steps, wait_idle):
    index = model.index(0, model.variable_column("dense/bias"))
    window.actions.run.trigger()
    wait_for_steps(window, 1)

    assert not model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    assert not model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    window.actions.pause.trigger()
    wait_idle(window)
    assert model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable


def test_learning_rate_editable_while_running(window, model, wait_for_steps, wait_idle):
    index = model.index(1, model.hyperparameter_column("learning_rate"))
    window.actions.run.trigger()
    wait_for_steps(window, 1)

    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(index, "0.02")
    window.actions.pause.trigger()
    wait_idle(window)
    assert window.session.project.tapes[1].optimizer.hyperparameters["learning_rate"] == 0.02
    assert model.data(index) == "0.02"


def test_learning_rate_edit_keeps_history(window, model, qtbot, wait_idle):
    window.actions.step.trigger()
    qtbot.waitUntil(lambda: window.session.step_count == 1)
    wait_idle(window)

    model.setData(model.index(0, model.hyperparameter_column("learning_rate")), 0.5)
    assert len(window.session.history) == 1


def test_hyperparameter_rejects_text(window, model, qtbot):
    index = model.index(0, model.hyperparameter_column("learning_rate"))

    with qtbot.waitSignal(model.edit_rejected) as blocker:
        assert not model.setData(index, "fast")
    assert "fast" in blocker.args[0]
    assert window.session.project.tapes[0].optimizer.hyperparameters["learning_rate"] == 0.01


def test_default_hyperparameter_shown_in_form(window):
    field = window.tapes_panel.form.fields["momentum"]

    assert field.text() == "0"
    assert "default 0" in field.toolTip()


def test_boolean_hyperparameter_is_check_box(window):
    field = window.tapes_panel.form.fields["nesterov"]

    field.setChecked(True)

    assert window.session.project.tapes[0].optimizer.hyperparameters["nesterov"] is True


def test_optimizer_column_offers_registry_names(model):
    index = model.index(0, model.optimizer_column())

    assert model.headerData(index.column(), Qt.Orientation.Horizontal) == "optimizer"
    assert "SGD" in model.data(index, CHOICES_ROLE)
    assert model.data(index) == "SGD"


def test_add_and_remove_tape(window, model):
    model.add_tape()
    assert [tape.name for tape in window.session.project.tapes] == ["layer1", "layer2", "tape3"]

    model.remove_tapes([0])
    assert [tape.name for tape in window.session.project.tapes] == ["layer2", "tape3"]
    assert model.rowCount() == 2


def test_view_editor_sets_learning_rate(window, model, qtbot):
    view = window.tapes_panel.view
    index = model.index(0, model.hyperparameter_column("learning_rate"))
    view.setCurrentIndex(index)
    view.edit(index)

    editor = view.focusWidget()
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "0.01"
    editor.setText("2.5e-3")
    qtbot.keyClick(editor, Qt.Key.Key_Return)

    # The delegate commits the editor's data through a queued call.
    hyperparameters = window.session.project.tapes[0].optimizer.hyperparameters
    qtbot.waitUntil(lambda: hyperparameters["learning_rate"] == 0.0025)


def test_view_editor_offers_optimizers(window, model):
    view = window.tapes_panel.view
    index = model.index(0, model.optimizer_column())
    view.edit(index)

    editor = view.focusWidget()
    assert isinstance(editor, QComboBox)
    assert editor.currentText() == "SGD"
