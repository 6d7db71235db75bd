"""The Plugins dialog: the status table, the gradient check, and installs run by pip in a QProcess.

Installs build a copy of a real plugin offline into a temporary --target folder that is on
sys.path, so the environment stays untouched and the rescan after pip finds the new plugin.
"""

from __future__ import annotations

import socket

import pytest
from PySide6.QtWidgets import QFileDialog

from tapestudio import optimizers, plugins
from tapestudio.gui.plugins_dialog import PluginsDialog
from tests.plugin_site import copy_source, plugins_importable

# pip options for building a local folder without the network into a folder of the test's.
OFFLINE = "--no-deps --no-index --no-build-isolation --no-cache-dir --disable-pip-version-check"

INSTALL_TIMEOUT_MS = 120_000


@pytest.fixture
def dialog(qtbot):
    plugins_dialog = PluginsDialog()
    qtbot.addWidget(plugins_dialog)
    plugins_dialog.show()
    yield plugins_dialog
    plugins_dialog.shutdown()


@pytest.fixture
def target(tmp_path):
    """An empty folder on sys.path for pip's --target; its plugins are forgotten afterwards."""
    folder = tmp_path / "target"
    folder.mkdir()
    with plugins_importable(folder):
        yield folder


def _row(dialog, name, distribution):
    rows = [row for row in dialog.rows() if row["name"] == name and row["distribution"] == distribution]
    assert len(rows) == 1, f"expected one row of {name} from {distribution}, found {rows}"
    return rows[0]


# -- the table -------------------------------------------------------------------------------


@pytest.mark.usefixtures("plugins_on_path")
def test_table_lists_broken_plugin_with_error(dialog):
    row = _row(dialog, "broken_op", "tapestudio-fixture-broken-import")

    assert row["status"] == "failed to import"
    assert "No module named 'tapestudio_fixture_missing_dependency'" in row["error"]
    assert row["kind"] == "op"
    assert row["version"] == "0.1.0"


@pytest.mark.usefixtures("plugins_on_path")
def test_table_lists_loaded_plugin(dialog):
    row = _row(dialog, "Lion", "tapestudio-optimizers")

    assert row["status"] == "loaded"
    assert row["error"] == ""


@pytest.mark.usefixtures("plugins_on_path")
def test_broken_row_tooltip_has_traceback(dialog):
    dialog.select("op", "broken_op")
    row = dialog.table.selectionModel().selectedRows()[0].row()

    tooltip = dialog.table.item(row, 0).toolTip()
    assert tooltip.startswith("failed to import: ModuleNotFoundError")
    assert "Traceback" in tooltip


@pytest.mark.usefixtures("plugins_on_path")
def test_details_pane_shows_traceback(dialog):
    dialog.select("op", "broken_op")

    details = dialog.details.toPlainText()
    assert "Status: failed to import" in details
    assert "Entry point: tapestudio_fixture_broken_import:broken_op" in details
    assert "Traceback" in details


@pytest.mark.usefixtures("plugins_on_path")
def test_details_pane_shows_description(dialog):
    dialog.select("op", "gelu")

    assert "Description: " in dialog.details.toPlainText()


def test_builtins_hidden_until_asked(dialog):
    hidden = [row["name"] for row in dialog.rows()]
    dialog.show_builtins.setChecked(True)
    shown = [row["name"] for row in dialog.rows()]

    assert "relu" not in hidden
    assert "relu" in shown
    assert "Adam" in shown


def test_rescan_emits_signal(dialog, qtbot):
    with qtbot.waitSignal(dialog.plugins_rescanned, timeout=5000):
        dialog.rescan_button.click()


# -- gradient check --------------------------------------------------------------------------


@pytest.mark.usefixtures("plugins_on_path")
def test_check_button_passes_gelu(dialog):
    dialog.select("op", "gelu")

    dialog.check_button.click()

    assert dialog.message.text().startswith("op 'gelu' passed: gradients agree with finite differences")
    assert "Gradient check: op 'gelu' passed" in dialog.details.toPlainText()


@pytest.mark.usefixtures("plugins_on_path")
def test_check_reports_wrong_vjp(dialog):
    dialog.select("op", "wrong_vjp_shape")

    dialog.check_button.click()

    assert dialog.message.text().startswith("op 'wrong_vjp_shape' failed its gradient check: PluginError")
    assert "tapestudio-fixture-bad-vjp" in dialog.message.text()


@pytest.mark.usefixtures("plugins_on_path")
@pytest.mark.parametrize(("kind", "name"), [("optimizer", "Lion"), ("op", "broken_op")])
def test_check_button_only_for_loaded_ops(dialog, kind, name):
    dialog.select(kind, name)

    assert not dialog.check_button.isEnabled()


# -- installing ------------------------------------------------------------------------------


