"""Every case of the TensorFlow reference file, run with ``tf`` bound to TapeStudio."""

from __future__ import annotations

import numpy as np
import pytest

import tapestudio

from .tf_reference import compare, decode, load_cases, run_case

REFERENCE = load_cases()
CASES = REFERENCE["cases"]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_case_matches_tensorflow(case):
    tolerance = case.get("tol") or REFERENCE["default_tol"]
    dtype = np.float64 if case.get("dtype") == "float64" else np.float32

    _, outputs = run_case(case, tapestudio.keras)

    problems = compare(decode(outputs), case["expected"], dtype, tolerance["rtol"], tolerance["atol"], case["id"])
    assert not problems, "\n".join(problems)
