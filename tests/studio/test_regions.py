"""Decision regions: the grid, class probabilities, colours and which data has regions."""

from __future__ import annotations

import numpy as np
import pytest

from tapestudio.studio import Session, load_example, project_from_dict
from tapestudio.studio.regions import (
    class_probabilities,
    decision_grid,
    predict,
    region_colors,
    regions_unavailable_reason,
    sample_points,
)

ALL_VARIABLES = ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]


def xor_project(objective="softmax_cross_entropy", units=2, validation_fraction=0.25):
    return project_from_dict({
        "format": "tapestudio-project",
        "version": 2,
        "name": "xor",
        "model": {
            "input_size": 2,
            "layers": [{"units": 8, "activation": "tanh"}, {"units": units, "activation": "linear"}],
        },
        "data": {
            "kind": "synthetic", "name": "xor", "samples": 120, "noise": 0.05,
            "validation_fraction": validation_fraction,
        },
        "objective": objective,
        "seed": 1,
        "tapes": [{
            "name": "all",
            "variables": ALL_VARIABLES,
            "optimizer": {"name": "SGD", "hyperparameters": {"learning_rate": 0.5}},
        }],
    })


@pytest.fixture(scope="module")
def trained_xor():
    session = Session(xor_project())
    for _ in range(1500):
        session.step()
    return session


def test_xor_has_regions():
    assert regions_unavailable_reason(Session(xor_project())) is None


def test_iris_has_no_regions():
    reason = regions_unavailable_reason(Session(load_example("iris")))

    assert "two features" in reason


def test_grid_shape_and_classes(trained_xor):
    grid = decision_grid(trained_xor, resolution=20)

    assert grid.predicted.shape == (20, 20)
    assert grid.confidence.shape == (20, 20)
    assert len(grid.classes) == 2


def test_grid_covers_samples(trained_xor):
    features, _, _ = sample_points(trained_xor)

    grid = decision_grid(trained_xor, resolution=10)

    assert grid.x_range[0] < features[:, 0].min()
    assert grid.x_range[1] > features[:, 0].max()
    assert grid.y_range[0] < features[:, 1].min()


def test_trained_grid_separates_xor_quadrants(trained_xor):
    grid = decision_grid(trained_xor, resolution=40)
    features, labels, _ = sample_points(trained_xor)

    # Look up the grid cell of each sample; most samples must lie in their own class's region.
    columns = ((features[:, 0] - grid.x_range[0]) / (grid.x_range[1] - grid.x_range[0]) * 40).astype(int)
    rows = ((features[:, 1] - grid.y_range[0]) / (grid.y_range[1] - grid.y_range[0]) * 40).astype(int)
    agreement = np.mean(grid.predicted[rows, columns] == labels)

    assert agreement > 0.9


def test_predict_matches_model_on_training_inputs(trained_xor):
    data = trained_xor.training_data
    features, _, _ = sample_points(trained_xor)
    train = np.asarray(data.split.train)

    outputs = predict(trained_xor, features[train])
    model_outputs = trained_xor._model(data.train_inputs).numpy()

    np.testing.assert_allclose(outputs, model_outputs, rtol=1e-5, atol=1e-6)


def test_sample_points_mark_validation(trained_xor):
    _, _, held_out = sample_points(trained_xor)

    assert held_out.sum() == len(trained_xor.training_data.split.validation)


def test_sigmoid_probabilities_sum_to_one():
    probabilities = class_probabilities("sigmoid_cross_entropy", np.array([[0.0], [2.0]]))

    np.testing.assert_allclose(probabilities.sum(axis=1), [1.0, 1.0])
    assert probabilities[0, 1] == pytest.approx(0.5)


def test_softmax_probabilities_of_large_logits():
    probabilities = class_probabilities("softmax_cross_entropy", np.array([[1000.0, 0.0]]))

    np.testing.assert_allclose(probabilities, [[1.0, 0.0]])


def test_nonfinite_outputs_have_no_class():
    session = Session(xor_project())
    for path in ALL_VARIABLES:
        variable = session._variables[path]
        variable.assign(np.full(variable.shape, np.nan, dtype=np.float32))
    session._publish_weights()

    grid = decision_grid(session, resolution=5)

    assert np.all(grid.predicted == -1)


def test_region_colors_image():
    grid = decision_grid(Session(xor_project()), resolution=6)

    image = region_colors(grid, [(255, 0, 0), (0, 0, 255)])

    assert image.shape == (6, 6, 4)
    assert image.dtype == np.uint8
    assert np.all(image[..., 3] == 255)


def test_region_colors_need_a_colour_per_class():
    grid = decision_grid(Session(xor_project()), resolution=4)

    with pytest.raises(ValueError, match="as many colours"):
        region_colors(grid, [(255, 0, 0)])


def test_decision_grid_rejects_small_resolution():
    with pytest.raises(ValueError, match="at least 2"):
        decision_grid(Session(xor_project()), resolution=1)
