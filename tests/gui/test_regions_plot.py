"""Decision regions in the window for two-feature classification data, and their absence."""

from __future__ import annotations

import numpy as np
import pytest

from tapestudio.gui import MainWindow
from tapestudio.studio import project_from_dict

VARIABLES = ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]


def two_feature_project(name, objective="softmax_cross_entropy", units=2):
    return project_from_dict({
        "format": "tapestudio-project",
        "version": 2,
        "name": name,
        "model": {
            "input_size": 2,
            "layers": [{"units": 8, "activation": "tanh"}, {"units": units, "activation": "linear"}],
        },
        "data": {"kind": "synthetic", "name": name, "samples": 80, "noise": 0.05, "validation_fraction": 0.25},
        "objective": objective,
        "seed": 3,
        "tapes": [{
            "name": "all",
            "variables": VARIABLES,
            "optimizer": {"name": "SGD", "hyperparameters": {"learning_rate": 0.5}},
        }],
    })


def open_window(qtbot, project):
    window = MainWindow(project)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def train(window, steps):
    for _ in range(steps):
        window.session.step()
    window.plots.invalidate()
    window.refresh_view()


@pytest.mark.parametrize("name", ["xor", "moons"])
def test_regions_drawn_behind_samples(qtbot, name):
    window = open_window(qtbot, two_feature_project(name))
    train(window, 20)
    plot = window.plots.regions_plot

    image = plot.image.image

    assert plot.isVisible()
    assert image.shape == (80, 80, 4)
    assert plot.image.zValue() < min(scatter.zValue() for scatter in plot.scatters)


def test_regions_follow_training(qtbot):
    window = open_window(qtbot, two_feature_project("xor"))
    train(window, 1)
    before = window.plots.regions_plot.image.image.copy()

    train(window, 600)

    assert not np.array_equal(window.plots.regions_plot.image.image, before)


def test_trained_xor_regions_match_labels(qtbot):
    window = open_window(qtbot, two_feature_project("xor"))
    train(window, 1500)
    grid = window.plots.regions_plot.grid

    left_bottom = grid.predicted[10, 10]
    right_bottom = grid.predicted[10, 69]

    assert left_bottom != right_bottom


def test_regions_legend_lists_classes(qtbot):
    window = open_window(qtbot, two_feature_project("xor"))

    names = [label.text for _, label in window.plots.regions_plot.legend.items]

    classes = window.session.dataset.classes
    assert names == [classes[0], f"{classes[0]} (validation)", classes[1], f"{classes[1]} (validation)"]


def test_regions_samples_at_data_points(qtbot):
    window = open_window(qtbot, two_feature_project("moons"))
    points = np.concatenate([scatter.getData()[0] for scatter in window.plots.regions_plot.scatters])

    assert sorted(points.tolist()) == sorted(window.session.dataset.features[:, 0].tolist())


def test_sigmoid_objective_has_regions(qtbot):
    window = open_window(qtbot, two_feature_project("circles", "sigmoid_cross_entropy", units=1))
    train(window, 5)

    assert window.plots.regions_plot.available
    assert window.plots.regions_plot.image.image is not None


def test_no_regions_without_labels(window):
    # The window fixture is weighted-gradients: ten features and no labels.
    assert not window.plots.regions_plot.available
    assert not window.plots.regions_plot.isVisible()
