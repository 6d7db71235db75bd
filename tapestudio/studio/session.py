"""The live state of one experiment: model, data, tapes, optimizers and history.

One training step opens every tape at once, each with ``watch_accessed_variables=False`` and
watching only its own variables, runs the forward pass and the objective, then takes each
tape's gradient of its objective and applies it with that tape's optimizer. A tape nested in
another adds a gradient penalty to its parent's objective (see ``tapestudio.studio.nesting``).
All gradients come from the same forward pass, so the tapes update simultaneously: a variable
no tape watches stays frozen, and a variable several tapes watch receives each tape's update
in turn.

A worker thread calls ``step``; the GUI thread reads ``history`` and ``weights()`` and calls
``set_hyperparameter``, ``set_optimizer``, ``set_penalty_weight`` and ``set_persistent`` at any
time. Those changes take effect before the next step, which records them as history events.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

import tapestudio as tf
from tapestudio import optimizers
from tapestudio.studio.dataset import Dataset
from tapestudio.studio.datasets import load_project_data
from tapestudio.studio.errors import ProjectError, RunError
from tapestudio.studio.history import History, StepRecord
from tapestudio.studio.inspection import StepCapture, capture_gradients
from tapestudio.studio.nesting import NestedTapes, TapeStep, nesting_order
from tapestudio.studio.objectives import build_targets, objective_tensor
from tapestudio.studio.training_data import TrainingData, prepare_training_data
from tapestudio.studio.project import (
    OptimizerSpec,
    Project,
    TapeSpec,
    check_optimizer,
    check_penalty_weight,
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
        # Tape settings waiting for the next step, by (tape, field) with field "optimizer",
        # "penalty_weight" or "persistent". Guarded by _pending_lock too.
        self._pending_tape_settings: dict[tuple[str, str], Any] = {}
        # Whether each step keeps its tapes' records and backward cotangents in ``capture``,
        # for the tape inspector and to find the op behind a non-finite value. Off by default
        # because it slows a step down (see tapestudio.studio.inspection).
        self.inspect = False
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
    def dataset(self) -> Dataset:
        """The project's data, all samples, before the split and scaling."""
        return self._dataset

    @property
    def training_data(self) -> TrainingData:
        """The split, the scaled inputs and targets, and the batch sampler."""
        return self._data

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

    def latest_updates(self) -> dict[str, np.ndarray]:
        """Return how much each variable changed in the latest step (after minus before).

        By Keras path, in the variables' dtype; zeros before the first step and after a reset.
        Like ``weights``, it takes no lock.
        """
        before, after = self._published_step
        with np.errstate(invalid="ignore", over="ignore"):
            return {path: after[path] - before[path] for path in after}

    def _publish_weights(self, new_model: bool = False) -> None:
        current = {
            path: variable._read_value_array() for path, variable in self._variables.items()
        }
        # One tuple, so that a reader gets the before and after of the same step.
        self._published_step = (current if new_model else self._published_weights, current)
        self._published_weights = current

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

    def set_optimizer(
        self, tape_name: str, name: str, hyperparameters: dict[str, float] | None = None
    ) -> None:
        """Give one tape another optimizer, from any thread; its state starts afresh.

        Without ``hyperparameters``, the values of the current optimizer that the new one also
        takes (such as ``learning_rate``) carry over. The change takes effect before the next
        step and is written into ``project``. Raises KeyError for an unknown tape and
        ValueError for an unknown optimizer or a value it rejects.
        """
        with self._pending_lock:
            tape = self._project.tape(tape_name)
            if hyperparameters is None:
                hyperparameters = carried_hyperparameters(tape.optimizer, name)

            where = f"tape {tape_name!r} optimizer"
            try:
                checked = check_optimizer(OptimizerSpec(name, dict(hyperparameters)), None, where)
            except ProjectError as error:
                raise ValueError(str(error)) from None

            tape.optimizer = checked
            self._pending_tape_settings[(tape_name, "optimizer")] = checked

    def set_penalty_weight(self, tape_name: str, weight: float) -> None:
        """Set the weight of a nested tape's gradient penalty in its parent's objective.

        Works from any thread; the change takes effect before the next step and is written into
        ``project``. Raises KeyError for an unknown tape, TypeError for a weight that is not a
        number and ValueError for one that is negative or not finite.
        """
        weight = check_penalty_weight(weight, f"penalty weight of tape {tape_name!r}")
        with self._pending_lock:
            self._project.tape(tape_name).penalty_weight = weight
            self._pending_tape_settings[(tape_name, "penalty_weight")] = weight

    def set_persistent(self, tape_name: str, persistent: bool) -> None:
        """Make one tape persistent or not from the next step on, from any thread.

        Raises KeyError for an unknown tape and TypeError when ``persistent`` is not a bool.
        """
        if not isinstance(persistent, (bool, np.bool_)):
            raise TypeError(f"persistent must be True or False, got {persistent!r}")

        with self._pending_lock:
            self._project.tape(tape_name).persistent = bool(persistent)
            self._pending_tape_settings[(tape_name, "persistent")] = bool(persistent)

    def latest_tapes(self) -> dict[str, TapeStep]:
        """Return the tapes of the latest step by name, with their targets and gradients.

        Only tapes that watch at least one variable are included. A persistent tape can still
        compute gradients (of its ``target`` or of anything else it recorded), for example::

            step = session.latest_tapes()["outer"]
            step.tape.gradient(step.target, step.sources)

        A non-persistent tape was used by the step and raises RuntimeError. The mapping is
        empty before the first step and after a reset.
        """
        return dict(self._latest_tapes)

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
        inputs, targets = self._data.next_batch()
        # Outside the tapes, so that no tape records the validation pass.
        val_objective = self._data.validation_objective(self._model, self._project.objective)

        # Every gradient is taken before any optimizer changes a variable.
        with NestedTapes(self._tape_order, self._variables, self._persistent) as nested:
            predictions = self._model(inputs)
            objective = objective_tensor(self._project.objective, predictions, targets)
            capture = StepCapture(step, objective) if self.inspect else None
            with capture_gradients(capture, nested.tapes):
                tape_steps = nested.gradients(objective, self._penalty_weights)

        metrics = {}
        for spec in self._project.tapes:
            if spec.variables:
                metrics.update(self._apply_tape(spec, tape_steps[spec.name].gradients))

        self._latest_tapes = tape_steps
        self.capture = capture
        return StepRecord(step, time.time(), float(objective.numpy()), metrics, val_objective)

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
        """Apply the changes made since the last step and record each one as an event."""
        with self._pending_lock:
            pending, self._pending = self._pending, {}
            # A copy, because the GUI thread may edit the project's optimizer specs any time.
            settings = copy.deepcopy(self._pending_tape_settings)
            self._pending_tape_settings = {}

        step = self._step_count + 1
        replaced = set()
        for (tape_name, field), value in settings.items():
            if field == "optimizer":
                self._replace_optimizer(step, tape_name, value)
                replaced.add(tape_name)
            elif field == "penalty_weight":
                self._change(step, tape_name, field, self._penalty_weights, value)
            else:
                self._change(step, tape_name, field, self._persistent, value)

        for (tape_name, name), value in pending.items():
            optimizer = self._optimizers[tape_name]
            # A new optimizer was built from the project, which has these values already.
            if tape_name in replaced or name not in type(optimizer).hyperparameters:
                continue
            old = getattr(optimizer, name)
            setattr(optimizer, name, value)
            self._record_change(step, tape_name, name, old, value)

    def _replace_optimizer(self, step: int, tape_name: str, spec: OptimizerSpec) -> None:
        old_name = self._optimizers[tape_name].name
        self._optimizers[tape_name] = optimizers.get(spec.name, **spec.hyperparameters)

        values = ", ".join(f"{key}={format_setting(value)}" for key, value in spec.hyperparameters.items())
        text = f"{tape_name}: optimizer {old_name} -> {spec.name}"
        self._add_event(step, f"{text} ({values})" if values else text)

    def _change(self, step: int, tape_name: str, field: str, values: dict, value: Any) -> None:
        old = values.get(tape_name)
        values[tape_name] = value
        self._record_change(step, tape_name, field, old, value)

    def _record_change(self, step: int, tape_name: str, name: str, old: Any, value: Any) -> None:
        if old == value and type(old) is type(value):
            return
        self._add_event(step, f"{tape_name}: {name} {format_setting(old)} -> {format_setting(value)}")

    def _add_event(self, step: int, text: str) -> None:
        logger.info("step %d: %s", step, text)
        # A change before the first step is part of the setup, not a change during a run.
        if step > 1:
            self.history.add_event(step, text)

    # -- building ------------------------------------------------------------------------

    def _build(self, project: Project) -> None:
        """Check the project, load its data and build the model and optimizers.

        The session's state changes only once everything has been built.
        """
        project = checked_project(project)
        dataset = load_project_data(project)
        targets = build_targets(project, dataset)
        data = prepare_training_data(project, dataset, targets)

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
            self._pending_tape_settings = {}
        self._penalty_weights = {tape.name: tape.penalty_weight for tape in project.tapes}
        self._persistent = {tape.name: tape.persistent for tape in project.tapes}
        self._latest_tapes: dict[str, TapeStep] = {}
        # The latest step's StepCapture (see ``inspect``), None before the first step.
        self.capture: StepCapture | None = None
        self._dataset = dataset
        self._data = data
        self._model = model
        self._variables = variables
        self._optimizers = optimizer_objects
        self._tape_order = nesting_order(project.tapes)
        self._step_count = 0
        self._publish_weights(new_model=True)
        self.history.clear(history_keys(project), validation=data.has_validation)

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
                kernel_initializer=spec.kernel_initializer,
                bias_initializer=spec.bias_initializer,
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


def carried_hyperparameters(current: OptimizerSpec, new_name: str) -> dict[str, float]:
    """Return the values of ``current`` that optimizer ``new_name`` also takes.

    Raises ValueError when no optimizer is called ``new_name``.
    """
    accepted = optimizers.hyperparameters(new_name)
    return {key: value for key, value in current.hyperparameters.items() if key in accepted}


def format_setting(value: Any) -> str:
    """Return a setting as event text: ``0.001``, ``True``, or ``default`` for None."""
    if value is None:
        return "default"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return str(value)


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
