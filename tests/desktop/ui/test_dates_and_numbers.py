"""Dates and phone numbers as an agent reads them, in English and in
Persian, on the real widgets: the callback outcome picker's "call again
at", the callback list, the queue panel, the call and the call history.
Dates follow the language (the Persian calendar in Persian digits for
Persian, the day's word for yesterday and tomorrow); numbers read alike
wherever they come from (a callback's national digits, a caller's
+number), grouped in the desk service's region, and are dialled raw."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCalendar, QDateTime, QLocale

from agentdesk.contract.queues import DayStats, QueueSummary, WaitingCaller
from agentdesk.desktop.history import HistoryEntry, Outcome
from agentdesk.desktop.phone.model import CallSnapshot, CallState, Direction
from agentdesk.desktop.ui.callbacks.model import Column
from agentdesk.desktop.ui.callbacks.outcome_picker import OutcomePicker
from agentdesk.desktop.ui.callbacks.task_list import CallbackListPanel
from agentdesk.desktop.ui.common.numbers import use_region
from agentdesk.desktop.ui.phone.call_card import call_detail, caller_title
from agentdesk.desktop.ui.phone.history_view import HistoryList
from agentdesk.desktop.ui.phone.incoming import IncomingCallWindow
from agentdesk.desktop.ui.queues.queue_panel import QueuePanel
from tests.helpers.fakes import NOW, task
from tests.helpers.screen import on_screen

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def persian_day(stamp: float) -> str:
    """'۱۴۰۵/۹/۱۵': the Jalali date, worked out by the calendar's own parts."""
    parts = QCalendar(QCalendar.System.Jalali).partsFromDate(QDateTime.fromSecsSinceEpoch(int(stamp)).date())
    return f"{parts.year}/{parts.month}/{parts.day}".translate(PERSIAN_DIGITS)


def clock(stamp: float, name: str = "") -> str:
    locale = QLocale(name) if name else QLocale()
    return locale.toString(QDateTime.fromSecsSinceEpoch(int(stamp)).time(), QLocale.FormatType.ShortFormat)


# -- the outcome picker ---------------------------------------------------------------------------

