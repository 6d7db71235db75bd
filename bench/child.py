"""Run one library's workloads in this process and write the results to a JSON file.

``bench.run`` starts one such process per library, so that libraries never share a process:
``python -m bench.child CONFIG_JSON OUTPUT_PATH``. CONFIG_JSON contains ``library``,
``workloads`` (keys), ``timing`` (``TimingConfig`` fields) and ``memory_steps``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import json
import logging
import platform
import sys
import traceback

import numpy as np

from .libraries import LIBRARIES
from .memory import check_memory
from .timing import TimingConfig, measure
from .workloads import INPUTS, WORKLOADS, NotSupported

logger = logging.getLogger(__name__)


def library_version(package: str, module) -> str:
    """Return the installed version of the distribution ``package``, or the module's ``__version__``."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return str(getattr(module, "__version__", "unknown"))


def encode_array(value) -> dict:
    """Return an array as JSON-ready ``dtype``, ``shape`` and flat ``data`` (as Python floats)."""
    array = np.asarray(value)
    return {
        "dtype": array.dtype.name,
        "shape": list(array.shape),
        "data": array.astype(np.float64).ravel().tolist(),
    }


def run_workload(setups: dict, key: str, timing: TimingConfig) -> dict:
    """Set up, time and evaluate one workload.

    An exception from the library becomes status ``error`` with its message, so that one
    failing cell does not end the run.
    """
    workload = WORKLOADS[key]
    setup = setups.get(key)
    if setup is None:
        return {"status": "n/a", "reason": "no setup for this workload"}
    try:
        prepared = setup(INPUTS[key]())
    except NotSupported as error:
        return {"status": "n/a", "reason": str(error)}
    except Exception as error:  # a peer library's failure must not end the whole run
        logger.error("Setting up %s failed:\n%s", key, traceback.format_exc())
        return {"status": "error", "reason": f"{type(error).__name__}: {error}"}

    try:
        result = measure(prepared.step, timing).to_dict()
        # The values come from one more call after the timed ones, so a library that
        # accumulates state across calls shows up in the cross-check.
        if prepared.checked is not None:
            arrays = prepared.checked(prepared.step())
            result["values"] = {name: encode_array(a) for name, a in zip(workload.checked, arrays)}
    except Exception as error:
        logger.error("Running %s failed:\n%s", key, traceback.format_exc())
        return {"status": "error", "reason": f"{type(error).__name__}: {error}"}
    result["status"] = "ok"
    return result


def run_library(config: dict) -> dict:
    """Run the workloads and memory check that ``config`` names; return the JSON-ready results."""
    library = LIBRARIES[config["library"]]
    report = {
        "library": library.name,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "workloads": {},
        "memory": None,
    }
    if importlib.util.find_spec(library.package) is None:
        report.update(status="unavailable", reason=f"{library.package} is not installed")
        return report
    try:
        top_level = importlib.import_module(library.package)
        module = importlib.import_module(library.module)
    except Exception as error:  # a broken install is reported in the table, not raised
        logger.error("Importing %s failed:\n%s", library.module, traceback.format_exc())
        report.update(status="unavailable", reason=f"import failed: {type(error).__name__}: {error}")
        return report
    report.update(status="ok", version=library_version(library.package, top_level))

    timing = TimingConfig(**config["timing"])
    for key in config["workloads"]:
        logger.info("%s %s", library.name, key)
        report["workloads"][key] = run_workload(module.SETUPS, key, timing)

    memory_steps = config.get("memory_steps", 0)
    if memory_steps:
        logger.info("%s memory check, %d W1 steps", library.name, memory_steps)
        prepared = module.SETUPS["W1"](INPUTS["W1"]())
        report["memory"] = check_memory(prepared.step, memory_steps)
    return report


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        sys.stderr.write("usage: python -m bench.child CONFIG_JSON OUTPUT_PATH\n")
        return 2
    logging.basicConfig(level=logging.INFO, format="bench.child: %(message)s")
    config = json.loads(argv[0])
    report = run_library(config)
    with open(argv[1], "w", encoding="utf-8") as output:
        json.dump(report, output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
