"""CSV export of a step range, of the current weights, and of unusual names and values."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from tapestudio.studio import METRICS, History, Session, StepRecord, load_example, write_csv
from tapestudio.studio.export import format_column, format_value, write_weights_csv

KEYS = [("layer1", "dense/kernel"), ("layer2", "dense_1/kernel")]


def make_history(steps: int, keys=KEYS, validation=False) -> History:
    history = History(keys, validation=validation)
    rng = np.random.default_rng(5)
    for step in range(1, steps + 1):
        metrics = {key: {metric: float(rng.normal()) for metric in METRICS} for key in keys}
        for key in keys:
            metrics[key]["nan_count"] = float(step % 4)
            metrics[key]["inf_count"] = 0.0
        val_objective = float(rng.normal()) if validation else None
        history.append(StepRecord(step, 1.7e9 + step, float(rng.normal()), metrics, val_objective))
    return history


def read_dicts(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture()
def project():
    return load_example("weighted-gradients")


def test_range_limits_wide_rows(tmp_path, project):
    write_csv(make_history(20), project, tmp_path, first_step=5, last_step=8)

    rows = read_dicts(tmp_path / "metrics_wide.csv")

    assert [int(row["step"]) for row in rows] == [5, 6, 7, 8]


def test_range_limits_long_rows(tmp_path, project):
    write_csv(make_history(20), project, tmp_path, first_step=19)

    steps = {int(row["step"]) for row in read_dicts(tmp_path / "metrics_long.csv")}

    assert steps == {19, 20}


def test_range_values_match_history(tmp_path, project):
    history = make_history(12)
    write_csv(history, project, tmp_path, first_step=3, last_step=6)

    rows = read_dicts(tmp_path / "metrics_wide.csv")

    assert [float(row["objective"]) for row in rows] == history.objective()[2:6].tolist()


def test_range_recorded_in_run_json(tmp_path, project):
    write_csv(make_history(10), project, tmp_path, first_step=4, last_step=7)

    run = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))

    assert run["steps"] == 4
    assert run["last_step"] == 7


def test_reversed_range_rejected(tmp_path, project):
    with pytest.raises(ValueError, match="above last step"):
        write_csv(make_history(5), project, tmp_path, first_step=4, last_step=2)


def test_names_with_commas_and_quotes(tmp_path, project):
    keys = [('tape, "one"', "dense/kernel")]

    write_csv(make_history(2, keys=keys), project, tmp_path)
    rows = read_dicts(tmp_path / "metrics_long.csv")

    assert {row["tape"] for row in rows} == {"", 'tape, "one"'}


def test_names_with_braces(tmp_path, project):
    keys = [("t{0}", "v{}")]

    write_csv(make_history(1, keys=keys), project, tmp_path)
    rows = read_dicts(tmp_path / "metrics_long.csv")

    assert rows[1]["tape"] == "t{0}"
    assert rows[1]["variable"] == "v{}"


def test_long_table_with_validation_rows(tmp_path, project):
    history = make_history(3, validation=True)
    write_csv(history, project, tmp_path)

    rows = read_dicts(tmp_path / "metrics_long.csv")
    validation = [float(row["value"]) for row in rows if row["metric"] == "val_objective"]

    assert validation == history.val_objective().tolist()


def test_format_column_matches_format_value():
    values = np.array([1.0, 0.1, np.nan, np.inf, -np.inf, 1e-300, 2.5e16])

    for metric in ("grad_norm", "nan_count"):
        assert format_column(metric, values) == [format_value(metric, value) for value in values]


def test_format_column_whole_counts():
    assert format_column("inf_count", np.array([0.0, 3.0])) == ["0", "3"]


def test_weights_csv_reads_back_equal(tmp_path):
    session = Session(load_example("iris"))
    for _ in range(3):
        session.step()
    weights = session.weights()

    write_weights_csv(weights, tmp_path / "weights.csv")
    read = {name: np.zeros_like(values) for name, values in weights.items()}
    for row in read_dicts(tmp_path / "weights.csv"):
        target = read[row["variable"]]
        index = (int(row["row"]), int(row["column"])) if target.ndim == 2 else int(row["row"])
        target[index] = np.float32(row["value"])

    for name, values in weights.items():
        np.testing.assert_array_equal(read[name], values, err_msg=name)


def test_weights_csv_header_and_row_count(tmp_path):
    weights = {"dense/kernel": np.ones((2, 3), np.float32), "dense/bias": np.zeros(3, np.float32)}

    write_weights_csv(weights, tmp_path / "weights.csv")
    with open(tmp_path / "weights.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))

    assert rows[0] == ["variable", "row", "column", "value"]
    assert len(rows) == 1 + 6 + 3
    assert rows[-1] == ["dense/bias", "2", "0", "0.0"]


def test_weights_csv_nonfinite_values(tmp_path):
    weights = {"w": np.array([[np.nan, np.inf]], dtype=np.float32)}

    write_weights_csv(weights, tmp_path / "weights.csv")
    values = [row["value"] for row in read_dicts(tmp_path / "weights.csv")]

    assert values == ["nan", "inf"]


def test_weights_csv_rejects_three_dimensions(tmp_path):
    with pytest.raises(ValueError, match="at most two dimensions"):
        write_weights_csv({"w": np.zeros((1, 1, 1))}, tmp_path / "weights.csv")


def test_export_reads_history_in_chunks(tmp_path, project, monkeypatch):
    import tapestudio.studio.export as export

    monkeypatch.setattr(export, "CHUNK_STEPS", 7)
    history = make_history(30)
    write_csv(history, project, tmp_path, first_step=3, last_step=25)

    rows = read_dicts(tmp_path / "metrics_wide.csv")

    assert [int(row["step"]) for row in rows] == list(range(3, 26))
    assert [float(row["objective"]) for row in rows] == history.objective()[2:25].tolist()


def test_rows_stop_limits_read():
    rows = make_history(10).rows(2, 5)

    assert rows.steps.tolist() == [3, 4, 5]
    assert rows.wall_times.tolist() == [1.7e9 + 3, 1.7e9 + 4, 1.7e9 + 5]
