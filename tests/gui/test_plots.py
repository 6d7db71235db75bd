"""The live plots driven as a user would: curves after a run, smoothing, weights, markers."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from tapestudio.gui import MainWindow
from tapestudio.studio import load_example
from tapestudio.studio.smoothing import debiased_ema


def run_steps(window, qtbot, wait_for_steps, wait_idle, count):
    """Press Run, wait for ``count`` steps, press Pause and wait for the worker to stop."""
    window.actions.run.trigger()
    wait_for_steps(window, count)
    window.actions.pause.trigger()
    wait_idle(window)


def step_directly(window, count):
    """Run ``count`` steps in this thread and redraw every plot, for tests that need many."""
    for _ in range(count):
        window.session.step()
    window.plots.invalidate()
    window.refresh_view()


@pytest.fixture
def iris_window(qtbot):
    main_window = MainWindow(load_example("iris"))
    qtbot.addWidget(main_window)
    main_window.show()
    qtbot.waitExposed(main_window)
    return main_window


def test_objective_raw_and_smoothed_after_run(iris_window, qtbot, wait_for_steps, wait_idle):
    run_steps(iris_window, qtbot, wait_for_steps, wait_idle, 30)
    plot = iris_window.plots.objective_plot
    objective = iris_window.session.history.objective()

    raw_x, raw_y = plot.curve.getData()
    smooth_x, smooth_y = plot.smoothed_curve.getData()

    assert raw_x.tolist() == iris_window.session.history.steps().tolist()
    np.testing.assert_allclose(raw_y, objective, rtol=1e-6)
    np.testing.assert_allclose(smooth_y, debiased_ema(objective, 0.6), rtol=1e-6)


def test_smoothed_curve_matches_hand_computed_ema(iris_window):
    step_directly(iris_window, 3)
    objective = iris_window.session.history.objective()
    _, smoothed = iris_window.plots.objective_plot.smoothed_curve.getData()

    # Debiased EMA with weight 0.6, written out for three values.
    first = 0.4 * objective[0]
    second = 0.6 * first + 0.4 * objective[1]
    third = 0.6 * second + 0.4 * objective[2]
    expected = [first / 0.4, second / (1 - 0.6**2), third / (1 - 0.6**3)]

    np.testing.assert_allclose(smoothed, expected, rtol=1e-6)


def test_smoothing_weight_change_redraws(iris_window):
    step_directly(iris_window, 40)
    plot = iris_window.plots.objective_plot

    plot.smoothing.setValue(0.9)
    iris_window.refresh_view()
    _, smoothed = plot.smoothed_curve.getData()

    np.testing.assert_allclose(smoothed, debiased_ema(iris_window.session.history.objective(), 0.9), rtol=1e-6)


def test_objective_legend_names_raw_and_smoothed(iris_window):
    step_directly(iris_window, 2)

    names = [label.text for _, label in iris_window.plots.objective_plot.legend.items]

    assert names == ["training", "training, smoothed (0.6)"]


def test_metric_plot_switches_metric(window, wait_for_steps, wait_idle, qtbot):
    run_steps(window, qtbot, wait_for_steps, wait_idle, 10)
    plot = window.plots.metric_plot
    history = window.session.history

    plot.metric_combo.setCurrentIndex(plot.metric_combo.findData("grad_norm"))
    window.refresh_view()

    for key, curve in plot.curves.items():
        np.testing.assert_allclose(curve.getData()[1], history.series(*key, "grad_norm"), rtol=1e-6)


def test_metric_plot_update_ratio(window):
    step_directly(window, 5)
    plot = window.plots.metric_plot

    plot.metric_combo.setCurrentIndex(plot.metric_combo.findData("update_ratio"))
    window.refresh_view()
    curve = plot.curves[("layer1", "dense/kernel")]

    np.testing.assert_allclose(
        curve.getData()[1], window.session.history.series("layer1", "dense/kernel", "update_ratio"), rtol=1e-6
    )


def test_metric_plot_log_scale(window):
    step_directly(window, 5)
    plot = window.plots.metric_plot

    plot.log_scale.setChecked(True)
    _, y = plot.curves[("layer1", "dense/kernel")].getData()

    assert plot.log_y
    assert plot.plot_item.getAxis("left").logMode
    np.testing.assert_allclose(
        y, np.log10(window.session.history.series("layer1", "dense/kernel", "update_norm")), rtol=1e-5
    )


def test_metric_plot_log_scale_from_plot_menu(window):
    step_directly(window, 5)
    plot = window.plots.metric_plot

    plot.plot_item.ctrl.logYCheck.setChecked(True)

    assert plot.log_scale.isChecked()


def test_health_plot_counts_per_tape(window):
    step_directly(window, 3)

    names = [label.text for _, label in window.plots.health_plot.legend.items]

    assert names == ["layer1: NaN", "layer1: infinite", "layer2: NaN", "layer2: infinite"]
    for item in window.plots.health_plot.items:
        assert item.getData()[1].tolist() == [0.0, 0.0, 0.0]


def test_diverging_run_draws_gaps_and_counts(window):
    # A huge learning rate overflows the weights within two steps; the gradients follow.
    for tape in ("layer1", "layer2"):
        window.session.set_hyperparameter(tape, "learning_rate", 1e30)
    step_directly(window, 10)

    _, objective = window.plots.objective_plot.curve.getData()
    _, smoothed = window.plots.objective_plot.smoothed_curve.getData()
    _, inf_counts = window.plots.health_plot.items[1].getData()

    assert np.isfinite(objective[0])
    assert np.isnan(objective[1:]).all()
    assert np.isnan(smoothed[1:]).all()
    assert inf_counts.max() > 0


def test_diverging_long_run_keeps_drawing(window):
    # The sum of the predictions grows without bound and overflows in about 1900 steps.
    step_directly(window, 2500)

    x, objective = window.plots.objective_plot.curve.getData()

    assert not np.all(np.isfinite(window.session.history.objective()))
    assert x.max() >= 2400
    assert np.isnan(objective).any()
    assert np.isfinite(objective).any()


def test_weights_heatmaps_show_latest_weights_and_update(iris_window):
    step_directly(iris_window, 4)
    view = iris_window.plots.weights_view
    weights = iris_window.session.weights()
    updates = iris_window.session.latest_updates()

    np.testing.assert_array_equal(view.values_heatmap.image.image, weights[view.variable])
    np.testing.assert_array_equal(view.update_heatmap.image.image, updates[view.variable])


def test_weights_view_bias_as_one_row(iris_window):
    step_directly(iris_window, 1)
    view = iris_window.plots.weights_view

    view.variable_combo.setCurrentText("dense/bias")
    iris_window.refresh_view()

    assert view.values_heatmap.image.image.shape == (1, 16)


def test_histograms_update_with_steps(iris_window):
    step_directly(iris_window, 1)
    view = iris_window.plots.weights_view
    first_edges = view.values_histogram.histogram.edges.copy()
    first_update_counts = view.update_histogram.histogram.counts.copy()

    step_directly(iris_window, 200)
    second = view.values_histogram.histogram

    assert second.counts.sum() == iris_window.session.weights()[view.variable].size
    assert not np.array_equal(second.edges, first_edges)
    assert not np.array_equal(view.update_histogram.histogram.counts, first_update_counts)


def test_histogram_legend_counts_values(iris_window):
    step_directly(iris_window, 1)

    names = [label.text for _, label in iris_window.plots.weights_view.values_histogram.legend.items]

    assert names == ["dense/kernel: 64 values"]


def test_hyperparameter_change_marked_on_step_axis(iris_window):
    step_directly(iris_window, 5)
    iris_window.session.set_hyperparameter("hidden", "learning_rate", 0.05)
    step_directly(iris_window, 5)

    for plot in iris_window.plots.step_plots:
        lines = plot.markers.lines
        assert [line.value() for line in lines] == [6], plot.title
        assert "learning_rate" in lines[0].toolTip(), plot.title


def test_marker_legend_entry(iris_window):
    iris_window.session.history.add_event(1, "hidden: learning_rate 0.1 -> 0.05")
    step_directly(iris_window, 2)

    names = [label.text for _, label in iris_window.plots.objective_plot.legend.items]

    assert "hyperparameter change" in names


def test_zoomed_view_draws_visible_range(window):
    step_directly(window, 3000)
    plot = window.plots.objective_plot

    plot.plot_item.setXRange(1000, 1100, padding=0)
    x, _ = plot.curve.getData()

    assert x.min() >= 1000 - 100
    assert x.max() <= 1100 + 100


def test_auto_range_restores_whole_history(window):
    step_directly(window, 3000)
    plot = window.plots.objective_plot
    plot.plot_item.setXRange(1000, 1100, padding=0)

    plot.plot_item.enableAutoRange()
    x, _ = plot.curve.getData()

    assert plot.follows_data

    assert x.min() == 1
    assert x.max() == 3000


def test_long_history_drawn_at_screen_resolution(window):
    step_directly(window, 8000)
    plot = window.plots.objective_plot

    x, _ = plot.curve.getData()

    assert len(x) < 8000
    assert x.max() == 8000


def test_hidden_tab_catches_up_when_shown(iris_window):
    step_directly(iris_window, 3)
    iris_window.plots.setCurrentWidget(iris_window.plots.health_plot)

    step_directly(iris_window, 4)

    assert len(iris_window.plots.health_plot.items[0].getData()[0]) == 7
    assert len(iris_window.plots.objective_plot.curve.getData()[0]) == 7


def test_reset_empties_curves(iris_window):
    step_directly(iris_window, 5)

    iris_window.actions.reset.trigger()
    x, _ = iris_window.plots.objective_plot.curve.getData()

    assert x is None or len(x) == 0


def test_plot_png_saved(iris_window, tmp_path):
    step_directly(iris_window, 20)

    for card in iris_window.plots.cards:
        if card is iris_window.plots.regions_plot:
            continue
        path = iris_window.plots.save_png(card, tmp_path / f"{card.title}.png")
        image = pg.QtGui.QImage(str(path))
        assert not image.isNull(), card.title
        assert image.width() > 100, card.title


def test_png_button_asks_for_file(iris_window, tmp_path, monkeypatch):
    step_directly(iris_window, 5)
    target = tmp_path / "objective.png"
    monkeypatch.setattr(
        pg.QtWidgets.QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(target), ""))
    )

    iris_window.plots.objective_plot.png_button.click()

    assert target.stat().st_size > 0


def test_png_menu_entry_in_plot_context_menu(iris_window):
    menu = iris_window.plots.objective_plot.view_box.menu

    assert "Save plot as PNG..." in [action.text() for action in menu.actions()]


def test_plot_catches_up_in_pieces(window, monkeypatch):
    from tapestudio.gui.plots import step_plot

    monkeypatch.setattr(step_plot, "READ_ROWS", 16)
    step_directly(window, 100)

    x, _ = window.plots.metric_plot.items[0].getData()

    assert x.tolist() == list(range(1, 101))


def test_png_dialog_remembers_folder(iris_window, tmp_path, monkeypatch):
    step_directly(iris_window, 3)
    asked = []

    def choose(parent, title, suggested, filters):
        asked.append(suggested)
        return str(tmp_path / "metric.png"), ""

    monkeypatch.setattr(pg.QtWidgets.QFileDialog, "getSaveFileName", staticmethod(choose))
    iris_window.plots.metric_plot.png_button.click()
    iris_window.plots.objective_plot.png_button.click()

    assert iris_window.settings.last_folder() == tmp_path
    assert asked[1].startswith(str(tmp_path))
