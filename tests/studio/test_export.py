"""CSV export: headers, row counts, values read back, run.json and atomic writes."""

from __future__ import annotations

import csv
import json
import math
import platform

import numpy as np
import pytest

from tapestudio.studio import (
    METRICS,
    History,
    Session,
    StepRecord,
    load_example,
    project_to_dict,
    write_csv,
)
from tapestudio.studio.atomic import write_atomic

KEYS = [("layer1", "dense/kernel"), ("layer2", "dense_1/kernel")]


def make_history(steps: int) -> History:
    history = History(KEYS)
    rng = np.random.default_rng(3)
    for step in range(1, steps + 1):
        metrics = {key: {metric: float(rng.normal()) for metric in METRICS} for key in KEYS}
        metrics[KEYS[0]]["nan_count"] = float(step % 3)
        metrics[KEYS[0]]["inf_count"] = 0.0
        history.append(StepRecord(step, 1.7e9 + step / 7, float(rng.normal()), metrics))
    return history


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


@pytest.fixture()
def project():
    return load_example("weighted-gradients")


def test_write_csv_returns_three_paths(tmp_path, project):
    paths = write_csv(make_history(3), project, tmp_path)

    assert [path.name for path in paths] == ["metrics_long.csv", "metrics_wide.csv", "run.json"]
    assert sorted(entry.name for entry in tmp_path.iterdir()) == sorted(path.name for path in paths)


def test_long_csv_header_and_row_count(tmp_path, project):
    write_csv(make_history(4), project, tmp_path)
    rows = read_rows(tmp_path / "metrics_long.csv")

    assert rows[0] == ["step", "wall_time", "tape", "variable", "metric", "value"]
    assert len(rows) - 1 == 4 * (1 + len(KEYS) * len(METRICS))


def test_long_csv_values_match_records(tmp_path, project):
    history = make_history(5)
    write_csv(history, project, tmp_path)

    with open(tmp_path / "metrics_long.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))

    expected = []
    for record in history.records():
        expected.append((record.step, record.wall_time, "", "", "objective", record.objective))
        for (tape, variable), metrics in record.metrics.items():
            for metric in METRICS:
                expected.append(
                    (record.step, record.wall_time, tape, variable, metric, metrics[metric])
                )
    found = [
        (
            int(row["step"]),
            float(row["wall_time"]),
            row["tape"],
            row["variable"],
            row["metric"],
            float(row["value"]),
        )
        for row in rows
    ]
    assert found == expected


def test_long_csv_counts_are_integers(tmp_path, project):
    write_csv(make_history(3), project, tmp_path)
    rows = read_rows(tmp_path / "metrics_long.csv")

    counts = [row[5] for row in rows[1:] if row[4] == "nan_count" and row[2] == "layer1"]
    assert counts == ["1", "2", "0"]


def test_wide_csv_header(tmp_path, project):
    write_csv(make_history(2), project, tmp_path)
    header = read_rows(tmp_path / "metrics_wide.csv")[0]

    assert header[:3] == ["step", "wall_time", "objective"]
    assert header[3] == "layer1/dense/kernel/grad_norm"
    assert header[-1] == "layer2/dense_1/kernel/inf_count"
    assert len(header) == 3 + len(KEYS) * len(METRICS)


def test_wide_csv_values_match_history(tmp_path, project):
    history = make_history(6)
    write_csv(history, project, tmp_path)

    with open(tmp_path / "metrics_wide.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))

    assert len(rows) == 6
    assert [int(row["step"]) for row in rows] == history.steps().tolist()
    assert [float(row["objective"]) for row in rows] == history.objective().tolist()
    for tape, variable in KEYS:
        for metric in METRICS:
            column = [float(row[f"{tape}/{variable}/{metric}"]) for row in rows]
            assert column == history.series(tape, variable, metric).tolist(), (
                tape,
                variable,
                metric,
            )


def test_csv_nan_and_inf_round_trip(tmp_path, project):
    history = History(KEYS[:1])
    metrics = {metric: 0.0 for metric in METRICS}
    metrics.update(grad_norm=math.nan, update_norm=math.inf, nan_count=4.0)
    history.append(StepRecord(1, 0.0, -math.inf, {KEYS[0]: metrics}))

    write_csv(history, project, tmp_path)
    with open(tmp_path / "metrics_wide.csv", newline="", encoding="utf-8") as stream:
        row = next(csv.DictReader(stream))

    assert math.isnan(float(row["layer1/dense/kernel/grad_norm"]))
    assert float(row["layer1/dense/kernel/update_norm"]) == math.inf
    assert float(row["objective"]) == -math.inf
    assert row["layer1/dense/kernel/nan_count"] == "4"


def test_empty_history_writes_headers_only(tmp_path, project):
    write_csv(History(KEYS), project, tmp_path)

    assert len(read_rows(tmp_path / "metrics_long.csv")) == 1
    assert len(read_rows(tmp_path / "metrics_wide.csv")) == 1


def test_run_json_contents(tmp_path, project):
    write_csv(make_history(7), project, tmp_path)
    run = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))

    assert run["format"] == "tapestudio-run"
    assert run["project"] == project_to_dict(project)
    assert run["seed"] == project.seed
    assert run["steps"] == 7
    assert run["versions"]["numpy"] == np.__version__
    assert run["versions"]["python"] == platform.python_version()
    assert run["versions"]["tapestudio"]


