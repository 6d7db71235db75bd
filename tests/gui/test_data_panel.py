"""The data panel and the CSV import dialog, driven as a user would in the main window."""

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tapestudio.studio.datasets import bundled_dataset_names
from tapestudio.studio.synthetic import synthetic_dataset_names


def choose_source(panel, kind, name=None):
    """Pick an entry of the source combo as a click in its list would."""
    for index in range(panel.source.count()):
        if panel.source.itemData(index) == (kind, name):
            panel.source.setCurrentIndex(index)
            panel.source.activated.emit(index)
            return
    raise AssertionError(f"no source {(kind, name)} in the combo")


def write_csv(tmp_path, text, name="table.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", synthetic_dataset_names())
def test_choose_synthetic_set(window, name):
    choose_source(window.data_panel, "synthetic", name)

    project = window.session.project
    assert project.data.kind == "synthetic"
    assert project.data.name == name
    assert project.model.input_size == window.session.dataset.features.shape[1]
    assert window.session.weights()["dense/kernel"].shape[0] == project.model.input_size


@pytest.mark.parametrize("name", bundled_dataset_names())
def test_choose_bundled_set(window, name):
    choose_source(window.data_panel, "bundled", name)

    project = window.session.project
    assert project.data.name == name
    assert project.objective == "softmax_cross_entropy"
    assert project.model.layers[-1].units == 3


def test_choose_normal_batch_back(window):
    choose_source(window.data_panel, "synthetic", "xor")

    choose_source(window.data_panel, "normal")

    assert window.session.project.data.kind == "normal"
    assert window.session.project.objective == "sum"


def test_two_classes_get_sigmoid_objective(window):
    choose_source(window.data_panel, "synthetic", "circles")

    assert window.session.project.objective == "sigmoid_cross_entropy"
    assert window.session.project.model.layers[-1].units == 1


def test_data_change_reported_in_status_bar(window):
    choose_source(window.data_panel, "synthetic", "xor")

    # The status bar keeps the last of the changes: input size, objective, output units.
    message = window.statusBar().currentMessage()
    assert message == "Output layer set to 1 unit for sigmoid_cross_entropy."


def test_samples_noise_and_seed_edits(window):
    choose_source(window.data_panel, "synthetic", "moons")
    before = window.session.dataset.features.copy()

    window.data_panel.samples.setValue(120)
    window.data_panel.noise.setValue(0.3)
    window.data_panel.seed.setValue(7)

    data = window.session.project.data
    assert (data.samples, data.noise, data.seed) == (120, 0.3, 7)
    assert window.session.dataset.samples == 120
    assert window.session.dataset.features.shape != before.shape


def test_new_seed_button_draws_new_samples(window):
    choose_source(window.data_panel, "synthetic", "spirals")
    before = window.session.dataset.features.copy()

    window.data_panel.new_seed_button.click()

    assert window.session.project.data.seed == 1
    assert not (window.session.dataset.features == before).all()


def test_validation_split_records_val_objective(window, qtbot, wait_idle):
    choose_source(window.data_panel, "synthetic", "xor")
    window.data_panel.validation.setValue(25)

    window.actions.step.trigger()
    qtbot.waitUntil(lambda: window.session.step_count == 1)
    wait_idle(window)

    assert window.session.project.data.validation_fraction == 0.25
    assert len(window.session.training_data.split.validation) == 50
    assert math.isfinite(window.session.history.val_objective()[0])


def test_batch_size_edit(window):
    choose_source(window.data_panel, "synthetic", "xor")

    window.data_panel.batch_size.setValue(16)
    assert window.session.project.data.batch_size == 16

    window.data_panel.batch_size.setValue(0)
    assert window.session.project.data.batch_size is None
    assert window.data_panel.batch_size.text() == "Full batch"


def test_summary_counts_split(window):
    choose_source(window.data_panel, "bundled", "iris")
    window.data_panel.validation.setValue(20)

    assert "150 samples" in window.data_panel.summary.text()
    assert "120 train / 30 validation" in window.data_panel.summary.text()


def test_preview_shown_for_two_features(window):
    choose_source(window.data_panel, "synthetic", "moons")

    assert window.data_panel.preview.isVisible()


def test_preview_hidden_for_many_features(window):
    choose_source(window.data_panel, "bundled", "wine")

    assert not window.data_panel.preview.isVisible()


def test_input_size_locked_by_data(window):
    assert window.model_panel.input_size.isEnabled()

    choose_source(window.data_panel, "bundled", "iris")

    assert not window.model_panel.input_size.isEnabled()
    assert window.model_panel.input_size.value() == 4


def test_objectives_without_labels_disabled(window):
    panel = window.model_panel

    assert panel.objective_enabled("sum")
    assert not panel.objective_enabled("mse")
    row = panel.objective.findText("mse")
    tooltip = panel.objective.itemData(row, Qt.ItemDataRole.ToolTipRole)
    assert "needs labels, but the data has none" in tooltip
    assert "needs labels" in panel.objective_note.text()


def test_sigmoid_disabled_for_three_classes(window):
    choose_source(window.data_panel, "bundled", "iris")

    assert window.model_panel.objective_enabled("softmax_cross_entropy")
    assert not window.model_panel.objective_enabled("sigmoid_cross_entropy")
    assert "needs two classes, but the data has 3" in window.model_panel.objective_note.text()


