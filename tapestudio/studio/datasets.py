"""Training data: a seeded normal batch, the bundled data sets and user CSV files.

Every loader returns a ``Dataset``: float32 features of shape (samples, features) and, when the
data has a target, float32 labels of shape (samples,). A label column whose values are not all
numbers is categorical: its labels are class indices into ``classes`` (the sorted distinct
values).
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tapestudio.studio.errors import ProjectError

if TYPE_CHECKING:
    from tapestudio.studio.project import Project

logger = logging.getLogger(__name__)

# Bundled data set name -> (file in tapestudio/resources/data, feature columns, label column).
_BUNDLED = {
    "iris": (
        "iris.csv",
        ("sepal_length", "sepal_width", "petal_length", "petal_width"),
        "species",
    ),
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """A table of training samples.

    ``features``: float32, shape (samples, len(feature_names)). ``labels``: float32, shape
    (samples,), or None. ``classes``: the class names when the labels are class indices, else
    None.
    """

    name: str
    features: np.ndarray
    feature_names: tuple[str, ...]
    labels: np.ndarray | None = None
    label_name: str | None = None
    classes: tuple[str, ...] | None = None

    @property
    def samples(self) -> int:
        return int(self.features.shape[0])


def bundled_dataset_names() -> list[str]:
    """Return the names of the data sets shipped with TapeStudio, sorted."""
    return sorted(_BUNDLED)


def normal_dataset(samples: int, input_size: int, seed: int) -> Dataset:
    """Draw a (samples, input_size) float32 batch from N(0, 1) with NumPy's default_rng(seed).

    The same seed always gives the same batch. The data set has no labels.
    """
    generator = np.random.default_rng(seed)
    features = generator.standard_normal((samples, input_size)).astype(np.float32)
    names = tuple(f"x{index}" for index in range(input_size))
    return Dataset("normal", features, names)


def load_bundled_dataset(name: str) -> Dataset:
    """Read a bundled data set by name (see ``bundled_dataset_names``).

    Raises KeyError for an unknown name.
    """
    if name not in _BUNDLED:
        known = ", ".join(bundled_dataset_names())
        raise KeyError(f"no bundled data set {name!r}; the bundled data sets are: {known}")

    file_name, features, label = _BUNDLED[name]
    text = resources.files("tapestudio.resources").joinpath("data", file_name).read_text("utf-8")
    return parse_csv_dataset(text, name, list(features), label)


def read_csv_dataset(path: str | Path, features: list[str], label: str | None) -> Dataset:
    """Read a CSV file with a header row; ``features`` and ``label`` are column names.

    Raises OSError when the file cannot be read and ValueError (ProjectError, with field
    ``data.path``, ``data.features[i]`` or ``data.label``) when its content does not fit.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    return parse_csv_dataset(text, str(path), features, label)


def parse_csv_dataset(text: str, source: str, features: list[str], label: str | None) -> Dataset:
    """Parse CSV text with a header row into a Dataset; see ``read_csv_dataset``."""
    rows = list(csv.reader(io.StringIO(text)))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ProjectError(source, "data.path", "the CSV file is empty; it needs a header row")

    header = [cell.strip() for cell in rows[0]]
    body = rows[1:]
    if not body:
        raise ProjectError(source, "data.path", "the CSV file has a header but no data rows")

    columns = {}
    for position, column in enumerate(features):
        columns[column] = _column_index(header, column, source, f"data.features[{position}]")
    if label is not None:
        columns[label] = _column_index(header, label, source, "data.label")

    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            problem = f"line {line} has {len(row)} values but the header has {len(header)} columns"
            raise ProjectError(source, "data.path", problem)

    values = np.empty((len(body), len(features)), dtype=np.float32)
    for position, column in enumerate(features):
        cells = [row[columns[column]] for row in body]
        values[:, position] = _parse_numbers(cells, column, source, f"data.features[{position}]")

    if label is None:
        return Dataset(source, values, tuple(features))

    labels, classes = _parse_labels([row[columns[label]] for row in body])
    return Dataset(source, values, tuple(features), labels, label, classes)


def _column_index(header: list[str], column: str, source: str, field: str) -> int:
    if column not in header:
        problem = f"the CSV file has no column {column!r}; its columns are: {', '.join(header)}"
        raise ProjectError(source, field, problem)
    return header.index(column)


def _parse_numbers(cells: list[str], column: str, source: str, field: str) -> np.ndarray:
    numbers = np.empty(len(cells), dtype=np.float32)
    for row, cell in enumerate(cells):
        try:
            numbers[row] = float(cell)
        except ValueError:
            problem = f"line {row + 2}, column {column!r}: {cell!r} is not a number"
            raise ProjectError(source, field, problem) from None
    return numbers


def _parse_labels(cells: list[str]) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """Parse a label column: numbers when every cell is one, else class indices and names."""
    cells = [cell.strip() for cell in cells]
    try:
        return np.array([float(cell) for cell in cells], dtype=np.float32), None
    except ValueError:
        pass

    classes = tuple(sorted(set(cells)))
    index = {name: position for position, name in enumerate(classes)}
    return np.array([index[cell] for cell in cells], dtype=np.float32), classes


def load_project_data(project: Project) -> Dataset:
    """Load the data that ``project.data`` describes.

    ``normal`` data is drawn with the project seed, so the same project always gets the same
    batch. Raises ProjectError, naming the project's source and the data field, when the data
    cannot be read or does not parse.
    """
    spec = project.data
    if spec.kind == "normal":
        return normal_dataset(spec.samples, project.model.input_size, project.seed)
    if spec.kind == "bundled":
        try:
            return load_bundled_dataset(spec.name)
        except KeyError as error:
            raise ProjectError(project.describe_source(), "data.name", error.args[0]) from None

    path = project.resolve_data_path()
    try:
        dataset = read_csv_dataset(path, list(spec.features or []), spec.label)
    except ProjectError as error:
        # Name the project file and field first, then the CSV file the problem is in.
        problem = f"in {str(path)!r}: {error.problem}"
        raise ProjectError(project.describe_source(), error.field, problem) from None
    except FileNotFoundError:
        problem = f"CSV file {str(path)!r} not found; check data.path"
        raise ProjectError(project.describe_source(), "data.path", problem) from None
    except (OSError, UnicodeDecodeError) as error:
        problem = f"cannot read the CSV file {str(path)!r}: {error}"
        raise ProjectError(project.describe_source(), "data.path", problem) from None

    logger.info("read %d samples from %s", dataset.samples, path)
    return dataset


def standardize(features: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale each column to mean 0 and standard deviation 1.

    ``features``: (samples, columns). Returns (scaled float32, mean, std), the statistics as
    float64 of shape (columns,). A constant column is only centred (its std is taken as 1).
    """
    data = np.asarray(features, dtype=np.float64)
    mean = data.mean(axis=0)
    std = data.std(axis=0)
    std = np.where(std > 0, std, 1.0)

    scaled = ((data - mean) / std).astype(np.float32)
    return scaled, mean, std
