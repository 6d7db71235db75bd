"""Which objectives fit which data, and fitting a project's model to new data."""

import numpy as np
import pytest

from tapestudio.studio import DataSpec, LayerSpec, ModelSpec, Project, Session
from tapestudio.studio.dataset import Dataset
from tapestudio.studio.datasets import load_bundled_dataset, normal_dataset
from tapestudio.studio.fitting import fit_project_to_data
from tapestudio.studio.objectives import (
    default_objective,
    objective_misfit,
    objective_misfits,
    output_units,
)
from tapestudio.studio.synthetic import synthetic_dataset


def numeric_labels(values):
    return Dataset("t", np.zeros((len(values), 1), np.float32), ("x",), np.float32(values), "y")


@pytest.mark.parametrize(
    ("dataset", "fitting"),
    [
        (normal_dataset(4, 2, 0), ["sum"]),
        (
            synthetic_dataset("xor", 20, 0.1, 0),
            ["sum", "mse", "softmax_cross_entropy", "sigmoid_cross_entropy"],
        ),
        (load_bundled_dataset("iris"), ["sum", "mse", "softmax_cross_entropy"]),
        (synthetic_dataset("sine", 20, 0.1, 0), ["sum", "mse"]),
        (numeric_labels([0.0, 0.5, 1.0]), ["sum", "mse", "sigmoid_cross_entropy"]),
        (numeric_labels([0.0, 2.0, 1.0]), ["sum", "mse", "softmax_cross_entropy"]),
    ],
    ids=["no labels", "two classes", "three classes", "regression", "in 0 to 1", "class codes"],
)
def test_objectives_that_fit(dataset, fitting):
    misfits = objective_misfits(dataset)

    assert [name for name, reason in misfits.items() if reason is None] == fitting


def test_misfit_without_labels_reason():
    reason = objective_misfit("mse", normal_dataset(4, 2, 0))

    assert reason == "needs labels, but the data has none"


def test_misfit_sigmoid_three_classes_reason():
    reason = objective_misfit("sigmoid_cross_entropy", load_bundled_dataset("iris"))

    assert reason == "needs two classes, but the data has 3"


def test_misfit_softmax_regression_reason():
    reason = objective_misfit("softmax_cross_entropy", synthetic_dataset("sine", 20, 0.1, 0))

    assert "holds numbers to predict" in reason


def test_misfit_unknown_objective():
    with pytest.raises(ValueError, match="unknown objective"):
        objective_misfit("hinge", normal_dataset(4, 2, 0))


@pytest.mark.parametrize(
    ("objective", "dataset", "units"),
    [
        ("sum", load_bundled_dataset("iris"), None),
        ("mse", load_bundled_dataset("iris"), 3),
        ("mse", synthetic_dataset("sine", 20, 0.1, 0), 1),
        ("softmax_cross_entropy", load_bundled_dataset("wine"), 3),
        ("softmax_cross_entropy", numeric_labels([0.0, 3.0]), 4),
        ("sigmoid_cross_entropy", synthetic_dataset("moons", 20, 0.1, 0), 1),
    ],
)
def test_output_units(objective, dataset, units):
    assert output_units(objective, dataset) == units


@pytest.mark.parametrize(
    ("dataset", "objective"),
    [
        (normal_dataset(4, 2, 0), "sum"),
        (synthetic_dataset("circles", 20, 0.1, 0), "sigmoid_cross_entropy"),
        (load_bundled_dataset("iris"), "softmax_cross_entropy"),
        (synthetic_dataset("sine", 20, 0.1, 0), "mse"),
    ],
)
def test_default_objective(dataset, objective):
    assert default_objective(dataset) == objective


def normal_project():
    return Project(
        name="fit",
        model=ModelSpec(10, [LayerSpec(8, "relu"), LayerSpec(10)]),
        data=DataSpec("normal", samples=1),
        objective="sum",
        seed=0,
        tapes=[],
    )


def test_fit_to_iris_sets_input_objective_and_units():
    project = normal_project()
    project.data = DataSpec("bundled", name="iris")

    notes = fit_project_to_data(project, load_bundled_dataset("iris"))

    assert project.model.input_size == 4
    assert project.objective == "sum"
    assert project.model.layers[-1].units == 10
    assert notes == ["Input size set to 4, the number of feature columns."]


def test_fit_replaces_objective_that_does_not_fit():
    project = normal_project()
    project.objective = "sigmoid_cross_entropy"
    project.data = DataSpec("bundled", name="iris")

    notes = fit_project_to_data(project, load_bundled_dataset("iris"))

    assert project.objective == "softmax_cross_entropy"
    assert project.model.layers[-1].units == 3
    assert "Objective set to softmax_cross_entropy" in notes[1]
    assert "needs two classes" in notes[1]


def test_fit_sets_output_units_for_objective():
    project = normal_project()
    project.objective = "mse"
    project.data = DataSpec("synthetic", name="sine", samples=20, noise=0.1)

    fit_project_to_data(project, synthetic_dataset("sine", 20, 0.1, 0))

    assert project.model.input_size == 1
    assert project.model.layers[-1].units == 1


def test_fit_keeps_normal_input_size():
    project = normal_project()

    notes = fit_project_to_data(project, normal_dataset(1, 3, 0))

    assert project.model.input_size == 10
    assert notes == []


def test_fitted_project_builds_session():
    project = normal_project()
    project.data = DataSpec("synthetic", name="spirals", samples=40, noise=0.05)
    fit_project_to_data(project, synthetic_dataset("spirals", 40, 0.05, 0))

    session = Session(project)

    assert session.project.objective == "sum"
    assert session.weights()["dense/kernel"].shape == (2, 8)


def test_fit_drops_batch_larger_than_training_part():
    project = normal_project()
    project.data = DataSpec("bundled", name="iris", validation_fraction=0.5, batch_size=100)

    notes = fit_project_to_data(project, load_bundled_dataset("iris"))

    assert project.data.batch_size is None
    assert "larger than the 75 training samples" in notes[-1]


def test_fit_picks_default_objective_when_task_changes():
    project = normal_project()
    project.data = DataSpec("bundled", name="iris")

    notes = fit_project_to_data(project, load_bundled_dataset("iris"), normal_dataset(1, 10, 0))

    assert project.objective == "softmax_cross_entropy"
    assert project.model.layers[-1].units == 3
    assert "Objective set to softmax_cross_entropy for classification data." in notes


def test_fit_keeps_objective_for_same_task():
    project = normal_project()
    project.objective = "mse"
    project.data = DataSpec("bundled", name="wine")

    fit_project_to_data(project, load_bundled_dataset("wine"), load_bundled_dataset("iris"))

    assert project.objective == "mse"
