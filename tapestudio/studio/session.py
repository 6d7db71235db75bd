"""The live state of one experiment: model, data, tapes, optimizers and history.

One training step opens every tape at once, each with ``watch_accessed_variables=False`` and
watching only its own variables, runs the forward pass and the objective, then takes each
tape's gradient of the objective and applies it with that tape's optimizer. All gradients come
from the same forward pass, so the tapes update simultaneously: a variable no tape watches
stays frozen, and a variable several tapes watch receives each tape's update in turn.

A worker thread calls ``step``; the GUI thread reads ``history`` and ``weights()`` and calls
``set_hyperparameter`` at any time.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator

import numpy as np

import tapestudio as tf
from tapestudio import optimizers
from tapestudio.studio.datasets import load_project_data, standardize
from tapestudio.studio.errors import ProjectError, RunError
from tapestudio.studio.history import History, StepRecord
from tapestudio.studio.objectives import build_targets, objective_tensor
from tapestudio.studio.project import (
    OptimizerSpec,
    Project,
    TapeSpec,
    check_optimizer,
    layer_name,
    project_from_dict,
    project_to_dict,
)

logger = logging.getLogger(__name__)


class Session:
    """One experiment's model, data, tapes and history, built from a Project.

    Raises ProjectError when the project is invalid or its data does not fit the model.
    """

    def __init__(self, project: Project) -> None:
        # _state_lock serialises step, reset, rebuild and weights. A separate _pending_lock
        # guards the hyperparameter changes waiting for the next step, so that
        # set_hyperparameter does not wait for a running step to finish.
        self._state_lock = threading.RLock()
        self._pending_lock = threading.Lock()
        self._pending: dict[tuple[str, str], float] = {}
        self.history = History()
        self._build(project)

    # -- reading -------------------------------------------------------------------------

    @property
    def project(self) -> Project:
        """The project this session was built from; ``rebuild`` replaces it."""
        return self._project

    @property
    def step_count(self) -> int:
        """Number of steps run since the last reset."""
        return self._step_count

    @property
    def variable_names(self) -> list[str]:
        """Keras paths of the model's variables, in model order."""
        return list(self._variables)

    def weights(self) -> dict[str, np.ndarray]:
        """Return copies of the variable values after the latest step, by Keras path.

        It takes no lock, so the GUI thread never waits for a running step: each step ends by
        publishing references to the variables' arrays, which the engine replaces on every
        assignment and never changes in place.
        """
        published = self._published_weights
        return {path: array.copy() for path, array in published.items()}

    def _publish_weights(self) -> None:
        self._published_weights = {
            path: variable._read_value_array() for path, variable in self._variables.items()
        }

    # -- changing ------------------------------------------------------------------------

    def reset(self) -> None:
        """Rebuild the model with the project seed and clear the history.

        The model gets the same initial weights as when the session was built.
        """
        with self._state_lock:
            self._build(self._project)

    def rebuild(self, project: Project) -> None:
        """Replace the project (after model or tape edits) and reset.

        Raises ProjectError, keeping the current project, model and history, when the new
        project is invalid.
        """
        with self._state_lock:
            self._build(project)

    def set_hyperparameter(self, tape_name: str, name: str, value: float) -> None:
        """Set a hyperparameter of one tape's optimizer, from any thread.

        The change takes effect before the next step and is written into ``project``. Raises
        KeyError for an unknown tape or hyperparameter and ValueError for a value the optimizer
        rejects.
        """
        if isinstance(value, np.generic):
            value = value.item()

        with self._pending_lock:
            optimizer = self._project.tape(tape_name).optimizer
            known = optimizers.hyperparameters(optimizer.name)
            if name not in known:
                takes = ", ".join(known)
                raise KeyError(
                    f"{optimizer.name} has no hyperparameter {name!r}; it takes: {takes}"
                )

            where = f"tape {tape_name!r} optimizer"
            try:
                checked = check_optimizer(OptimizerSpec(optimizer.name, {name: value}), None, where)
            except ProjectError as error:
                raise ValueError(str(error)) from None

            optimizer.hyperparameters[name] = checked.hyperparameters[name]
            self._pending[(tape_name, name)] = checked.hyperparameters[name]

    # -- training ------------------------------------------------------------------------

    def step(self) -> StepRecord:
        """Run one training step, append its record to ``history`` and return it.

        Raises RunError (with ``.step``) when the step fails. The history keeps the steps
        before it, but an optimizer that failed may have updated some variables already.
        """
        with self._state_lock:
            self._apply_pending()
            step = self._step_count + 1

            try:
                record = self._compute_step(step)
            except Exception as error:
                # The caller reports the RunError, and its __cause__ keeps the traceback.
                raise RunError(step, f"{type(error).__name__}: {error}") from error

            self.history.append(record)
            self._step_count = step
            self._publish_weights()
            return record

    def _compute_step(self, step: int) -> StepRecord:
        with contextlib.ExitStack() as stack:
            tapes = {}
            for spec in self._tape_order:
                tape = tf.GradientTape(persistent=spec.persistent, watch_accessed_variables=False)
                tapes[spec.name] = stack.enter_context(tape)
                for path in spec.variables:
                    tapes[spec.name].watch(self._variables[path])

            predictions = self._model(self._inputs)
            objective = objective_tensor(self._project.objective, predictions, self._targets)

        # Every gradient is taken before any optimizer changes a variable.
        # NOTE: a parent tape only decides the order in which the tapes are opened. Gradients
        # are taken after every tape has closed, so no tape records another tape's backward
        # pass, and the objective has no term (a gradient penalty, say) that would need it.
        gradients = {}
        for spec in self._project.tapes:
            if spec.variables:
                sources = [self._variables[path] for path in spec.variables]
                gradients[spec.name] = tapes[spec.name].gradient(
                    objective, sources, unconnected_gradients=tf.UnconnectedGradients.ZERO
                )

        metrics = {}
        for spec in self._project.tapes:
            if spec.variables:
                metrics.update(self._apply_tape(spec, gradients[spec.name]))

        return StepRecord(step, time.time(), float(objective.numpy()), metrics)

    def _apply_tape(self, spec: TapeSpec, gradients: list) -> dict:
        variables = [self._variables[path] for path in spec.variables]
        before = [variable.numpy().copy() for variable in variables]

        self._optimizers[spec.name].apply_gradients(zip(gradients, variables, strict=True))

        metrics = {}
        for path, variable, gradient, old in zip(
            spec.variables, variables, gradients, before, strict=True
        ):
            metrics[(spec.name, path)] = variable_metrics(gradient.numpy(), old, variable.numpy())
        return metrics

    def _apply_pending(self) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, {}

        for (tape_name, name), value in pending.items():
            setattr(self._optimizers[tape_name], name, value)
            logger.info("tape %r: %s set to %g", tape_name, name, value)

    # -- building ------------------------------------------------------------------------

    def _build(self, project: Project) -> None:
        """Check the project, load its data and build the model and optimizers.

        The session's state changes only once everything has been built.
        """
        project = checked_project(project)
        dataset = load_project_data(project)
        targets = build_targets(project, dataset)

        inputs = dataset.features
        if project.data.kind != "normal":
            # Normal data is already N(0, 1); other data is scaled with its own statistics.
            inputs, _, _ = standardize(inputs)

        # Seeding right before the layers are built gives the same initial weights every time.
        tf.keras.utils.set_random_seed(project.seed)
        model, variables = build_model(project)
        optimizer_objects = {
            tape.name: optimizers.get(tape.optimizer.name, **tape.optimizer.hyperparameters)
            for tape in project.tapes
        }

        with self._pending_lock:
            self._project = project
            self._pending = {}
        self._dataset = dataset
        self._inputs = tf.constant(inputs)
        self._targets = tf.constant(targets) if targets is not None else None
        self._model = model
        self._variables = variables
        self._optimizers = optimizer_objects
        self._tape_order = nesting_order(project.tapes)
        self._step_count = 0
        self._publish_weights()
        self.history.clear(history_keys(project))

        logger.info(
            "built project %r: %d samples, variables %s, frozen %s",
            project.name,
            dataset.samples,
            ", ".join(variables),
            ", ".join(project.frozen_variables()) or "none",
        )


