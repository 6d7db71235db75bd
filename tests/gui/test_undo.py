"""Undo and redo of every kind of project edit, through the Edit menu's actions."""

import copy

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tapestudio.gui.undo import LiveChange, describe_edit, live_changes
from tapestudio.studio import OptimizerSpec, TapeSpec, load_example

from .app_helpers import shown_title


def _learning_rate(window, tape="layer1"):
    return window.session.project.tape(tape).optimizer.hyperparameters["learning_rate"]


def _set_learning_rate(window, value, tape="layer1"):
    project = copy.deepcopy(window.session.project)
    project.tape(tape).optimizer.hyperparameters["learning_rate"] = value
    return window.apply_project_edit(project)


def _update_per_gradient(window, tape, variable, step_index):
    """Return update_norm / grad_norm of a variable at one step: plain SGD's learning rate."""
    history = window.session.history
    update = history.series(tape, variable, "update_norm")[step_index]
    gradient = history.series(tape, variable, "grad_norm")[step_index]
    return update / gradient


# -- structural edits ------------------------------------------------------------------------


def test_add_layer_undo_and_redo(window):
    window.model_panel.add_layer_button.click()
    assert len(window.session.project.model.layers) == 3

    window.actions.undo.trigger()
    assert len(window.session.project.model.layers) == 2
    assert len(window.model_panel.layer_rows) == 2

    window.actions.redo.trigger()
    assert len(window.session.project.model.layers) == 3
    assert len(window.model_panel.layer_rows) == 3


def test_undo_action_names_edit(window):
    assert not window.actions.undo.isEnabled()

    window.model_panel.add_layer_button.click()
    assert window.actions.undo.isEnabled()
    assert window.actions.undo.text().startswith("&Undo Add layer")

    window.actions.undo.trigger()
    assert window.actions.redo.text().startswith("&Redo Add layer")
    assert not window.actions.undo.isEnabled()


def test_seed_edit_undo_restores_spin_box(window):
    window.model_panel.seed.setValue(42)
    assert window.session.project.seed == 42

    window.actions.undo.trigger()
    assert window.session.project.seed == 0
    assert window.model_panel.seed.value() == 0


def test_data_edit_undo(window):
    project = copy.deepcopy(window.session.project)
    project.data.samples = 4
    assert window.apply_project_edit(project)
    assert window.session.project.data.samples == 4
    assert window.undo_stack.undoText() == "Change data"

    window.actions.undo.trigger()
    assert window.session.project.data.samples == 1


def test_tape_variable_undo(window):
    model = window.tapes_panel.model
    index = model.index(0, model.variable_column("dense/bias"))
    model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert window.session.project.tapes[0].variables == ["dense/kernel", "dense/bias"]

    window.actions.undo.trigger()
    assert window.session.project.tapes[0].variables == ["dense/kernel"]
    assert model.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked


def test_add_and_remove_tape_undo(window):
    model = window.tapes_panel.model
    model.add_tape()
    model.remove_tapes([0])
    assert [tape.name for tape in window.session.project.tapes] == ["layer2", "tape3"]

    window.actions.undo.trigger()
    assert [tape.name for tape in window.session.project.tapes] == ["layer1", "layer2", "tape3"]
    window.actions.undo.trigger()
    assert [tape.name for tape in window.session.project.tapes] == ["layer1", "layer2"]
    assert model.rowCount() == 2


def test_optimizer_change_undo(window):
    model = window.tapes_panel.model
    model.setData(model.index(0, model.optimizer_column()), "Adam")
    assert window.session.project.tapes[0].optimizer.name == "Adam"

    window.actions.undo.trigger()
    assert window.session.project.tapes[0].optimizer.name == "SGD"
    assert model.data(model.index(0, model.optimizer_column())) == "SGD"


def test_invalid_edit_not_recorded(window):
    project = copy.deepcopy(window.session.project)
    # The sum of the predictions is the only objective for data without labels.
    project.objective = "mse"

    assert not window.apply_project_edit(project, "Break the project")
    assert window.undo_stack.count() == 0
    assert window.session.project.objective == "sum"


