"""Test-wide settings: Qt draws offscreen unless a display platform is chosen."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