def test_install_folder_shows_new_plugin(dialog, qtbot, tmp_path, target):
    source = copy_source("tapestudio-optimizers", tmp_path)
    dialog.pip_options.setText(f"--target {target} {OFFLINE}")

    with qtbot.waitSignal(dialog.install_finished, timeout=INSTALL_TIMEOUT_MS) as finished:
        assert dialog.install(str(source))

    assert finished.args == [True]
    assert _row(dialog, "Lion", "tapestudio-optimizers")["status"] == "loaded"
    assert "Lion" in optimizers.names()
    assert "Successfully installed tapestudio-optimizers-0.1.0" in dialog.output.toPlainText()
    assert "optimizer Lion from tapestudio-optimizers 0.1.0: loaded" in dialog.output.toPlainText()


def test_install_from_folder_button(dialog, qtbot, tmp_path, target, monkeypatch):
    source = copy_source("tapestudio-activations", tmp_path)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(source))
    dialog.pip_options.setText(f"--target {target} {OFFLINE}")

    with qtbot.waitSignal(dialog.plugins_rescanned, timeout=INSTALL_TIMEOUT_MS):
        dialog.folder_button.click()

    assert "gelu" in plugins.activation_names()


def test_install_disables_buttons_while_running(dialog, qtbot, tmp_path, target):
    source = copy_source("tapestudio-optimizers", tmp_path)
    dialog.pip_options.setText(f"--target {target} {OFFLINE}")

    with qtbot.waitSignal(dialog.install_finished, timeout=INSTALL_TIMEOUT_MS):
        dialog.install(str(source))
        running = (dialog.cancel_button.isEnabled(), dialog.folder_button.isEnabled(), dialog.is_installing())

    assert running == (True, False, True)
    assert not dialog.cancel_button.isEnabled()
    assert dialog.folder_button.isEnabled()


def test_pip_failure_shown(dialog, qtbot, tmp_path):
    dialog.pip_options.setText(f"--target {tmp_path / 'target'} {OFFLINE}")
    dialog.requirement.setText("tapestudio-no-such-plugin")

    with qtbot.waitSignal(dialog.install_finished, timeout=INSTALL_TIMEOUT_MS) as finished:
        dialog.requirement_button.click()

    assert finished.args == [False]
    assert dialog.message.text() == "pip failed with exit status 1; its output is above."
    assert "No matching distribution found for tapestudio-no-such-plugin" in dialog.output.toPlainText()


@pytest.fixture
def silent_index():
    """A local server that accepts connections and never responds, so pip waits on it."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield f"http://127.0.0.1:{server.getsockname()[1]}/simple"


def test_cancel_stops_pip(dialog, qtbot, tmp_path, silent_index):
    dialog.pip_options.setText(
        f"--target {tmp_path / 'target'} --index-url {silent_index} --timeout 120 --retries 0 --no-cache-dir"
    )
    assert dialog.install("tapestudio-slow-plugin")
    qtbot.waitUntil(lambda: "Running" in dialog.output.toPlainText() or "Looking" in dialog.output.toPlainText(),
                    timeout=INSTALL_TIMEOUT_MS)

    with qtbot.waitSignal(dialog.install_finished, timeout=INSTALL_TIMEOUT_MS) as finished:
        dialog.cancel_button.click()

    assert finished.args == [False]
    assert dialog.message.text().startswith("Installation cancelled")
    assert not dialog.is_installing()
    assert dialog.folder_button.isEnabled()


def test_cancel_rescans(dialog, qtbot, tmp_path, silent_index):
    dialog.pip_options.setText(f"--target {tmp_path / 'target'} --index-url {silent_index} --timeout 120")
    dialog.install("tapestudio-slow-plugin")

    with qtbot.waitSignal(dialog.plugins_rescanned, timeout=INSTALL_TIMEOUT_MS):
        dialog.cancel_install()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Cannot install: no plugin given"),
        ("./no-such-plugin", "Cannot install: no file or folder './no-such-plugin'"),
        ("--no-deps", "Cannot install: '--no-deps' is an option"),
    ],
)
def test_install_rejects_bad_input(dialog, text, expected):
    started = dialog.install(text)

    assert not started
    assert dialog.message.text().startswith(expected)
    assert not dialog.is_installing()


# -- in the window ---------------------------------------------------------------------------


@pytest.mark.usefixtures("plugins_on_path")
def test_window_opens_with_broken_plugins(window):
    window.plugins_action.trigger()

    dialog = window.plugins_dialog
    assert window.isVisible()
    assert dialog.isVisible()
    assert _row(dialog, "broken_op", "tapestudio-fixture-broken-import")["status"] == "failed to import"


def test_window_passes_on_rescan(window, qtbot):
    dialog = window.show_plugins_dialog()

    with qtbot.waitSignal(window.plugins_changed, timeout=5000):
        dialog.rescan()
