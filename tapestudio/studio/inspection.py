"""What each tape recorded in a training step, and where the first non-finite value came from.

A ``StepCapture`` keeps, by reference, the ops each tape recorded and the cotangents its
backward pass sent through them. Capturing does no arithmetic: while ``Session.inspect`` is on,
``Session.step`` takes each tape's ``recorded_ops()`` just before its gradient call (a
non-persistent tape drops its records in that call) and wraps the call in ``observe_backward``.
That still costs a Python call per op of every backward pass and keeps the step's tensors alive
until the next step, which is why ``Session.inspect`` is off by default. The capture is
summarised into a ``StepInspection`` only on request: the inspector requests one a few times
per second, and the non-finite check only for a step whose record is not finite.

The ops of all tapes are merged into one list for the step: an op that several tapes recorded
(the objective's ops, typically) appears once, with the names of the tapes that recorded it.

Summaries are computed from the tensors the step produced. The engine never changes an array in
place, so another thread may summarise a capture while training goes on.
"""

from __future__ import annotations

import contextlib
import functools
import math
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tapestudio.engine import GradientTape, RecordedOp, Tensor, Variable, observe_backward
from tapestudio.studio.history import StepRecord

__all__ = [
    "CotangentSummary",
    "InputRef",
    "InspectedOp",
    "NonFiniteReport",
    "NonFiniteValue",
    "StepCapture",
    "StepInspection",
    "TapeInspection",
    "ValueSummary",
    "capture_gradients",
    "find_nonfinite",
    "session_inspection",
]

# Tensors with at most this many elements are shown by their values instead of min/mean/max.
SMALL_TENSOR_SIZE = 4


# -- summaries of values -----------------------------------------------------------------------


@dataclass(frozen=True)
class ValueSummary:
    """A tensor's shape, dtype and values in brief.

    ``minimum``, ``mean`` and ``maximum`` are taken over the finite elements in float64 (None when
    there is none). ``values`` contains every element for a tensor of at most
    ``SMALL_TENSOR_SIZE`` elements, in row-major order, and is None for larger tensors.
    """

    shape: tuple[int, ...]
    dtype: str
    minimum: float | None
    mean: float | None
    maximum: float | None
    nan_count: int
    inf_count: int
    values: tuple[float, ...] | None

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def finite(self) -> bool:
        return self.nan_count == 0 and self.inf_count == 0

    def describe(self) -> str:
        """Return the values (small tensors) or min, mean and max, then any NaN and inf counts."""
        if self.values is not None:
            text = "[" + ", ".join(f"{value:.4g}" for value in self.values) + "]"
            if not self.shape:
                text = f"{self.values[0]:.4g}"
        elif self.mean is None:
            text = "no finite values" if self.size else "empty"
        else:
            text = f"min {self.minimum:.4g}  mean {self.mean:.4g}  max {self.maximum:.4g}"

        counts = _count_text(self.nan_count, self.inf_count)
        return f"{text}; {counts}" if counts and self.values is None else text


@dataclass(frozen=True)
class CotangentSummary:
    """The cotangent one backward pass sent into an op's output: its Euclidean norm in float64
    (NaN or inf when it has such elements) and its counts of NaN and infinite elements."""

    norm: float
    nan_count: int
    inf_count: int

    @property
    def finite(self) -> bool:
        return self.nan_count == 0 and self.inf_count == 0


