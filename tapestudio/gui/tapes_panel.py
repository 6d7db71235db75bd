"""The tapes panel: the tapes table, its legend and buttons, and the optimizer form.

The table (``TapeTableModel``) has one row per tape: its name, which variables it watches,
whether it is persistent, the tape it is nested in with the penalty weight, and its optimizer
and learning rate. The form next to it edits every hyperparameter of the selected tape's
optimizer. Below the table a legend explains the colours of frozen and shared variables and
names them, and a line shows why the latest edit was rejected, if it was.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tapestudio.studio import Session

from .optimizer_form import OptimizerForm
from .tape_table import (
    CHOICES_ROLE,
    FROZEN_COLOR,
    OPTIMIZER_HEADER,
    SHARED_COLOR,
    TapeTableModel,
    color_icon,
)

__all__ = ["CHOICES_ROLE", "OPTIMIZER_HEADER", "TapeCellDelegate", "TapeTableModel", "TapesPanel"]

logger = logging.getLogger(__name__)

ERROR_STYLE = "color: #b00020;"
LEGEND_ICON_SIZE = 12


class TapeCellDelegate(QStyledItemDelegate):
    """Edits a cell with choices (optimizer, parent) in a combo box, and others as text.

    Numbers are typed as text, so that values like 1e-4 keep all their digits. The choices are
    read from the model each time an editor opens, so newly installed optimizers appear.
    """

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt name
        choices = index.data(CHOICES_ROLE)
        if choices:
            combo = QComboBox(parent)
            combo.addItems(list(choices))
            return combo

        editor = QLineEdit(parent)
        if not isinstance(index.data(Qt.ItemDataRole.EditRole), str):
            validator = QDoubleValidator(editor)
            validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
            editor.setValidator(validator)
        return editor

    def setEditorData(self, editor, index):  # noqa: N802 - Qt name
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(value))
        elif isinstance(value, str):
            editor.setText(value)
        else:
            editor.setText("" if value is None else f"{value:g}")

    def setModelData(self, editor, model, index):  # noqa: N802 - Qt name
        text = editor.currentText() if isinstance(editor, QComboBox) else editor.text()
        model.setData(index, text, Qt.ItemDataRole.EditRole)


class TapesPanel(QWidget):
    """The tapes table with its legend and buttons, and the optimizer form of the selected tape."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TapeTableModel(session, self)
        # The row whose optimizer the form shows.
        self._current_row = 0
        self.view = self._create_view()
        self.form = OptimizerForm(self.model, self)

        self.add_button = QPushButton("Add tape", self)
        self.add_button.clicked.connect(self.model.add_tape)
        self.rename_button = QPushButton("Rename tape", self)
        self.rename_button.setToolTip("Edit the name of the selected tape")
        self.rename_button.clicked.connect(self.start_rename)
        self.remove_button = QPushButton("Remove tape", self)
        self.remove_button.setToolTip("Remove the selected tapes; tapes nested in them move up")
        self.remove_button.clicked.connect(self._remove_selected)

        self.message = QLabel(self)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        self.legend_summary = QLabel(self)
        self.legend_summary.setWordWrap(True)

        self._lay_out()
        self.model.edit_rejected.connect(self._show_rejection)
        self.model.structure_edited.connect(self.message.hide)
        self.model.refreshed.connect(self._show_legend)
        self.model.modelReset.connect(self._select_form_tape)
        self._show_legend()

    def _create_view(self) -> QTableView:
        view = QTableView(self)
        view.setModel(self.model)
        view.setItemDelegate(TapeCellDelegate(view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The first column shows the names, and double-clicking it renames a tape.
        view.verticalHeader().hide()
        view.selectionModel().currentRowChanged.connect(self._follow_current_row)
        return view

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.add_button, self.rename_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        table_side = QWidget(self)
        table_layout = QVBoxLayout(table_side)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.view, 1)
        table_layout.addLayout(self._legend_row())
        table_layout.addWidget(self.legend_summary)
        table_layout.addWidget(self.message)
        table_layout.addLayout(buttons)

        form_scroll = QScrollArea(self)
        form_scroll.setWidgetResizable(True)
        form_scroll.setWidget(self.form)
        form_scroll.setMinimumWidth(260)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(table_side)
        self.splitter.addWidget(form_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)

    def _legend_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        entries = [
            (SHARED_COLOR, "shared: several tapes update it"),
            (FROZEN_COLOR, "frozen: no tape updates it"),
        ]
        for color, text in entries:
            swatch = QLabel(self)
            swatch.setPixmap(color_icon(color, LEGEND_ICON_SIZE).pixmap(LEGEND_ICON_SIZE, LEGEND_ICON_SIZE))
            row.addWidget(swatch)
            row.addWidget(QLabel(text, self))
            row.addSpacing(12)
        row.addStretch(1)
        return row

    # -- state ---------------------------------------------------------------------------

    def set_running(self, running: bool) -> None:
        """Lock the edits that need a rebuild during a run; live settings stay editable."""
        self.model.set_running(running)
        for button in (self.add_button, self.rename_button, self.remove_button):
            button.setEnabled(not running)

    def refresh_optimizers(self) -> None:
        """Read the optimizer registry again, after plugins were installed or removed."""
        self.form.optimizer_combo.refresh_names()
        self.model.refresh()

    def _show_legend(self) -> None:
        project = self.model.session.project
        frozen = ", ".join(project.frozen_variables()) or "none"
        shared = ", ".join(project.shared_variables()) or "none"
        self.legend_summary.setText(f"Frozen: {frozen}. Shared: {shared}.")

    def _show_rejection(self, message: str) -> None:
        self.message.setText(message)
        self.message.show()

    # -- selection and buttons -------------------------------------------------------------

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.view.selectionModel().selectedRows()})

    def _follow_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._current_row = current.row()
            self.form.set_tape(self.model.tape(current.row()).name)

    def _select_form_tape(self) -> None:
        """Select the same row again after a rebuild reset the model, so a renamed tape stays."""
        if self.model.rowCount() == 0:
            self.form.set_tape(None)
            return
        row = min(self._current_row, self.model.rowCount() - 1)
        self.view.selectRow(row)
        self.form.set_tape(self.model.tape(row).name)

    def start_rename(self) -> None:
        """Open the name editor of the current tape (the first one when none is selected)."""
        rows = self.selected_rows()
        row = rows[0] if rows else 0
        if self.model.rowCount() == 0:
            return
        index = self.model.index(row, self.model.name_column())
        self.view.setCurrentIndex(index)
        self.view.edit(index)

    def _remove_selected(self) -> None:
        rows = self.selected_rows()
        if rows:
            self.model.remove_tapes(rows)
