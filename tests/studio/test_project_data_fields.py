"""Project files: the data, split, batch and initializer fields, and version 1 files."""

import json

import pytest

from tapestudio.studio import (
    DataSpec,
    LayerSpec,
    ModelSpec,
    Project,
    ProjectError,
    load_project,
    project_from_dict,
    project_to_dict,
    save_project,
)


def project_with(data, layers=None, objective="sum"):
    return Project(
        name="fields",
        model=ModelSpec(2, layers or [LayerSpec(3, "tanh"), LayerSpec(1)]),
        data=data,
        objective=objective,
        seed=5,
        tapes=[],
    )


ROUND_TRIP_CASES = {
    "synthetic": DataSpec(
        "synthetic", name="spirals", samples=300, noise=0.2, seed=9,
        validation_fraction=0.3, batch_size=16,
    ),
    "bundled with split": DataSpec("bundled", name="wine", validation_fraction=0.2, seed=1),
    "csv classification": DataSpec(
        "csv", path="t.csv", features=["a", "b"], label="y", task="classification", batch_size=8
    ),
    "csv regression": DataSpec("csv", path="t.csv", features=["a"], label="y", task="regression"),
    "normal with seed": DataSpec("normal", samples=4, seed=3),
}


@pytest.mark.parametrize("data", ROUND_TRIP_CASES.values(), ids=ROUND_TRIP_CASES.keys())
def test_data_fields_round_trip(data, tmp_path):
    project = project_with(data)

    path = save_project(project, tmp_path / "project.json")
    loaded = load_project(path)

    assert loaded.data == data


def test_initializers_round_trip(tmp_path):
    layers = [
        LayerSpec(3, "tanh", True, "he_normal", "ones"),
        LayerSpec(1, "linear", False, "zeros"),
    ]
    project = project_with(DataSpec("normal", samples=1), layers)

    loaded = load_project(save_project(project, tmp_path / "project.json"))

    assert loaded.model.layers == layers


def test_default_fields_not_written():
    data = project_to_dict(project_with(DataSpec("synthetic", name="xor", samples=50, noise=0.1)))

    assert data["data"] == {"kind": "synthetic", "name": "xor", "samples": 50, "noise": 0.1}
    assert "kernel_initializer" not in data["model"]["layers"][0]


def test_file_has_version_two():
    data = project_to_dict(project_with(DataSpec("normal", samples=1)))

    assert data["version"] == 2


def test_version_one_file_gets_defaults(tmp_path):
    version_one = {
        "format": "tapestudio-project",
        "version": 1,
        "name": "old",
        "model": {
            "input_size": 4,
            "layers": [{"units": 3, "activation": "linear", "use_bias": True}],
        },
        "data": {"kind": "bundled", "name": "iris"},
        "objective": "softmax_cross_entropy",
        "seed": 0,
        "tapes": [],
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(version_one), encoding="utf-8")

    project = load_project(path)

    assert project.data == DataSpec("bundled", name="iris")
    assert project.data.validation_fraction == 0.0
    assert project.data.batch_size is None
    assert project.model.layers[0].kernel_initializer == "glorot_uniform"
    assert project.model.layers[0].bias_initializer == "zeros"


def test_synthetic_defaults_from_set():
    data = project_to_dict(project_with(DataSpec("normal", samples=1)))
    data["data"] = {"kind": "synthetic", "name": "moons"}

    project = project_from_dict(data)

    assert project.data.samples == 200
    assert project.data.noise == 0.1


def test_data_seed_defaults_to_project_seed():
    project = project_with(DataSpec("synthetic", name="xor", samples=50, noise=0.1))

    assert project.data_seed() == 5


def valid_dict():
    return project_to_dict(
        project_with(DataSpec("synthetic", name="xor", samples=50, noise=0.1), objective="mse")
    )


BAD_FIELDS = [
    ("data", "name", "checkerboard", "data.name"),
    ("data", "samples", 3, "data.samples"),
    ("data", "samples", 100_001, "data.samples"),
    ("data", "noise", -0.5, "data.noise"),
    ("data", "noise", "loud", "data.noise"),
    ("data", "seed", -1, "data.seed"),
    ("data", "validation_fraction", 0.95, "data.validation_fraction"),
    ("data", "validation_fraction", -0.1, "data.validation_fraction"),
    ("data", "batch_size", 0, "data.batch_size"),
    ("data", "batch_size", 2.5, "data.batch_size"),
    ("data", "colour", "red", "data.colour"),
]


@pytest.mark.parametrize(("section", "key", "value", "field"), BAD_FIELDS)
def test_bad_data_field_named(section, key, value, field):
    data = valid_dict()
    data[section][key] = value

    with pytest.raises(ProjectError) as raised:
        project_from_dict(data)

    assert raised.value.field == field


def test_bad_csv_task_named():
    data = valid_dict()
    data["data"] = {
        "kind": "csv", "path": "t.csv", "features": ["a"], "label": "y", "task": "ranking"
    }

    with pytest.raises(ProjectError) as raised:
        project_from_dict(data)

    assert raised.value.field == "data.task"


def test_bad_initializer_named():
    data = valid_dict()
    data["model"]["layers"][1]["kernel_initializer"] = "orthogonal"

    with pytest.raises(ProjectError) as raised:
        project_from_dict(data)

    assert raised.value.field == "model.layers[1].kernel_initializer"
    assert "glorot_uniform" in raised.value.problem


def test_synthetic_has_labels():
    assert project_from_dict(valid_dict()).data.has_labels()
