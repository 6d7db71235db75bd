"""Test-wide settings: Qt draws offscreen unless a display platform is chosen."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Plugin distributions installed once per session, for the tests of the CLI, app and studio.
from tests.plugin_site import plugin_site, plugins_on_path  # noqa: E402,F401
