"""The local call history (SQLite in the user's data folder).

One row per ended call. Written by a worker thread (tasks.run_task), read
once at start-up; SQLite's own locking makes the two safe together. A queue
call's row later gains the agent's disposition and the caller's survey
score, found by the desk service's id of the call (`queue_call`), or the
colleague who answered the caller after the agent missed them.

A waiting caller may be offered to the agent several times (each offer is a
row here); `one_row_per_queue_call` folds them into the one row the agent
sees per queue call, with how often it was offered.
"""

from __future__ import annotations

import enum
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from .phone.model import CallSnapshot, Direction
from .phone.qualitytrack import QualitySummary
from .private_files import private_file

KEEP_ROWS = 5000

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    sip_call_id TEXT,
    direction TEXT NOT NULL,
    number TEXT NOT NULL,
    name TEXT NOT NULL,
    queue TEXT NOT NULL,
    started_at REAL NOT NULL,
    connected_at REAL NOT NULL,
    ended_at REAL NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_started ON calls(started_at);
"""
AFTER_CALL_COLUMNS = (("queue_call", "TEXT NOT NULL DEFAULT ''"), ("disposition", "TEXT NOT NULL DEFAULT ''"),
                      ("survey_score", "INTEGER"), ("answered_by", "TEXT NOT NULL DEFAULT ''"),
                      ("quality", "TEXT NOT NULL DEFAULT ''"), ("mos", "REAL"))


class Outcome(enum.Enum):
    ANSWERED = "answered"
    MISSED = "missed"  # incoming, never answered
    DECLINED = "declined"  # incoming, refused by the agent
    UNANSWERED = "unanswered"  # outgoing, the far end did not answer
    FAILED = "failed"  # outgoing, refused or unreachable


@dataclass(frozen=True)
class HistoryEntry:
    direction: Direction
    number: str
    name: str
    queue: str
    started_at: float
    connected_at: float
    ended_at: float
    outcome: Outcome
    reason: str
    queue_call: str = ""  # the desk service's id of a queue call ('' other calls)
    disposition: str = ""  # the agent's wrap-up code
    survey_score: int | None = None  # the caller's 1-5 rating
    answered_by: str = ""  # a missed queue call a colleague answered: their name
    offers: int = 1  # how often this queue call rang the agent (rows folded into this one)
    quality: str = ""  # how the call sounded on average (good, fair, poor; '' not measured)
    mos: float | None = None  # the estimate's average

    @property
    def duration(self) -> float:
        return self.ended_at - self.connected_at if self.connected_at else 0.0

    @property
    def taken_by_colleague(self) -> bool:
        return self.outcome is Outcome.MISSED and bool(self.answered_by)


def fold(newer: HistoryEntry, older: HistoryEntry) -> HistoryEntry:
    """Two rows of one queue call as one: the answered offer if there is
    one (else the latest), offered as often as both together."""
    kept = older if older.outcome is Outcome.ANSWERED and newer.outcome is not Outcome.ANSWERED else newer
    return replace(kept, offers=newer.offers + older.offers, answered_by=newer.answered_by or older.answered_by,
                   disposition=kept.disposition or newer.disposition or older.disposition,
                   survey_score=kept.survey_score if kept.survey_score is not None
                   else newer.survey_score if newer.survey_score is not None else older.survey_score)


def one_row_per_queue_call(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """Newest first in, newest first out: each queue call (its `queue_call`)
    once, where its latest offer was; other calls as they are."""
    folded: list[HistoryEntry] = []
    where: dict[str, int] = {}
    for entry in entries:
        index = where.get(entry.queue_call) if entry.queue_call else None
        if index is None:
            if entry.queue_call:
                where[entry.queue_call] = len(folded)
            folded.append(entry)
        else:
            folded[index] = fold(folded[index], entry)
    return folded


DECLINE_CODES = (486, 603)  # what the engine answers when the agent declines


def outcome_of(call: CallSnapshot) -> Outcome:
    if call.was_answered:
        return Outcome.ANSWERED
    if call.direction is Direction.INCOMING:
        return Outcome.DECLINED if call.status_code in DECLINE_CODES else Outcome.MISSED
    if call.status_code in (408, 480, 487) or call.status_code == 0:
        return Outcome.UNANSWERED
    return Outcome.FAILED


def entry_for(call: CallSnapshot, ended_at: float | None = None, quality: QualitySummary | None = None) -> HistoryEntry:
    return HistoryEntry(
        call.direction, call.remote_number, call.remote_name, call.queue, call.started_at,
        call.connected_at, ended_at or time.time(), outcome_of(call), call.reason, call.queue_call,
        quality=quality.level if quality else "", mos=round(quality.mos_avg, 2) if quality else None,
    )


class CallHistory:
    def __init__(self, path: Path) -> None:
        # SQLite gives its journal files the database file's mode.
        self.path = private_file(path)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.executescript(SCHEMA)
            present = {row[1] for row in db.execute("PRAGMA table_info(calls)")}
            for name, kind in AFTER_CALL_COLUMNS:
                if name not in present:  # a history from before wrap-ups (or call quality)
                    db.execute(f"ALTER TABLE calls ADD COLUMN {name} {kind}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=5)
        try:
            with connection:  # commits, or rolls back on error
                yield connection
        finally:
            connection.close()

    def add(self, entry: HistoryEntry, sip_call_id: str = "") -> None:
        row = (
            sip_call_id, entry.direction.value, entry.number, entry.name, entry.queue, entry.started_at,
            entry.connected_at, entry.ended_at, entry.outcome.value, entry.reason, entry.queue_call,
            entry.disposition, entry.survey_score, entry.answered_by, entry.quality, entry.mos,
        )
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO calls (sip_call_id, direction, number, name, queue, started_at, connected_at,"
                " ended_at, outcome, reason, queue_call, disposition, survey_score, answered_by, quality, mos)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                row,
            )
            db.execute("DELETE FROM calls WHERE id <= (SELECT MAX(id) FROM calls) - ?", (KEEP_ROWS,))

    def recent(self, limit: int = 200) -> list[HistoryEntry]:
        with self._lock, self._connect() as db:
            rows = db.execute(
                "SELECT direction, number, name, queue, started_at, connected_at, ended_at, outcome, reason,"
                " queue_call, disposition, survey_score, answered_by, quality, mos FROM calls"
                " ORDER BY started_at DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            HistoryEntry(Direction(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], Outcome(r[7]), r[8], r[9], r[10], r[11],
                         r[12], quality=r[13], mos=r[14])
            for r in rows
        ]

    def set_answered_by(self, queue_call: str, colleague: str) -> None:
        """A queue call the agent missed was answered by `colleague`."""
        if not queue_call:
            return
        with self._lock, self._connect() as db:
            db.execute("UPDATE calls SET answered_by = ? WHERE queue_call = ? AND outcome = ?",
                       (colleague, queue_call, Outcome.MISSED.value))

    def set_after_call(self, queue_call: str, disposition: str | None = None, survey_score: int | None = None) -> None:
        """The disposition and/or survey score of a queue call's rows."""
        if not queue_call:
            return
        with self._lock, self._connect() as db:
            if disposition is not None:
                db.execute("UPDATE calls SET disposition = ? WHERE queue_call = ?", (disposition, queue_call))
            if survey_score is not None:
                db.execute("UPDATE calls SET survey_score = ? WHERE queue_call = ?", (survey_score, queue_call))
