"""The audit log: every action a team lead takes on an agent or a caller
(supervision, pauses, queue logins, penalties, caller moves, the VIP and
do-not-call lists), written to the store before the action is answered,
and read back by day for review (GET /api/v1/monitor/audit)."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from agentdesk.contract.leads import AuditEntry

from ..runtime import Clock, StoreAccess

log = logging.getLogger("agentdesk.server.monitor")

ID_BYTES = 12


class AuditLog:
    """Writes and reads audit entries; each gets a random ID and the service's time."""

    def __init__(self, db: StoreAccess, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def record(self, lead: str, action: str, *, agent: str = "", queue: str = "", call: str = "",
                     session: str = "", detail: dict[str, Any] | None = None, result: str = "ok") -> AuditEntry:
        """Write one entry (durable when this returns) and return it."""
        entry = AuditEntry(id=secrets.token_hex(ID_BYTES), at=self._clock(), lead=lead, action=action, agent=agent,
                           queue=queue, call=call, session=session, detail=dict(detail or {}), result=result)
        await self._db(lambda s: s.audit.add_entry(entry))
        log.info("audit: %s %s agent=%s queue=%s call=%s: %s", lead, action, agent, queue, call, result)
        return entry

    async def query(self, start: float, end: float, *, agent: str | None = None, lead: str | None = None,
                    session: str | None = None, limit: int = 1000) -> list[AuditEntry]:
        """Entries of [start, end), oldest first, filtered where given."""
        return await self._db(lambda s: s.audit.entries(start, end, agent=agent, lead=lead, session=session,
                                                        limit=limit))