def summarize_value(array) -> ValueSummary:
    """Summarise a NumPy array (or anything ``np.asarray`` takes) without copying a float array."""
    array = np.asarray(array)
    shape = tuple(int(n) for n in array.shape)
    nan_count = inf_count = 0
    finite_part = array

    if array.dtype.kind == "f":
        finite = np.isfinite(array)
        if not finite.all():
            nan_count = int(np.count_nonzero(np.isnan(array)))
            inf_count = int(array.size - np.count_nonzero(finite) - nan_count)
            finite_part = array[finite]
    elif array.dtype.kind == "b":
        finite_part = array.astype(np.int8)

    values = None
    if array.size <= SMALL_TENSOR_SIZE:
        values = tuple(float(value) for value in array.ravel())

    minimum = mean = maximum = None
    if finite_part.size:
        minimum = float(finite_part.min())
        mean = float(finite_part.mean(dtype=np.float64))
        maximum = float(finite_part.max())
    return ValueSummary(shape, array.dtype.name, minimum, mean, maximum, nan_count, inf_count, values)


def summarize_cotangent(array) -> CotangentSummary:
    """Summarise a cotangent: its float64 norm and its NaN and inf counts."""
    values = np.asarray(array, dtype=np.float64)
    norm = float(np.linalg.norm(values.ravel()))
    nan_count = inf_count = 0
    if not math.isfinite(norm):
        nan_count = int(np.count_nonzero(np.isnan(values)))
        inf_count = int(np.count_nonzero(np.isinf(values)))
    return CotangentSummary(norm, nan_count, inf_count)


def _count_text(nan_count: int, inf_count: int) -> str:
    parts = []
    if nan_count:
        parts.append(f"{nan_count} NaN")
    if inf_count:
        parts.append(f"{inf_count} inf")
    return ", ".join(parts)


# -- the inspection of a step ------------------------------------------------------------------


@dataclass(frozen=True)
class InputRef:
    """One input of an op.

    ``kind`` is ``"variable"`` (``variable`` is its Keras path and ``watched_by`` the tapes that
    watch it), ``"op"`` (the output of the op at index ``producer`` of the step) or
    ``"constant"`` (a tensor that no tape recorded, such as the input data).
    """

    kind: str
    shape: tuple[int, ...]
    dtype: str
    variable: str | None = None
    producer: int | None = None
    watched_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class InspectedOp:
    """One op of the step: position ``index`` in execution order, its name, inputs, output
    summary and attributes, the tapes that recorded it, and per tape whose backward pass
    visited it the cotangent flowing back into its output."""

    index: int
    name: str
    inputs: tuple[InputRef, ...]
    output: ValueSummary
    attrs: dict
    tapes: tuple[str, ...]
    cotangents: dict[str, CotangentSummary] = field(default_factory=dict)

    def gradient_norm(self, tape: str) -> float | None:
        """Return the norm of the cotangent ``tape``'s backward pass sent into the output, or
        None when that pass did not visit the op."""
        summary = self.cotangents.get(tape)
        return summary.norm if summary is not None else None


@dataclass(frozen=True)
class TapeInspection:
    """One tape in the step.

    ``ops`` are indices into ``StepInspection.ops`` in recording order and ``backward`` the
    indices its backward pass visited, in visiting order. ``target`` is the index of the op that
    produced what the tape differentiated (the objective, or the objective plus the penalties of
    tapes nested in it), None when the tape did not record it. ``watched`` are the Keras paths of
    the variables it watched and ``reached`` those of them that a recorded path links to its
    target, so that its gradient carries information. ``differentiated`` is False for a tape
    whose gradient the step did not take (one that watches nothing).
    """

    name: str
    ops: tuple[int, ...]
    backward: tuple[int, ...]
    target: int | None
    watched: tuple[str, ...]
    reached: tuple[str, ...]
    differentiated: bool = True

    @property
    def unreached(self) -> tuple[str, ...]:
        """Watched variables that no recorded path links to the tape's target, so their gradient
        is zero (or None) whatever the values."""
        return tuple(path for path in self.watched if path not in self.reached)


