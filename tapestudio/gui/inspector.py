"""The tape inspector: what each tape recorded in the latest step, as a tree and as a graph.

The tree has one top-level row per tape, with the variables it watches and reaches. Under it
are the ops it recorded, in execution order. Each op row shows the input and output shapes, the
norm of the cotangent the tape's backward pass sent into the output, the output's values (or
min/mean/max) and the tapes that recorded the op. Each op's inputs are rows under it. The graph draws the same ops
with edges from their inputs, each node striped with the colours of the tapes that recorded it.

The panel reads the studio's summary of the session's latest captured step
(``session_inspection``) from a timer a few times per second, and only while it is visible.
When the run pauses at a non-finite value it selects the op that produced it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tapestudio.studio.inspection import (
    InputRef,
    InspectedOp,
    NonFiniteReport,
    StepInspection,
    TapeInspection,
    session_inspection,
)

from .tape_graph import TapeGraphView, format_shape, tape_colors
from .worker import RunController

logger = logging.getLogger(__name__)

# How often the inspector looks for a newer step, in milliseconds: a few times per second is
# as fast as anyone reads a table of numbers.
REFRESH_INTERVAL_MS = 250
ALL_TAPES = "All tapes"
COLUMNS = ["Operation", "Shapes", "Gradient norm", "Value", "Recorded by"]
OPERATION, SHAPES, GRADIENT, VALUE, TAPES = range(len(COLUMNS))
NONFINITE_BRUSH = QBrush(QColor(200, 0, 0))
FIRST_NONFINITE_BRUSH = QBrush(QColor(255, 220, 220))
UNREACHED_BRUSH = QBrush(QColor(200, 100, 0))
MUTED_BRUSH = QBrush(QColor(120, 120, 120))
# Item data role containing ("tape", name) or ("op", tape name, op index) for each tree row.
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


def format_norm(norm: float | None) -> str:
    return "\N{EM DASH}" if norm is None else f"{norm:.4g}"


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class InspectorPanel(QWidget):
    """The inspector dock's contents: the latest captured step of the controller's session,
    whichever session the controller trains."""

    def __init__(self, controller: RunController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.inspection: StepInspection | None = None
        self.report: NonFiniteReport | None = None
        self._tree_structure: tuple | None = None

        self._create_widgets()
        controller.run_paused.connect(self.show_report)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_INTERVAL_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()

    def _create_widgets(self) -> None:
        self.tape_combo = QComboBox(self)
        self.tape_combo.addItem(ALL_TAPES)
        self.tape_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.tape_combo.currentTextChanged.connect(self._show_filter)
        self.step_label = QLabel("No step yet", self)

        self.pause_check = QCheckBox("Pause at the first non-finite value", self)
        self.pause_check.setChecked(self.controller.pause_on_nonfinite)
        self.pause_check.toggled.connect(self._set_pause_on_nonfinite)

        self.nonfinite_label = QLabel(self)
        self.nonfinite_label.setWordWrap(True)
        self.nonfinite_label.setStyleSheet("color: #b00000;")
        self.nonfinite_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.nonfinite_label.hide()

        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for column, width in ((OPERATION, 175), (SHAPES, 205), (GRADIENT, 95), (VALUE, 230)):
            self.tree.setColumnWidth(column, width)

        self.graph = TapeGraphView(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.tree, "Operations")
        self.tabs.addTab(self.graph, "Graph")

        header = QHBoxLayout()
        header.addWidget(QLabel("Tape:", self))
        header.addWidget(self.tape_combo)
        header.addWidget(self.step_label, 1)
        header.addWidget(self.pause_check)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.nonfinite_label)
        layout.addWidget(self.tabs, 1)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        """Ask for captured steps while the inspector is on screen, and show the latest."""
        super().showEvent(event)
        self.controller.inspect_requested = True
        self.refresh()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().hideEvent(event)
        self.controller.inspect_requested = False

    # -- reading the session ----------------------------------------------------------------

    @property
    def tape_filter(self) -> str | None:
        """The tape chosen in the combo box, or None for all tapes."""
        text = self.tape_combo.currentText()
        return None if text == ALL_TAPES else text

    def refresh(self) -> None:
        """Show the session's latest captured step if it is newer than the one shown."""
        if not self.isVisible():
            return

        session = self.controller.session
        inspection = session_inspection(session)
        if inspection is self.inspection:
            return
        tape_names = [tape.name for tape in session.project.tapes]
        self.show_inspection(inspection, tape_names, session.step_count)

    def show_inspection(
        self, inspection: StepInspection | None, tape_names: list[str], step_count: int = 0
    ) -> None:
        """Show ``inspection`` (None clears the view).

        ``tape_names`` are the project's tapes and ``step_count`` the session's steps so far.
        """
        self.inspection = inspection
        self._set_tape_names(tape_names)
        if self.report is not None and (inspection is None or inspection.step != self.report.step):
            self._clear_report()

        if inspection is None:
            if step_count:
                # Steps taken while the inspector was hidden (and the pause off) are not kept.
                self.step_label.setText(f"Step {step_count} was not captured: press Step.")
            else:
                self.step_label.setText("No step yet: press Step or Run.")
            self.tree.clear()
            self._tree_structure = None
            self.graph.show_inspection(None, tape_names, None)
            return

        self.step_label.setText(f"Step {inspection.step}, {len(inspection.ops)} ops")
        self._fill_tree(inspection)
        self.graph.show_inspection(inspection, tape_names, self.tape_filter)

    def _set_tape_names(self, names: list[str]) -> None:
        current = [self.tape_combo.itemText(i) for i in range(1, self.tape_combo.count())]
        if current == names:
            return

        chosen = self.tape_combo.currentText()
        self.tape_combo.blockSignals(True)
        self.tape_combo.clear()
        self.tape_combo.addItem(ALL_TAPES)
        for name, color in zip(names, tape_colors(len(names))):
            self.tape_combo.addItem(_swatch(color), name)
        self.tape_combo.setCurrentText(chosen if chosen in names else ALL_TAPES)
        self.tape_combo.blockSignals(False)

    def _show_filter(self) -> None:
        if self.inspection is None:
            return
        tape_names = [self.tape_combo.itemText(i) for i in range(1, self.tape_combo.count())]
        self._fill_tree(self.inspection)
        self.graph.show_inspection(self.inspection, tape_names, self.tape_filter)

    # -- the tree ---------------------------------------------------------------------------

    def visible_tapes(self) -> list[TapeInspection]:
        """Return the tapes the tree lists: all of them, or the one chosen in the combo box."""
        if self.inspection is None:
            return []
        chosen = self.tape_filter
        return [tape for tape in self.inspection.tapes if chosen is None or tape.name == chosen]

    def _fill_tree(self, inspection: StepInspection) -> None:
        """Rebuild the rows when the tapes or their ops changed, or else only update their text,
        so that expanded rows, the selection and the scroll position stay."""
        tapes = self.visible_tapes()
        structure = tuple(
            (tape.name, tuple(inspection.ops[index].name for index in tape.ops)) for tape in tapes
        )
        if structure != self._tree_structure:
            self._rebuild_tree(inspection, tapes)
            self._tree_structure = structure
        else:
            self._update_tree(inspection, tapes)

    def _rebuild_tree(self, inspection: StepInspection, tapes: list[TapeInspection]) -> None:
        self.tree.clear()
        colors = self._colors()
        for tape in tapes:
            tape_item = QTreeWidgetItem(self.tree)
            tape_item.setIcon(0, _swatch(colors.get(tape.name, "#000000")))
            tape_item.setData(0, ROW_ROLE, ("tape", tape.name))
            bold = QFont(tape_item.font(0))
            bold.setBold(True)
            tape_item.setFont(0, bold)

            for index in tape.ops:
                op_item = QTreeWidgetItem(tape_item)
                op_item.setData(0, ROW_ROLE, ("op", tape.name, index))
                for _ in inspection.ops[index].inputs:
                    QTreeWidgetItem(op_item)
            tape_item.setExpanded(True)

        self._update_tree(inspection, tapes)

    def _update_tree(self, inspection: StepInspection, tapes: list[TapeInspection]) -> None:
        first = inspection.first_nonfinite
        for row, tape in enumerate(tapes):
            tape_item = self.tree.topLevelItem(row)
            self._set_tape_row(tape_item, tape)
            for position, index in enumerate(tape.ops):
                op = inspection.ops[index]
                op_item = tape_item.child(position)
                is_first = first is not None and first.op_index == index and (
                    first.tape is None or first.tape == tape.name
                )
                self._set_op_row(op_item, op, tape.name, is_first)
                for number, ref in enumerate(op.inputs):
                    self._set_input_row(op_item.child(number), number, ref, tape, inspection)

    def _set_tape_row(self, item: QTreeWidgetItem, tape: TapeInspection) -> None:
        """Write the tape's name, op count and variables into its row, which spans all columns."""
        item.setFirstColumnSpanned(True)
        if not tape.differentiated:
            item.setText(OPERATION, f"tape {tape.name}: watches nothing, recorded no ops")
            return

        watched = ", ".join(tape.watched) or "nothing"
        reached = ", ".join(tape.reached) or "nothing"
        parts = [f"tape {tape.name}: {len(tape.ops)} ops", f"watches {watched}", f"reaches {reached}"]
        tooltip = f"Tape {tape.name} watches {watched} and its gradient reaches {reached}."
        if tape.unreached:
            missing = ", ".join(tape.unreached)
            parts.append(f"does not reach {missing}")
            tooltip += (
                f" No recorded path links {missing} to the tape's objective, so its gradient "
                f"is zero."
            )
        item.setText(OPERATION, " \N{MIDDLE DOT} ".join(parts))
        item.setForeground(OPERATION, UNREACHED_BRUSH if tape.unreached else QBrush())
        item.setToolTip(OPERATION, tooltip)

    def _set_op_row(self, item: QTreeWidgetItem, op: InspectedOp, tape: str, is_first: bool) -> None:
        shapes = ", ".join(format_shape(ref.shape) for ref in op.inputs)
        cotangent = op.cotangents.get(tape)

        item.setText(OPERATION, f"{op.index + 1}  {op.name}")
        item.setText(SHAPES, f"{shapes} \N{RIGHTWARDS ARROW} {format_shape(op.output.shape)}")
        item.setText(GRADIENT, format_norm(op.gradient_norm(tape)))
        item.setText(VALUE, op.output.describe())
        item.setText(TAPES, ", ".join(op.tapes))
        item.setToolTip(OPERATION, _op_tooltip(op, tape))
        item.setTextAlignment(GRADIENT, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        output_bad = not op.output.finite
        cotangent_bad = cotangent is not None and not cotangent.finite
        for column in range(len(COLUMNS)):
            item.setBackground(column, FIRST_NONFINITE_BRUSH if is_first else QBrush())
        item.setForeground(VALUE, NONFINITE_BRUSH if output_bad else QBrush())
        item.setForeground(GRADIENT, NONFINITE_BRUSH if cotangent_bad else QBrush())

    def _set_input_row(
        self,
        item: QTreeWidgetItem,
        number: int,
        ref: InputRef,
        tape: TapeInspection,
        inspection: StepInspection,
    ) -> None:
        item.setText(SHAPES, f"{format_shape(ref.shape)} {ref.dtype}")
        muted = False
        if ref.kind == "variable":
            watchers = ", ".join(ref.watched_by) or "no tape"
            text = f"variable {ref.variable} (watched by {watchers})"
        elif ref.kind == "op":
            producer = inspection.ops[ref.producer]
            text = f"output of {ref.producer + 1} {producer.name}"
            if ref.producer not in tape.ops:
                # Only another tape recorded the producer, so for this tape the value is a constant.
                text += f" (not recorded by {tape.name})"
                muted = True
        else:
            text = "constant"
            muted = True
        item.setText(OPERATION, f"input {number}: {text}")
        item.setForeground(OPERATION, MUTED_BRUSH if muted else QBrush())

    def _colors(self) -> dict[str, str]:
        names = [self.tape_combo.itemText(i) for i in range(1, self.tape_combo.count())]
        return dict(zip(names, tape_colors(len(names))))

    def op_items(self, tape: str) -> list[QTreeWidgetItem]:
        """Return the tree rows of the ops ``tape`` recorded (empty when it is not shown)."""
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item.data(0, ROW_ROLE) == ("tape", tape):
                return [item.child(i) for i in range(item.childCount())]
        return []

    # -- non-finite values ------------------------------------------------------------------

    def show_report(self, report: NonFiniteReport) -> None:
        """Show why the run paused and select the op that produced the non-finite value."""
        self.report = report
        self.nonfinite_label.setText(report.message)
        self.nonfinite_label.show()
        self.refresh()
        if report.value is not None:
            self._select_op(report.value.op_index, report.value.tape or report.tape)

    def _clear_report(self) -> None:
        self.report = None
        self.nonfinite_label.hide()

    def _select_op(self, op_index: int, preferred_tape: str | None) -> None:
        items = []
        for row in range(self.tree.topLevelItemCount()):
            tape_item = self.tree.topLevelItem(row)
            for position in range(tape_item.childCount()):
                op_item = tape_item.child(position)
                role = op_item.data(0, ROW_ROLE)
                if role[2] == op_index:
                    items.append((role[1] != preferred_tape, op_item))
        if not items:
            return
        item = min(items, key=lambda pair: pair[0])[1]
        self.tree.setCurrentItem(item)
        self.tree.scrollToItem(item)

    def _set_pause_on_nonfinite(self, checked: bool) -> None:
        self.controller.pause_on_nonfinite = checked


def _op_tooltip(op: InspectedOp, tape: str) -> str:
    lines = [f"{op.name} (op {op.index + 1} of the step), recorded by {', '.join(op.tapes)}"]
    if op.attrs:
        lines.append("attributes: " + ", ".join(f"{key}={value!r}" for key, value in op.attrs.items()))
    lines.append(f"output {format_shape(op.output.shape)} {op.output.dtype}: {op.output.describe()}")
    for name, summary in op.cotangents.items():
        lines.append(f"cotangent norm in tape {name}'s backward pass: {summary.norm:.6g}")
    if tape not in op.cotangents:
        lines.append(f"tape {tape}'s backward pass did not visit this op")
    return "\n".join(lines)