def test_unchanged_project_not_recorded(window):
    assert window.apply_project_edit(copy.deepcopy(window.session.project))
    assert window.undo_stack.count() == 0
    assert not window.isWindowModified()


def test_description_from_caller(window):
    project = copy.deepcopy(window.session.project)
    project.seed = 5

    assert window.apply_project_edit(project, "Pick seed five")
    assert window.undo_stack.undoText() == "Pick seed five"


# -- hyperparameters -------------------------------------------------------------------------


def test_learning_rate_undo_and_redo(window):
    _set_learning_rate(window, 0.5)
    assert _learning_rate(window) == 0.5

    window.actions.undo.trigger()
    assert _learning_rate(window) == 0.01
    window.actions.redo.trigger()
    assert _learning_rate(window) == 0.5


def test_learning_rate_undo_keeps_history(window, qtbot, wait_idle):
    window.actions.step.trigger()
    qtbot.waitUntil(lambda: window.session.step_count == 1)
    wait_idle(window)

    _set_learning_rate(window, 0.5)
    window.actions.undo.trigger()
    assert len(window.session.history) == 1
    assert window.session.step_count == 1


def test_default_hyperparameter_undo_removes_it(window):
    project = copy.deepcopy(window.session.project)
    project.tapes[0].optimizer.hyperparameters["momentum"] = 0.9
    window.apply_project_edit(project)
    assert window.session.project.tapes[0].optimizer.hyperparameters["momentum"] == 0.9

    window.actions.undo.trigger()
    assert "momentum" not in window.session.project.tapes[0].optimizer.hyperparameters


def test_learning_rate_undo_live_during_run(window, qtbot, wait_for_steps, wait_idle):
    # The iris example has a bounded loss, so a long run stays finite.
    window.open_example("iris")
    window.actions.run.trigger()
    wait_for_steps(window, 1)
    _set_learning_rate(window, 0.05, tape="output")
    # Step at_edit + 1 may have started before the edit, so only the steps after it must use
    # the new value.
    at_edit = window.session.step_count
    wait_for_steps(window, at_edit + 3)

    window.actions.undo.trigger()
    assert window.is_running()
    assert _learning_rate(window, tape="output") == 0.02
    at_undo = window.session.step_count
    wait_for_steps(window, at_undo + 3)
    window.actions.pause.trigger()
    wait_idle(window)

    # Plain SGD: each update is the learning rate times the gradient, to float32 precision.
    # History row i is step i + 1.
    assert np.isclose(_update_per_gradient(window, "output", "dense_1/kernel", at_edit + 1), 0.05, rtol=1e-4)
    assert np.isclose(_update_per_gradient(window, "output", "dense_1/kernel", -1), 0.02, rtol=1e-4)


def test_optimizer_undo_live_during_run(window, wait_for_steps, wait_idle):
    window.open_example("iris")
    window.actions.run.trigger()
    wait_for_steps(window, 1)
    project = copy.deepcopy(window.session.project)
    project.tape("output").optimizer = OptimizerSpec("Adam", {"learning_rate": 0.001})

    assert window.apply_project_edit(project)
    assert window.session.project.tape("output").optimizer.name == "Adam"
    window.actions.undo.trigger()
    assert window.is_running()
    assert window.session.project.tape("output").optimizer == OptimizerSpec("SGD", {"learning_rate": 0.02})
    window.actions.pause.trigger()
    wait_idle(window)


@pytest.mark.parametrize(("field", "value"), [("persistent", True), ("penalty_weight", 0.5)])
def test_tape_setting_undo_keeps_history(window, qtbot, wait_idle, field, value):
    window.actions.step.trigger()
    qtbot.waitUntil(lambda: window.session.step_count == 1)
    wait_idle(window)
    project = copy.deepcopy(window.session.project)
    setattr(project.tapes[0], field, value)

    assert window.apply_project_edit(project)
    assert getattr(window.session.project.tapes[0], field) == value
    window.actions.undo.trigger()
    assert getattr(window.session.project.tapes[0], field) == getattr(project.tapes[1], field)
    assert len(window.session.history) == 1