def checked_project(project: Project) -> Project:
    """Return a checked deep copy of ``project``; later edits to the caller's copy do not reach it.

    Raises ProjectError for an invalid project.
    """
    checked = project_from_dict(project_to_dict(project), source=project.describe_source())
    checked.source = project.source
    return checked


def build_model(project: Project) -> tuple[tf.keras.Sequential, dict[str, tf.Variable]]:
    """Build the project's Sequential model with layers named dense, dense_1, ...

    Returns the model and its variables by Keras path, in model order. Raises ProjectError
    for a layer the Keras layer rejects (an unknown activation, say).
    """
    layers = []
    for index, spec in enumerate(project.model.layers):
        try:
            layer = tf.keras.layers.Dense(
                spec.units,
                activation=spec.activation,
                use_bias=spec.use_bias,
                name=layer_name(index),
            )
        except (KeyError, ValueError) as error:
            field = f"model.layers[{index}].activation"
            raise ProjectError(project.describe_source(), field, str(error)) from None
        layers.append(layer)

    model = tf.keras.Sequential([tf.keras.Input(shape=(project.model.input_size,)), *layers])
    variables = {variable.path: variable for variable in model.variables}

    expected = project.variable_names()
    if list(variables) != expected:
        raise RuntimeError(f"the model's variables are {list(variables)}, expected {expected}")
    return model, variables


