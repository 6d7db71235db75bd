"""History events: changes during a run, kept with the step they take effect at."""

import pytest

from tapestudio.studio.history import History, HistoryEvent


def test_add_event_keeps_order():
    history = History()

    history.add_event(3, "tape1: learning_rate = 0.1")
    history.add_event(7, "tape2: momentum = 0.9")

    assert history.events() == [
        HistoryEvent(3, "tape1: learning_rate = 0.1"),
        HistoryEvent(7, "tape2: momentum = 0.9"),
    ]


def test_events_returns_copy():
    history = History()
    history.add_event(1, "first")

    history.events().clear()

    assert len(history.events()) == 1


def test_clear_removes_events():
    history = History()
    history.add_event(2, "change")

    history.clear()

    assert history.events() == []


def test_snapshot_copies_events():
    history = History()
    history.add_event(2, "change")

    snapshot = history.snapshot()
    history.add_event(5, "later")

    assert snapshot.events() == [HistoryEvent(2, "change")]


def test_event_step_below_one_rejected():
    with pytest.raises(ValueError, match="at least 1"):
        History().add_event(0, "too early")
