"""CSV import: reading good files, describing columns, and a message for every bad file."""

import numpy as np
import pytest

from tapestudio.studio import ProjectError
from tapestudio.studio.csv_data import (
    MAX_CLASSES,
    parse_csv_table,
    read_csv_table,
    suggest_columns,
    summarize_columns,
    table_dataset,
)
from tapestudio.studio.datasets import read_csv_dataset


def write(tmp_path, text, name="table.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def import_error(tmp_path, text, features, label, task=None, name="table.csv"):
    """Read a file that cannot be used and return the ProjectError it raises."""
    path = write(tmp_path, text, name)
    with pytest.raises(ProjectError) as raised:
        read_csv_dataset(path, features, label, task)
    return raised.value


# -- good files -------------------------------------------------------------------------------


def test_csv_regression_file(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,0.5\n3,4,1.5\n")

    data = read_csv_dataset(path, ["a", "b"], "y", "regression")

    np.testing.assert_array_equal(data.features, np.float32([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(data.labels, np.float32([0.5, 1.5]))
    assert data.task == "regression"


def test_csv_text_classes_sorted(tmp_path):
    path = write(tmp_path, "x,kind\n1,dog\n2,cat\n3,owl\n4,dog\n")

    data = read_csv_dataset(path, ["x"], "kind", "classification")

    assert data.classes == ("cat", "dog", "owl")
    np.testing.assert_array_equal(data.labels, np.float32([1, 0, 2, 1]))


def test_csv_numeric_classes_by_value(tmp_path):
    path = write(tmp_path, "x,grade\n1,2\n2,1.0\n3,10\n4,1\n")

    data = read_csv_dataset(path, ["x"], "grade", "classification")

    assert data.classes == ("1", "2", "10")
    np.testing.assert_array_equal(data.labels, np.float32([1, 0, 2, 0]))


def test_csv_semicolon_delimiter(tmp_path):
    path = write(tmp_path, "a;b;y\n1;2;3\n4;5;6\n")

    data = read_csv_dataset(path, ["a", "b"], "y")

    assert data.features.shape == (2, 2)


def test_csv_tab_delimiter(tmp_path):
    path = write(tmp_path, "a\tb\n1\t2\n")

    assert read_csv_table(path).delimiter == "\t"


def test_csv_byte_order_mark_ignored(tmp_path):
    path = write(tmp_path, "\ufeffa,y\n1,2\n")

    assert read_csv_table(path).header == ("a", "y")


def test_csv_quoted_cells_and_spaces(tmp_path):
    path = write(tmp_path, 'a, "b"\n 1 ,"2"\n')

    data = read_csv_dataset(path, ["a", "b"], None)

    np.testing.assert_array_equal(data.features, np.float32([[1, 2]]))


def test_csv_line_numbers_skip_blank_lines(tmp_path):
    table = read_csv_table(write(tmp_path, "a\n\n1\n\n2\n"))

    assert table.lines == (3, 5)


def test_summarize_columns(tmp_path):
    table = read_csv_table(write(tmp_path, "a,b,kind\n1,,cat\n2,x,dog\n3,4,cat\n"))

    summaries = {summary.name: summary for summary in summarize_columns(table)}

    assert summaries["a"].numeric
    assert summaries["a"].distinct == 3
    assert not summaries["b"].numeric
    assert summaries["b"].missing == 1
    assert summaries["kind"].example == "cat"


def test_suggest_text_label_classification(tmp_path):
    table = read_csv_table(write(tmp_path, "a,note,b,kind\n1,x,2,cat\n3,y,4,dog\n"))

    assert suggest_columns(table) == (["a", "b"], "kind", "classification")


def test_suggest_whole_number_label_classification(tmp_path):
    table = read_csv_table(write(tmp_path, "a,y\n1,0\n2,1\n3,2\n"))

    assert suggest_columns(table) == (["a"], "y", "classification")


def test_suggest_fractional_label_regression(tmp_path):
    table = read_csv_table(write(tmp_path, "a,y\n1,0.5\n2,1.5\n"))

    assert suggest_columns(table) == (["a"], "y", "regression")


def test_suggest_single_column_no_label(tmp_path):
    table = read_csv_table(write(tmp_path, "a\n1\n2\n"))

    assert suggest_columns(table) == (["a"], None, None)


# -- files that cannot be used ----------------------------------------------------------------
# Each message names the file (as the error's source), the line and the column where it can,
# and what to do.


def test_missing_file_message(tmp_path):
    with pytest.raises(ProjectError) as raised:
        read_csv_table(tmp_path / "absent.csv")

    assert raised.value.source.endswith("absent.csv")
    assert "not found" in raised.value.problem


def test_folder_message(tmp_path):
    with pytest.raises(ProjectError) as raised:
        read_csv_table(tmp_path)

    assert "is a folder" in raised.value.problem


def test_not_utf8_message(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("a,y\n1,café\n".encode("latin-1"))

    with pytest.raises(ProjectError) as raised:
        read_csv_table(path)

    error = raised.value
    assert error.source.endswith("latin.csv")
    assert "UTF-8" in error.problem
    assert "save the file as UTF-8" in error.problem


def test_empty_file_message(tmp_path):
    error = import_error(tmp_path, "\n\n", ["a"], None, name="empty.csv")

    assert error.source.endswith("empty.csv")
    assert error.field == "data.path"
    assert "header row" in error.problem


def test_header_only_message(tmp_path):
    error = import_error(tmp_path, "a,y\n", ["a"], "y")

    assert error.field == "data.path"
    assert "no data rows" in error.problem
    assert "add at least one row" in error.problem


def test_short_line_message(tmp_path):
    error = import_error(tmp_path, "a,b,y\n1,2,3\n4,5\n", ["a"], "y")

    assert "line 3 has 2 values" in error.problem
    assert "3 columns" in error.problem


def test_unnamed_column_message(tmp_path):
    error = import_error(tmp_path, "a,,y\n1,2,3\n", ["a"], "y")

    assert "column 2 has no name" in error.problem


def test_repeated_column_message(tmp_path):
    error = import_error(tmp_path, "a,b,a\n1,2,3\n", ["b"], None)

    assert "columns 1 and 3 are both called 'a'" in error.problem
    assert "rename" in error.problem


def test_unterminated_quote_message(tmp_path):
    error = import_error(tmp_path, 'a,y\n1,"2\n', ["a"], "y")

    assert error.field == "data.path"
    assert "quotes" in error.problem


@pytest.mark.parametrize("marker", ["", "NA", "nan", "?", "null"])
def test_missing_feature_value_message(tmp_path, marker):
    error = import_error(tmp_path, f"a,b,y\n1,2,0\n3,{marker},1\n", ["a", "b"], "y")

    assert error.field == "data.features[1]"
    assert "line 3, column 'b' has no value" in error.problem
    assert "fill it in" in error.problem


def test_text_in_numeric_column_message(tmp_path):
    error = import_error(tmp_path, "a,b,y\n1,2,0\n3,four,1\n", ["a", "b"], "y")

    assert error.field == "data.features[1]"
    assert "line 3, column 'b': 'four' is not a finite number" in error.problem
    assert "leave the column out of the features" in error.problem


def test_infinite_feature_message(tmp_path):
    error = import_error(tmp_path, "a,y\ninf,0\n", ["a"], "y")

    assert "line 2, column 'a': 'inf' is not a finite number" in error.problem


def test_feature_beyond_float32_message(tmp_path):
    error = import_error(tmp_path, "a,y\n1e308,0\n2,1\n", ["a"], "y")

    assert "line 2, column 'a': '1e308' is beyond the float32 range" in error.problem


def test_missing_label_message(tmp_path):
    error = import_error(tmp_path, "a,y\n1,cat\n2,\n", ["a"], "y")

    assert error.field == "data.label"
    assert "line 3, column 'y' has no label" in error.problem


def test_text_regression_label_message(tmp_path):
    error = import_error(tmp_path, "a,y\n1,0.5\n2,high\n", ["a"], "y", "regression")

    assert error.field == "data.label"
    assert "line 3, column 'y': 'high' is not a finite number" in error.problem
    assert "import the label for classification" in error.problem


def test_one_class_only_message(tmp_path):
    error = import_error(tmp_path, "a,kind\n1,cat\n2,cat\n3,cat\n", ["a"], "kind")

    assert error.field == "data.label"
    assert "one class only ('cat' on all 3 lines)" in error.problem
    assert "choose another label column" in error.problem


def test_too_many_classes_message(tmp_path):
    lines = ["a,id"] + [f"{index},item{index}" for index in range(MAX_CLASSES + 1)]
    error = import_error(tmp_path, "\n".join(lines), ["a"], "id")

    assert f"{MAX_CLASSES + 1} distinct values" in error.problem
    assert "regression" in error.problem


def test_label_also_feature_message(tmp_path):
    error = import_error(tmp_path, "a,y\n1,0\n", ["a", "y"], "y")

    assert error.field == "data.label"
    assert "chosen as the label and as a feature" in error.problem
    assert "remove it from the features" in error.problem


def test_no_features_message(tmp_path):
    error = import_error(tmp_path, "a,y\n1,0\n", [], "y")

    assert error.field == "data.features"
    assert "choose at least one" in error.problem


def test_unknown_column_message(tmp_path):
    error = import_error(tmp_path, "a,y\n1,0\n", ["a", "z"], "y")

    assert error.field == "data.features[1]"
    assert "no column 'z'; its columns are: a, y" in error.problem


def test_feature_chosen_twice_message(tmp_path):
    error = import_error(tmp_path, "a,y\n1,0\n", ["a", "a"], "y")

    assert "chosen twice" in error.problem


def test_error_text_names_file(tmp_path):
    error = import_error(tmp_path, "a,y\n1,x\n", ["y"], None, name="measurements.csv")

    assert "measurements.csv" in str(error)


def test_unknown_task_rejected():
    table = parse_csv_table("a,y\n1,0\n", "t.csv")

    with pytest.raises(ValueError, match="task"):
        table_dataset(table, ["a"], "y", "clustering")
