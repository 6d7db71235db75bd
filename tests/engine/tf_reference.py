"""Run the TensorFlow programs of ``tests/data/tf_cases.json`` against TapeStudio.

Each case contains the body of a Python function written for TensorFlow 2.21, the values
TensorFlow returned, and the tolerance to compare at. The body runs with ``tf`` and ``keras``
bound to TapeStudio's namespaces.
"""

from __future__ import annotations

import json
import math
import sys
import textwrap
from pathlib import Path

import numpy as np

import tapestudio

CASES_PATH = Path(__file__).resolve().parent.parent / "data" / "tf_cases.json"


def load_cases() -> dict:
    return json.loads(CASES_PATH.read_text(encoding="utf-8"))


def _c32(value):
    return tapestudio.constant(value, dtype=tapestudio.float32)


def _det(shape, scale=1.0, offset=0.0):
    count = int(np.prod(shape))
    k = np.arange(count, dtype=np.float64)
    return np.float32(scale * np.sin(0.37 * k + 0.11 + offset)).reshape(shape).astype(np.float32)


def _err(error: Exception) -> dict:
    return {"error": type(error).__name__, "message": str(error)}


def _enc(value):
    return decode(value)


def decode(value):
    """Turn what a case returns (tensors, arrays, lists, dicts) into plain NumPy values."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, dict):
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [decode(item) for item in value]
    if isinstance(value, (tapestudio.Tensor, tapestudio.Variable)):
        return np.asarray(value.numpy())
    return np.asarray(value)


def run_case(case: dict, keras_module) -> tuple:
    """Execute a case's TensorFlow code and return its (inputs, outputs)."""
    source = "def _case():\n" + textwrap.indent(case["tf_code"], "    ")
    namespace = {
        "tf": tapestudio, "np": np, "c32": _c32, "det": _det, "err": _err, "enc": _enc,
    }
    saved = sys.modules.get("keras")
    sys.modules["keras"] = keras_module
    try:
        exec(compile(source, f"<tf case {case['id']}>", "exec"), namespace)
        return namespace["_case"]()
    finally:
        if saved is None:
            del sys.modules["keras"]
        else:
            sys.modules["keras"] = saved


def expected_array(value, dtype):
    """Decode an expected number or nested list, where non-finite values are strings."""
    def convert(item):
        if isinstance(item, list):
            return [convert(x) for x in item]
        if isinstance(item, str):
            return float(item)
        return item

    return np.asarray(convert(value), dtype=dtype)


def compare(actual, expected, dtype, rtol: float, atol: float, where: str) -> list[str]:
    """Return a list of differences between a decoded result and the expected JSON value."""
    if expected is None:
        return [] if actual is None else [f"{where}: expected None, got {actual!r}"]
    if isinstance(expected, dict) and "error" in expected:
        if not isinstance(actual, dict):
            return [f"{where}: expected {expected['error']}, got {actual!r}"]
        problems = []
        if actual.get("error") != expected["error"]:
            problems.append(f"{where}: error type {actual.get('error')} != {expected['error']}")
        if actual.get("message") != expected["message"]:
            problems.append(f"{where}: message {actual.get('message')!r} != {expected['message']!r}")
        return problems
    if isinstance(expected, dict):
        problems = []
        for key, item in expected.items():
            if not isinstance(actual, dict) or key not in actual:
                problems.append(f"{where}.{key}: missing")
                continue
            problems += compare(actual[key], item, dtype, rtol, atol, f"{where}.{key}")
        return problems
    if isinstance(expected, list) and any(item is None or isinstance(item, dict) for item in expected):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected a list of {len(expected)}, got {actual!r}"]
        problems = []
        for i, (a, e) in enumerate(zip(actual, expected)):
            problems += compare(a, e, dtype, rtol, atol, f"{where}[{i}]")
        return problems
    if isinstance(actual, list) and isinstance(expected, list) and len(actual) == len(expected) \
            and any(isinstance(a, np.ndarray) and a.ndim > 0 for a in actual) \
            and len({np.shape(a) for a in actual}) > 1:
        problems = []
        for i, (a, e) in enumerate(zip(actual, expected)):
            problems += compare(a, e, dtype, rtol, atol, f"{where}[{i}]")
        return problems
    if actual is None:
        return [f"{where}: expected {expected!r}, got None"]
    want = expected_array(expected, dtype)
    got = np.asarray(actual)
    if got.shape != want.shape:
        return [f"{where}: shape {got.shape} != {want.shape}"]
    if got.dtype != want.dtype:
        return [f"{where}: dtype {got.dtype} != {want.dtype}"]
    if not np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
        worst = np.nanmax(np.abs(got.astype(np.float64) - want.astype(np.float64)))
        return [f"{where}: values differ (max abs difference {worst:.3g}):\n{got}\n!=\n{want}"]
    return []


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
