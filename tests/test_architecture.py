"""The layers of the package import each other one way only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_kept():
    # Runs in a child process so that the contracts see a clean import state.
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
         "sys.exit(lint_imports(no_cache=True, no_logo=True))"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_lower_layers_import_without_qt():
    code = (
        "import sys\n"
        "import tapestudio, tapestudio.engine, tapestudio.keras, tapestudio.optimizers\n"
        "import tapestudio.studio\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph')))\n"
        "sys.exit('Qt modules imported: ' + ', '.join(loaded) if loaded else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
