"""Fixtures for the tape tests, which reset warning budgets and run code in a fresh interpreter."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

import pytest

_COUNTING_PRELUDE = """
import logging

import tapestudio as tf


class _Counter(logging.Handler):
    def __init__(self, text):
        super().__init__(logging.WARNING)
        self.text = text
        self.count = 0

    def emit(self, record):
        if self.text in record.getMessage():
            self.count += 1


_counter = _Counter(WARNING_TEXT)
logging.getLogger("tapestudio").addHandler(_counter)
"""


@pytest.fixture
def fresh_watch_warning_budget(monkeypatch):
    """Give back the engine's five non-float watch warnings for one test.

    Like TensorFlow, the engine logs that warning at most five times per process, so without
    this a test that expects it would depend on how many other tests watched an integer first.
    """
    # NOTE: this resets a private counter of the engine, so it must follow a rename there.
    tape_module = importlib.import_module("tapestudio.engine.tape")
    monkeypatch.setattr(tape_module, "_NON_FLOAT_WATCH_WARNINGS_LEFT", [5])


@pytest.fixture
def count_warnings_in_fresh_interpreter():
    """Return a function that runs code in a new Python process and counts a logged warning.

    The function takes the code (with ``tf`` bound to tapestudio) and a piece of the warning's
    text, and returns how many WARNING records under the ``tapestudio`` logger contained it.
    A fresh process is used because per-process logging limits would otherwise depend on the
    tests that ran before.
    """

    def count(code: str, warning_text: str) -> int:
        program = (
            f"WARNING_TEXT = {warning_text!r}\n"
            + _COUNTING_PRELUDE
            + textwrap.dedent(code)
            + "\nprint(_counter.count)\n"
        )
        completed = subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if completed.returncode != 0:
            raise AssertionError(
                f"The program failed with exit code {completed.returncode}:\n{completed.stderr}"
            )
        return int(completed.stdout.strip().splitlines()[-1])

    return count
