"""CSV files as data: reading the table, describing its columns and building a Dataset.

A file is read in two stages so that the import dialog can show a file before the user picks
columns: ``read_csv_table`` checks the layout (a header row, the same number of values on every
line) and ``table_dataset`` checks the chosen columns and converts them. Each problem raises
ProjectError with the file as ``source``, the project field to change as ``field``
(``data.path`` for the file as a whole, ``data.features[i]`` or ``data.label``) and a
``problem`` naming the line and the column and saying what to do.

The delimiter is the one of comma, semicolon and tab that occurs most often in the header
line. Blank lines are skipped. Cells are stripped of surrounding spaces. A cell that is empty
or one of ``NA``, ``N/A``, ``NaN``, ``null``, ``None`` or ``?`` (in any case) is a missing
value, which TapeStudio does not fill in: the file has to be fixed.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tapestudio.studio.dataset import Dataset
from tapestudio.studio.errors import ProjectError

MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
DELIMITERS = (",", ";", "\t")
TASKS = ("classification", "regression")

# A label with more distinct values than this is not read as classes: it is almost certainly
# a numeric target, and a softmax over hundreds of classes is not what anyone meant.
MAX_CLASSES = 100

# A numeric label column with at most this many distinct whole numbers is suggested as
# classification.
SUGGEST_CLASSES_UP_TO = 10


@dataclass(frozen=True)
class CsvTable:
    """The cells of a CSV file below its header, as text.

    ``rows[i]`` has one stripped string per header column; ``lines[i]`` is its line number in
    the file (1-based, the header is usually line 1).
    """

    source: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]
    delimiter: str = ","

    def column(self, name: str) -> list[str]:
        """Return the cells of column ``name``; raises KeyError when there is no such column."""
        if name not in self.header:
            raise KeyError(f"no column {name!r}; the columns are: {', '.join(self.header)}")
        index = self.header.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class ColumnSummary:
    """A column's contents: whether it is numeric, its missing and distinct values.

    ``numeric`` is True when every present value is a finite number; ``example`` is the
    first present value ('' when every value is missing).
    """

    name: str
    numeric: bool
    missing: int
    distinct: int
    example: str


def is_missing(cell: str) -> bool:
    """Return True when a stripped cell is a missing-value marker (see the module docstring)."""
    return cell.lower() in MISSING_MARKERS


def read_csv_table(path: str | Path) -> CsvTable:
    """Read a CSV file with a header row into a CsvTable.

    Raises ProjectError (field ``data.path``) when the file is missing, is a folder, cannot be
    read, is not UTF-8 text or its layout is invalid (see ``parse_csv_table``).
    """
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ProjectError(source, "data.path", "file not found; check the path") from None
    except IsADirectoryError:
        raise ProjectError(source, "data.path", "is a folder; choose a CSV file") from None
    except UnicodeDecodeError as error:
        problem = (
            f"not UTF-8 text (byte {error.start} cannot be decoded); "
            "save the file as UTF-8 CSV and import it again"
        )
        raise ProjectError(source, "data.path", problem) from None
    except OSError as error:
        raise ProjectError(source, "data.path", f"cannot be read: {error.strerror}") from None

    return parse_csv_table(text, source)


def parse_csv_table(text: str, source: str) -> CsvTable:
    """Parse CSV text with a header row; ``source`` names the file in errors.

    Raises ProjectError (field ``data.path``) for a file without a header or data rows, a
    header with an empty or repeated column name, or a line whose number of values differs
    from the header's.
    """
    delimiter = _guess_delimiter(text)
    records = _records(text, source, delimiter)
    if not records:
        raise ProjectError(
            source, "data.path", "the file is empty; it needs a header row with column names"
        )

    header_line, header_cells = records[0]
    header = tuple(cell.strip() for cell in header_cells)
    _check_header(header, header_line, source)

    body = records[1:]
    if not body:
        problem = "the file has a header but no data rows; add at least one row below the header"
        raise ProjectError(source, "data.path", problem)

    for line, cells in body:
        if len(cells) != len(header):
            problem = (
                f"line {line} has {len(cells)} values but the header has {len(header)} columns; "
                "give every line one value per column"
            )
            raise ProjectError(source, "data.path", problem)

    rows = tuple(tuple(cell.strip() for cell in cells) for _, cells in body)
    lines = tuple(line for line, _ in body)
    return CsvTable(source, header, rows, lines, delimiter)


def _guess_delimiter(text: str) -> str:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 0 else ","


def _records(text: str, source: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Return (line number, cells) for each non-blank record of the file."""
    reader = csv.reader(
        io.StringIO(text), delimiter=delimiter, skipinitialspace=True, strict=True
    )
    records = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((reader.line_num, cells))
    except csv.Error as error:
        problem = f"line {reader.line_num} is not valid CSV ({error}); check its quotes"
        raise ProjectError(source, "data.path", problem) from None
    return records


