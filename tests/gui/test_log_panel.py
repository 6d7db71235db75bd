"""The log panel: records of every tapestudio logger, level filter, threads and bursts."""

import logging
import threading

import pytest

from tapestudio.gui.log_panel import MAX_LOG_LINES, LogPanel

CHILD_LOGGER = "tapestudio.studio.panel_test"


@pytest.fixture
def panel(qtbot):
    log_panel = LogPanel()
    qtbot.addWidget(log_panel)
    log_panel.attach()
    yield log_panel
    log_panel.detach()


def _lines(panel):
    return panel.text().splitlines()


def test_shows_child_logger_record(panel):
    logging.getLogger(CHILD_LOGGER).info("built the model")

    assert any(line.endswith(f"INFO {CHILD_LOGGER}: built the model") for line in _lines(panel))


def test_ignores_other_loggers(panel):
    logging.getLogger("elsewhere").warning("not ours")

    assert "not ours" not in panel.text()


def test_warning_level_hides_info(panel):
    logger = logging.getLogger(CHILD_LOGGER)
    logger.info("routine")
    logger.warning("careful")

    panel.set_level(logging.WARNING)
    assert "routine" not in panel.text()
    assert "careful" in panel.text()


def test_back_to_info_shows_info_again(panel):
    logging.getLogger(CHILD_LOGGER).info("routine")
    panel.set_level(logging.ERROR)

    panel.set_level(logging.INFO)
    assert "routine" in panel.text()


def test_debug_shown_only_when_chosen(panel):
    logger = logging.getLogger(CHILD_LOGGER)
    logger.debug("hidden detail")
    assert "hidden detail" not in panel.text()

    panel.set_level(logging.DEBUG)
    logger.debug("shown detail")
    assert "shown detail" in panel.text()


def test_records_filtered_while_queued(panel):
    panel.set_level(logging.WARNING)
    logger = logging.getLogger(CHILD_LOGGER)
    logger.info("queued info")
    logger.error("queued error")

    assert "queued info" not in panel.text()
    assert "queued error" in panel.text()


def test_traceback_shown(panel):
    try:
        raise ValueError("bad value 3")
    except ValueError:
        logging.getLogger(CHILD_LOGGER).exception("step failed")

    assert "ValueError: bad value 3" in panel.text()


def test_records_from_worker_thread(panel, qtbot):
    def log_many():
        for number in range(1000):
            logging.getLogger(CHILD_LOGGER).info("record %d", number)

    thread = threading.Thread(target=log_many)
    thread.start()
    thread.join()

    lines = [line for line in _lines(panel) if "record " in line]
    assert len(lines) == 1000
    assert lines[0].endswith("record 0")
    assert lines[-1].endswith("record 999")


def test_burst_reaches_view_by_timer(panel, qtbot):
    def log_burst():
        for number in range(3000):
            logging.getLogger(CHILD_LOGGER).info("burst %d", number)

    thread = threading.Thread(target=log_burst)
    thread.start()
    # The timer, not a call of text(), moves the records into the view.
    qtbot.waitUntil(lambda: panel.view.toPlainText().endswith("burst 2999"), timeout=10_000)
    thread.join()

    lines = [line for line in panel.view.toPlainText().splitlines() if "burst " in line]
    assert len(lines) == 3000
    assert [line.rsplit(" ", 1)[1] for line in lines] == [str(number) for number in range(3000)]


def test_burst_beyond_capacity_drops_oldest(panel):
    total = MAX_LOG_LINES + 1500

    def log_burst():
        for number in range(total):
            logging.getLogger(CHILD_LOGGER).info("flood %d", number)

    thread = threading.Thread(target=log_burst)
    thread.start()
    thread.join()

    lines = _lines(panel)
    assert len(lines) == MAX_LOG_LINES
    assert lines[0].endswith(f"flood {total - MAX_LOG_LINES}")
    assert lines[-1].endswith(f"flood {total - 1}")
    assert panel.dropped_label.text() == "1500 older records dropped"


def test_clear_empties_view(panel):
    logging.getLogger(CHILD_LOGGER).warning("before clear")

    panel.clear()
    assert panel.text() == ""


def test_detach_stops_collecting(panel):
    panel.detach()
    logging.getLogger(CHILD_LOGGER).warning("after detach")

    assert "after detach" not in panel.text()


def test_detach_restores_logger_level(qtbot):
    logger = logging.getLogger("tapestudio")
    before = logger.level
    log_panel = LogPanel(level=logging.DEBUG)
    qtbot.addWidget(log_panel)

    log_panel.attach()
    assert logger.getEffectiveLevel() == logging.DEBUG
    log_panel.detach()
    assert logger.level == before


def test_window_log_dock_shows_session_log(window):
    assert "Opened project weighted-gradients" in window.log_panel.text()
