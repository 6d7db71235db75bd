"""Smoke test of the benchmark harness, for TapeStudio and NumPy with tiny repeat counts.

It checks that the harness runs end to end and that TapeStudio's values agree with the
hand-written NumPy row. It never checks a time: timings belong to ``python -m bench``.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench import run as bench_run
from bench.crosscheck import compare
from bench.memory import resident_bytes
from bench.report import README_BEGIN, README_END, render, replace_readme_results
from bench.timing import TimingConfig
from bench.workloads import WORKLOADS

ROOT = Path(__file__).resolve().parent.parent

TINY = TimingConfig(warmup=1, batches=1, slow_batches=1, min_batch_seconds=0.0)
LIBRARIES = ["numpy", "tapestudio"]
MEMORY_STEPS = 50
CHECKED = [(key, name) for key, workload in WORKLOADS.items() for name in workload.checked]


@pytest.fixture(scope="module")
def tiny_run():
    return bench_run.run_benchmark(LIBRARIES, list(WORKLOADS), TINY, memory_steps=MEMORY_STEPS)


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_workload_runs_for_library(tiny_run, library, workload):
    result = tiny_run.reports[library]["workloads"][workload]
    assert result["status"] == "ok", result.get("reason")


@pytest.mark.parametrize("workload, name", CHECKED)
def test_tapestudio_value_matches_numpy(tiny_run, workload, name):
    expected = tiny_run.values["numpy"][workload][name]
    actual = tiny_run.values["tapestudio"][workload][name]
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


def test_cross_check_compares_every_value(tiny_run):
    compared = {(c.workload, c.name) for c in tiny_run.comparisons if c.library == "tapestudio"}
    assert compared == set(CHECKED)


def test_cross_check_finds_agreement(tiny_run):
    disagreements = [c for c in tiny_run.comparisons if not c.agrees]
    assert disagreements == []


def test_memory_check_counts_steps(tiny_run):
    assert tiny_run.memory["steps"] == MEMORY_STEPS


def test_memory_check_reports_growth(tiny_run):
    growth = tiny_run.memory["growth_bytes"]
    assert growth is None or isinstance(growth, int)


@pytest.mark.skipif(resident_bytes() is None, reason="needs /proc/self/statm (Linux)")
def test_memory_check_sees_leak():
    # A fresh interpreter, because free heap left by earlier tests could absorb the leak
    # without the resident size growing.
    code = (
        "import numpy as np\n"
        "from bench.memory import check_memory\n"
        "leaked = []\n"
        "report = check_memory(lambda: leaked.append(np.ones(64)), 20_000)\n"
        "print(report['steady_growth_bytes'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # 18,000 steps after the warm-up keep 18,000 arrays of 64 float64 values, over 10 MB.
    assert int(result.stdout) > 5 * 1024 * 1024


def test_report_has_row_per_library(tiny_run):
    report = render(tiny_run)
    for library in LIBRARIES:
        assert f"| {library} |" in report


def test_targets_against_torch_listed(tiny_run):
    workloads = [r.target.workload for r in tiny_run.target_results if r.target.reference == "torch"]
    assert workloads == ["W1", "W3", "W4", "W5"]


def test_targets_without_torch_unchecked(tiny_run):
    results = [r for r in tiny_run.target_results if r.target.reference == "torch"]
    assert all(r.met is None for r in results)


def test_main_writes_json(tmp_path):
    path = tmp_path / "results.json"
    arguments = ["--libraries", "numpy", "--workloads", "W4", "--warmup", "0", "--batches", "1",
                 "--min-batch-ms", "0", "--memory-steps", "0", "--json", str(path)]
    assert bench_run.main(arguments) == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data["seconds"]["numpy"]["W4"], float)


def test_main_rejects_unknown_workload():
    assert bench_run.main(["--workloads", "W9"]) == 2


def test_compare_flags_large_difference():
    reference = np.array([1.0, 2.0])
    comparison = compare("tapestudio", "W4", "hessian", reference + 1e-3, reference)
    assert not comparison.agrees


def test_compare_flags_shape_mismatch():
    comparison = compare("tapestudio", "W5", "jacobian", np.zeros((2, 3)), np.zeros((3, 2)))
    assert not comparison.agrees


def test_readme_results_replaced_between_markers():
    readme = f"intro\n{README_BEGIN}\nold table\n{README_END}\noutro\n"
    updated = replace_readme_results(readme, "new table\n")
    assert updated == f"intro\n{README_BEGIN}\n\nnew table\n\n{README_END}\noutro\n"


def test_readme_without_markers_is_rejected():
    with pytest.raises(ValueError):
        replace_readme_results("no markers here\n", "new table\n")
