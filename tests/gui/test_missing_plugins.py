"""A project that names ops or optimizers that are not installed opens with stand-ins and a message."""

import json

import pytest
from PySide6.QtWidgets import QMessageBox

from tapestudio.gui.app import open_main_window
from tapestudio.gui.settings import AppSettings
from tapestudio.studio import load_example, project_to_dict
from tests.plugin_site import plugins_importable


@pytest.fixture
def needs_plugins(tmp_path):
    """A project file whose first layer uses gelu and whose first tape uses Lion."""
    data = project_to_dict(load_example("weighted-gradients"))
    data["model"]["layers"][0]["activation"] = "gelu"
    data["tapes"][0]["optimizer"] = {"name": "Lion", "hyperparameters": {"learning_rate": 0.0003, "beta_1": 0.95}}
    path = tmp_path / "needs-plugins.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _message_texts(window):
    return [box.text() for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_open_file_names_missing_plugins(window, needs_plugins):
    opened = window.open_project_file(needs_plugins)

    texts = _message_texts(window)
    assert opened
    assert len(texts) == 1
    assert "Activation 'gelu' (model.layers[0].activation) is not installed" in texts[0]
    assert "'tapestudio plugins install tapestudio-activations'" in texts[0]
    assert "'tapestudio plugins install tapestudio-optimizers'" in texts[0]
    assert "linear in place of gelu, SGD in place of Lion" in texts[0]


def test_open_file_uses_stand_ins(window, needs_plugins):
    window.open_project_file(needs_plugins)

    project = window.session.project
    assert project.model.layers[0].activation == "linear"
    assert project.tapes[0].optimizer.name == "SGD"
    assert project.tapes[0].optimizer.hyperparameters == {"learning_rate": 0.0003}
    assert window.project_path == needs_plugins
    assert [item.name for item in window.stand_ins] == ["gelu", "Lion"]


def test_stand_in_project_runs(window, needs_plugins, wait_for_steps):
    window.open_project_file(needs_plugins)

    window.actions.step.trigger()

    wait_for_steps(window, 1)
    assert len(window.session.history) == 1


def test_installed_plugins_noticed(window, needs_plugins, plugin_site):
    window.open_project_file(needs_plugins)
    with plugins_importable(plugin_site):
        window.plugins_changed.emit()

        assert window.statusBar().currentMessage().startswith("gelu, Lion installed: open the project file again")
        assert window.stand_ins == []


def test_open_file_with_plugins_installed(window, needs_plugins, plugins_on_path):
    window.open_project_file(needs_plugins)

    assert _message_texts(window) == []
    assert window.session.project.model.layers[0].activation == "gelu"
    assert window.session.project.tapes[0].optimizer.name == "Lion"


def test_other_error_still_rejects_file(window, needs_plugins):
    data = json.loads(needs_plugins.read_text(encoding="utf-8"))
    data["seed"] = -1
    needs_plugins.write_text(json.dumps(data), encoding="utf-8")

    opened = window.open_project_file(needs_plugins)

    texts = _message_texts(window)
    assert not opened
    assert "seed: must be at least 0" in texts[0]
    assert window.session.project.name == "weighted-gradients"


def test_app_start_names_missing_plugins(qtbot, needs_plugins, tmp_path):
    window = open_main_window(str(needs_plugins), settings=AppSettings.in_memory(), folder=tmp_path / "data")
    qtbot.addWidget(window)
    window.ask_to_save = False

    texts = _message_texts(window)
    assert window.session.project.model.layers[0].activation == "linear"
    assert any("Activation 'gelu'" in text for text in texts)
