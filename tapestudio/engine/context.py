"""The per-thread set of tapes that are recording.

Tapes are thread-local, as in TensorFlow: an op executed on one thread is offered only to the
tapes entered on that thread.
"""

from __future__ import annotations

import threading


class _TapeStack(threading.local):
    """The recording tapes of the current thread, in the order they were entered."""

    def __init__(self) -> None:
        self.active: list = []
        # Callbacks of observe_backward, called for every record a backward pass visits.
        self.backward_observers: list = []


tape_stack = _TapeStack()
