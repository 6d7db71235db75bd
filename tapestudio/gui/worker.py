"""Training in a worker thread, so that the window stays responsive during a run.

The worker loops ``session.step()`` and emits no signal per step: the window reads
``session.history`` from a timer instead. Only the start, the stop, errors and a pause at the
first non-finite value cross threads as signals. Stop and idle state are ``threading.Event``
objects, because the worker checks them between steps while its own thread is busy in the loop
and cannot process queued calls.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QThread, Signal, Slot

from tapestudio.studio import RunError, Session, StepRecord
from tapestudio.studio.inspection import NonFiniteReport, find_nonfinite

logger = logging.getLogger(__name__)

# How long closing the window waits for the step in progress to finish, in milliseconds.
SHUTDOWN_TIMEOUT_MS = 10_000


class TrainingWorker(QObject):
    """Runs training steps of one session; lives in the training thread.

    With ``pause_on_nonfinite`` (the default), a run stops after the first step of a history
    whose objective, gradients or weights are not all finite, and ``nonfinite`` carries the
    ``NonFiniteReport``. Later non-finite steps of the same history do not stop the run again,
    so a run resumed after the pause goes on.
    """

    failed = Signal(str, int)
    nonfinite = Signal(object)
    stopped = Signal()

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.pause_on_nonfinite = True
        self._stop_requested = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        # (history, generation) of the history whose first non-finite step was reported.
        self._reported_history: tuple[object, int] | None = None

    def is_idle(self) -> bool:
        return self._idle.is_set()

    def prepare(self) -> None:
        """Mark the worker busy before a run request is queued to its thread."""
        self._stop_requested.clear()
        self._idle.clear()

    def request_stop(self) -> None:
        self._stop_requested.set()

    def wait_idle(self, timeout_seconds: float) -> bool:
        return self._idle.wait(timeout_seconds)

    @Slot(int)
    def run_steps(self, max_steps: int) -> None:
        """Step the session until a stop is requested, or ``max_steps`` steps if it is positive.

        A ``RunError`` (or any other exception, which would otherwise end the thread's slot
        unseen) is emitted as ``failed(message, step)``; the history so far stays in the session.
        """
        done = 0
        try:
            while not self._stop_requested.is_set():
                if 0 < max_steps <= done:
                    break
                record = self.session.step()
                done += 1

                report = self._check_finite(record)
                if report is not None:
                    # The window logs and shows the report.
                    self.nonfinite.emit(report)
                    break

        except RunError as error:
            logger.error("Run stopped at step %d: %s", error.step, error)
            self.failed.emit(str(error), error.step)

        except Exception as error:  # noqa: BLE001 - the thread boundary reports every failure
            failed_step = self.session.step_count + 1
            logger.exception("Unexpected error in training step %d", failed_step)
            self.failed.emit(f"{type(error).__name__}: {error}", failed_step)

        finally:
            self._idle.set()
            self.stopped.emit()

    def _check_finite(self, record: StepRecord) -> NonFiniteReport | None:
        """Return the report on ``record`` if it is the history's first non-finite step."""
        if not self.pause_on_nonfinite:
            return None

        history = self.session.history
        generation = history.generation
        reported = self._reported_history
        if reported is not None and reported[0] is history and reported[1] == generation:
            return None

        report = find_nonfinite(self.session, record)
        if report is not None:
            self._reported_history = (history, generation)
        return report


class RunController(QObject):
    """Owns the training thread and its worker; all methods are called from the GUI thread.

    Signals: ``run_started()``, ``run_stopped()`` (after the worker went idle),
    ``run_failed(message, step)`` and ``run_paused(report)`` with the ``NonFiniteReport`` of the
    first non-finite step (``run_stopped`` follows it).
    """

    run_started = Signal()
    run_stopped = Signal()
    run_failed = Signal(str, int)
    run_paused = Signal(object)
    _run_requested = Signal(int)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("tapestudio-training")
        self._worker = TrainingWorker(session)
        self._worker.moveToThread(self._thread)

        # The worker lives in another thread, so these connections are queued.
        self._run_requested.connect(self._worker.run_steps)
        self._worker.stopped.connect(self._on_worker_stopped)
        self._worker.failed.connect(self.run_failed)
        self._worker.nonfinite.connect(self.run_paused)
        self._running = False
        self._inspect_requested = False
        self._apply_inspect()

        self._thread.start()

    @property
    def session(self) -> Session:
        return self._worker.session

    @property
    def pause_on_nonfinite(self) -> bool:
        """Whether a run pauses at the first non-finite step of a history. It may change at any
        time, also during a run."""
        return self._worker.pause_on_nonfinite

    @pause_on_nonfinite.setter
    def pause_on_nonfinite(self, value: bool) -> None:
        self._worker.pause_on_nonfinite = bool(value)
        self._apply_inspect()

    @property
    def inspect_requested(self) -> bool:
        """Whether a view (the tape inspector) needs every step captured."""
        return self._inspect_requested

    @inspect_requested.setter
    def inspect_requested(self, value: bool) -> None:
        self._inspect_requested = bool(value)
        self._apply_inspect()

    def _apply_inspect(self) -> None:
        """Capture steps while a view needs them or a non-finite step must name its op.

        Capturing slows a step down, so the session captures nothing when neither holds.
        """
        self.session.inspect = self._inspect_requested or self.pause_on_nonfinite

    def set_session(self, session: Session) -> None:
        """Train ``session`` from now on; stops a running run first."""
        self.pause(wait=True)
        self._worker.session = session
        self._apply_inspect()

    def is_running(self) -> bool:
        """Return True from ``start`` until the GUI thread has received the worker's stop.

        The worker itself may be idle a little earlier; ``pause(wait=True)`` waits for that.
        """
        return self._running

    def is_thread_running(self) -> bool:
        return self._thread.isRunning()

    def start(self, max_steps: int = 0) -> bool:
        """Start stepping (``max_steps`` 0 means until paused); return False if already running."""
        if self._running or not self._worker.is_idle() or not self.is_thread_running():
            return False

        self._running = True
        self._worker.prepare()
        self._run_requested.emit(max_steps)
        self.run_started.emit()
        return True

    def pause(self, wait: bool = False) -> None:
        """Ask the worker to stop after the step in progress; with ``wait``, block until it has."""
        self._worker.request_stop()
        if wait and not self._worker.wait_idle(SHUTDOWN_TIMEOUT_MS / 1000):
            logger.warning("The training step did not finish within %d ms", SHUTDOWN_TIMEOUT_MS)

    @Slot()
    def _on_worker_stopped(self) -> None:
        self._running = False
        self.run_stopped.emit()

    def shutdown(self) -> None:
        """Stop the run and the thread; safe to call more than once."""
        if not self.is_thread_running():
            return

        self.pause(wait=True)
        self._running = False
        self._thread.quit()
        if not self._thread.wait(SHUTDOWN_TIMEOUT_MS):
            logger.error("The training thread did not stop within %d ms", SHUTDOWN_TIMEOUT_MS)
