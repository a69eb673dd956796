"""The audit log on SQL: what team leads did to agents and callers
(agentdesk/contract/monitor.py AuditEntry), one row per action, and the
pauses they asked for at the end of an agent's current call. Periods are
[start, end) in epoch seconds of `at`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agentdesk.contract.leads import AuditEntry

from .database import Database

COLUMNS = ("id", "at", "lead", "action", "agent", "queue", "call", "session", "detail", "result")
SELECT = f"SELECT {', '.join(COLUMNS)} FROM audit_log"


@dataclass(frozen=True)
class PendingPause:
    """A pause a team lead asked for once the agent's current call ends."""

    agent: str
    reason: str
    note: str
    lead: str
    at: float


class AuditTrail:
    """The audit_log and pending_pauses tables (schema version 8)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add_entry(self, entry: AuditEntry) -> None:
        values = (entry.id, entry.at, entry.lead, entry.action, entry.agent, entry.queue, entry.call,
                  entry.session, json.dumps(entry.detail, ensure_ascii=False, sort_keys=True), entry.result)
        self._db.write(f"INSERT INTO audit_log ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                       values)

    def entries(self, start: float, end: float, *, agent: str | None = None, lead: str | None = None,
                session: str | None = None, limit: int = 1000) -> list[AuditEntry]:
        """The period's entries, oldest first, only those of `agent`,
        `lead` and `session` where given; at most `limit`."""
        where = ["at >= ?", "at < ?"]
        params: list[object] = [start, end]
        for column, value in (("agent", agent), ("lead", lead), ("session", session)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        params.append(limit)
        rows = self._db.rows(f"{SELECT} WHERE {' AND '.join(where)} ORDER BY at, id LIMIT ?", params)
        return [audit_entry(row) for row in rows]

    # -- pauses at the end of the current call

    def set_pending_pause(self, pending: PendingPause) -> None:
        """Ask for it (replaces the agent's earlier ask)."""
        self._db.write(
            "INSERT INTO pending_pauses (agent, reason, note, lead, at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (agent) DO UPDATE SET reason = excluded.reason, note = excluded.note,"
            " lead = excluded.lead, at = excluded.at",
            (pending.agent, pending.reason, pending.note, pending.lead, pending.at),
        )

    def remove_pending_pause(self, agent: str) -> bool:
        """Forget it; False if there was none."""
        return self._db.write("DELETE FROM pending_pauses WHERE agent = ?", (agent,)) > 0

    def pending_pauses(self) -> dict[str, PendingPause]:
        rows = self._db.rows("SELECT agent, reason, note, lead, at FROM pending_pauses ORDER BY agent")
        return {str(a): PendingPause(str(a), str(r), str(n), str(ld), float(t)) for a, r, n, ld, t in rows}


def audit_entry(row: Sequence[Any]) -> AuditEntry:
    """An audit_log row (COLUMNS order)."""
    id_, at, lead, action, agent, queue, call, session, detail, result = row
    parsed = json.loads(detail) if detail else {}
    return AuditEntry(id=str(id_), at=float(at), lead=str(lead), action=str(action), agent=str(agent),
                      queue=str(queue), call=str(call), session=str(session),
                      detail=parsed if isinstance(parsed, dict) else {}, result=str(result))