def test_objective_edit_sets_output_units(window):
    choose_source(window.data_panel, "bundled", "iris")

    window.model_panel.objective.setCurrentText("mse")

    assert window.session.project.objective == "mse"
    assert window.session.project.model.layers[-1].units == 3


# -- CSV import -------------------------------------------------------------------------------


def open_dialog(window, qtbot):
    choose_source(window.data_panel, "csv")
    dialog = window.data_panel.import_dialog
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def type_path(qtbot, dialog, path):
    dialog.path_edit.clear()
    qtbot.keyClicks(dialog.path_edit, str(path))
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)


def test_import_csv_with_column_chooser(window, qtbot, tmp_path):
    text = "id,width,height,note,kind\n1,2.0,3.5,a,cat\n2,4.5,1.0,b,dog\n3,1.5,2.5,c,cat\n"
    path = write_csv(tmp_path, text)
    dialog = open_dialog(window, qtbot)

    type_path(qtbot, dialog, path)
    dialog.set_feature_checked("id", False)
    dialog.label.setCurrentText("kind")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    data = window.session.project.data
    assert data.kind == "csv"
    assert data.features == ["width", "height"]
    assert data.label == "kind"
    assert data.task == "classification"
    assert window.session.dataset.classes == ("cat", "dog")
    assert window.session.project.model.input_size == 2


def test_import_suggests_columns(window, qtbot, tmp_path):
    path = write_csv(tmp_path, "a,b,y\n1,2,0.5\n3,4,1.5\n")
    dialog = open_dialog(window, qtbot)

    type_path(qtbot, dialog, path)

    assert dialog.chosen_features() == ["a", "b"]
    assert dialog.chosen_label() == "y"
    assert dialog.chosen_task() == "regression"
    assert dialog.ok_button.isEnabled()
    assert "2 rows, 2 features" in dialog.message.text()


def test_import_regression_label(window, qtbot, tmp_path):
    path = write_csv(tmp_path, "a,b,y\n1,2,0.5\n3,4,1.5\n5,1,2.0\n")
    dialog = open_dialog(window, qtbot)

    type_path(qtbot, dialog, path)
    dialog.regression.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert window.session.project.data.task == "regression"
    assert window.session.project.objective == "mse"


def test_bad_file_message_in_dialog(window, qtbot, tmp_path):
    path = write_csv(tmp_path, "a,b,y\n1,2,0\n3,,1\n", name="holes.csv")
    dialog = open_dialog(window, qtbot)

    type_path(qtbot, dialog, path)

    text = dialog.message.text()
    assert "holes.csv" in text
    assert "line 3, column 'b' has no value" in text
    assert not dialog.ok_button.isEnabled()


def test_text_in_numeric_column_message_in_dialog(window, qtbot, tmp_path):
    path = write_csv(tmp_path, "a,b,y\n1,2,0\n3,x,1\n", name="text.csv")
    dialog = open_dialog(window, qtbot)
    type_path(qtbot, dialog, path)

    dialog.choose_columns(["a", "b"], "y", "classification")

    assert "line 3, column 'b': 'x' is not a finite number" in dialog.message.text()
    assert not dialog.ok_button.isEnabled()


def test_label_also_feature_message_in_dialog(window, qtbot, tmp_path):
    path = write_csv(tmp_path, "a,b,y\n1,2,0\n3,4,1\n")
    dialog = open_dialog(window, qtbot)
    type_path(qtbot, dialog, path)

    dialog.set_feature_checked("y", True)

    assert "chosen as the label and as a feature" in dialog.message.text()
    assert not dialog.ok_button.isEnabled()


def test_one_class_message_in_dialog(window, qtbot, tmp_path):
    path = write_csv(tmp_path, "a,kind\n1,cat\n2,cat\n", name="cats.csv")
    dialog = open_dialog(window, qtbot)

    type_path(qtbot, dialog, path)

    assert "cats.csv: column 'kind' holds one class only" in dialog.message.text()


def test_empty_file_message_in_dialog(window, qtbot, tmp_path):
    path = write_csv(tmp_path, "", name="empty.csv")
    dialog = open_dialog(window, qtbot)

    type_path(qtbot, dialog, path)

    assert "empty.csv: the file is empty" in dialog.message.text()
    assert dialog.features.count() == 0


def test_cancel_import_keeps_data(window, qtbot):
    dialog = open_dialog(window, qtbot)

    dialog.reject()

    assert window.session.project.data.kind == "normal"
    assert window.data_panel.source.currentData() == ("normal", None)


def test_csv_deleted_after_import_rejected(window, qtbot, tmp_path):
    path = write_csv(tmp_path, "a,y\n1,0\n2,1\n")
    dialog = open_dialog(window, qtbot)
    type_path(qtbot, dialog, path)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    path.unlink()

    window.data_panel.validation.setValue(50)

    qtbot.waitUntil(lambda: any(box.isVisible() for box in window.findChildren(QMessageBox)))
    box = next(box for box in window.findChildren(QMessageBox) if box.isVisible())
    assert "not found" in box.text()
    box.close()
    assert window.session.project.data.validation_fraction == 0.0
