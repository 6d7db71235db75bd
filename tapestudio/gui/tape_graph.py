"""The inspector's graph: variables and recorded ops as boxes, with edges from inputs to ops.

Rows are depths: variables at the top, then each op one row below its deepest input, so the
objective ends up at the bottom, as in the drawings of a backward graph. A coloured stripe along the top of each box
shows the tapes that recorded the op (or that watch the variable). An edge has the colour of the
tape whose gradient flows along it, and is grey when several tapes share it. Constants (the
input data, and values that only another tape recorded) have no box; the tooltips list them.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from tapestudio.studio.inspection import InspectedOp, StepInspection

from .plots import PALETTE

NODE_WIDTH = 160
NODE_HEIGHT = 58
COLUMN_GAP = 24
ROW_GAP = 34
STRIPE_HEIGHT = 6
# Fitting a large graph into the view scales it down to no less than this, then it scrolls.
MIN_FIT_SCALE = 0.6
# Opacity of the boxes and edges that the chosen tape did not record.
FILTERED_OPACITY = 0.18
SHARED_EDGE_COLOR = QColor(110, 110, 110)
NONFINITE_COLOR = QColor(200, 0, 0)


def format_shape(shape: tuple[int, ...]) -> str:
    """Return a shape as Python writes a tuple: ``()``, ``(16,)``, ``(150, 3)``."""
    return "(" + ", ".join(str(n) for n in shape) + (",)" if len(shape) == 1 else ")")


def tape_colors(count: int) -> list[str]:
    """Return one colour per tape, in tape order, from the plots' palette."""
    return [PALETTE[number % len(PALETTE)] for number in range(count)]