@dataclass(frozen=True)
class NonFiniteValue:
    """The first NaN or infinity in a step's ops.

    ``phase`` is ``"forward"``: the output of op ``op_index`` has the NaN or infinity. Or it is
    ``"backward"``: the cotangent that ``tape``'s backward pass sent into that output has it,
    and ``vjp_ops`` lists (index, name) of the ops that consume the output, whose VJPs computed
    that cotangent from their own finite ones.
    """

    phase: str
    op_index: int
    op_name: str
    tapes: tuple[str, ...]
    tape: str | None
    nan_count: int
    inf_count: int
    shape: tuple[int, ...]
    vjp_ops: tuple[tuple[int, str], ...] = ()

    def describe(self) -> str:
        """Return a sentence that names the op, its tapes and what is not finite."""
        counts = _count_text(self.nan_count, self.inf_count)
        where = f"op {self.op_index + 1}, {self.op_name}, recorded by {_tape_phrase(self.tapes)}"
        if self.phase == "forward":
            return f"The output of {where} has {counts} (shape {list(self.shape)})."

        vjps = " and ".join(f"{name} (op {index + 1})" for index, name in self.vjp_ops)
        source = f"the VJP of {vjps}" if vjps else "the seed"
        return (
            f"The forward pass is finite, but in the backward pass of tape {self.tape!r}, {source} "
            f"sends a cotangent with {counts} into the output of {where}."
        )


@dataclass(frozen=True)
class StepInspection:
    """Every op the tapes of one step recorded, merged and in execution order, with the tapes.

    ``target`` is the index of the op that produced the step's objective (None when no tape
    recorded it) and ``first_nonfinite`` the first NaN or infinity among the ops' outputs and then their
    cotangents, or None.
    """

    step: int
    ops: tuple[InspectedOp, ...]
    tapes: tuple[TapeInspection, ...]
    target: int | None
    first_nonfinite: NonFiniteValue | None

    def tape(self, name: str) -> TapeInspection:
        """Return the inspection of tape ``name``; raises KeyError when the step has none."""
        for tape in self.tapes:
            if tape.name == name:
                return tape
        known = ", ".join(tape.name for tape in self.tapes) or "none"
        raise KeyError(f"step {self.step} has no tape {name!r}; its tapes are: {known}")

    def ops_of(self, name: str) -> list[InspectedOp]:
        """Return the ops tape ``name`` recorded, in recording order."""
        return [self.ops[index] for index in self.tape(name).ops]


# -- capturing ---------------------------------------------------------------------------------


@dataclass
class _CapturedTape:
    name: str
    records: list[RecordedOp]
    watched: tuple
    target: Any
    visits: list = field(default_factory=list)


class StepCapture:
    """The records and backward cotangents of one step's tapes, kept by reference.

    ``objective`` is the step's objective tensor. Capture one gradient call with
    ``with capture.gradient(name, tape, target): tape.gradient(target, ...)``, or every
    gradient call on a set of tapes with ``capture_gradients``. ``inspection()`` summarises
    what was captured.
    """

    def __init__(self, step: int, objective) -> None:
        self.step = step
        self._objective = objective
        self._tapes: list[_CapturedTape] = []
        self._inspection: StepInspection | None = None
        self._lock = threading.Lock()

    @property
    def tape_names(self) -> list[str]:
        """Names of the captured tapes, in the order their gradients were taken."""
        return [tape.name for tape in self._tapes]

    @contextlib.contextmanager
    def gradient(self, name: str, tape: GradientTape, target) -> Iterator[None]:
        """Take ``tape``'s records, then observe the backward passes run inside the block.

        ``target`` is what the tape differentiates. Call it just before the tape's gradient
        call, because a non-persistent tape drops its records in that call.
        """
        captured = _CapturedTape(name, tape.recorded_ops(), tape.watched_variables(), target)
        self._tapes.append(captured)
        visits = captured.visits

        def observe(op: RecordedOp, cotangent) -> None:
            visits.append((op, cotangent))

        with observe_backward(observe):
            yield

    def inspection(self, tape_names: Sequence[str] = ()) -> StepInspection:
        """Summarise the capture; the first call computes it and later calls return the same.

        ``tape_names`` sets the order in which tapes are listed (captured tapes it leaves out
        come last) and adds the tapes that were not captured, because the step took no gradient
        of them, with no ops. Only the first call's names count.
        """
        with self._lock:
            if self._inspection is None:
                self._inspection = _inspect(self, list(tape_names))
            return self._inspection


