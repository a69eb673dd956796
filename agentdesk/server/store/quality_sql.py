"""Call quality on SQL: the summary an agent's desktop sends once a call
has ended (agentdesk/contract/quality.py), one row per agent and call leg.
A desktop sends until the service acknowledges, so the same record may
come twice: it replaces the row, never adds one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from typing import Any

from agentdesk.contract.quality import CallQuality

from .database import Database

QUALITY_FIELDS = tuple(field.name for field in fields(CallQuality))
# The record's fields in their order, the queue call under the table's name for it.
COLUMNS = ("agent", "call_id", "uniqueid", *QUALITY_FIELDS[1:], "received_at")
SELECT = f"SELECT {', '.join(COLUMNS)} FROM call_quality"


@dataclass(frozen=True)
class StoredQuality:
    """A call's quality as stored: whose leg, which (its SIP Call-ID), when it arrived."""

    agent: str
    call_id: str
    received_at: float
    quality: CallQuality


class CallQualities:
    """The call_quality table (schema version 6). Periods are [start, end)
    in epoch seconds of the call's `started_at`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def save_quality(self, stored: StoredQuality) -> bool:
        """Store the record; True if it is new, False if it replaced a copy."""
        values = (stored.agent, stored.call_id, *astuple(stored.quality), stored.received_at)
        updates = ", ".join(f"{name} = excluded.{name}" for name in COLUMNS[2:])
        with self._db.transaction() as run:
            known = run("SELECT 1 FROM call_quality WHERE agent = ? AND call_id = ?",
                        (stored.agent, stored.call_id)).rows
            run(f"INSERT INTO call_quality ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
                f" ON CONFLICT (agent, call_id) DO UPDATE SET {updates}", values)
        return not known

    def quality_of(self, agent: str, call_id: str) -> StoredQuality | None:
        rows = self._db.rows(f"{SELECT} WHERE agent = ? AND call_id = ?", (agent, call_id))
        return stored_quality(rows[0]) if rows else None

    def qualities_of_agent(self, agent: str, start: float, end: float) -> list[StoredQuality]:
        """An agent's calls of the period, oldest first."""
        rows = self._db.rows(f"{SELECT} WHERE agent = ? AND started_at >= ? AND started_at < ?"
                             " ORDER BY started_at, call_id", (agent, start, end))
        return [stored_quality(row) for row in rows]

    def agents_of_queue_call(self, uniqueid: str) -> set[str] | None:
        """Who the service saw take queue call `uniqueid`: its answering
        agent and every agent with a wrap-up of it (a transfer's target has
        one). None when it knows no such call."""
        answered = self._db.rows("SELECT agent FROM queue_calls WHERE uniqueid = ?", (uniqueid,))
        if not answered:
            return None
        wrapped = self._db.rows("SELECT agent FROM wrapups WHERE uniqueid = ?", (uniqueid,))
        return {str(row[0]) for row in (*answered, *wrapped) if row[0]}


def stored_quality(row: Sequence[Any]) -> StoredQuality:
    """A call_quality row (COLUMNS order); converts explicitly because SQLite
    keeps whatever type a value was written with."""
    agent, call_id, uniqueid, *figures, received_at = row
    (started_at, ended_at, level, reason, mos_min, mos_avg, loss_pct, remote_loss_pct, jitter_avg_ms,
     jitter_max_ms, rtt_avg_ms, codec, transport, srtp, samples) = figures
    quality = CallQuality(
        str(uniqueid), float(started_at), float(ended_at), str(level), str(reason), float(mos_min), float(mos_avg),
        float(loss_pct), _maybe(remote_loss_pct), float(jitter_avg_ms), float(jitter_max_ms), _maybe(rtt_avg_ms),
        str(codec), str(transport), str(srtp), int(samples),
    )
    return StoredQuality(str(agent), str(call_id), float(received_at), quality)


def _maybe(value: Any) -> float | None:
    return None if value is None else float(value)
