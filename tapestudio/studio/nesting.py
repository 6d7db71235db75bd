"""Nested tapes in a training step: a tape inside another adds a gradient penalty to it.

Every tape of a step records the same forward pass. A tape without a parent differentiates the
step's objective. A tape with a parent (a child) adds a penalty term to its parent's objective:

    parent objective = objective + sum over children of penalty_weight * sum ||g_child||^2

where ``g_child`` is the child's gradient of its own objective with respect to its own
variables. The child's gradient is taken inside the parent's context, so the parent tape
records that backward pass and its gradient contains the second-order term, as with nested
``tf.GradientTape`` blocks in TensorFlow. Deeper nesting applies the same rule at each level.

The tapes close innermost first. While a tape computes its gradient, only the tapes that need
to record it (its ancestors, when its penalty weight is not 0) are recording. The others are
paused with ``stop_recording``, so they do not record a backward pass they never use.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import tapestudio as tf
from tapestudio.studio.project import TapeSpec


@dataclass(frozen=True)
class TapeStep:
    """What one tape computed in a training step.

    ``target`` is the tape's objective: the step's objective plus the penalties of the tapes
    nested in it (a scalar tensor). ``gradients`` contains one tensor per source, in the order of
    the tape's variables, with zeros for a source the target does not depend on. ``penalty`` is
    what the tape added to its parent's objective, or None when it has no parent or its penalty
    weight is 0.
    """

    tape: tf.GradientTape
    target: Any
    sources: list
    gradients: list
    penalty: Any = None


def nesting_order(tapes: list[TapeSpec]) -> list[TapeSpec]:
    """Return the tapes ordered so that each parent comes before the tapes nested in it.

    Tapes without a parent keep their project order. Raises ValueError when the parents form a
    loop (the project check rejects loops before this).
    """
    ordered: list[TapeSpec] = []
    placed: set[str] = set()
    remaining = list(tapes)

    while remaining:
        for tape in remaining:
            if tape.parent is None or tape.parent in placed:
                ordered.append(tape)
                placed.add(tape.name)
                remaining.remove(tape)
                break
        else:
            raise ValueError(f"tapes nested in a loop: {[tape.name for tape in remaining]}")
    return ordered


def ancestors(tapes: list[TapeSpec], name: str) -> list[str]:
    """Return the names of the tapes that ``name`` is nested in, innermost first."""
    parents = {tape.name: tape.parent for tape in tapes}
    chain = []
    current = parents[name]
    while current is not None and current not in chain:
        chain.append(current)
        current = parents[current]
    return chain


class NestedTapes:
    """Opens one ``GradientTape`` per tape spec and takes each tape's gradient.

    Use it as a context manager around the forward pass, then call ``gradients`` inside the
    same block::

        with NestedTapes(order, variables, persistent) as nested:
            objective = ...
            steps = nested.gradients(objective, penalty_weights)

    ``order`` lists the tape specs parents first (see ``nesting_order``). ``variables`` maps
    Keras paths to the model's variables. ``persistent`` maps tape names to the ``persistent``
    flag of their tapes. Every tape watches only its own variables.
    """

    def __init__(
        self,
        order: list[TapeSpec],
        variables: Mapping[str, tf.Variable],
        persistent: Mapping[str, bool],
    ) -> None:
        self._order = list(order)
        self._variables = variables
        self._persistent = persistent
        self._stack = contextlib.ExitStack()
        # One ExitStack per tape, so that a tape can be closed before the others.
        self._contexts: dict[str, contextlib.ExitStack] = {}
        self.tapes: dict[str, tf.GradientTape] = {}

    def __enter__(self) -> NestedTapes:
        with contextlib.ExitStack() as opening:
            opening.enter_context(self._stack)
            for spec in self._order:
                self._open(spec)
            opening.pop_all()
        return self

    def __exit__(self, *exc_info) -> bool | None:
        return self._stack.__exit__(*exc_info)

    def _open(self, spec: TapeSpec) -> None:
        persistent = self._persistent.get(spec.name, spec.persistent)
        tape = tf.GradientTape(persistent=persistent, watch_accessed_variables=False)

        context = self._stack.enter_context(contextlib.ExitStack())
        context.enter_context(tape)
        for path in spec.variables:
            tape.watch(self._variables[path])

        self._contexts[spec.name] = context
        self.tapes[spec.name] = tape

    def gradients(
        self, objective: Any, penalty_weights: Mapping[str, float]
    ) -> dict[str, TapeStep]:
        """Close the tapes innermost first and take each one's gradient of its own objective.

        ``objective`` is the step's scalar objective, computed while every tape recorded.
        ``penalty_weights`` maps a tape name to the weight of its penalty in its parent's
        objective; a missing name means 0. Returns a TapeStep for every tape that watches at
        least one variable, by tape name. Call it once, inside the ``with`` block.
        """
        weights = {spec.name: float(penalty_weights.get(spec.name, 0.0)) for spec in self._order}
        with_variables = {spec.name for spec in self._order if spec.variables}
        penalized = {
            spec.name
            for spec in self._order
            if spec.parent is not None and weights[spec.name] != 0.0 and spec.parent in with_variables
        }

        if not penalized:
            # No tape needs another's backward pass, so all close first and none records one.
            for context in self._contexts.values():
                context.close()
            return {
                spec.name: self._differentiate(spec, objective, 0.0)
                for spec in self._order
                if spec.name in with_variables
            }
        return self._nested_gradients(objective, weights, with_variables, penalized)

    def _nested_gradients(
        self, objective: Any, weights: dict[str, float], with_variables: set[str], penalized: set[str]
    ) -> dict[str, TapeStep]:
        penalties: dict[str, list] = {spec.name: [] for spec in self._order}
        still_open = [spec.name for spec in self._order]
        steps = {}

        # In a parents-first order reversed, every child comes before its parent.
        for spec in reversed(self._order):
            still_open.remove(spec.name)
            needs_penalty = spec.name in penalized
            recording = set(ancestors(self._order, spec.name)) if needs_penalty else set()

            with contextlib.ExitStack() as paused:
                for name in still_open:
                    if name not in recording:
                        paused.enter_context(self.tapes[name].stop_recording())

                target = objective
                if penalties[spec.name]:
                    target = tf.add_n([objective, *penalties[spec.name]])
                self._contexts[spec.name].close()

                if spec.name not in with_variables:
                    continue
                step = self._differentiate(spec, target, weights[spec.name] if needs_penalty else 0.0)

            steps[spec.name] = step
            if step.penalty is not None:
                penalties[spec.parent].append(step.penalty)

        return steps

    def _differentiate(self, spec: TapeSpec, target: Any, penalty_weight: float) -> TapeStep:
        tape = self.tapes[spec.name]
        sources = [self._variables[path] for path in spec.variables]
        gradients = tape.gradient(target, sources, unconnected_gradients=tf.UnconnectedGradients.ZERO)

        penalty = None
        if penalty_weight != 0.0:
            squared_norms = [tf.reduce_sum(tf.square(gradient)) for gradient in gradients]
            penalty = tf.add_n(squared_norms) * penalty_weight
        return TapeStep(tape, target, sources, gradients, penalty)