@contextlib.contextmanager
def capture_gradients(capture: StepCapture | None, tapes: Mapping[str, GradientTape]) -> Iterator[None]:
    """Capture every ``gradient`` call on ``tapes`` (by name) made inside the block.

    It shadows each tape's ``gradient`` method with one that runs inside
    ``capture.gradient`` and removes the shadow on exit, so code that takes the gradients
    needs no change. With ``capture`` None it does nothing.
    """
    if capture is None:
        yield
        return

    for name, tape in tapes.items():
        tape.gradient = functools.partial(_captured_gradient, capture, name, tape, tape.gradient)
    try:
        yield
    finally:
        for tape in tapes.values():
            del tape.gradient


def _captured_gradient(capture: StepCapture, name: str, tape: GradientTape, gradient, target, *args, **kwargs):
    with capture.gradient(name, tape, target):
        return gradient(target, *args, **kwargs)


def session_inspection(session) -> StepInspection | None:
    """Return the inspection of a Session's latest captured step, with every project tape.

    Returns None before the first step, after a reset, and while ``session.inspect`` is off.
    """
    capture = session.capture
    if capture is None:
        return None
    return capture.inspection([tape.name for tape in session.project.tapes])


# -- building the inspection -------------------------------------------------------------------


def _inspect(capture: StepCapture, tape_names: list[str]) -> StepInspection:
    # Tapes are listed in the order of tape_names; the backward passes ran in capture order.
    position = {name: number for number, name in enumerate(tape_names)}
    chronological = capture._tapes
    captured = sorted(chronological, key=lambda tape: position.get(tape.name, len(position)))
    order = _merged_order(captured)
    index_of = {key: index for index, key in enumerate(order)}

    records: dict[int, RecordedOp] = {}
    recorded_by: dict[int, list[str]] = {key: [] for key in order}
    for tape in captured:
        for record in tape.records:
            records.setdefault(id(record.output), record)
            recorded_by[id(record.output)].append(tape.name)

    cotangents: dict[int, dict[str, CotangentSummary]] = {key: {} for key in order}
    for tape in captured:
        for op, cotangent in tape.visits:
            summaries = cotangents.get(id(op.output))
            if summaries is not None and tape.name not in summaries:
                summaries[tape.name] = summarize_cotangent(cotangent)

    watchers = _watchers(captured)
    ops = []
    for index, key in enumerate(order):
        record = records[key]
        inputs = tuple(_input_ref(value, index_of, watchers) for value in record.inputs)
        attrs = dict(record.attrs) if record.attrs else {}
        output = summarize_value(record.output)
        ops.append(InspectedOp(index, record.name, inputs, output, attrs, tuple(recorded_by[key]), cotangents[key]))

    by_name = {tape.name: _tape_inspection(tape, index_of) for tape in captured}
    first = _first_nonfinite(ops, [by_name[tape.name] for tape in chronological])

    tapes = list(by_name.values())
    for name in tape_names:
        if name not in by_name:
            tapes.append(TapeInspection(name, (), (), None, (), (), differentiated=False))

    target = index_of.get(id(capture._objective))
    return StepInspection(capture.step, tuple(ops), tuple(tapes), target, first)