def test_structural_undo_waits_for_pause(window, qtbot, wait_for_steps, wait_idle):
    window.tapes_panel.model.add_tape()
    window.actions.run.trigger()
    wait_for_steps(window, 1)

    window.actions.undo.trigger()
    assert len(window.session.project.tapes) == 3
    assert "Pause the run to undo" in window.statusBar().currentMessage()

    window.actions.pause.trigger()
    wait_idle(window)
    window.actions.undo.trigger()
    assert len(window.session.project.tapes) == 2


# -- modified mark and clearing --------------------------------------------------------------


def test_title_shows_file_and_modified_mark(window, tmp_path):
    assert window.save_project_file(tmp_path / "experiment.json")
    assert shown_title(window) == "experiment.json \N{EN DASH} TapeStudio"

    window.model_panel.seed.setValue(3)
    assert window.isWindowModified()
    assert shown_title(window) == "experiment.json* \N{EN DASH} TapeStudio"

    window.actions.undo.trigger()
    assert not window.isWindowModified()


def test_save_marks_clean_point(window, tmp_path):
    window.model_panel.seed.setValue(3)
    window.save_project_file(tmp_path / "saved.json")
    assert not window.isWindowModified()

    window.actions.undo.trigger()
    assert window.isWindowModified()
    window.actions.redo.trigger()
    assert not window.isWindowModified()


def test_new_clears_undo_stack(window):
    window.model_panel.add_layer_button.click()

    window.actions.new.trigger()
    assert window.undo_stack.count() == 0
    assert not window.actions.undo.isEnabled()
    assert window.session.project.name == "untitled"


def test_open_clears_undo_stack(window, tmp_path):
    path = tmp_path / "iris.json"
    from tapestudio.studio import save_project

    save_project(load_example("iris"), path)
    window.model_panel.add_layer_button.click()

    assert window.open_project_file(path)
    assert window.undo_stack.count() == 0
    assert not window.isWindowModified()


# -- the edit functions without a window -----------------------------------------------------


@pytest.fixture
def project():
    return load_example("weighted-gradients")


def test_live_changes_equal_projects(project):
    assert live_changes(project, copy.deepcopy(project)) == []


def test_live_changes_hyperparameter(project):
    edited = copy.deepcopy(project)
    edited.tapes[1].optimizer.hyperparameters["learning_rate"] = 0.2

    assert live_changes(project, edited) == [LiveChange("layer2", "hyperparameter", 0.2, "learning_rate")]


def test_live_changes_removed_hyperparameter(project):
    edited = copy.deepcopy(project)
    del edited.tapes[0].optimizer.hyperparameters["learning_rate"]

    assert live_changes(project, edited) == [LiveChange("layer1", "hyperparameter", None, "learning_rate")]


def test_live_changes_none_for_layer_edit(project):
    edited = copy.deepcopy(project)
    edited.model.layers[0].units = 3

    assert live_changes(project, edited) is None


@pytest.mark.parametrize(
    ("edit", "description"),
    [
        (lambda p: p.model.layers.pop(), "Remove layer"),
        (lambda p: setattr(p.model.layers[1], "activation", "tanh"), "Edit layer dense_1"),
        (lambda p: setattr(p.model, "input_size", 4), "Change input size to 4"),
        (lambda p: setattr(p, "seed", 9), "Change seed to 9"),
        (lambda p: p.tapes.append(TapeSpec("extra", [], OptimizerSpec())), "Add tape extra"),
        (lambda p: p.tapes.pop(0), "Remove tape layer1"),
        (lambda p: setattr(p.tapes[0], "name", "first"), "Rename tape layer1 to first"),
        (lambda p: p.tapes[1].variables.append("dense_1/bias"), "Change variables of layer2"),
        (
            lambda p: p.tapes[0].optimizer.hyperparameters.update(learning_rate=0.5),
            "Set learning_rate of layer1 to 0.5",
        ),
    ],
)
def test_describe_edit(project, edit, description):
    edited = copy.deepcopy(project)
    edit(edited)

    assert describe_edit(project, edited) == description