def _check_header(header: tuple[str, ...], line: int, source: str) -> None:
    for position, name in enumerate(header, start=1):
        if not name:
            problem = f"column {position} has no name in the header (line {line}); name it"
            raise ProjectError(source, "data.path", problem)

        if name in header[: position - 1]:
            first = header.index(name) + 1
            problem = (
                f"columns {first} and {position} are both called {name!r} in the header "
                f"(line {line}); rename one of them"
            )
            raise ProjectError(source, "data.path", problem)


def summarize_columns(table: CsvTable) -> list[ColumnSummary]:
    """Describe each column of ``table`` in header order, for choosing features and a label."""
    summaries = []
    for name in table.header:
        present = [cell for cell in table.column(name) if not is_missing(cell)]
        summaries.append(
            ColumnSummary(
                name=name,
                numeric=bool(present) and all(_finite_number(cell) is not None for cell in present),
                missing=len(table.rows) - len(present),
                distinct=len(set(present)),
                example=present[0] if present else "",
            )
        )
    return summaries


def suggest_columns(table: CsvTable) -> tuple[list[str], str | None, str | None]:
    """Suggest (features, label, task) for a table.

    The label is the last column. It is classification when its values are text, or whole
    numbers with at most SUGGEST_CLASSES_UP_TO distinct values, else regression. The features
    are the other numeric columns. A table with one column gets that column as its only
    feature and no label.
    """
    summaries = summarize_columns(table)
    if len(summaries) == 1:
        return [summaries[0].name], None, None

    label = summaries[-1]
    features = [summary.name for summary in summaries[:-1] if summary.numeric]
    if not label.numeric:
        return features, label.name, "classification"

    values = [_finite_number(cell) for cell in table.column(label.name) if not is_missing(cell)]
    whole = all(value == round(value) for value in values)
    few = len(set(values)) <= SUGGEST_CLASSES_UP_TO
    return features, label.name, "classification" if whole and few else "regression"


def table_dataset(
    table: CsvTable, features: list[str], label: str | None, task: str | None = None
) -> Dataset:
    """Build a Dataset from the ``features`` columns and the ``label`` column of ``table``.

    ``task`` is ``"classification"`` (the distinct label values become classes, sorted, as
    numbers when they all are numbers), ``"regression"`` (numeric labels) or None, which reads
    text labels as classes and numeric labels as numbers. Returns float32 features of shape
    (rows, len(features)) and float32 labels of shape (rows,).

    Raises ProjectError naming the line, the column and the fix for a missing value, a value
    that is not a finite number, a label that is also a feature, a single class, too many
    classes or an unknown column. Raises ValueError for an unknown ``task``.
    """
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)} or None, got {task!r}")
    _check_choice(table, features, label)

    values = np.empty((len(table.rows), len(features)), dtype=np.float32)
    for position, column in enumerate(features):
        values[:, position] = _feature_column(table, column, f"data.features[{position}]")

    if label is None:
        return Dataset(table.source, values, tuple(features))

    labels, classes = _label_column(table, label, task)
    return Dataset(table.source, values, tuple(features), labels, label, classes)


