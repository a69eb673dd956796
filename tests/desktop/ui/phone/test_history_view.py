"""The call history list shows one row per queue call: a waiting caller
offered again and again is one row saying how often it was offered, and a
queue call a colleague answered after this agent missed it says so instead
of "Missed" (also after a restart, from the stored history)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentdesk.desktop.history import CallHistory, HistoryEntry, Outcome
from agentdesk.desktop.phone.model import Direction
from agentdesk.desktop.ui.phone.history_view import HistoryList

CALLER, OTHER = "1763800000.41", "1763800000.77"


def offer(at: float, queue_call: str = CALLER, answered: bool = False, number: str = "09121110001") -> HistoryEntry:
    return HistoryEntry(Direction.INCOMING, number, "Customer 1", "support", at, at + 3 if answered else 0.0,
                        at + 95 if answered else at + 15, Outcome.ANSWERED if answered else Outcome.MISSED,
                        "" if answered else "Request Terminated", queue_call)


@pytest.fixture
def history(qtbot: Any) -> HistoryList:
    widget = HistoryList()
    qtbot.addWidget(widget)
    return widget


def rows(history: HistoryList) -> list[str]:
    return [history.item(row).text() for row in range(history.count())]


def test_each_offer_of_one_waiting_caller_joins_its_one_row(history: HistoryList) -> None:
    history.add_entry(offer(1000.0))
    history.add_entry(offer(1010.0, OTHER, number="09121110002"))
    history.add_entry(offer(1018.0))
    history.add_entry(offer(1036.0))

    shown = rows(history)
    assert len(shown) == 2
    assert "Missed" in shown[0] and "offered 3 times" in shown[0] and "09121110001" in shown[0]
    assert "09121110002" in shown[1] and "offered" not in shown[1]  # offered once: nothing to say
    entry = history.entry(0)
    assert entry is not None and entry.offers == 3


def test_a_queue_call_answered_after_missed_offers_is_one_answered_row(history: HistoryList) -> None:
    history.set_entries([offer(1036.0, answered=True), offer(1018.0), offer(1010.0, OTHER), offer(1000.0)])

    shown = rows(history)
    assert len(shown) == 2
    assert "1:32" in shown[0] and "offered 3 times" in shown[0] and "Missed" not in shown[0]


def test_a_call_a_colleague_answered_is_not_this_agents_missed_call(history: HistoryList, tmp_path: Path) -> None:
    stored = CallHistory(tmp_path / "history.sqlite3")
    for entry in (offer(1000.0), offer(1018.0), offer(1010.0, OTHER, number="09121110002")):
        history.add_entry(entry)
        stored.add(entry)

    history.show_taken(CALLER, "Dmitri Volkov")
    stored.set_answered_by(CALLER, "Dmitri Volkov")

    for shown in (rows(history), restarted(history, tmp_path)):
        assert len(shown) == 2
        taken, other = (next(row for row in shown if number in row) for number in ("09121110001", "09121110002"))
        assert "Answered by a colleague (Dmitri Volkov)" in taken and "offered 2 times" in taken
        assert "Missed" not in taken
        assert "Missed" in other  # the other caller is still this agent's missed call


def restarted(history: HistoryList, folder: Path) -> list[str]:
    """The rows of the desktop started again (from the stored history)."""
    history.set_entries(CallHistory(folder / "history.sqlite3").recent())
    return rows(history)


def test_a_ring_ended_by_a_colleagues_answer_after_the_news_is_theirs(history: HistoryList) -> None:
    # Strategy ringall: the colleague answers, and this phone's ring is
    # cancelled at the same moment; the news may come before the ring ends.
    history.show_taken(CALLER, "Dmitri Volkov")
    kept = history.add_entry(offer(1000.0))
    other = history.add_entry(offer(1010.0, OTHER, number="09121110002"))

    assert kept.answered_by == "Dmitri Volkov" and kept.taken_by_colleague  # stored so
    assert other.answered_by == "" and other.outcome is Outcome.MISSED
    shown = rows(history)
    assert "Missed" in shown[0] and "Answered by a colleague (Dmitri Volkov)" in shown[1]
