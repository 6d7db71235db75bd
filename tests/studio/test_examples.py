"""The bundled example projects and name-or-path lookup."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from tapestudio.studio import (
    DataSpec,
    LayerSpec,
    ModelSpec,
    OptimizerSpec,
    ProjectError,
    TapeSpec,
    example_descriptions,
    list_examples,
    load_example,
    project_to_dict,
    resolve_project,
    save_project,
)


def test_list_examples_names():
    assert list_examples() == ["iris", "weighted-gradients"]


@pytest.mark.parametrize("name", ["iris", "weighted-gradients"])
def test_example_file_is_canonical_json(name):
    # The file is exactly what saving the loaded project would write, so no field is dropped.
    text = (
        resources.files("tapestudio.resources")
        .joinpath("projects", f"{name}.json")
        .read_text("utf-8")
    )

    assert json.loads(text) == project_to_dict(load_example(name))


def test_weighted_gradients_example():
    project = load_example("weighted-gradients")

    assert project.model == ModelSpec(10, [LayerSpec(64, "relu"), LayerSpec(10, "linear")])
    assert project.data == DataSpec("normal", samples=1)
    assert project.objective == "sum"
    assert project.seed == 0
    assert project.tapes == [
        TapeSpec("layer1", ["dense/kernel"], OptimizerSpec("SGD", {"learning_rate": 0.01})),
        TapeSpec("layer2", ["dense_1/kernel"], OptimizerSpec("SGD", {"learning_rate": 0.001})),
    ]
    assert project.frozen_variables() == ["dense/bias", "dense_1/bias"]


def test_iris_example():
    project = load_example("iris")

    assert project.model.input_size == 4
    assert project.model.layers[-1].units == 3
    assert project.data == DataSpec("bundled", name="iris")
    assert project.objective == "softmax_cross_entropy"
    assert project.frozen_variables() == []


def test_example_descriptions_one_line_each():
    descriptions = example_descriptions()

    assert list(descriptions) == list_examples()
    for description in descriptions.values():
        assert description.strip()
        assert "\n" not in description


def test_load_example_unknown_name():
    with pytest.raises(ProjectError) as raised:
        load_example("mnist")

    assert "weighted-gradients" in str(raised.value)


def test_resolve_project_by_example_name():
    assert resolve_project("iris") == load_example("iris")


def test_resolve_project_by_path(tmp_path):
    path = save_project(load_example("iris"), tmp_path / "copy.json")

    assert resolve_project(str(path)) == load_example("iris")


def test_resolve_project_file_in_working_folder_wins(tmp_path, monkeypatch):
    project = load_example("weighted-gradients")
    save_project(project, tmp_path / "iris")
    monkeypatch.chdir(tmp_path)

    assert resolve_project("iris").name == "weighted-gradients"


def test_resolve_project_unknown_name():
    with pytest.raises(ProjectError) as raised:
        resolve_project("no-such-example")

    assert "neither an example project" in str(raised.value)


def test_resolve_project_missing_json_path(tmp_path):
    with pytest.raises(ProjectError) as raised:
        resolve_project(str(tmp_path / "absent.json"))

    assert "file not found" in str(raised.value)
