"""GradientTape: records ops on watched values and computes gradients by reverse accumulation.

Vocabulary, used the same way in names, comments and messages throughout the engine:

- primal: a value computed by the forward pass.
- watch: mark a tensor or variable so that a tape records the ops that consume it.
- tracked: on a tape, either watched or produced by an op the tape recorded.
- target: what is differentiated; a non-scalar target means the sum of its elements.
- source: what the gradient is taken with respect to.
- cotangent: the gradient of the targets with respect to one value, flowing backwards.
- vjp: vector-Jacobian product, the function that maps an op's output cotangent to the
  cotangent of one input.
- unconnected: a source that no recorded path links to a target; its gradient is None, or zeros
  on request.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import sys
from typing import NamedTuple

import numpy as np

from . import nest
from .context import tape_stack
from .tensor import EagerTensor, Tensor, TensorShape, array_of
from .variables import Variable
from .core import NotBatchable
from .errors import InvalidArgumentError
from .ops.math_ops import add

__all__ = ["GradientTape", "UnconnectedGradients", "RecordedOp", "observe_backward"]

logger = logging.getLogger(__name__)

_NON_FLOAT_WATCH_WARNINGS_LEFT = [5]

_ALREADY_USED = (
    "A non-persistent GradientTape can only be used to compute one set of gradients "
    "(or jacobians)"
)
_PERSISTENT_IN_CONTEXT = (
    "Calling GradientTape.gradient on a persistent tape inside its context is significantly "
    "less efficient than calling it outside the context (it causes the gradient ops to be "
    "recorded on the tape, leading to increased CPU and memory usage). Only call "
    "GradientTape.gradient inside the context if you actually want to trace the gradient in "
    "order to compute higher order derivatives."
)


_IN_CONTEXT_WARNED_AT: set[tuple[str, int]] = set()


def _warn_in_context_once() -> None:
    """Log the in-context warning once per calling line of user code, as TensorFlow does, so a
    training loop that opens a new tape every step logs it once."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    site = (frame.f_code.co_filename, frame.f_lineno) if frame is not None else ("", 0)
    if site not in _IN_CONTEXT_WARNED_AT:
        _IN_CONTEXT_WARNED_AT.add(site)
        logger.warning(_PERSISTENT_IN_CONTEXT)


class RecordedOp(NamedTuple):
    """One op as a tape recorded it: the op's name, its input tensors or variables, its output
    tensor and its attributes (None when it has none)."""

    name: str
    inputs: tuple
    output: Tensor
    attrs: dict | None


@contextlib.contextmanager
def observe_backward(callback):
    """Call ``callback(op, cotangent)`` for each op that a backward pass on this thread visits.

    ``op`` is a ``RecordedOp`` and ``cotangent`` the NumPy value of the gradient flowing back
    into its output (with a leading batch axis in a batched ``jacobian``). This is how
    TapeStudio's inspector shows the gradient through every recorded op; it is not part of
    TensorFlow's API.
    """
    observers = tape_stack.backward_observers
    observers.append(callback)
    try:
        yield
    finally:
        observers.remove(callback)


def _notify(observers: list, record: tuple, g) -> None:
    op, inputs, out, attrs = record
    value = g._value if isinstance(g, Tensor) else g
    recorded = RecordedOp(op.name, inputs, out, attrs)
    for callback in observers:
        callback(recorded, value)


class UnconnectedGradients(enum.Enum):
    """The result ``gradient`` gives for a source that no recorded path links to the target."""

    NONE = "none"
    ZERO = "zero"


def _as_unconnected(value) -> UnconnectedGradients:
    try:
        return UnconnectedGradients(value)
    except ValueError:
        raise ValueError(f"Unknown value for unconnected_gradients: {value!r}") from None


