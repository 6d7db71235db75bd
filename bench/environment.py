"""The machine, interpreter and settings a run was measured with, for the report's header."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path

THREAD_VARIABLES = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}
"""Set in every child process, so that each library computes on one thread."""

BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
"""Variables that change which BLAS kernel NumPy runs; left as found and reported."""

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    """Return the processor's model name from /proc/cpuinfo, or what ``platform`` reports."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def source_revision() -> str | None:
    """Return the git commit of the working tree (with ``+changes`` when files differ), or None."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPOSITORY_ROOT,
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "tapestudio"],
            cwd=REPOSITORY_ROOT, capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}+changes" if changes else commit


def describe_environment() -> dict:
    """Return the date, machine, interpreter, BLAS variables and TapeStudio's source revision."""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "blas_variables": {name: os.environ.get(name) for name in BLAS_VARIABLES},
        "thread_variables": dict(THREAD_VARIABLES),
        "tapestudio_revision": source_revision(),
    }


def child_environment() -> dict:
    """Return the environment of a child process: this one, single-threaded, with the
    repository root on PYTHONPATH so that ``bench`` imports from any working directory."""
    env = dict(os.environ)
    env.update(THREAD_VARIABLES)
    paths = [str(REPOSITORY_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env
