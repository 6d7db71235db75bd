"""The CSV import dialog: pick a file, see its first rows, choose features, label and task.

The dialog reads the file with ``tapestudio.studio.csv_data`` and checks every choice by
building the data set. The message under the column chooser is therefore the one a project
with these columns would raise, naming the file, the line and the column and the fix.
OK is enabled only while the choice can be used.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tapestudio.studio import DataSpec, ProjectError
from tapestudio.studio.csv_data import (
    CsvTable,
    ColumnSummary,
    read_csv_table,
    suggest_columns,
    summarize_columns,
    table_dataset,
)
from tapestudio.studio.dataset import Dataset

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 20
NO_LABEL = "(no label)"
CSV_FILTER = "CSV files (*.csv *.tsv *.txt);;All files (*)"
ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #1b5e20;"


def describe_column(summary: ColumnSummary) -> str:
    """Return a column's name with what it holds, for the feature list."""
    kind = "numbers" if summary.numeric else "text"
    notes = [kind]
    if summary.missing:
        notes.append(f"{summary.missing} missing")
    return f"{summary.name}  ({', '.join(notes)})"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def describe_dataset(dataset: Dataset) -> str:
    """Return one line about a data set built from the chosen columns."""
    text = f"{_count(dataset.samples, 'row')}, {_count(len(dataset.feature_names), 'feature')}"
    if dataset.classes is not None:
        shown = ", ".join(dataset.classes[:6]) + (", ..." if len(dataset.classes) > 6 else "")
        return f"{text}, {len(dataset.classes)} classes: {shown}"
    if dataset.labels is not None:
        return f"{text}, numeric label {dataset.label_name!r} (regression)"
    return f"{text}, no label (only the objective 'sum' trains without one)"