def _merged_order(captured: list[_CapturedTape]) -> list[int]:
    """Merge the tapes' records into one execution order of op keys (output ids).

    Each tape records in execution order, so consecutive records of one tape come in that order,
    and an op comes after the ops whose outputs it consumes. The merge walks the longest tape's
    records first, because it has the most of the step in the right order. It puts each op right
    after the ops that must come before it. So an op that only a shorter tape recorded, such as
    the read of that tape's variable, lands just before its first use.
    """
    predecessors: dict[int, list[int]] = {}
    for tape in captured:
        for record in tape.records:
            predecessors.setdefault(id(record.output), [])

    for tape in captured:
        previous = None
        for record in tape.records:
            key = id(record.output)
            if previous is not None:
                predecessors[key].append(previous)
            predecessors[key].extend(id(value) for value in record.inputs if id(value) in predecessors)
            previous = key

    order: list[int] = []
    placed: set[int] = set()
    for tape in sorted(captured, key=lambda tape: len(tape.records), reverse=True):
        for record in tape.records:
            _place(id(record.output), predecessors, placed, order)
    return order


def _place(key: int, predecessors: dict[int, list[int]], placed: set[int], order: list[int]) -> None:
    """Append ``key`` to ``order`` after every op that must come before it, without recursion
    (a nested tape's records can be thousands of ops deep)."""
    stack = [(key, iter(predecessors[key]))]
    while stack:
        current, pending = stack[-1]
        if current in placed:
            stack.pop()
            continue
        for before in pending:
            if before not in placed:
                stack.append((before, iter(predecessors[before])))
                break
        else:
            stack.pop()
            placed.add(current)
            order.append(current)


def _watchers(captured: list[_CapturedTape]) -> dict[int, list[str]]:
    watchers: dict[int, list[str]] = {}
    for tape in captured:
        for variable in tape.watched:
            watchers.setdefault(id(variable), []).append(tape.name)
    return watchers


def _variable_path(variable: Variable) -> str:
    return getattr(variable, "path", None) or variable.name


def _input_ref(value, index_of: dict[int, int], watchers: dict[int, list[str]]) -> InputRef:
    shape = tuple(int(n) for n in value.shape)
    dtype = value.dtype.name
    if isinstance(value, Variable):
        watched_by = tuple(watchers.get(id(value), ()))
        return InputRef("variable", shape, dtype, variable=_variable_path(value), watched_by=watched_by)

    producer = index_of.get(id(value))
    if producer is not None:
        return InputRef("op", shape, dtype, producer=producer)
    return InputRef("constant", shape, dtype)


def _tape_inspection(tape: _CapturedTape, index_of: dict[int, int]) -> TapeInspection:
    ops = tuple(index_of[id(record.output)] for record in tape.records)
    backward = tuple(index_of[id(op.output)] for op, _ in tape.visits if id(op.output) in index_of)
    watched = tuple(_variable_path(variable) for variable in tape.watched)

    # Walk the records backwards from the target, as a backward pass does.
    reaches_target = {id(tape.target)}
    for record in reversed(tape.records):
        if id(record.output) in reaches_target:
            reaches_target.update(id(value) for value in record.inputs)
    reached = tuple(
        _variable_path(variable) for variable in tape.watched if id(variable) in reaches_target
    )
    target = index_of.get(id(tape.target))
    return TapeInspection(tape.name, ops, backward, target, watched, reached)


def _first_nonfinite(ops: list[InspectedOp], tapes: list[TapeInspection]) -> NonFiniteValue | None:
    """Return the first non-finite op output in execution order, or else the first non-finite
    cotangent in the order the backward passes ran."""
    for op in ops:
        if not op.output.finite:
            output = op.output
            return NonFiniteValue(
                "forward", op.index, op.name, op.tapes, None,
                output.nan_count, output.inf_count, output.shape,
            )

    for tape in tapes:
        for index in tape.backward:
            op = ops[index]
            summary = op.cotangents.get(tape.name)
            if summary is not None and not summary.finite:
                consumers = tuple(
                    (ops[other].index, ops[other].name)
                    for other in tape.backward
                    if any(ref.producer == index for ref in ops[other].inputs)
                )
                return NonFiniteValue(
                    "backward", op.index, op.name, op.tapes, tape.name,
                    summary.nan_count, summary.inf_count, op.output.shape, consumers,
                )
    return None


