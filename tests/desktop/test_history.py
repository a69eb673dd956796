from __future__ import annotations

from pathlib import Path

from agentdesk.desktop.history import (
    CallHistory,
    HistoryEntry,
    Outcome,
    entry_for,
    outcome_of,
)
from agentdesk.desktop.phone.model import CallSnapshot, CallState, Direction


def call(direction: Direction, connected: float = 0.0, code: int = 0) -> CallSnapshot:
    return CallSnapshot(1, direction, CallState.ENDED, "1002", "Dmitri", started_at=100.0, connected_at=connected,
                        status_code=code)


def test_outcomes() -> None:
    assert outcome_of(call(Direction.INCOMING, connected=101.0)) is Outcome.ANSWERED
    assert outcome_of(call(Direction.INCOMING, code=487)) is Outcome.MISSED
    assert outcome_of(call(Direction.INCOMING, code=486)) is Outcome.DECLINED
    assert outcome_of(call(Direction.OUTGOING, code=487)) is Outcome.UNANSWERED
    assert outcome_of(call(Direction.OUTGOING, code=404)) is Outcome.FAILED


def test_history_survives_a_restart_newest_first(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = CallHistory(path)
    store.add(entry_for(call(Direction.INCOMING, connected=101.0), ended_at=160.0))
    store.add(HistoryEntry(Direction.OUTGOING, "600", "", "", 200.0, 0.0, 201.0, Outcome.FAILED, "Busy Here"))
    reopened = CallHistory(path).recent()
    assert [e.number for e in reopened] == ["600", "1002"]
    assert reopened[1].duration == 59.0 and reopened[1].outcome is Outcome.ANSWERED
