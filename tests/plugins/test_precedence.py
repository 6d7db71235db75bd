"""Which entry point wins a name, checked on registries built from entries in memory."""

import pytest

from tapestudio.plugins import Entry, Registry, Status, api
from tapestudio.plugins.discovery import OPS_GROUP, OPTIMIZERS_GROUP


def _op(name):
    return api.composite_op(name, lambda x: x * 2.0, activation=True, api_version=1, description="2 x.")


def _optimizer(name):
    namespace = {
        "description": "Gradient descent.",
        "api_version": 1,
        "hyperparameters": {"learning_rate": api.Hyperparameter(0.01, minimum=0.0, description="Step size.")},
        "update_step": lambda self, gradient, variable, slots: variable.numpy() - self.learning_rate * gradient,
    }
    return type(name, (api.Optimizer,), namespace)


def _entry(group, name, distribution, obj):
    return Entry(group, name, f"{distribution}:{name}", distribution, "1.0", lambda: obj)


def _failing_entry(group, name, distribution):
    def load():
        raise ImportError("module is broken")

    return Entry(group, name, f"{distribution}:{name}", distribution, "1.0", load)


def _status(registry, name, distribution):
    (status,) = [s for s in registry.statuses if s.name == name and s.distribution == distribution]
    return status


def test_distribution_sorting_first_wins_whatever_the_order_found():
    first, second = _op("swirl"), _op("swirl")
    entries = [_entry(OPS_GROUP, "swirl", "zeta-plugin", second), _entry(OPS_GROUP, "swirl", "alpha-plugin", first)]

    registry = Registry(entries)

    assert registry.op("swirl") is first
    assert _status(registry, "swirl", "zeta-plugin").status is Status.DUPLICATE


def test_distribution_names_compare_normalized():
    first, second = _op("swirl"), _op("swirl")
    entries = [_entry(OPS_GROUP, "swirl", "Plugin_B", second), _entry(OPS_GROUP, "swirl", "plugin-a", first)]

    registry = Registry(entries)

    assert registry.op("swirl") is first


def test_builtin_wins_even_when_plugin_sorts_first():
    builtin, plugin = _op("swirl"), _op("swirl")
    entries = [_entry(OPS_GROUP, "swirl", "aaa", plugin), _entry(OPS_GROUP, "swirl", "tapestudio", builtin)]

    registry = Registry(entries)

    assert registry.op("swirl") is builtin
    assert "built into TapeStudio" in _status(registry, "swirl", "aaa").error


def test_broken_winner_does_not_hide_working_plugin():
    working = _op("swirl")
    entries = [_failing_entry(OPS_GROUP, "swirl", "alpha-plugin"), _entry(OPS_GROUP, "swirl", "zeta-plugin", working)]

    registry = Registry(entries)

    assert registry.op("swirl") is working
    assert _status(registry, "swirl", "alpha-plugin").status is Status.IMPORT_FAILED
    assert _status(registry, "swirl", "zeta-plugin").status is Status.LOADED


def test_optimizer_names_clash_ignoring_case():
    upper, lower = _optimizer("Swirl"), _optimizer("swirl")
    entries = [
        _entry(OPTIMIZERS_GROUP, "swirl", "beta-plugin", lower), _entry(OPTIMIZERS_GROUP, "Swirl", "alpha-plugin", upper),
    ]

    registry = Registry(entries)

    assert registry.optimizer_classes() == {"Swirl": upper}
    assert _status(registry, "swirl", "beta-plugin").status is Status.DUPLICATE


def test_same_distribution_entry_sorting_first_wins():
    upper, lower = _optimizer("Swirl"), _optimizer("swirl")
    entries = [
        _entry(OPTIMIZERS_GROUP, "swirl", "one-plugin", lower), _entry(OPTIMIZERS_GROUP, "Swirl", "one-plugin", upper),
    ]

    registry = Registry(entries)

    assert registry.optimizer_classes() == {"Swirl": upper}
    assert "within one distribution" in _status(registry, "swirl", "one-plugin").error


def test_ops_and_optimizers_do_not_clash():
    op, optimizer = _op("swirl"), _optimizer("swirl")
    entries = [_entry(OPS_GROUP, "swirl", "one-plugin", op), _entry(OPTIMIZERS_GROUP, "swirl", "one-plugin", optimizer)]

    registry = Registry(entries)

    assert all(status.loaded for status in registry.statuses)


def test_plugin_raising_system_exit_on_import_is_listed():
    def load():
        raise SystemExit(3)

    registry = Registry([Entry(OPS_GROUP, "swirl", "m:swirl", "exiting-plugin", "1.0", load)])

    assert registry.statuses[0].status is Status.IMPORT_FAILED


def test_unknown_op_error_explains_failed_plugin():
    registry = Registry([_failing_entry(OPS_GROUP, "swirl", "alpha-plugin")])

    with pytest.raises(ValueError) as raised:
        registry.op("swirl")

    message = str(raised.value)
    assert "Unknown op 'swirl'" in message
    assert "alpha-plugin 1.0 declares it, but it failed to import: ImportError: module is broken" in message


def test_status_of_prefers_loaded_entry():
    working = _op("swirl")
    entries = [_failing_entry(OPS_GROUP, "swirl", "alpha-plugin"), _entry(OPS_GROUP, "swirl", "zeta-plugin", working)]

    registry = Registry(entries)

    assert registry.status_of("op", "swirl").distribution == "zeta-plugin"
