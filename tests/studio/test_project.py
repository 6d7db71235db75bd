"""Project files: the JSON round trip, and one ProjectError per kind of invalid field."""

from __future__ import annotations

import copy
import json

import pytest

from tapestudio.studio import (
    DataSpec,
    LayerSpec,
    ModelSpec,
    OptimizerSpec,
    Project,
    ProjectError,
    TapeSpec,
    load_project,
    project_from_dict,
    project_to_dict,
    save_project,
)


def make_project() -> Project:
    return Project(
        name="two-layers",
        model=ModelSpec(3, [LayerSpec(5, "tanh"), LayerSpec(2, "linear", use_bias=False)]),
        data=DataSpec("normal", samples=4),
        objective="sum",
        seed=7,
        tapes=[
            TapeSpec(
                "first",
                ["dense/kernel", "dense/bias"],
                OptimizerSpec("SGD", {"learning_rate": 0.1}),
            ),
            TapeSpec(
                "second",
                ["dense_1/kernel", "dense/kernel"],
                OptimizerSpec("SGD", {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True}),
                persistent=True,
                parent="first",
            ),
        ],
        description="A test project.",
    )


def write_json(tmp_path, data, name="project.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_project_variable_names_in_model_order():
    assert make_project().variable_names() == ["dense/kernel", "dense/bias", "dense_1/kernel"]


def test_project_frozen_and_shared_variables():
    project = make_project()

    assert project.frozen_variables() == []
    assert project.shared_variables() == ["dense/kernel"]
    assert project.watchers("dense/kernel") == ["first", "second"]


def test_project_dict_round_trip():
    project = make_project()

    assert project_from_dict(project_to_dict(project)) == project


def test_project_dict_has_format_and_version():
    data = project_to_dict(make_project())

    assert data["format"] == "tapestudio-project"
    assert data["version"] == 2


def test_project_dict_survives_json_text():
    project = make_project()
    text = json.dumps(project_to_dict(project))

    assert project_from_dict(json.loads(text)) == project


def test_save_and_load_project_round_trip(tmp_path):
    project = make_project()
    path = save_project(project, tmp_path / "saved.json")

    loaded = load_project(path)

    assert loaded == project
    assert loaded.source == path


def test_save_project_rejects_invalid_project(tmp_path):
    project = make_project()
    project.tapes[0].variables = ["dense_7/kernel"]

    with pytest.raises(ProjectError):
        save_project(project, tmp_path / "bad.json")
    assert not (tmp_path / "bad.json").exists()


def test_save_project_replaces_existing_file(tmp_path):
    path = tmp_path / "project.json"
    path.write_text("old content", encoding="utf-8")

    save_project(make_project(), path)

    assert load_project(path) == make_project()
    assert [entry.name for entry in tmp_path.iterdir()] == ["project.json"]


def test_project_from_dict_leaves_input_unchanged():
    data = project_to_dict(make_project())
    before = copy.deepcopy(data)

    project_from_dict(data)

    assert data == before


def test_project_from_dict_fills_optional_fields():
    data = project_to_dict(make_project())
    del data["description"]
    del data["model"]["layers"][0]["activation"]
    del data["model"]["layers"][0]["use_bias"]
    del data["tapes"][0]["persistent"]
    del data["tapes"][0]["parent"]

    project = project_from_dict(data)

    assert project.description == ""
    assert project.model.layers[0] == LayerSpec(5, "linear", True)
    assert project.tapes[0].persistent is False
    assert project.tapes[0].parent is None


def test_csv_data_round_trip(tmp_path):
    data = project_to_dict(make_project())
    data["data"] = {"kind": "csv", "path": "table.csv", "features": ["a", "b", "c"], "label": "y"}
    data["objective"] = "mse"

    project = project_from_dict(data)

    assert project.data == DataSpec("csv", path="table.csv", features=["a", "b", "c"], label="y")
    assert project_to_dict(project)["data"] == data["data"]


def test_csv_data_path_relative_to_project_file(tmp_path):
    data = project_to_dict(make_project())
    data["data"] = {"kind": "csv", "path": "table.csv", "features": ["a", "b", "c"], "label": None}
    path = write_json(tmp_path, data)

    project = load_project(path)

    assert project.resolve_data_path() == tmp_path / "table.csv"


def test_data_fields_of_other_kinds_not_saved():
    project = make_project()
    project.data = DataSpec("normal", name="iris", samples=2, path="x.csv")

    assert project_to_dict(project)["data"] == {"kind": "normal", "samples": 2}


# Each case: a change to a valid project dict, and the field the error must name.
def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


BAD_FIELDS = [
    ("format", _set(["format"], "other-app"), "format"),
    ("version newer", _set(["version"], 3), "version"),
    ("version text", _set(["version"], "1"), "version"),
    ("name missing", _delete(["name"]), "name"),
    ("name empty", _set(["name"], "  "), "name"),
    ("unknown top field", _set(["colour"], "red"), "colour"),
    ("description number", _set(["description"], 3), "description"),
    ("model not object", _set(["model"], [3]), "model"),
    ("input size zero", _set(["model", "input_size"], 0), "model.input_size"),
    ("input size float", _set(["model", "input_size"], 3.0), "model.input_size"),
    ("no layers", _set(["model", "layers"], []), "model.layers"),
    ("units text", _set(["model", "layers", 1, "units"], "ten"), "model.layers[1].units"),
    ("units negative", _set(["model", "layers", 1, "units"], -2), "model.layers[1].units"),
    (
        "activation empty",
        _set(["model", "layers", 0, "activation"], ""),
        "model.layers[0].activation",
    ),
    ("use_bias text", _set(["model", "layers", 0, "use_bias"], "yes"), "model.layers[0].use_bias"),
    (
        "unknown layer field",
        _set(["model", "layers", 0, "dropout"], 0.5),
        "model.layers[0].dropout",
    ),
    ("data kind", _set(["data", "kind"], "tsv"), "data.kind"),
    ("samples zero", _set(["data", "samples"], 0), "data.samples"),
    ("data field of other kind", _set(["data", "path"], "x.csv"), "data.path"),
    ("bundled unknown", _set(["data"], {"kind": "bundled", "name": "mnist"}), "data.name"),
    ("csv no path", _set(["data"], {"kind": "csv", "features": ["a"]}), "data.path"),
    (
        "csv no features",
        _set(["data"], {"kind": "csv", "path": "t.csv", "features": []}),
        "data.features",
    ),
    (
        "csv feature twice",
        _set(["data"], {"kind": "csv", "path": "t.csv", "features": ["a", "a"]}),
        "data.features[1]",
    ),
    (
        "csv label is feature",
        _set(["data"], {"kind": "csv", "path": "t.csv", "features": ["a"], "label": "a"}),
        "data.label",
    ),
    ("objective unknown", _set(["objective"], "hinge"), "objective"),
    ("objective needs labels", _set(["objective"], "mse"), "objective"),
    ("seed negative", _set(["seed"], -1), "seed"),
    ("seed too large", _set(["seed"], 2**32), "seed"),
    ("seed float", _set(["seed"], 1.5), "seed"),
    ("seed bool", _set(["seed"], True), "seed"),
    ("tapes not list", _set(["tapes"], {"name": "t"}), "tapes"),
    ("tape not object", _set(["tapes", 1], "second"), "tapes[1]"),
    (
        "tape variable unknown",
        _set(["tapes", 1, "variables", 0], "dense/kernal"),
        "tapes[1].variables[0]",
    ),
    (
        "tape variable twice",
        _set(["tapes", 0, "variables", 1], "dense/kernel"),
        "tapes[0].variables[1]",
    ),
    ("tape name twice", _set(["tapes", 1, "name"], "first"), "tapes[1].name"),
    ("tape persistent text", _set(["tapes", 0, "persistent"], "no"), "tapes[0].persistent"),
    ("tape parent unknown", _set(["tapes", 1, "parent"], "third"), "tapes[1].parent"),
    ("tape parent loop", _set(["tapes", 0, "parent"], "second"), "tapes[0].parent"),
    ("tape parent itself", _set(["tapes", 0, "parent"], "first"), "tapes[0].parent"),
    ("optimizer missing", _delete(["tapes", 1, "optimizer"]), "tapes[1].optimizer"),
    (
        "optimizer unknown",
        _set(["tapes", 1, "optimizer", "name"], "Adamax"),
        "tapes[1].optimizer.name",
    ),
    (
        "hyperparameter text",
        _set(["tapes", 1, "optimizer", "hyperparameters", "learning_rate"], "fast"),
        "tapes[1].optimizer.hyperparameters.learning_rate",
    ),
    (
        "hyperparameter unknown",
        _set(["tapes", 1, "optimizer", "hyperparameters", "beta_1"], 0.9),
        "tapes[1].optimizer.hyperparameters.beta_1",
    ),
    (
        "hyperparameter out of range",
        _set(["tapes", 1, "optimizer", "hyperparameters", "momentum"], 2.0),
        "tapes[1].optimizer.hyperparameters.momentum",
    ),
    (
        "flag given as number",
        _set(["tapes", 1, "optimizer", "hyperparameters", "nesterov"], 1),
        "tapes[1].optimizer.hyperparameters.nesterov",
    ),
    (
        "hyperparameters not object",
        _set(["tapes", 1, "optimizer", "hyperparameters"], [0.1]),
        "tapes[1].optimizer.hyperparameters",
    ),
]


@pytest.mark.parametrize(
    ("change", "field"), [case[1:] for case in BAD_FIELDS], ids=[case[0] for case in BAD_FIELDS]
)
def test_load_project_bad_field(tmp_path, change, field):
    data = project_to_dict(make_project())
    change(data)
    path = write_json(tmp_path, data)

    with pytest.raises(ProjectError) as raised:
        load_project(path)

    assert raised.value.field == field
    assert raised.value.source == str(path)
    assert str(path) in str(raised.value)
    assert field in str(raised.value)


def test_load_project_nan_hyperparameter(tmp_path):
    text = json.dumps(project_to_dict(make_project())).replace(
        '"learning_rate": 0.1', '"learning_rate": NaN'
    )
    path = tmp_path / "nan.json"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ProjectError) as raised:
        load_project(path)

    assert raised.value.field == "tapes[0].optimizer.hyperparameters.learning_rate"


def test_load_project_not_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "tapestudio-project",', encoding="utf-8")

    with pytest.raises(ProjectError) as raised:
        load_project(path)

    assert raised.value.field is None
    assert "invalid JSON at line 1" in str(raised.value)


def test_load_project_not_object(tmp_path):
    path = write_json(tmp_path, [1, 2])

    with pytest.raises(ProjectError) as raised:
        load_project(path)

    assert "expected a JSON object" in str(raised.value)


def test_load_project_missing_file(tmp_path):
    with pytest.raises(ProjectError) as raised:
        load_project(tmp_path / "absent.json")

    assert "file not found" in str(raised.value)


def test_load_project_folder(tmp_path):
    with pytest.raises(ProjectError) as raised:
        load_project(tmp_path)

    assert "is a folder" in str(raised.value)


def test_load_project_not_utf8(tmp_path):
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"name": "caf\xe9"}')

    with pytest.raises(ProjectError) as raised:
        load_project(path)

    assert "not UTF-8" in str(raised.value)


def test_project_error_is_value_error():
    assert issubclass(ProjectError, ValueError)
