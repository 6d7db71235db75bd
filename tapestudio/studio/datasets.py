"""Training data: the seeded normal batch, synthetic sets, bundled data sets and CSV files.

Every loader returns a ``Dataset``: float32 features of shape (samples, features) and, when the
data has a target, float32 labels of shape (samples,). Class labels are indices into
``Dataset.classes``. ``load_project_data`` picks the loader that a project's data asks for.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tapestudio.studio.csv_data import parse_csv_table, read_csv_table, table_dataset
from tapestudio.studio.dataset import Dataset
from tapestudio.studio.errors import ProjectError
from tapestudio.studio.synthetic import synthetic_dataset

if TYPE_CHECKING:
    from tapestudio.studio.project import Project

__all__ = [
    "Dataset",
    "bundled_dataset_names",
    "bundled_dataset_title",
    "load_bundled_dataset",
    "load_project_data",
    "normal_dataset",
    "parse_csv_dataset",
    "read_csv_dataset",
    "standardize",
]

logger = logging.getLogger(__name__)

# Bundled data set name -> (title, file in tapestudio/resources/data, feature columns, label).
# Each file has a .md beside it with its source and licence.
_BUNDLED = {
    "iris": (
        "Iris flowers (150 samples, 4 features, 3 classes)",
        "iris.csv",
        ("sepal_length", "sepal_width", "petal_length", "petal_width"),
        "species",
    ),
    "wine": (
        "Wine cultivars (178 samples, 13 features, 3 classes)",
        "wine.csv",
        (
            "alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols",
            "flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
            "od280_od315_of_diluted_wines", "proline",
        ),
        "cultivar",
    ),
}


def bundled_dataset_names() -> list[str]:
    """Return the names of the data sets shipped with TapeStudio, sorted."""
    return sorted(_BUNDLED)


def bundled_dataset_title(name: str) -> str:
    """Return a one-line title of a bundled data set; raises KeyError for an unknown name."""
    return _BUNDLED[name][0]


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

    _, file_name, features, label = _BUNDLED[name]
    text = resources.files("tapestudio.resources").joinpath("data", file_name).read_text("utf-8")
    return parse_csv_dataset(text, name, list(features), label, "classification")


def read_csv_dataset(
    path: str | Path, features: list[str], label: str | None, task: str | None = None
) -> Dataset:
    """Read a CSV file with a header row; ``features`` and ``label`` are column names.

    ``task`` is as in ``csv_data.table_dataset``. Raises ProjectError (with field
    ``data.path``, ``data.features[i]`` or ``data.label``) when the file cannot be read or its
    content does not fit; its ``problem`` names the line and column.
    """
    return table_dataset(read_csv_table(path), features, label, task)


def parse_csv_dataset(
    text: str, source: str, features: list[str], label: str | None, task: str | None = None
) -> Dataset:
    """Parse CSV text with a header row into a Dataset; see ``read_csv_dataset``."""
    return table_dataset(parse_csv_table(text, source), features, label, task)


def load_project_data(project: Project) -> Dataset:
    """Load the data that ``project.data`` describes.

    ``normal`` and ``synthetic`` data are drawn with ``project.data_seed()``, so the same
    project always gets the same samples. Raises ProjectError, naming the
    project's source and the data field, when the data cannot be read or does not parse.
    """
    spec = project.data
    if spec.kind == "normal":
        return normal_dataset(spec.samples, project.model.input_size, project.data_seed())
    if spec.kind == "synthetic":
        return _load_synthetic(project)
    if spec.kind == "bundled":
        try:
            return load_bundled_dataset(spec.name)
        except KeyError as error:
            raise ProjectError(project.describe_source(), "data.name", error.args[0]) from None

    path = project.resolve_data_path()
    try:
        dataset = read_csv_dataset(path, list(spec.features or []), spec.label, spec.task)
    except ProjectError as error:
        # Name the project file and field first, then the CSV file the problem is in.
        problem = f"in {str(path)!r}: {error.problem}"
        raise ProjectError(project.describe_source(), error.field, problem) from None

    logger.info("read %d samples from %s", dataset.samples, path)
    return dataset


def _load_synthetic(project: Project) -> Dataset:
    spec = project.data
    try:
        return synthetic_dataset(spec.name, spec.samples, spec.noise, project.data_seed())
    except KeyError as error:
        raise ProjectError(project.describe_source(), "data.name", error.args[0]) from None
    except ValueError as error:
        raise ProjectError(project.describe_source(), "data", str(error)) from None


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
