"""The plugins a project needs: what is missing, the install hint, stand-ins and provenance."""

from __future__ import annotations

import json
import sys

import pytest

from tapestudio.studio import ProjectError, load_example, project_to_dict
from tapestudio.studio.requirements import (
    KNOWN_PROVIDERS,
    MissingPluginsError,
    describe_missing,
    find_missing,
    load_file_with_stand_ins,
    load_with_stand_ins,
    plugin_distributions,
    project_with_stand_ins,
    still_missing,
    with_stand_ins,
)
from tests.plugin_site import ROOT, plugins_importable

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    tomllib = None


def project_data(activation="relu", optimizer="SGD", hyperparameters=None):
    data = project_to_dict(load_example("weighted-gradients"))
    data["model"]["layers"][0]["activation"] = activation
    data["tapes"][0]["optimizer"] = {"name": optimizer, "hyperparameters": hyperparameters or {"learning_rate": 0.05}}
    return data


def write(tmp_path, data, name="project.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# -- find_missing ----------------------------------------------------------------------------


def test_builtins_are_not_missing():
    assert find_missing(project_data()) == []


def test_missing_activation_found():
    (item,) = find_missing(project_data(activation="gelu"))

    assert (item.kind, item.name, item.fields) == ("op", "gelu", ("model.layers[0].activation",))
    assert item.provider == "tapestudio-activations"
    assert item.install_command() == "tapestudio plugins install tapestudio-activations"


def test_missing_optimizer_found():
    (item,) = find_missing(project_data(optimizer="Lion"))

    assert (item.kind, item.name, item.fields) == ("optimizer", "Lion", ("tapes[0].optimizer.name",))
    assert item.provider == "tapestudio-optimizers"


def test_optimizer_provider_ignores_case():
    (item,) = find_missing(project_data(optimizer="nadam"))

    assert item.provider == "tapestudio-optimizers"


def test_builtin_optimizer_ignores_case():
    assert find_missing(project_data(optimizer="adam")) == []


def test_name_used_twice_listed_once():
    data = project_data(activation="mish")
    data["model"]["layers"][1]["activation"] = "mish"

    (item,) = find_missing(data)

    assert item.fields == ("model.layers[0].activation", "model.layers[1].activation")


def test_unknown_name_has_no_provider():
    (item,) = find_missing(project_data(activation="squareplus"))

    assert item.provider is None
    assert item.install_command() is None
    assert "no plugin known to TapeStudio provides it" in item.describe()
    assert "'tapestudio plugins list'" in item.describe()


@pytest.mark.parametrize("data", [None, [], {"model": 3}, {"model": {"layers": [5, {"activation": 7}]}}])
def test_malformed_fields_skipped(data):
    assert find_missing(data) == []


@pytest.mark.usefixtures("plugins_on_path")
def test_broken_plugin_gives_reason():
    (item,) = find_missing(project_data(activation="broken_op"))

    assert "tapestudio-fixture-broken-import 0.1.0 declares it, but it failed to import" in item.reason
    assert "is not available" in item.describe()


@pytest.mark.usefixtures("plugins_on_path")
def test_installed_plugins_not_missing():
    assert find_missing(project_data(activation="gelu", optimizer="Lion")) == []


def test_still_missing_after_install(plugin_site):
    missing = find_missing(project_data(activation="gelu", optimizer="Nadam"))
    before = still_missing(missing)

    with plugins_importable(plugin_site):
        after = still_missing(missing)

    assert before == missing
    assert after == []


# -- messages --------------------------------------------------------------------------------


def test_describe_missing_is_one_line():
    text = describe_missing(find_missing(project_data(activation="gelu", optimizer="Lion")))

    assert "\n" not in text
    assert text.startswith("the project needs plugins that are not installed. Activation 'gelu'")


def test_missing_plugins_error_is_project_error():
    missing = find_missing(project_data(activation="gelu"))

    error = MissingPluginsError("project.json", missing)

    assert isinstance(error, ProjectError)
    assert str(error).startswith("project.json: the project needs plugins")
    assert error.missing == missing


# -- stand-ins -------------------------------------------------------------------------------


def test_stand_ins_replace_names():
    data = project_data(activation="gelu", optimizer="Lion", hyperparameters={"learning_rate": 0.001, "beta_1": 0.9})

    replaced = with_stand_ins(data, find_missing(data))

    assert replaced["model"]["layers"][0]["activation"] == "linear"
    assert replaced["tapes"][0]["optimizer"] == {"name": "SGD", "hyperparameters": {"learning_rate": 0.001}}
    assert data["model"]["layers"][0]["activation"] == "gelu"


def test_stand_in_drops_invalid_learning_rate():
    data = project_data(optimizer="Lion", hyperparameters={"learning_rate": True})

    replaced = with_stand_ins(data, find_missing(data))

    assert replaced["tapes"][0]["optimizer"]["hyperparameters"] == {}


def test_load_file_with_stand_ins(tmp_path):
    path = write(tmp_path, project_data(activation="gelu", optimizer="Lion"))

    project, missing = load_file_with_stand_ins(path)

    assert [item.name for item in missing] == ["gelu", "Lion"]
    assert project.model.layers[0].activation == "linear"
    assert project.tapes[0].optimizer.name == "SGD"
    assert project.source == path


def test_load_by_name_or_path(tmp_path):
    path = write(tmp_path, project_data(optimizer="Adamax"))

    project, missing = load_with_stand_ins(str(path))

    assert [item.name for item in missing] == ["Adamax"]
    assert project.tapes[0].optimizer.name == "SGD"


def test_load_example_needs_nothing():
    project, missing = load_with_stand_ins("iris")

    assert missing == []
    assert project.name == "iris"


def test_load_keeps_other_errors(tmp_path):
    data = project_data(optimizer="Lion")
    data["seed"] = -1
    path = write(tmp_path, data)

    with pytest.raises(ProjectError, match="seed: must be at least 0"):
        load_file_with_stand_ins(path)


def test_load_keeps_invalid_json_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")

    with pytest.raises(ProjectError, match="invalid JSON"):
        load_file_with_stand_ins(path)


def test_project_without_missing_returned_as_is():
    project = load_example("iris")

    same, missing = project_with_stand_ins(project)

    assert same is project
    assert missing == []


# -- provenance and the known providers ------------------------------------------------------


@pytest.mark.usefixtures("plugins_on_path")
def test_plugin_distributions_of_project():
    project = load_example("weighted-gradients")
    project.model.layers[0].activation = "silu"
    project.tapes[0].optimizer.name = "lion"

    assert plugin_distributions(project) == [
        {"distribution": "tapestudio-activations", "version": "0.1.0", "ops": ["silu"], "optimizers": []},
        {"distribution": "tapestudio-optimizers", "version": "0.1.0", "ops": [], "optimizers": ["Lion"]},
    ]


def test_plugin_distributions_skip_builtins():
    assert plugin_distributions(load_example("iris")) == []


@pytest.mark.skipif(tomllib is None, reason="tomllib is in the standard library from Python 3.11")
@pytest.mark.parametrize("distribution", sorted(KNOWN_PROVIDERS))
def test_known_providers_match_pyproject(distribution):
    with open(ROOT / "plugins" / distribution / "pyproject.toml", "rb") as file:
        entry_points = tomllib.load(file)["project"]["entry-points"]

    assert sorted(KNOWN_PROVIDERS[distribution]["op"]) == sorted(entry_points.get("tapestudio.ops", {}))
    assert sorted(KNOWN_PROVIDERS[distribution]["optimizer"]) == sorted(entry_points.get("tapestudio.optimizers", {}))