class CsvImportDialog(QDialog):
    """Choose a CSV file and its feature and label columns; ``data_spec()`` returns the choice.

    ``initial`` (a ``csv`` DataSpec) preselects a file and columns, to change an import.
    """

    def __init__(self, parent: QWidget | None = None, initial: DataSpec | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import CSV file")
        self.resize(760, 620)
        self.table: CsvTable | None = None
        self.dataset: Dataset | None = None

        self.path_edit = QLineEdit(self)
        self.path_edit.setPlaceholderText("Path of a CSV file with a header row")
        self.path_edit.returnPressed.connect(self._load_typed_path)
        self.browse_button = QPushButton("Browse\N{HORIZONTAL ELLIPSIS}", self)
        self.browse_button.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)

        self.preview = QTableWidget(self)
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.setMinimumHeight(160)

        self.features = QListWidget(self)
        self.features.setToolTip("Check the columns the model gets as inputs; they must be numbers")
        self.features.itemChanged.connect(self._check_choice)
        self.label = QComboBox(self)
        self.label.setToolTip("The column the model learns to predict")
        self.label.currentTextChanged.connect(self._label_changed)

        self.classification = QRadioButton("Classification (each value is a class)", self)
        self.regression = QRadioButton("Regression (numbers to predict)", self)
        self.task_group = QButtonGroup(self)
        self.task_group.addButton(self.classification)
        self.task_group.addButton(self.regression)
        self.classification.setChecked(True)
        self.task_group.buttonToggled.connect(lambda _button, _checked: self._check_choice())
        task_row = QHBoxLayout()
        task_row.addWidget(self.classification)
        task_row.addWidget(self.regression)
        task_row.addStretch(1)

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Import")

        form = QFormLayout()
        form.addRow("Features", self.features)
        form.addRow("Label", self.label)
        form.addRow("Task", task_row)

        layout = QVBoxLayout(self)
        layout.addLayout(path_row)
        layout.addWidget(QLabel(f"First {PREVIEW_ROWS} rows:", self))
        layout.addWidget(self.preview, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self._show_message("Choose a CSV file with a header row.", ok=None)
        if initial is not None and initial.path:
            self.load(initial.path)
            self.choose_columns(list(initial.features or []), initial.label, initial.task)

    # -- the file ---------------------------------------------------------------------------

    def load(self, path: str | Path) -> bool:
        """Read the file at ``path`` and suggest columns; on an error show it and return False."""
        self.path_edit.setText(str(path))
        try:
            table = read_csv_table(path)
        except ProjectError as error:
            self.table = None
            self._clear_columns()
            self._show_message(f"{Path(str(path)).name}: {error.problem}", ok=False)
            logger.info("CSV file %s cannot be used: %s", path, error.problem)
            return False

        self.table = table
        self._show_preview(table)
        self._show_columns(table)
        features, label, task = suggest_columns(table)
        self.choose_columns(features, label, task)
        return True

    def _load_typed_path(self) -> None:
        text = self.path_edit.text().strip()
        if text:
            self.load(Path(text).expanduser())

    def _browse(self) -> None:
        start = str(Path(self.path_edit.text()).parent) if self.path_edit.text() else ""
        path, _ = QFileDialog.getOpenFileName(self, "Import CSV file", start, CSV_FILTER)
        if path:
            self.load(path)

    def _show_preview(self, table: CsvTable) -> None:
        rows = table.rows[:PREVIEW_ROWS]
        self.preview.clear()
        self.preview.setColumnCount(len(table.header))
        self.preview.setRowCount(len(rows))
        self.preview.setHorizontalHeaderLabels(list(table.header))
        self.preview.setVerticalHeaderLabels([str(line) for line in table.lines[:PREVIEW_ROWS]])
        for row, cells in enumerate(rows):
            for column, cell in enumerate(cells):
                self.preview.setItem(row, column, QTableWidgetItem(cell))
        self.preview.resizeColumnsToContents()

    def _show_columns(self, table: CsvTable) -> None:
        blockers = [QSignalBlocker(self.features), QSignalBlocker(self.label)]
        self.features.clear()
        self.label.clear()
        self.label.addItem(NO_LABEL)
        for summary in summarize_columns(table):
            item = QListWidgetItem(describe_column(summary), self.features)
            item.setData(Qt.ItemDataRole.UserRole, summary.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(f"first value: {summary.example!r}, {summary.distinct} distinct values")
            self.label.addItem(summary.name)
        del blockers

    def _clear_columns(self) -> None:
        blockers = [QSignalBlocker(self.features), QSignalBlocker(self.label)]
        self.preview.clear()
        self.preview.setRowCount(0)
        self.preview.setColumnCount(0)
        self.features.clear()
        self.label.clear()
        self.dataset = None
        self.ok_button.setEnabled(False)
        del blockers

    # -- the choice -------------------------------------------------------------------------

    def choose_columns(self, features: list[str], label: str | None, task: str | None) -> None:
        """Check ``features``, select ``label`` (None: no label) and ``task``, then check them."""
        blockers = [QSignalBlocker(self.features), QSignalBlocker(self.label)]
        for row in range(self.features.count()):
            item = self.features.item(row)
            name = item.data(Qt.ItemDataRole.UserRole)
            checked = name in features
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.label.setCurrentText(label if label is not None else NO_LABEL)
        del blockers

        button = self.regression if task == "regression" else self.classification
        button.setChecked(True)
        self._check_choice()

    def set_feature_checked(self, name: str, checked: bool) -> None:
        """Check or uncheck the feature column ``name``, as a click would."""
        for row in range(self.features.count()):
            item = self.features.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(f"no column {name!r} in the feature list")

    def chosen_features(self) -> list[str]:
        """Return the checked feature columns in file order."""
        names = []
        for row in range(self.features.count()):
            item = self.features.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                names.append(item.data(Qt.ItemDataRole.UserRole))
        return names

    def chosen_label(self) -> str | None:
        text = self.label.currentText()
        return None if text in ("", NO_LABEL) else text

    def chosen_task(self) -> str | None:
        if self.chosen_label() is None:
            return None
        return "regression" if self.regression.isChecked() else "classification"

    def _label_changed(self, _text: str) -> None:
        has_label = self.chosen_label() is not None
        self.classification.setEnabled(has_label)
        self.regression.setEnabled(has_label)
        self._check_choice()

    def _check_choice(self, *_args) -> None:
        """Build the data set from the current choice and show the result or the problem."""
        if self.table is None:
            return

        try:
            dataset = table_dataset(
                self.table, self.chosen_features(), self.chosen_label(), self.chosen_task()
            )
        except ProjectError as error:
            self.dataset = None
            self._show_message(f"{Path(self.table.source).name}: {error.problem}", ok=False)
        else:
            self.dataset = dataset
            self._show_message(describe_dataset(dataset), ok=True)
        self.ok_button.setEnabled(self.dataset is not None)

    def _show_message(self, text: str, ok: bool | None) -> None:
        self.message.setText(text)
        style = {True: OK_STYLE, False: ERROR_STYLE, None: ""}[ok]
        self.message.setStyleSheet(style)
        if ok is None:
            self.ok_button.setEnabled(False)

    def data_spec(self) -> DataSpec | None:
        """Return the chosen file and columns as a ``csv`` DataSpec, or None when invalid."""
        if self.table is None or self.dataset is None:
            return None
        return DataSpec(
            "csv",
            path=str(Path(self.table.source).resolve()),
            features=self.chosen_features(),
            label=self.chosen_label(),
            task=self.chosen_task(),
        )
