"""Discovery of the installed plugin distributions: a status for every entry point."""

import os
import subprocess
import sys

import pytest

from tapestudio import plugins
from tapestudio.plugins import Status

pytestmark = pytest.mark.usefixtures("installed_plugins")


def _status(kind, name, distribution):
    found = [
        status for status in plugins.statuses()
        if status.kind == kind and status.name == name and status.distribution == distribution
    ]
    assert len(found) == 1, f"expected one status of {kind} {name} from {distribution}, found {found}"
    return found[0]


LOADED = [
    ("op", "gelu", "tapestudio-activations"),
    ("op", "gelu_tanh", "tapestudio-activations"),
    ("op", "silu", "tapestudio-activations"),
    ("op", "swish", "tapestudio-activations"),
    ("op", "mish", "tapestudio-activations"),
    ("op", "hard_sigmoid", "tapestudio-activations"),
    ("op", "hard_silu", "tapestudio-activations"),
    ("op", "normal_cdf", "tapestudio-activations"),
    ("optimizer", "Lion", "tapestudio-optimizers"),
    ("optimizer", "Nadam", "tapestudio-optimizers"),
    ("optimizer", "Adamax", "tapestudio-optimizers"),
    ("op", "wrong_vjp_shape", "tapestudio-fixture-bad-vjp"),
    ("op", "fails_on_fifth_call", "tapestudio-fixture-step-five"),
    ("optimizer", "FailsAtStepFive", "tapestudio-fixture-step-five"),
]


@pytest.mark.parametrize(("kind", "name", "distribution"), LOADED)
def test_plugin_entry_is_loaded(kind, name, distribution):
    status = _status(kind, name, distribution)

    assert status.status is Status.LOADED
    assert status.error == ""
    assert status.version == "0.1.0"
    assert status.builtin is False


def test_status_names_entry_point_target():
    status = _status("op", "gelu", "tapestudio-activations")

    assert status.value == "tapestudio_activations:gelu"


FAILED_TO_IMPORT = [
    ("op", "broken_op", "tapestudio-fixture-broken-import", "No module named 'tapestudio_fixture_missing_dependency'"),
    ("optimizer", "BrokenOptimizer", "tapestudio-fixture-broken-import", "ModuleNotFoundError"),
    ("op", "missing_attribute", "tapestudio-fixture-invalid", "has no attribute 'no_such_op'"),
]


@pytest.mark.parametrize(("kind", "name", "distribution", "error"), FAILED_TO_IMPORT)
def test_entry_that_fails_to_import(kind, name, distribution, error):
    status = _status(kind, name, distribution)

    assert status.status is Status.IMPORT_FAILED
    assert error in status.error


def test_import_failure_keeps_traceback():
    status = _status("op", "broken_op", "tapestudio-fixture-broken-import")

    assert "Traceback" in status.traceback
    assert "tapestudio_fixture_broken_import" in status.traceback


INVALID = [
    ("op", "not_an_op", "not an op made with tapestudio.plugins.api.define_op"),
    ("op", "misnamed", "the op is named 'other_name'"),
    ("op", "bad_definition", "has arity 1 but 2 VJPs"),
    ("optimizer", "NotAnOptimizer", "not a subclass of tapestudio.plugins.api.Optimizer"),
    ("optimizer", "PlainSubclass", "subclass tapestudio.plugins.api.Optimizer instead"),
    ("optimizer", "NoLearningRate", "has no 'learning_rate'"),
    ("optimizer", "NoApiVersion", "declares no api_version"),
]


@pytest.mark.parametrize(("kind", "name", "error"), INVALID)
def test_invalid_entry_says_what_is_wrong(kind, name, error):
    status = _status(kind, name, "tapestudio-fixture-invalid")

    assert status.status is Status.INVALID
    assert error in status.error


INCOMPATIBLE = [
    ("op", "future_op", "written for plugin API 99", "upgrade TapeStudio"),
    ("op", "ancient_op", "written for plugin API 0", "install a version of the plugin"),
    ("optimizer", "FutureOptimizer", "written for plugin API 99", "upgrade TapeStudio"),
]


@pytest.mark.parametrize(("kind", "name", "error", "advice"), INCOMPATIBLE)
def test_wrong_api_version_is_incompatible(kind, name, error, advice):
    status = _status(kind, name, "tapestudio-fixture-wrong-api")

    assert status.status is Status.INCOMPATIBLE
    assert error in status.error
    assert advice in status.error


@pytest.mark.parametrize(("kind", "name"), [("op", "relu"), ("optimizer", "SGD"), ("optimizer", "adam")])
def test_builtin_wins_over_plugin(kind, name):
    plugin = _status(kind, name, "tapestudio-fixture-duplicate")

    assert plugin.status is Status.DUPLICATE
    assert "built into TapeStudio" in plugin.error


def test_duplicate_keeps_builtin_relu():
    relu = plugins.op("relu")

    assert relu(-2.0).numpy() == 0.0


def test_duplicate_keeps_builtin_adam():
    from tapestudio import optimizers

    assert optimizers.get_class("adam") is optimizers.Adam


def test_plugin_whose_distribution_sorts_first_wins():
    loser = _status("op", "gelu", "tapestudio-fixture-duplicate")
    winner = _status("op", "gelu", "tapestudio-activations")

    assert winner.status is Status.LOADED
    assert loser.status is Status.DUPLICATE
    assert "tapestudio-activations 0.1.0, which is used" in loser.error


def test_builtins_have_statuses():
    builtin = [status for status in plugins.statuses() if status.builtin]

    assert {status.name for status in builtin} >= {"relu", "softmax", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad"}
    assert all(status.loaded for status in builtin)
    assert {status.distribution for status in builtin} == {"tapestudio"}


def test_statuses_list_ops_before_optimizers():
    kinds = [status.kind for status in plugins.statuses()]

    assert kinds == sorted(kinds, key=["op", "optimizer"].index)


def test_rescan_returns_same_statuses():
    before = plugins.statuses()

    after = plugins.rescan().statuses

    assert list(after) == before


def test_broken_plugins_leave_others_working():
    assert "gelu" in plugins.activation_names()
    assert "Lion" in plugins.optimizer_names()


def test_import_does_not_discover(installed_plugins):
    # The plugin modules are imported on the first lookup, not by importing TapeStudio.
    code = (
        "import sys, tapestudio\n"
        "assert 'tapestudio_activations' not in sys.modules, 'imported by import tapestudio'\n"
        "tapestudio.plugins.op_names()\n"
        "assert 'tapestudio_activations' in sys.modules, 'not imported by the first lookup'\n"
    )
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed_plugins), *sys.path])}

    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                            timeout=120)

    assert result.returncode == 0, result.stderr