# -- the first non-finite value of a run -------------------------------------------------------


@dataclass(frozen=True)
class NonFiniteReport:
    """Why a step is not finite and, where the step was captured, which op produced it.

    ``kind`` is ``"objective"``, ``"gradient"`` or ``"weight"``: the first of these that is not
    finite, in the order the step computes them. ``tape`` and ``variable`` name the pair whose
    gradient or weight it is (None for the objective). ``value`` is the first non-finite op
    output or cotangent, None when the step was not captured or its ops are all finite (then an
    optimizer update produced it). ``message`` states all of this in sentences.
    """

    step: int
    kind: str
    tape: str | None
    variable: str | None
    value: NonFiniteValue | None
    message: str


def record_is_finite(record: StepRecord) -> bool:
    """Return True when a step's objective, gradients and weight norms are all finite."""
    if not math.isfinite(record.objective):
        return False
    for metrics in record.metrics.values():
        if metrics["nan_count"] or metrics["inf_count"] or not math.isfinite(metrics["weight_norm"]):
            return False
    return True


def find_nonfinite(session, record: StepRecord) -> NonFiniteReport | None:
    """Return what is not finite in ``record``, the latest step of ``session``, or None.

    Checking a finite record costs a few dictionary reads. A non-finite one is explained from
    the session's capture of that step, when it has one (``session.inspect`` was on).
    """
    if record_is_finite(record):
        return None

    problem = _first_problem(session, record)
    if problem is None:
        return None
    kind, tape, variable, headline = problem

    capture = session.capture
    value = None
    if capture is not None and capture.step == record.step:
        value = session_inspection(session).first_nonfinite
        cause = value.describe() if value is not None else _update_cause(session, tape, kind)
    else:
        cause = "The step was not inspected, so the op that produced it is not known."

    message = f"At step {record.step}, {headline}. {cause}"
    return NonFiniteReport(record.step, kind, tape, variable, value, message)


def _first_problem(session, record: StepRecord) -> tuple[str, str | None, str | None, str] | None:
    """Return (kind, tape, variable, headline) for the first non-finite value the step computed."""
    if not math.isfinite(record.objective):
        value = "NaN" if math.isnan(record.objective) else f"{record.objective:g}"
        return "objective", None, None, f"the objective is {value}"

    for (tape, variable), metrics in record.metrics.items():
        counts = _count_text(int(metrics["nan_count"]), int(metrics["inf_count"]))
        if counts:
            return "gradient", tape, variable, f"the gradient of {variable} on tape {tape!r} has {counts}"

    weights = session.weights()
    for (tape, variable), metrics in record.metrics.items():
        if math.isfinite(metrics["weight_norm"]):
            continue
        # A float64 weight can have an infinite norm while every element is finite.
        values = weights.get(variable)
        if values is not None and not np.isfinite(values).all():
            counts = _count_text(int(np.count_nonzero(np.isnan(values))), int(np.count_nonzero(np.isinf(values))))
            return "weight", tape, variable, f"{variable} has {counts} after the update by tape {tape!r}"
    return None


def _update_cause(session, tape: str | None, kind: str) -> str:
    if kind != "weight" or tape is None:
        return "Every recorded op's output and cotangent is finite."
    optimizer = session.project.tape(tape).optimizer
    return (
        f"Every recorded op's output and cotangent is finite, so the {optimizer.name} update of "
        f"tape {tape!r} produced it. A smaller learning rate may keep the weights finite."
    )


def _tape_phrase(names: Sequence[str]) -> str:
    """Return "tape 'a'" or "tapes 'a' and 'b'" for a list of tape names."""
    quoted = [repr(name) for name in names]
    if len(quoted) == 1:
        return f"tape {quoted[0]}"
    return "tapes " + ", ".join(quoted[:-1]) + " and " + quoted[-1]
