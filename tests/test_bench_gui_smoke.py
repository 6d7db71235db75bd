"""Smoke test of the GUI benchmark with tiny sizes: it runs end to end and reports every target.

It never checks a time or a memory figure: those belong to ``python -m bench.gui``.
"""

import json

import pytest

from bench import gui as bench_gui
from bench.gui_report import README_BEGIN, README_END, replace_gui_results


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench-gui") / "results.json"
    arguments = ["--seconds", "0.5", "--live-runs", "1", "--launch-runs", "1", "--long-steps", "300"]
    code = bench_gui.main([*arguments, "--json", str(path)])
    assert code == 0
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("measurement", ["launch", "long"])
def test_measurement_ran(tiny_results, measurement):
    assert "error" not in tiny_results[measurement]


def test_live_run_ran(tiny_results):
    assert "error" not in tiny_results["live"][0]


def test_long_run_keeps_every_step(tiny_results):
    assert tiny_results["long"]["history_length"] == 300


def test_report_lists_every_target(tiny_results):
    report = bench_gui.render(tiny_results)

    for target in ("frames per second", "training speed", "launch to first paint", "resident memory",
                   "pan and zoom frame", "CSV export"):
        assert target in report, target


def test_readme_section_replaced():
    readme = f"intro\n{README_BEGIN}\nold\n{README_END}\nrest\n"

    replaced = replace_gui_results(readme, "new report\n")

    assert "old" not in replaced
    assert replaced.startswith("intro\n")
    assert replaced.endswith("rest\n")


def test_unknown_measurement_rejected():
    assert bench_gui.main(["--only", "frames"]) == 2


def test_report_command_leaves_out_json_path():
    assert bench_gui._shown(["--seconds", "1", "--json", "out.json", "--json=x.json"]) == ["--seconds", "1"]