def nesting_order(tapes: list[TapeSpec]) -> list[TapeSpec]:
    """Return the tapes ordered so that each parent comes before the tapes nested in it.

    Tapes without a parent keep their project order. Assumes the parents form no loop (the
    project check rejects loops).
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


def history_keys(project: Project) -> list[tuple[str, str]]:
    """Return the (tape, variable) pairs a step records, in tape order then watch order."""
    return [(tape.name, path) for tape in project.tapes for path in tape.variables]


def variable_metrics(gradient: np.ndarray, old: np.ndarray, new: np.ndarray) -> dict[str, float]:
    """Compute the metrics of one (tape, variable) pair from its gradient and its update.

    ``old`` and ``new`` are the variable's values before and after the tape's update.

    Norms are Euclidean norms over all elements, in float64. ``update_ratio`` is
    update_norm / weight_norm, or 0 when the weight norm is 0.
    """
    gradient64 = np.asarray(gradient, dtype=np.float64)
    update = np.asarray(new, dtype=np.float64) - np.asarray(old, dtype=np.float64)

    grad_norm = float(np.linalg.norm(gradient64.ravel()))
    update_norm = float(np.linalg.norm(update.ravel()))
    weight_norm = float(np.linalg.norm(np.asarray(new, dtype=np.float64).ravel()))
    update_ratio = update_norm / weight_norm if weight_norm > 0 else 0.0

    return {
        "grad_norm": grad_norm,
        "update_norm": update_norm,
        "weight_norm": weight_norm,
        "update_ratio": update_ratio,
        "nan_count": float(np.count_nonzero(np.isnan(gradient64))),
        "inf_count": float(np.count_nonzero(np.isinf(gradient64))),
    }


def run(project_or_session: Project | Session, steps: int) -> Iterator[StepRecord]:
    """Train for ``steps`` steps and yield each step's record as it is computed.

    Given a Project, builds a new Session first (raising ProjectError here, before the first
    step, when the project is invalid). Raises ValueError for steps < 0 and RunError when a
    step fails.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")

    if isinstance(project_or_session, Session):
        session = project_or_session
    else:
        session = Session(project_or_session)
    return _steps(session, steps)


def _steps(session: Session, steps: int) -> Iterator[StepRecord]:
    for _ in range(steps):
        yield session.step()
