"""New initial weights, export of a step range, of the weights and of a plot, from the window."""

from __future__ import annotations

import csv

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog

from tapestudio.gui.run_actions import StepRangeDialog


def step_directly(window, count):
    for _ in range(count):
        window.session.step()
    window.plots.invalidate()
    window.refresh_view()


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def accept_step_range(first, last):
    """Fill in and accept the step range dialog once it opens."""

    def fill():
        dialog = next(widget for widget in QApplication.topLevelWidgets() if isinstance(widget, StepRangeDialog))
        dialog.first.setValue(first)
        dialog.last.setValue(last)
        dialog.accept()

    QTimer.singleShot(0, fill)


def test_reset_keeps_initial_weights(window):
    initial = window.session.weights()
    step_directly(window, 5)

    window.actions.reset.trigger()

    for name, values in window.session.weights().items():
        np.testing.assert_array_equal(values, initial[name], err_msg=name)


def test_new_weights_change_initial_weights(window):
    initial = window.session.weights()
    seed = window.session.project.seed

    window.run_actions.new_weights.trigger()

    assert window.session.project.seed != seed
    assert not np.array_equal(window.session.weights()["dense/kernel"], initial["dense/kernel"])


def test_new_weights_keep_data(window):
    features = window.session.dataset.features.copy()

    window.run_actions.new_weights.trigger()

    np.testing.assert_array_equal(window.session.dataset.features, features)


def test_reset_after_new_weights_restores_them(window):
    window.run_actions.new_weights.trigger()
    drawn = window.session.weights()
    step_directly(window, 5)

    window.actions.reset.trigger()

    np.testing.assert_array_equal(window.session.weights()["dense/kernel"], drawn["dense/kernel"])


def test_new_weights_clear_history(window):
    step_directly(window, 5)

    window.run_actions.new_weights.trigger()

    assert len(window.session.history) == 0


def test_new_weights_can_be_undone(window):
    seed = window.session.project.seed
    window.run_actions.new_weights.trigger()

    window.undo()

    assert window.session.project.seed == seed


def test_new_weights_during_run(window, wait_for_steps, wait_idle):
    seed = window.session.project.seed
    window.actions.run.trigger()
    wait_for_steps(window, 3)

    window.run_actions.new_weights.trigger()
    wait_idle(window)

    assert window.session.project.seed != seed


def test_new_weights_in_run_menu_and_toolbar(window):
    containers = window.run_actions.new_weights.associatedObjects()

    assert window.actions.toolbar in containers


def test_export_step_range_through_dialog(window, tmp_path, monkeypatch):
    step_directly(window, 30)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *args, **kwargs: str(tmp_path)))
    accept_step_range(10, 14)

    paths = window.run_actions.choose_step_range()
    rows = read_rows(tmp_path / "metrics_wide.csv")

    assert [path.name for path in paths] == ["metrics_long.csv", "metrics_wide.csv", "run.json"]
    assert [int(row["step"]) for row in rows] == [10, 11, 12, 13, 14]


def test_step_range_dialog_keeps_order():
    dialog = StepRangeDialog(1, 100)

    dialog.first.setValue(60)
    dialog.last.setValue(20)

    assert dialog.step_range() == (60, 60)


def test_step_range_dialog_cancel_writes_nothing(window, tmp_path, monkeypatch):
    step_directly(window, 3)
    monkeypatch.setattr(StepRangeDialog, "exec", lambda self: QDialog.DialogCode.Rejected)

    assert window.run_actions.choose_step_range() == []
    assert list(tmp_path.iterdir()) == []


def test_export_steps_without_history(window):
    assert window.run_actions.choose_step_range() == []


def test_export_weights_reads_back_equal(window, tmp_path, monkeypatch):
    step_directly(window, 7)
    target = tmp_path / "weights.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(target), "")))

    window.run_actions.export_weights.trigger()
    weights = window.session.weights()
    read = {name: np.zeros_like(values) for name, values in weights.items()}
    for row in read_rows(target):
        array = read[row["variable"]]
        index = (int(row["row"]), int(row["column"])) if array.ndim == 2 else int(row["row"])
        array[index] = np.float32(row["value"])

    for name, values in weights.items():
        np.testing.assert_array_equal(read[name], values, err_msg=name)


def test_save_plot_from_file_menu(window, tmp_path, monkeypatch):
    step_directly(window, 5)
    target = tmp_path / "update.png"
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *args, **kwargs: ("Latest update", True)))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(target), "")))

    window.run_actions.save_plot.trigger()

    assert target.stat().st_size > 0
    assert window.plots.currentWidget().isAncestorOf(window.plots.weights_view)


def test_export_actions_in_file_menu(window):
    menu = window.actions.export_csv.associatedObjects()[0]
    texts = [action.text() for action in menu.actions()]

    position = texts.index(window.actions.export_csv.text())
    assert texts[position + 1 : position + 4] == [
        "Export &Steps as CSV...", "Export &Weights as CSV...", "Save &Plot as PNG..."
    ]
