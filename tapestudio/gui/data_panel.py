"""The data panel: which data the project trains on, its split and its batches.

The panel offers the synthetic sets, the bundled real sets, a normal batch without labels and
CSV import. Every edit emits ``project_edited`` with an edited copy of the project in which the
model and the objective were fitted to the new data (``tapestudio.studio.fitting``), and
``status_message`` with what that changed. A small plot shows the samples of two-feature and
one-feature data, training samples filled and validation samples hollow.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tapestudio.studio import DataSpec, Project, ProjectError, Session
from tapestudio.studio.datasets import (
    bundled_dataset_names,
    bundled_dataset_title,
    load_project_data,
)
from tapestudio.studio.fitting import fit_project_to_data
from tapestudio.studio.project import DEFAULT_SYNTHETIC_SAMPLES, MAX_SEED as MAX_PROJECT_SEED
from tapestudio.studio.synthetic import MAX_NOISE, MAX_SAMPLES, MIN_SAMPLES, SYNTHETIC_SETS

from .csv_import_dialog import CsvImportDialog

logger = logging.getLogger(__name__)

# QSpinBox takes a signed 32-bit int; larger data seeds in a file are shown clamped.
MAX_SEED = min(MAX_PROJECT_SEED, 2**31 - 1)
MAX_NORMAL_SAMPLES = 100_000
MAX_BATCH_SIZE = 1_000_000
CLASS_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
PREVIEW_HEIGHT = 150


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _sources() -> list[tuple[str, str | None, str]]:
    """Return the (kind, name, text) entries of the source combo, in menu order."""
    entries: list[tuple[str, str | None, str]] = []
    for name, spec in SYNTHETIC_SETS.items():
        entries.append(("synthetic", name, spec.title))
    for name in bundled_dataset_names():
        entries.append(("bundled", name, bundled_dataset_title(name)))
    entries.append(("normal", None, "Normal batch, no labels"))
    entries.append(("csv", None, "CSV file\N{HORIZONTAL ELLIPSIS}"))
    return entries


class DataPanel(QWidget):
    """Editor of the project's data; emits ``project_edited(Project, str)`` and
    ``status_message(str)``."""

    project_edited = Signal(object, str)
    status_message = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._project = session.project
        self.import_dialog: CsvImportDialog | None = None

        self.source = QComboBox(self)
        self.source.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.source.setMinimumContentsLength(14)
        self._entries = _sources()
        previous_kind = None
        for kind, name, text in self._entries:
            # Separators between the synthetic, the bundled and the other sources.
            if previous_kind is not None and kind != previous_kind and kind != "csv":
                self.source.insertSeparator(self.source.count())
            self.source.addItem(text, (kind, name))
            previous_kind = kind
        self.source.activated.connect(self._source_chosen)

        self.samples = QSpinBox(self)
        self.samples.setRange(1, MAX_NORMAL_SAMPLES)
        self.samples.setKeyboardTracking(False)
        self.samples.setToolTip("Number of samples drawn")
        self.samples.valueChanged.connect(self._edit_samples)

        self.noise = QDoubleSpinBox(self)
        self.noise.setRange(0.0, MAX_NOISE)
        self.noise.setSingleStep(0.05)
        self.noise.setDecimals(2)
        self.noise.setKeyboardTracking(False)
        self.noise.setToolTip("Standard deviation of the Gaussian noise added to each coordinate")
        self.noise.valueChanged.connect(self._edit_noise)

        self.csv_button = QPushButton("Choose columns\N{HORIZONTAL ELLIPSIS}", self)
        self.csv_button.setToolTip("Change the file, the feature columns or the label")
        self.csv_button.clicked.connect(self.open_import_dialog)

        self.seed = QSpinBox(self)
        self.seed.setRange(0, MAX_SEED)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip("Seed of the drawn samples, the validation split and the batches")
        self.seed.valueChanged.connect(self._edit_seed)
        self.new_seed_button = QPushButton("New", self)
        self.new_seed_button.setToolTip("Use the next seed: new samples, split and batches")
        self.new_seed_button.clicked.connect(lambda: self.seed.setValue(self.seed.value() + 1))
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.new_seed_button)

        self.validation = QSpinBox(self)
        self.validation.setRange(0, 90)
        self.validation.setSingleStep(5)
        self.validation.setSuffix(" %")
        self.validation.setKeyboardTracking(False)
        self.validation.setToolTip(
            "Share of the samples held out for the validation objective (val_objective)"
        )
        self.validation.valueChanged.connect(self._edit_validation)

        self.batch_size = QSpinBox(self)
        self.batch_size.setRange(0, MAX_BATCH_SIZE)
        self.batch_size.setSpecialValueText("Full batch")
        self.batch_size.setKeyboardTracking(False)
        self.batch_size.setToolTip(
            "Samples per step, drawn without repeats within an epoch; 0 trains every step on "
            "all training samples"
        )
        self.batch_size.valueChanged.connect(self._edit_batch_size)

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #444;")

        self.preview = pg.PlotWidget(background="w")
        self.preview.setFixedHeight(PREVIEW_HEIGHT)
        self.preview.setMenuEnabled(False)
        self.preview.setMouseEnabled(x=False, y=False)
        self.preview.hideButtons()
        for axis in ("left", "bottom"):
            self.preview.getPlotItem().getAxis(axis).setPen("k")
            self.preview.getPlotItem().getAxis(axis).setTextPen("k")
        self._preview_items: list[pg.GraphicsObject] = []

        source_box = QGroupBox("Data set", self)
        source_form = QFormLayout(source_box)
        source_form.addRow("Source", self.source)
        source_form.addRow("Samples", self.samples)
        source_form.addRow("Noise", self.noise)
        source_form.addRow("", self.csv_button)
        source_form.addRow("Data seed", seed_row)
        self._source_form = source_form

        training_box = QGroupBox("Training", self)
        training_form = QFormLayout(training_box)
        training_form.addRow("Validation", self.validation)
        training_form.addRow("Batch size", self.batch_size)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(source_box)
        layout.addWidget(training_box)
        layout.addWidget(self.summary)
        layout.addWidget(self.preview)
        layout.addStretch(1)

        self.set_session(session)

    # -- showing --------------------------------------------------------------------------

    def set_session(self, session: Session) -> None:
        """Show the data of ``session``'s project, its split and a plot of its samples."""
        self._session = session
        self._project = session.project
        self._show_fields(session.project.data, session.project)
        self._show_summary(session)
        self._show_preview(session)

    def _show_fields(self, data: DataSpec, project: Project) -> None:
        widgets = (
            self.source, self.samples, self.noise, self.seed, self.validation, self.batch_size
        )
        blockers = [QSignalBlocker(widget) for widget in widgets]

        self.source.setCurrentIndex(self._source_index(data))
        drawn = data.kind in ("synthetic", "normal")
        self._set_row_visible(self.samples, drawn)
        self._set_row_visible(self.noise, data.kind == "synthetic")
        self._set_row_visible(self.csv_button, data.kind == "csv")
        if data.kind == "synthetic":
            self.samples.setRange(MIN_SAMPLES, MAX_SAMPLES)
        else:
            self.samples.setRange(1, MAX_NORMAL_SAMPLES)
        self.samples.setValue(data.samples)
        self.noise.setValue(data.noise)

        self.seed.setValue(min(project.data_seed(), MAX_SEED))
        self.validation.setValue(round(100 * data.validation_fraction))
        self.batch_size.setValue(data.batch_size or 0)
        del blockers

    def _set_row_visible(self, widget: QWidget, visible: bool) -> None:
        self._source_form.setRowVisible(widget, visible)

    def _source_index(self, data: DataSpec) -> int:
        name = data.name if data.kind in ("synthetic", "bundled") else None
        for index in range(self.source.count()):
            if self.source.itemData(index) == (data.kind, name):
                return index
        return -1

    def _show_summary(self, session: Session) -> None:
        dataset = session.dataset
        split = session.training_data.split
        parts = [_count(dataset.samples, "sample"), _count(len(dataset.feature_names), "feature")]
        if dataset.classes is not None:
            parts.append(f"{len(dataset.classes)} classes ({', '.join(dataset.classes[:4])}"
                         + (", ..." if len(dataset.classes) > 4 else "") + ")")
        elif dataset.labels is not None:
            parts.append(f"numeric label {dataset.label_name}")
        else:
            parts.append("no labels")
        parts.append(f"{len(split.train)} train / {len(split.validation)} validation")
        if self._project.data.kind == "csv":
            parts.insert(0, str(self._project.data.path))
        self.summary.setText(", ".join(parts))

    def _show_preview(self, session: Session) -> None:
        """Plot the samples: two features as x and y, or one feature against the label."""
        plot = self.preview.getPlotItem()
        for item in self._preview_items:
            plot.removeItem(item)
        self._preview_items = []

        dataset = session.dataset
        columns = dataset.features.shape[1]
        if columns == 2:
            points = dataset.features
        elif columns == 1 and dataset.labels is not None:
            points = np.column_stack([dataset.features[:, 0], dataset.labels])
        else:
            self.preview.setVisible(False)
            return
        self.preview.setVisible(True)

        classes = dataset.labels.astype(int) if dataset.classes is not None else None
        split = session.training_data.split
        for part, filled in ((split.train, True), (split.validation, False)):
            self._add_points(points[part], None if classes is None else classes[part], filled)

        names = list(dataset.feature_names)
        if columns == 1:
            names.append(dataset.label_name or "label")
        plot.setLabel("bottom", names[0])
        plot.setLabel("left", names[1])
        plot.enableAutoRange()

    def _add_points(self, points: np.ndarray, classes: np.ndarray | None, filled: bool) -> None:
        if len(points) == 0:
            return
        colours = [CLASS_COLOURS[0]] * len(points)
        if classes is not None:
            colours = [CLASS_COLOURS[value % len(CLASS_COLOURS)] for value in classes]

        hollow = pg.mkBrush(255, 255, 255, 0)
        brushes = [pg.mkBrush(colour) if filled else hollow for colour in colours]
        pens = [pg.mkPen(colour, width=1) for colour in colours]
        item = pg.ScatterPlotItem(
            points[:, 0], points[:, 1], size=5 if filled else 6, brush=brushes, pen=pens
        )
        self.preview.getPlotItem().addItem(item)
        self._preview_items.append(item)

    # -- edits ----------------------------------------------------------------------------

    def _emit(self, data: DataSpec, description: str) -> None:
        """Fit the project to ``data`` and emit it; a data set that cannot load goes unfitted."""
        project = copy.deepcopy(self._project)
        project.data = data

        notes: list[str] = []
        try:
            dataset = load_project_data(project)
        except ProjectError as error:
            # The session reports the error when it rebuilds and keeps the current project.
            logger.info("data cannot be loaded yet: %s", error)
        else:
            notes = fit_project_to_data(project, dataset, self._session.dataset)

        self.project_edited.emit(project, description)
        for note in notes:
            self.status_message.emit(note)

    def _source_chosen(self, index: int) -> None:
        kind, name = self.source.itemData(index)
        current = self._project.data
        if (kind, name) == (current.kind, current.name if current.kind != "csv" else None):
            return

        common = {
            "seed": current.seed,
            "validation_fraction": current.validation_fraction,
            "batch_size": current.batch_size,
        }
        if kind == "csv":
            self.open_import_dialog()
        elif kind == "synthetic":
            samples = current.samples if current.kind == "synthetic" else DEFAULT_SYNTHETIC_SAMPLES
            noise = SYNTHETIC_SETS[name].default_noise
            data = DataSpec("synthetic", name=name, samples=samples, noise=noise, **common)
            self._emit(data, f"Use data set {name}")
        elif kind == "bundled":
            self._emit(DataSpec("bundled", name=name, **common), f"Use data set {name}")
        else:
            self._emit(DataSpec("normal", samples=1, **common), "Use a normal batch")
        self._show_fields(self._project.data, self._project)

    def open_import_dialog(self) -> CsvImportDialog:
        """Open the CSV import dialog (without blocking); importing emits the edit."""
        initial = self._project.data if self._project.data.kind == "csv" else None
        dialog = CsvImportDialog(self, initial)
        dialog.accepted.connect(lambda: self._import(dialog))
        dialog.finished.connect(
            lambda _result: self._show_fields(self._project.data, self._project)
        )
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def _import(self, dialog: QDialog) -> None:
        chosen = dialog.data_spec()
        if chosen is None:
            return
        current = self._project.data
        data = replace(
            chosen,
            seed=current.seed,
            validation_fraction=current.validation_fraction,
            batch_size=current.batch_size,
        )
        self._emit(data, f"Import {chosen.path}")

    def _edit_samples(self, samples: int) -> None:
        self._emit(replace(self._project.data, samples=samples), f"Set samples to {samples}")

    def _edit_noise(self, noise: float) -> None:
        self._emit(replace(self._project.data, noise=round(noise, 4)), f"Set noise to {noise:g}")

    def _edit_seed(self, seed: int) -> None:
        self._emit(replace(self._project.data, seed=seed), f"Set data seed to {seed}")

    def _edit_validation(self, percent: int) -> None:
        fraction = percent / 100
        data = replace(self._project.data, validation_fraction=fraction)
        self._emit(data, f"Hold out {percent} % for validation")

    def _edit_batch_size(self, size: int) -> None:
        batch_size = size if size > 0 else None
        description = f"Set batch size to {size}" if batch_size else "Train on the full batch"
        self._emit(replace(self._project.data, batch_size=batch_size), description)