def _check_choice(table: CsvTable, features: list[str], label: str | None) -> None:
    if not features:
        problem = "no feature columns are chosen; choose at least one numeric column as a feature"
        raise ProjectError(table.source, "data.features", problem)

    for position, column in enumerate(features):
        field = f"data.features[{position}]"
        _check_column_exists(table, column, field)
        if column in features[:position]:
            raise ProjectError(table.source, field, f"column {column!r} is chosen twice")

    if label is None:
        return
    _check_column_exists(table, label, "data.label")
    if label in features:
        problem = (
            f"column {label!r} is chosen as the label and as a feature; a model must not see its "
            "label: remove it from the features or choose another label"
        )
        raise ProjectError(table.source, "data.label", problem)


def _check_column_exists(table: CsvTable, column: str, field: str) -> None:
    if column not in table.header:
        problem = f"the file has no column {column!r}; its columns are: {', '.join(table.header)}"
        raise ProjectError(table.source, field, problem)


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _feature_column(table: CsvTable, column: str, field: str) -> np.ndarray:
    numbers = np.empty(len(table.rows), dtype=np.float32)
    for row, cell in enumerate(table.column(column)):
        where = f"line {table.lines[row]}, column {column!r}"
        if is_missing(cell):
            problem = (
                f"{where} has no value ({cell or 'empty'}); fill it in, delete the line, or "
                "leave the column out of the features"
            )
            raise ProjectError(table.source, field, problem)

        number = _finite_number(cell)
        if number is None:
            problem = (
                f"{where}: {cell!r} is not a finite number; correct the value, or leave the "
                "column out of the features"
            )
            raise ProjectError(table.source, field, problem)
        if abs(number) > _FLOAT32_MAX:
            problem = (
                f"{where}: {cell!r} is beyond the float32 range (about ±3.4e38) that training "
                "uses; rescale the column, or leave it out of the features"
            )
            raise ProjectError(table.source, field, problem)
        numbers[row] = number
    return numbers


def _label_column(
    table: CsvTable, column: str, task: str | None
) -> tuple[np.ndarray, tuple[str, ...] | None]:
    cells = table.column(column)
    for row, cell in enumerate(cells):
        if is_missing(cell):
            problem = (
                f"line {table.lines[row]}, column {column!r} has no label ({cell or 'empty'}); "
                "fill it in or delete the line"
            )
            raise ProjectError(table.source, "data.label", problem)

    numbers = [_finite_number(cell) for cell in cells]
    all_numeric = all(number is not None for number in numbers)

    if task == "regression" or (task is None and all_numeric):
        return _regression_labels(table, column, cells, numbers), None
    return _class_labels(table, column, cells, numbers if all_numeric else None)


def _regression_labels(
    table: CsvTable, column: str, cells: list[str], numbers: list[float | None]
) -> np.ndarray:
    for row, number in enumerate(numbers):
        if number is None:
            problem = (
                f"line {table.lines[row]}, column {column!r}: {cells[row]!r} is not a finite "
                "number, but a regression label must be one; correct the value, or import the "
                "label for classification"
            )
            raise ProjectError(table.source, "data.label", problem)
    return np.array(numbers, dtype=np.float32)


def _class_labels(
    table: CsvTable, column: str, cells: list[str], numbers: list[float] | None
) -> tuple[np.ndarray, tuple[str, ...]]:
    # Numeric classes are compared by value, so "1" and "1.0" are one class named "1".
    if numbers is not None:
        values = sorted(set(numbers))
        classes = tuple(f"{value:g}" for value in values)
        keys = numbers
    else:
        values = sorted(set(cells))
        classes = tuple(values)
        keys = cells

    if len(classes) < 2:
        problem = (
            f"column {column!r} holds one class only ({classes[0]!r} on all "
            f"{len(cells)} lines); a classifier needs at least two: choose another label "
            "column or add samples of another class"
        )
        raise ProjectError(table.source, "data.label", problem)
    if len(classes) > MAX_CLASSES:
        problem = (
            f"column {column!r} has {len(classes)} distinct values, more than the "
            f"{MAX_CLASSES} classes TapeStudio accepts; import a numeric target for "
            "regression, or choose another label column"
        )
        raise ProjectError(table.source, "data.label", problem)

    index = {value: position for position, value in enumerate(values)}
    return np.array([index[key] for key in keys], dtype=np.float32), classes


def _finite_number(cell: str) -> float | None:
    """Return the cell as a finite float, or None when it is not one."""
    try:
        number = float(cell)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