def test_run_json_lists_no_builtins(tmp_path, project):
    write_csv(make_history(1), project, tmp_path)
    run = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))

    assert run["plugins"] == []


@pytest.mark.usefixtures("plugins_on_path")
def test_run_json_lists_plugin_versions(tmp_path, project):
    project.model.layers[0].activation = "mish"
    project.model.layers[1].activation = "gelu"
    project.tapes[1].optimizer.name = "Nadam"

    write_csv(make_history(1), project, tmp_path)
    run = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))

    assert run["plugins"] == [
        {"distribution": "tapestudio-activations", "version": "0.1.0", "ops": ["mish", "gelu"], "optimizers": []},
        {"distribution": "tapestudio-optimizers", "version": "0.1.0", "ops": [], "optimizers": ["Nadam"]},
    ]


def test_write_csv_creates_folder(tmp_path, project):
    write_csv(make_history(1), project, tmp_path / "a" / "b")

    assert (tmp_path / "a" / "b" / "run.json").is_file()


def test_write_csv_into_file_rejected(tmp_path, project):
    target = tmp_path / "taken"
    target.write_text("x", encoding="utf-8")

    with pytest.raises(NotADirectoryError):
        write_csv(make_history(1), project, target)


def test_write_csv_from_session(tmp_path, project):
    session = Session(project)
    for _ in range(3):
        session.step()

    write_csv(session, session.project, tmp_path)

    assert len(read_rows(tmp_path / "metrics_wide.csv")) == 1 + 3


def test_write_csv_rejects_other_objects(tmp_path, project):
    with pytest.raises(TypeError):
        write_csv(object(), project, tmp_path)


def _write_half_then_fail(stream):
    stream.write("step,wall_time\n1,")
    raise OSError("disk full")


def test_atomic_write_failure_leaves_no_file(tmp_path):
    target = tmp_path / "metrics_long.csv"

    with pytest.raises(OSError):
        write_atomic(target, _write_half_then_fail)

    assert list(tmp_path.iterdir()) == []


def test_atomic_write_failure_keeps_old_file(tmp_path):
    target = tmp_path / "metrics_long.csv"
    target.write_text("old complete file\n", encoding="utf-8")

    with pytest.raises(OSError):
        write_atomic(target, _write_half_then_fail)

    assert target.read_text(encoding="utf-8") == "old complete file\n"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_write_interrupt_leaves_no_file(tmp_path):
    def interrupt(stream):
        stream.write("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "run.json", interrupt)

    assert list(tmp_path.iterdir()) == []
