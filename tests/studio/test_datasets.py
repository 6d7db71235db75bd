"""Data sets: the bundled Iris table, the seeded normal batch, CSV files and standardisation."""

from __future__ import annotations

import numpy as np
import pytest

from tapestudio.studio import (
    DataSpec,
    LayerSpec,
    ModelSpec,
    Project,
    ProjectError,
    bundled_dataset_names,
)
from tapestudio.studio.datasets import (
    load_bundled_dataset,
    load_project_data,
    normal_dataset,
    parse_csv_dataset,
    standardize,
)


def test_bundled_dataset_names():
    assert bundled_dataset_names() == ["iris", "wine"]


def test_iris_shape_and_classes():
    iris = load_bundled_dataset("iris")

    assert iris.features.shape == (150, 4)
    assert iris.features.dtype == np.float32
    assert iris.feature_names == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert iris.classes == ("setosa", "versicolor", "virginica")
    assert np.bincount(iris.labels.astype(int)).tolist() == [50, 50, 50]


def test_iris_known_values():
    iris = load_bundled_dataset("iris")

    np.testing.assert_array_equal(iris.features[0], np.float32([5.1, 3.5, 1.4, 0.2]))
    np.testing.assert_array_equal(iris.features[-1], np.float32([5.9, 3.0, 5.1, 1.8]))
    # Sample 35 (1-based), as the copy in scikit-learn has it.
    np.testing.assert_array_equal(iris.features[34], np.float32([4.9, 3.1, 1.5, 0.2]))


def test_iris_column_means():
    # scikit-learn's description of the data lists the means as 5.84, 3.05, 3.76 and 1.20 cm.
    means = load_bundled_dataset("iris").features.mean(axis=0)

    np.testing.assert_allclose(means, [5.843, 3.057, 3.758, 1.199], atol=1e-3)


def test_bundled_unknown_name():
    with pytest.raises(KeyError):
        load_bundled_dataset("mnist")


def test_normal_dataset_same_seed_same_data():
    first = normal_dataset(3, 10, seed=4)
    second = normal_dataset(3, 10, seed=4)

    np.testing.assert_array_equal(first.features, second.features)


def test_normal_dataset_other_seed_other_data():
    first = normal_dataset(3, 10, seed=4)
    second = normal_dataset(3, 10, seed=5)

    assert not np.array_equal(first.features, second.features)


def test_normal_dataset_shape_and_labels():
    data = normal_dataset(3, 10, seed=0)

    assert data.features.shape == (3, 10)
    assert data.features.dtype == np.float32
    assert data.labels is None


def test_csv_numeric_labels():
    data = parse_csv_dataset("a,b,y\n1,2,0.5\n3,4,1.5\n", "t.csv", ["b", "a"], "y")

    np.testing.assert_array_equal(data.features, np.float32([[2, 1], [4, 3]]))
    np.testing.assert_array_equal(data.labels, np.float32([0.5, 1.5]))
    assert data.classes is None


def test_csv_class_labels_sorted():
    data = parse_csv_dataset("x,kind\n1,dog\n2,cat\n3,dog\n", "t.csv", ["x"], "kind")

    assert data.classes == ("cat", "dog")
    np.testing.assert_array_equal(data.labels, np.float32([1, 0, 1]))


def test_csv_without_label():
    data = parse_csv_dataset("x\n1\n2\n", "t.csv", ["x"], None)

    assert data.labels is None


def test_csv_skips_blank_lines():
    data = parse_csv_dataset("x,y\n1,2\n\n3,4\n\n", "t.csv", ["x"], "y")

    assert data.samples == 2


@pytest.mark.parametrize(
    ("text", "features", "label", "field"),
    [
        ("", ["x"], None, "data.path"),
        ("x,y\n", ["x"], "y", "data.path"),
        ("x,y\n1,2\n", ["x", "z"], "y", "data.features[1]"),
        ("x,y\n1,2\n", ["x"], "w", "data.label"),
        ("x,y\n1,two\n", ["y"], None, "data.features[0]"),
        ("x,y\n1,2\n3\n", ["x"], "y", "data.path"),
    ],
    ids=["empty", "header only", "missing feature", "missing label", "not a number", "short row"],
)
def test_csv_bad_content(text, features, label, field):
    with pytest.raises(ProjectError) as raised:
        parse_csv_dataset(text, "t.csv", features, label)

    assert raised.value.field == field


def _csv_project(path: str, source=None) -> Project:
    project = Project(
        name="table",
        model=ModelSpec(2, [LayerSpec(1)]),
        data=DataSpec("csv", path=path, features=["a", "b"], label="y"),
        objective="mse",
        seed=0,
        tapes=[],
    )
    project.source = source
    return project


def test_load_project_data_csv_relative_to_project(tmp_path):
    (tmp_path / "table.csv").write_text("a,b,y\n1,2,3\n4,5,6\n", encoding="utf-8")
    project = _csv_project("table.csv", source=tmp_path / "project.json")

    data = load_project_data(project)

    assert data.samples == 2


def test_load_project_data_csv_missing_file(tmp_path):
    project = _csv_project("absent.csv", source=tmp_path / "project.json")

    with pytest.raises(ProjectError) as raised:
        load_project_data(project)

    assert raised.value.field == "data.path"
    assert raised.value.source == str(tmp_path / "project.json")


def test_load_project_data_names_csv_file(tmp_path):
    (tmp_path / "table.csv").write_text("a,y\n1,3\n", encoding="utf-8")
    project = _csv_project("table.csv", source=tmp_path / "project.json")

    with pytest.raises(ProjectError) as raised:
        load_project_data(project)

    assert raised.value.field == "data.features[1]"
    assert "table.csv" in str(raised.value)


def test_standardize_mean_zero_std_one():
    features = np.random.default_rng(1).normal(5.0, 3.0, size=(100, 3))

    scaled, mean, std = standardize(features)

    np.testing.assert_allclose(scaled.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(scaled.std(axis=0), 1.0, atol=1e-6)
    np.testing.assert_allclose(mean, features.mean(axis=0))
    assert scaled.dtype == np.float32


def test_standardize_constant_column_centred():
    scaled, _, std = standardize(np.array([[2.0, 1.0], [2.0, 3.0]]))

    np.testing.assert_array_equal(scaled[:, 0], [0.0, 0.0])
    assert std[0] == 1.0