class GradientTape:
    """Records operations on watched tensors and variables, for reverse-mode differentiation.

    Args:
        persistent: allow any number of ``gradient`` and ``jacobian`` calls. A non-persistent
            tape releases its records after the first call.
        watch_accessed_variables: watch every trainable variable read while recording. With
            False, only what is passed to ``watch`` is watched.

    Example::

        x = tapestudio.constant(3.0)
        with tapestudio.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        tape.gradient(y, x)  # 6.0
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = bool(persistent)
        self._watch_accessed_variables = bool(watch_accessed_variables)
        self._recording = False
        # Whether the tape has records it can compute gradients from: False before the first
        # __enter__ and after a non-persistent tape's one gradient() call.
        self._live = False
        self._used_variables: tuple = ()
        self._clear()

    def _clear(self) -> None:
        self._records: list = []
        self._tracked: set[int] = set()
        self._watched: list = []
        self._variables: dict[int, Variable] = {}

    # -- recording ---------------------------------------------------------------------------

    def __enter__(self) -> GradientTape:
        if self._recording:
            raise ValueError(
                "Tape is still recording, This can happen if you try to re-enter an "
                "already-active tape."
            )
        if not self._live:
            self._clear()
            self._live = True
        self._push()
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if self._recording:
            self._pop()

    def _push(self) -> None:
        tape_stack.active.append(self)
        self._recording = True

    def _pop(self) -> None:
        if not self._recording:
            raise ValueError("Tape is not recording.")
        active = tape_stack.active
        for i in range(len(active) - 1, -1, -1):
            if active[i] is self:
                del active[i]
                break
        self._recording = False

    @contextlib.contextmanager
    def stop_recording(self):
        """Stop this tape from recording inside the ``with`` block; other tapes still record.

        Raises:
            RuntimeError: the tape was never entered, or was already used.
            ValueError: the tape is not recording now.
        """
        if not self._live:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        self._pop()
        try:
            yield
        finally:
            self._push()

    def reset(self) -> None:
        """Discard everything recorded so far; recording continues on an empty tape.

        Raises:
            ValueError: the tape is not recording.
        """
        if not self._recording:
            raise ValueError("Tape is not recording.")
        self._clear()

    def watch(self, tensor) -> None:
        """Watch a tensor, a variable, or a nested structure of them.

        Watching a tensor whose dtype cannot carry a gradient (an integer, for example) logs a
        warning, and gradients through it are None.

        Raises:
            ValueError: a leaf of ``tensor`` is neither a Tensor nor a Variable.
        """
        for leaf in nest.flatten(tensor):
            if not isinstance(leaf, (Tensor, Variable)):
                raise ValueError(
                    f"Passed in object {leaf} of type {type(leaf).__name__!r}, not tf.Tensor "
                    f"or tf.Variable or ExtensionType."
                )
            if leaf._value.dtype.kind not in "fc" and _NON_FLOAT_WATCH_WARNINGS_LEFT[0] > 0:
                _NON_FLOAT_WATCH_WARNINGS_LEFT[0] -= 1
                logger.warning(
                    "The dtype of the watched tensor must be floating (e.g. tf.float32), got %r",
                    leaf.dtype,
                )
            if isinstance(leaf, Variable):
                self._watch_variable(leaf)
            elif id(leaf) not in self._tracked:
                self._tracked.add(id(leaf))
                self._watched.append(leaf)

    def _watch_variable(self, variable: Variable) -> None:
        key = id(variable)
        if key not in self._variables:
            self._variables[key] = variable
            self._tracked.add(key)

    def recorded_ops(self) -> list[RecordedOp]:
        """Return the ops recorded so far, in execution order.

        A TapeStudio extension for inspecting a tape; a non-persistent tape has none left after
        its gradient is computed, so take them before.
        """
        return [RecordedOp(op.name, inputs, out, attrs) for op, inputs, out, attrs in self._records]

    def watched_variables(self) -> tuple:
        """Return the watched variables in the order they were created.

        A non-persistent tape that computed its gradient returns those it had watched then.
        """
        if not self._live:
            return self._used_variables
        return tuple(sorted(self._variables.values(), key=lambda v: v._unique_id))

    # -- gradients ---------------------------------------------------------------------------

    def _begin_backward(self) -> list:
        """Check that the tape can compute gradients and return the records to use."""
        self._check_live(_ALREADY_USED)
        if self._recording:
            if self._persistent:
                _warn_in_context_once()
            else:
                self._pop()
        # A tape that still records (a persistent one, inside its context) appends the backward
        # ops to its records while they are walked, so the walk needs a copy.
        return self._records[:] if self._recording else self._records

    def _check_live(self, message: str) -> None:
        if not self._live:
            raise RuntimeError(message)

    def _end_backward(self) -> None:
        if not self._persistent:
            self._used_variables = self.watched_variables()
            self._live = False
            self._clear()

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """Compute the gradient of ``target`` with respect to ``sources``.

        ``target`` is a tensor, a variable or a nested structure of them; a non-scalar target,
        and several targets, mean the sum of all their elements. The result has the structure of
        ``sources`` and each gradient the shape and dtype of its source.

        Args:
            output_gradients: one cotangent per flattened target, used in place of ones (so the
                result is a vector-Jacobian product); None entries mean ones.
            unconnected_gradients: ``UnconnectedGradients.NONE`` (return None for a source that
                does not reach the target) or ``ZERO`` (return zeros of the source's shape).

        Raises:
            RuntimeError: a non-persistent tape was used already.
            TypeError: ``target`` is None.
            ValueError: ``unconnected_gradients`` is unknown, ``output_gradients`` has another
                length than the flattened target, or a source is neither a Tensor nor a Variable.
        """
        records = self._begin_backward()
        if target is None:
            raise TypeError(
                "Argument `target` should be a list or nested structure of Tensors, Variables or "
                "CompositeTensors to be differentiated, but received None."
            )
        unconnected = _as_unconnected(unconnected_gradients)
        flat_targets = nest.flatten(target)
        flat_sources = nest.flatten(sources)
        _check_sources(flat_sources)
        seeds = _seeds(flat_targets, output_gradients)
        try:
            flat_gradients = backprop(records, self._tracked, flat_targets, seeds, flat_sources)
        finally:
            self._end_backward()
        flat_gradients = _fill_unconnected(flat_gradients, flat_sources, unconnected)
        return nest.pack_sequence_as(sources, flat_gradients)

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """Compute the Jacobian of one ``target`` tensor with respect to ``sources``.

        Each result has shape ``target.shape + source.shape``; summing it over the target axes
        gives what ``gradient`` returns.

        Raises:
            RuntimeError: a non-persistent tape was used already, or ``experimental_use_pfor``
                is False on a non-persistent tape.
            ValueError: ``unconnected_gradients`` is unknown.
        """
        self._check_live(_ALREADY_USED)
        if not experimental_use_pfor and not self._persistent:
            raise RuntimeError(
                "GradientTape must be created with persistent=True to compute the jacobian with "
                "eager execution enabled and with  experimental_use_pfor set to False."
            )
        records = self._begin_backward()
        unconnected = _as_unconnected(unconnected_gradients)
        flat_sources = nest.flatten(sources)
        _check_sources(flat_sources)
        target_value = _value_of(target)
        try:
            rows = None
            if experimental_use_pfor:
                rows = _jacobian_batched(records, self._tracked, target, target_value, flat_sources)
            if rows is None:
                rows = _jacobian_rows(records, self._tracked, target, target_value, flat_sources)
        finally:
            self._end_backward()
        flat_jacobians = []
        for source, row in zip(flat_sources, rows):
            shape = target_value.shape + _value_of(source).shape
            if target_value.size == 0:
                # An empty target has an empty Jacobian, whether or not a source reaches it.
                row = EagerTensor(np.zeros(shape, _value_of(source).dtype))
            elif row is None:
                if unconnected is UnconnectedGradients.ZERO:
                    row = EagerTensor(np.zeros(shape, _value_of(source).dtype))
            else:
                row = _reshape(row, shape)
            flat_jacobians.append(row)
        return nest.pack_sequence_as(sources, flat_jacobians)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Compute the Jacobian of each example of ``target`` with respect to ``source``.

        ``target`` and ``source`` have the batch dimension first. The result has shape
        ``[batch] + target.shape[1:] + source.shape[1:]``. It is computed from the gradient of
        each target column summed over the batch, so it is only meaningful when example i of
        the target depends on example i of the source alone. An unconnected source gives zeros,
        whatever ``unconnected_gradients`` is set to.

        Raises:
            ValueError: the ranks are below 2 or the batch dimensions differ.
            RuntimeError: as ``jacobian``.
        """
        # TensorFlow joins this message's two literals without a space; it is kept as it is.
        self._check_live(
            "A non-persistent GradientTape can only be used tocompute one set of gradients "
            "(or jacobians)"
        )
        target_value = _value_of(target)
        source_value = _value_of(source)
        for value in (target_value, source_value):
            if value.ndim < 2:
                raise ValueError(f"Shape {TensorShape(value.shape)} must have rank at least 2")
        if target_value.shape[0] != source_value.shape[0]:
            raise ValueError(
                f"Need first dimension of target shape ({TensorShape(target_value.shape)}) and "
                f"source shape ({TensorShape(source_value.shape)}) to match."
            )
        if not experimental_use_pfor and not self._persistent:
            raise RuntimeError(
                "GradientTape must be created with persistent=True to compute the batch_jacobian "
                "with eager execution enabled and  with experimental_use_pfor set to False."
            )
        columns = int(np.prod(target_value.shape[1:], dtype=np.int64))
        if parallel_iterations is not None and parallel_iterations < columns and not self._persistent:
            # Fewer parallel iterations than columns means several backward passes.
            raise RuntimeError(
                "GradientTape must be created with persistent=True to compute the batch_jacobian "
                "with parallel_iterations."
            )
        _as_unconnected(unconnected_gradients)
        records = self._begin_backward()
        try:
            result = None
            if experimental_use_pfor:
                result = _batch_jacobian_batched(records, self._tracked, target, target_value, source, source_value)
            if result is None:
                result = _batch_jacobian(records, self._tracked, target, target_value, source, source_value)
        finally:
            self._end_backward()
        return result


def _value_of(x):
    return x._value if isinstance(x, (Tensor, Variable)) else np.asarray(x)


def _check_sources(flat_sources: list) -> None:
    for source in flat_sources:
        if not isinstance(source, (Tensor, Variable)):
            raise ValueError(
                f"Passed in object {source!r} of type {type(source).__name__!r}, not tf.Tensor or "
                f"tf.Variable or ExtensionType."
            )


def _seeds(flat_targets: list, output_gradients) -> list:
    """Return the initial cotangent of each flattened target: ones, or the given cotangent."""
    if output_gradients is None:
        flat_output = [None] * len(flat_targets)
    else:
        flat_output = nest.flatten(output_gradients)
        if len(flat_output) != len(flat_targets):
            raise ValueError(
                f"output_gradients has {len(flat_output)} entries but the target flattens to "
                f"{len(flat_targets)} tensors; pass one cotangent (or None) per target."
            )
    seeds = []
    for target, cotangent in zip(flat_targets, flat_output):
        value = _value_of(target)
        if cotangent is None:
            seeds.append(EagerTensor(np.ones(value.shape, value.dtype)))
        else:
            seeds.append(_checked_seed(cotangent, value))
    return seeds


def _checked_seed(cotangent, target_value) -> Tensor:
    """Return an output gradient as a tensor of its target's dtype and shape.

    As in TensorFlow, a Python number becomes float32 (or int32) and must then match the
    target's dtype. A cotangent that broadcasts to the target's shape is broadcast.

    Raises:
        InvalidArgumentError: the dtype differs from the target's, or the shape does not
            broadcast to it.
    """
    tensor = cotangent if isinstance(cotangent, Tensor) else EagerTensor(array_of(cotangent))
    array = tensor._value
    if target_value.dtype.kind not in "fc":
        return tensor
    if array.dtype != target_value.dtype:
        raise InvalidArgumentError(
            f"output_gradients entry has dtype {np.dtype(array.dtype).name} but its target has "
            f"dtype {np.dtype(target_value.dtype).name}; cast it with tf.cast."
        )
    if array.shape != target_value.shape:
        try:
            array = np.broadcast_to(array, target_value.shape)
        except ValueError:
            raise InvalidArgumentError(
                f"output_gradients entry has shape {list(array.shape)}, which does not broadcast "
                f"to its target's shape {list(target_value.shape)}."
            ) from None
        tensor = EagerTensor(array)
    return tensor


def backprop(records: list, tracked: set, flat_targets: list, seeds: list, flat_sources: list,
             batched: bool = False) -> list:
    """Accumulate cotangents from the targets back to the sources through ``records``.

    Records are in execution order, so walking them in reverse visits every consumer of a value
    before the op that produced it. Only ops on a path from a source are visited, and only the
    inputs that depend on a source get a VJP call. Returns one cotangent per source, None where
    no path connects it to a target.

    With ``batched``, each seed has an extra leading axis of cotangents that are pushed through
    together, and each result has it too.

    Raises:
        NotBatchable: ``batched`` is set but a tape records the backward pass or an op on the
            path has no NumPy VJP that takes a batch.
    """
    source_keys = {id(s) for s in flat_sources}
    # A source the tape never tracked is unconnected, even when an op it recorded consumed it.
    depends = {key for key in source_keys if key in tracked}
    relevant = []
    for rec in records:
        for x in rec[1]:
            if id(x) in depends:
                depends.add(id(rec[2]))
                relevant.append(rec)
                break

    if not tape_stack.active:
        return _backprop_arrays(relevant, depends, source_keys, flat_targets, seeds, flat_sources, batched)
    if batched:
        raise NotBatchable("a tape records this backward pass")

    cotangents: dict[int, Tensor] = {}
    for key, seed in _seeded_targets(flat_targets, seeds, depends, source_keys):
        _accumulate(cotangents, key, seed)

    observers = tape_stack.backward_observers
    for record in reversed(relevant):
        op, inputs, out, attrs = record
        out_key = id(out)
        if out_key in source_keys:
            g = cotangents.get(out_key)
        else:
            g = cotangents.pop(out_key, None)
        if g is None:
            continue
        if observers:
            _notify(observers, record, g)
        for index, x in enumerate(inputs):
            if id(x) not in depends:
                continue
            vjp = op.vjp_for(index)
            if vjp is None:
                continue
            gx = vjp(g, out, *inputs, **attrs) if attrs else vjp(g, out, *inputs)
            if gx is not None:
                _accumulate(cotangents, id(x), gx)

    return [cotangents.get(id(s)) for s in flat_sources]


def _seeded_targets(flat_targets: list, seeds: list, depends: set, source_keys: set) -> list:
    """Return the (key, seed) pairs of the floating-point targets that reach a source.

    A target that is itself a source gets its seed as gradient, tracked or not.
    """
    pairs = []
    for target, seed in zip(flat_targets, seeds):
        key = id(target)
        if _value_of(target).dtype.kind in "fc" and (key in depends or key in source_keys):
            pairs.append((key, seed))
    return pairs


def _accumulate(cotangents: dict, key: int, g) -> None:
    previous = cotangents.get(key)
    cotangents[key] = g if previous is None else add(previous, g)


def _backprop_arrays(relevant, depends, source_keys, flat_targets, seeds, flat_sources, batched) -> list:
    """Run ``backprop`` on NumPy values, for a backward pass that no tape records.

    Ops with NumPy VJPs skip the engine entirely. The others get their cotangent wrapped in a
    Tensor and run their engine VJPs, which no tape records because none is active.
    """
    cotangents: dict[int, np.ndarray] = {}
    for key, seed in _seeded_targets(flat_targets, seeds, depends, source_keys):
        previous = cotangents.get(key)
        cotangents[key] = seed._value if previous is None else previous + seed._value

    observers = tape_stack.backward_observers
    for record in reversed(relevant):
        op, inputs, out, attrs = record
        out_key = id(out)
        if out_key in source_keys:
            g = cotangents.get(out_key)
        else:
            g = cotangents.pop(out_key, None)
        if g is None:
            continue
        if observers:
            _notify(observers, record, g)
        numpy_vjps = op.numpy_vjps

        if numpy_vjps is not None and len(inputs) == 1:
            # The commonest record: a unary op, whose one input must depend on a source
            # because the record is relevant.
            vjp = numpy_vjps[0]
            if vjp is not None:
                x_key = id(inputs[0])
                gx = vjp(g, out._value, inputs[0]._value, **attrs) if attrs else vjp(g, out._value, inputs[0]._value)
                previous = cotangents.get(x_key)
                cotangents[x_key] = gx if previous is None else previous + gx
            continue

        if numpy_vjps is not None and len(inputs) == 2 and not attrs:
            # The next commonest: a binary op without attributes.
            values = (inputs[0]._value, inputs[1]._value)
            for vjp, x in zip(numpy_vjps, inputs):
                x_key = id(x)
                if vjp is None or x_key not in depends:
                    continue
                gx = vjp(g, out._value, *values)
                previous = cotangents.get(x_key)
                cotangents[x_key] = gx if previous is None else previous + gx
            continue

        if numpy_vjps is not None:
            values = [v._value for v in inputs]
        for index, x in enumerate(inputs):
            x_key = id(x)
            if x_key not in depends:
                continue
            if numpy_vjps is not None:
                vjp = numpy_vjps[index]
                if vjp is None:
                    continue
                gx = vjp(g, out._value, *values, **attrs) if attrs else vjp(g, out._value, *values)
            elif batched:
                raise NotBatchable(f"op {op.name} has no NumPy VJP")
            else:
                vjp = op.vjp_for(index)
                if vjp is None:
                    continue
                g_tensor = EagerTensor(g)
                gx = vjp(g_tensor, out, *inputs, **attrs) if attrs else vjp(g_tensor, out, *inputs)
                if gx is None:
                    continue
                gx = gx._value
            if gx is None:
                continue
            previous = cotangents.get(x_key)
            cotangents[x_key] = gx if previous is None else previous + gx

    results = []
    for source in flat_sources:
        g = cotangents.get(id(source))
        if g is not None:
            dtype = _value_of(source).dtype
            g = EagerTensor(g if g.dtype == dtype else g.astype(dtype))
        results.append(g)
    return results


def _fill_unconnected(flat_gradients: list, flat_sources: list, unconnected: UnconnectedGradients) -> list:
    filled = []
    for g, source in zip(flat_gradients, flat_sources):
        value = _value_of(source)
        if value.dtype.kind not in "fc":
            g = None
        if g is None and unconnected is UnconnectedGradients.ZERO:
            g = EagerTensor(np.zeros(value.shape, value.dtype))
        filled.append(g)
    return filled


def _reshape(x: Tensor, shape: tuple) -> Tensor:
    from .ops.array_ops import reshape

    return reshape(x, shape)


def _jacobian_batched(records, tracked, target, target_value, flat_sources) -> list | None:
    """Return what ``_jacobian_rows`` returns from one backward pass of all rows at once, or
    None when the path contains an op that cannot take a batch of cotangents."""
    size = target_value.size
    if size == 0:
        return None
    seed = np.eye(size, dtype=target_value.dtype).reshape((size,) + target_value.shape)
    try:
        grads = backprop(records, tracked, [target], [EagerTensor(seed)], flat_sources, batched=True)
    except NotBatchable:
        return None
    rows = []
    for g, source in zip(grads, flat_sources):
        if g is None or _value_of(source).dtype.kind not in "fc":
            rows.append(None)
        else:
            rows.append(g)
    return rows


def _batch_jacobian_batched(records, tracked, target, target_value, source, source_value):
    """Return ``batch_jacobian`` from one backward pass of every target column at once, or None
    when the path holds an op that cannot take a batch of cotangents."""
    batch = target_value.shape[0]
    columns = int(np.prod(target_value.shape[1:], dtype=np.int64))
    if columns == 0 or batch == 0:
        return None
    seed = np.zeros((columns, batch, columns), target_value.dtype)
    seed[np.arange(columns), :, np.arange(columns)] = 1
    seed = seed.reshape((columns,) + target_value.shape)
    try:
        (g,) = backprop(records, tracked, [target], [EagerTensor(seed)], [source], batched=True)
    except NotBatchable:
        return None
    if g is None:
        return EagerTensor(np.zeros(target_value.shape + source_value.shape[1:], target_value.dtype))
    per_example = np.swapaxes(g._value.reshape((columns, batch, -1)), 0, 1)
    return EagerTensor(per_example.reshape(target_value.shape + source_value.shape[1:]))


def _jacobian_rows(records, tracked, target, target_value, flat_sources) -> list:
    """Return per source the Jacobian as a (target size, *source shape) tensor, or None."""
    from .ops.array_ops import stack

    size = target_value.size
    per_source: list[list] = [[] for _ in flat_sources]
    connected = [False] * len(flat_sources)
    for i in range(size):
        seed = np.zeros(target_value.size, target_value.dtype)
        seed[i] = 1
        seed = EagerTensor(seed.reshape(target_value.shape))
        grads = backprop(records, tracked, [target], [seed], flat_sources)
        for j, (g, source) in enumerate(zip(grads, flat_sources)):
            if g is not None:
                connected[j] = True
            else:
                g = EagerTensor(np.zeros(_value_of(source).shape, _value_of(source).dtype))
            per_source[j].append(g)
    rows = []
    for j, source in enumerate(flat_sources):
        if not connected[j] or _value_of(source).dtype.kind not in "fc":
            rows.append(None)
        elif size == 0:
            rows.append(EagerTensor(np.zeros((0,) + _value_of(source).shape, _value_of(source).dtype)))
        else:
            rows.append(stack(per_source[j]))
    return rows


def _batch_jacobian(records, tracked, target, target_value, source, source_value) -> Tensor:
    from .ops.array_ops import reshape, stack

    batch = target_value.shape[0]
    columns = int(np.prod(target_value.shape[1:], dtype=np.int64))
    flat_shape = (batch, columns)
    per_column = []
    for j in range(columns):
        seed = np.zeros(flat_shape, target_value.dtype)
        seed[:, j] = 1
        seed = EagerTensor(seed.reshape(target_value.shape))
        (g,) = backprop(records, tracked, [target], [seed], [source])
        if g is None:
            g = EagerTensor(np.zeros(source_value.shape, target_value.dtype))
        per_column.append(reshape(g, (batch, -1)))
    if columns == 0:
        return EagerTensor(np.zeros(target_value.shape + source_value.shape[1:], target_value.dtype))
    result = stack(per_column, axis=1)
    return reshape(result, target_value.shape + source_value.shape[1:])