def test_call_again_at_reads_in_the_agents_language(qtbot: Any, language: Any) -> None:
    at = float((int(time.time()) // 86400 + 40) * 86400 + 6 * 3600 + 45 * 60)  # 06:45 UTC, 40 days on
    day = QDateTime.fromSecsSinceEpoch(int(at)).date()
    for name, shown in [
        ("en_US", f"{day.month()}/{day.day()}/{day.year()} {clock(at, 'en_US')}"),  # the whole year
        ("fa", f"{persian_day(at)} {clock(at, 'fa')}"),
    ]:
        language(name)
        dialog = OutcomePicker("0a1b2c3d4e5f", "Reza Hosseini")
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.choose("no_answer")
        dialog.again.setChecked(True)
        dialog.when.setDateTime(QDateTime.fromSecsSinceEpoch(int(at)))
        assert dialog.when.text() == shown
        assert dialog.when.dateTime().toSecsSinceEpoch() == at
        dialog.done_saving()


# -- the callback list ----------------------------------------------------------------------------

def due_cell(qtbot: Any, due_at: float) -> str:
    panel = CallbackListPanel(clock=lambda: NOW)
    qtbot.addWidget(panel)
    panel.show_tasks([task(due_at=due_at)])
    row = panel.model.row_of("0a1b2c3d4e5f")
    assert row is not None
    return str(panel.model.index(row, Column.DUE).data())


def test_the_callback_list_says_tomorrow_in_english(qtbot: Any, language: Any) -> None:
    language("en_US")
    assert due_cell(qtbot, NOW + 86400) == f"in 24 h · tomorrow {clock(NOW)}"
    assert due_cell(qtbot, NOW + 600) == f"in 10 min · {clock(NOW + 600)}"


def test_the_callback_list_in_persian(qtbot: Any, language: Any) -> None:
    language("fa")
    tomorrow = due_cell(qtbot, NOW + 86400)
    assert tomorrow.endswith(f"tomorrow {clock(NOW)}") and "۸" in tomorrow, tomorrow
    later = due_cell(qtbot, NOW + 3 * 86400)
    assert later.endswith(f"{persian_day(NOW + 3 * 86400)} {clock(NOW)}"), later
    assert "2027" not in later and "27" not in later


# -- the call history -----------------------------------------------------------------------------

def history_details(qtbot: Any, started_at: float, number: str = "1004") -> str:
    history = HistoryList()
    qtbot.addWidget(history)
    history.add_entry(HistoryEntry(Direction.INCOMING, number, "", "", started_at, started_at, started_at + 60,
                                   Outcome.ANSWERED, ""))
    return history.item(0).text().split("\n")[1]


def test_the_history_in_english(qtbot: Any, language: Any) -> None:
    language("en_US")
    now = time.time()
    assert f"\u2068{clock(now - 86400)}\u2069" not in history_details(qtbot, now - 86400)
    assert f"\u2068yesterday {clock(now - 86400)}\u2069" in history_details(qtbot, now - 86400)
    assert f"\u2068{clock(now - 30)}\u2069" in history_details(qtbot, now - 30)


def test_the_history_in_persian(qtbot: Any, language: Any) -> None:
    language("fa")
    before = time.time() - 5 * 86400
    details = history_details(qtbot, before)
    assert f"\u2066{persian_day(before)} {clock(before)}\u2069" in details, details  # digits only: left to right


# -- phone numbers ---------------------------------------------------------------------------------

@pytest.fixture
def iran() -> Iterator[None]:
    """The desk service's snapshot named Iran as its region, as the demo's callbacks.ini does."""
    use_region("IR")
    yield
    use_region("")


@pytest.mark.parametrize("name", ["en_US", "fa"])
def test_a_callbacks_number_reads_like_a_queue_callers(qtbot: Any, language: Any, iran: None, name: str) -> None:
    """Phone numbers keep Latin digits in Persian too: they are what agents dial and type."""
    language(name)
    panel = CallbackListPanel(clock=lambda: NOW)
    qtbot.addWidget(panel)
    panel.show_tasks([task(number="09121234567", name="")])  # a service that sent no display_number
    row = panel.model.row_of("0a1b2c3d4e5f")
    assert row is not None
    assert panel.model.index(row, Column.CUSTOMER).data() == "\u20660912 123 4567\u2069"
    queue = QueuePanel(clock=lambda: NOW)
    qtbot.addWidget(queue)
    caller = WaitingCaller("u1", "+989121234567", "Reza", 1, NOW - 5, False)
    queue.update_queue(QueueSummary("support", "Support", "rrmemory", (caller,), (), DayStats(1, 0, 0, None, 20)))
    assert "\u20660912 123 4567\u2069" in on_screen(queue)  # the same customer calling in reads the same


def test_the_history_shows_numbers_grouped_and_dials_them_raw(qtbot: Any, language: Any, iran: None) -> None:
    language("en_US")
    history = HistoryList()
    qtbot.addWidget(history)
    history.add_entry(HistoryEntry(Direction.OUTGOING, "09121234567", "", "", NOW, NOW, NOW + 60,
                                   Outcome.ANSWERED, ""))
    history.add_entry(HistoryEntry(Direction.INCOMING, "+442071234567", "", "", NOW, NOW, NOW + 60,
                                   Outcome.ANSWERED, ""))
    history.add_entry(HistoryEntry(Direction.INCOMING, "1004", "", "", NOW, NOW, NOW + 60, Outcome.ANSWERED, ""))
    lines = [history.item(row).text().split("\n")[0] for row in range(history.count())]
    assert lines == ["\u20661004\u2069", "\u2066+44 20 7123 4567\u2069", "\u20660912 123 4567\u2069"]
    with qtbot.waitSignal(history.callBackRequested) as dialled:
        history.itemActivated.emit(history.item(2))
    assert dialled.args == ["09121234567"]  # what is dialled stays the raw digits


def test_numbers_already_shown_follow_a_region_learnt_later(qtbot: Any, language: Any) -> None:
    language("en_US")
    history = HistoryList()
    qtbot.addWidget(history)
    history.add_entry(HistoryEntry(Direction.OUTGOING, "09121234567", "", "", NOW, NOW, NOW + 60,
                                   Outcome.ANSWERED, ""))
    assert history.item(0).text().startswith("\u206609121234567\u2069")  # which country? not known yet
    try:
        assert use_region("IR")
        history.reformat()
        assert history.item(0).text().startswith("\u20660912 123 4567\u2069")
    finally:
        use_region("")


def test_the_call_itself_shows_the_number_grouped(qtbot: Any, iran: None) -> None:
    call = CallSnapshot(5, Direction.OUTGOING, CallState.RINGING_OUT, "09121234567", "", started_at=NOW)
    assert call_detail(call) == "↗ \u20660912 123 4567\u2069"
    assert caller_title(call) == "0912 123 4567"
    incoming = IncomingCallWindow()
    qtbot.addWidget(incoming)
    incoming.show_call(call.with_changes(direction=Direction.INCOMING, state=CallState.RINGING_IN))
    assert incoming.detail.text() == "\u20660912 123 4567\u2069"
    incoming.close()