class TapeGraphView(QGraphicsView):
    """A zoomable drawing of one step's inspection; ``show_inspection`` replaces it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setBackgroundBrush(QBrush(QColor("white")))
        self.node_items: dict[str, QGraphicsRectItem] = {}
        # The op names last drawn; the view fits the drawing again when they change.
        self._drawn_structure: tuple | None = None
        self._fitted = False

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt name
        """Zoom with the mouse wheel, around the cursor."""
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.scale(factor, factor)

    def show_inspection(
        self, inspection: StepInspection | None, tape_names: list[str], tape_filter: str | None
    ) -> None:
        """Draw ``inspection``; boxes that ``tape_filter`` (a tape name) did not record fade."""
        scene = self.scene()
        scene.clear()
        self.node_items = {}
        if inspection is None or not inspection.ops:
            text = scene.addSimpleText("No recorded ops yet: press Step or Run.")
            text.setBrush(QBrush(QColor("black")))
            return

        colors = dict(zip(tape_names, tape_colors(len(tape_names))))
        positions = _layout(inspection)
        self._draw_edges(inspection, positions, colors, tape_filter)
        self._draw_nodes(inspection, positions, colors, tape_filter)
        self._draw_legend(tape_names, colors)

        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))
        structure = tuple(op.name for op in inspection.ops)
        if structure != self._drawn_structure:
            self._drawn_structure = structure
            self._fitted = False
        if not self._fitted and self.isVisible():
            self.fit()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if not self._fitted and self.node_items:
            self.fit()

    def fit(self) -> None:
        """Scale the drawing to fit the view, between ``MIN_FIT_SCALE`` and 1, and show its top."""
        rect = self.scene().sceneRect()
        viewport = self.viewport().rect()
        scale = min(viewport.width() / rect.width(), viewport.height() / rect.height(), 1.0)
        self.resetTransform()
        self.scale(max(scale, MIN_FIT_SCALE), max(scale, MIN_FIT_SCALE))
        self.centerOn(rect.center().x(), rect.top())
        self.ensureVisible(QRectF(rect.left(), rect.top(), rect.width(), 1))
        self._fitted = True

    # -- drawing ------------------------------------------------------------------------------

    def _draw_nodes(self, inspection, positions, colors, tape_filter) -> None:
        for key, (x, y) in positions.items():
            if key.startswith("variable:"):
                path = key.removeprefix("variable:")
                watchers = _watchers_of(inspection, path)
                lines = [path, "variable", f"watched by {', '.join(watchers) or 'no tape'}"]
                tooltip = f"Variable {path}, watched by {', '.join(watchers) or 'no tape'}"
                faded = tape_filter is not None and tape_filter not in watchers
                item = _node(x, y, lines, [colors.get(name, "#000000") for name in watchers], tooltip, bold=True)
            else:
                op = inspection.ops[int(key.removeprefix("op:"))]
                item = self._op_node(op, x, y, colors, tape_filter, inspection)
                faded = tape_filter is not None and tape_filter not in op.tapes
            if faded:
                item.setOpacity(FILTERED_OPACITY)
            self.scene().addItem(item)
            self.node_items[key] = item

    def _op_node(self, op: InspectedOp, x, y, colors, tape_filter, inspection) -> QGraphicsRectItem:
        tape = tape_filter if tape_filter in op.cotangents else next(iter(op.cotangents), None)
        norm = op.gradient_norm(tape) if tape is not None else None
        shape = format_shape(op.output.shape)
        norm_text = "no gradient" if norm is None else f"grad norm {norm:.3g}"
        norms = {summary.norm for summary in op.cotangents.values()}
        if len(norms) > 1:
            # Tapes with different targets (a nested tape's penalty) send different cotangents.
            norm_text += f" ({tape})"
        lines = [f"{op.index + 1} {op.name}", shape, norm_text]

        inputs = []
        for number, ref in enumerate(op.inputs):
            where = ref.variable or (f"op {ref.producer + 1}" if ref.producer is not None else "constant")
            inputs.append(f"input {number}: {where} {list(ref.shape)}")
        tooltip = "\n".join(
            [f"{op.name}, recorded by {', '.join(op.tapes)}", f"value: {op.output.describe()}", *inputs]
        )
        item = _node(x, y, lines, [colors.get(name, "#000000") for name in op.tapes], tooltip)

        first = inspection.first_nonfinite
        if not op.output.finite or (first is not None and first.op_index == op.index):
            item.setPen(QPen(NONFINITE_COLOR, 3))
        return item

    def _draw_edges(self, inspection, positions, colors, tape_filter) -> None:
        for op in inspection.ops:
            end = positions[f"op:{op.index}"]
            for ref in op.inputs:
                if ref.kind == "variable":
                    start_key = f"variable:{ref.variable}"
                    carriers = [name for name in op.tapes if name in ref.watched_by]
                elif ref.kind == "op":
                    start_key = f"op:{ref.producer}"
                    carriers = [name for name in op.tapes if name in inspection.ops[ref.producer].tapes]
                else:
                    continue

                color = QColor(colors.get(carriers[0], "#000000")) if len(carriers) == 1 else SHARED_EDGE_COLOR
                edge = _edge(positions[start_key], end, color)
                if tape_filter is not None and tape_filter not in carriers:
                    edge.setOpacity(FILTERED_OPACITY)
                self.scene().addItem(edge)

    def _draw_legend(self, tape_names: list[str], colors: dict[str, str]) -> None:
        x = 0.0
        for name in tape_names:
            swatch = self.scene().addRect(QRectF(x, -34, 14, 14), QPen(Qt.PenStyle.NoPen), QBrush(QColor(colors[name])))
            label = self.scene().addSimpleText(f"tape {name}")
            label.setPos(x + 20, -36)
            label.setBrush(QBrush(QColor("black")))
            x += 40 + label.boundingRect().width()
            swatch.setZValue(2)


def _watchers_of(inspection: StepInspection, path: str) -> list[str]:
    for op in inspection.ops:
        for ref in op.inputs:
            if ref.kind == "variable" and ref.variable == path:
                return list(ref.watched_by)
    return []


def _layout(inspection: StepInspection) -> dict[str, tuple[float, float]]:
    """Return the top-left corner of each box, by key ``variable:PATH`` or ``op:INDEX``.

    A box's row is one less than the row of its first consumer, so that a variable and its read
    sit just above the op that uses them. Boxes nothing consumes stay one row below their
    deepest input. Each row is centred on x = 0.
    """
    depth: dict[str, int] = {}
    consumers: dict[str, list[str]] = {}
    for op in inspection.ops:
        key = f"op:{op.index}"
        input_depths = [1]
        for ref in op.inputs:
            source = _source_key(ref)
            if source is None:
                continue
            depth.setdefault(source, 0)
            consumers.setdefault(source, []).append(key)
            input_depths.append(depth[source] + 1)
        depth[key] = max(input_depths)

    # Ops are in execution order, so walking them backwards places consumers first.
    sources = [key for key in depth if key.startswith("variable:")]
    for key in [f"op:{op.index}" for op in reversed(inspection.ops)] + sources:
        if key in consumers:
            depth[key] = min(depth[consumer] for consumer in consumers[key]) - 1

    rows: dict[int, list[str]] = {}
    for key in sorted(depth, key=_order_key):
        rows.setdefault(depth[key], []).append(key)

    # Row by row from the top, order the boxes by the mean x of their inputs, which keeps most
    # edges from crossing. A box without inputs keeps its place in the order.
    inputs: dict[str, list[str]] = {}
    for source, keys in consumers.items():
        for key in keys:
            inputs.setdefault(key, []).append(source)

    positions: dict[str, tuple[float, float]] = {}
    for row in sorted(rows):
        keys = rows[row]
        centres = {}
        for number, key in enumerate(keys):
            placed = [positions[source][0] for source in inputs.get(key, []) if source in positions]
            centres[key] = sum(placed) / len(placed) if placed else _row_x(number, len(keys))
        keys.sort(key=lambda key: centres[key])
        for number, key in enumerate(keys):
            positions[key] = (_row_x(number, len(keys)), row * (NODE_HEIGHT + ROW_GAP))
    return positions


def _row_x(column: int, count: int) -> float:
    """Return the x of box ``column`` of ``count`` in a row centred on x = 0."""
    return (column - (count - 1) / 2) * (NODE_WIDTH + COLUMN_GAP)


def _source_key(ref) -> str | None:
    if ref.kind == "variable":
        return f"variable:{ref.variable}"
    if ref.kind == "op":
        return f"op:{ref.producer}"
    return None


def _order_key(key: str) -> tuple[int, str]:
    """Variables first, then ops in execution order, within a row."""
    if key.startswith("op:"):
        return (1, f"{int(key.removeprefix('op:')):08d}")
    return (0, key)


def _node(x: float, y: float, lines: list[str], stripe_colors: list[str], tooltip: str, bold: bool = False) -> QGraphicsRectItem:
    box = QGraphicsRectItem(QRectF(0, 0, NODE_WIDTH, NODE_HEIGHT))
    box.setPos(x, y)
    box.setBrush(QBrush(QColor(250, 250, 250)))
    box.setPen(QPen(QColor(60, 60, 60), 1))
    box.setToolTip(tooltip)
    box.setZValue(1)

    stripe_width = NODE_WIDTH / max(len(stripe_colors), 1)
    for number, color in enumerate(stripe_colors):
        stripe = QGraphicsRectItem(QRectF(number * stripe_width, 0, stripe_width, STRIPE_HEIGHT), box)
        stripe.setBrush(QBrush(QColor(color)))
        stripe.setPen(QPen(Qt.PenStyle.NoPen))

    for number, line in enumerate(lines):
        text = QGraphicsSimpleTextItem(line, box)
        font = QFont(text.font())
        font.setBold(bold or number == 0)
        text.setFont(font)
        text.setBrush(QBrush(QColor("black")))
        text.setPos(6, STRIPE_HEIGHT + 2 + number * 15)
    box.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
    return box


def _edge(start: tuple[float, float], end: tuple[float, float], color: QColor) -> QGraphicsPathItem:
    begin = QPointF(start[0] + NODE_WIDTH / 2, start[1] + NODE_HEIGHT)
    finish = QPointF(end[0] + NODE_WIDTH / 2, end[1])
    bend = max((finish.y() - begin.y()) / 2, ROW_GAP)

    path = QPainterPath(begin)
    path.cubicTo(QPointF(begin.x(), begin.y() + bend), QPointF(finish.x(), finish.y() - bend), finish)
    arrow = QPolygonF([finish, QPointF(finish.x() - 4, finish.y() - 8), QPointF(finish.x() + 4, finish.y() - 8)])
    path.addPolygon(arrow)
    path.closeSubpath()

    item = QGraphicsPathItem(path)
    item.setPen(QPen(color, 1.5))
    return item
