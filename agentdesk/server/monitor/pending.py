"""Pauses a team lead asked for at the end of an agent's current call
("pause after this call"). Kept in the store, so a restart between the
ask and the call's end does not lose one. Applied once: by the wrap-up's
end (WrapUpSessions' after_release, instead of making the agent ready),
or, when no wrap-up follows the call, by FloorControl at the agent leg's
hang-up."""

from __future__ import annotations

import logging
from typing import Protocol

from agentdesk.contract.leads import AUDIT_PAUSE_AFTER_APPLIED, AUDIT_PAUSE_AFTER_CANCEL, AUDIT_PAUSE_AFTER_SET

from ..queues.agents import CommandError
from ..runtime import Clock, StoreAccess
from ..store.audit_sql import PendingPause
from .report import LeadActions

log = logging.getLogger("agentdesk.server.monitor")


class Pauser(Protocol):
    async def apply(self, agent: str, paused: bool, reason: str) -> None: ...


class PendingPauses:
    """Agent -> the pause asked for after their call; `pause_instead` applies it."""

    def __init__(self, db: StoreAccess, clock: Clock, pauses: Pauser, report: LeadActions) -> None:
        self._db = db
        self._clock = clock
        self._pauses = pauses
        self._report = report
        self._pending: dict[str, PendingPause] = {}

    async def load(self) -> None:
        """The asks still open when the service stopped (service start)."""
        self._pending = await self._db(lambda s: s.audit.pending_pauses())

    def pending_reason(self, agent: str) -> str:
        """The reason the agent will be paused with after this call ('' none)."""
        found = self._pending.get(agent)
        return found.reason if found is not None else ""

    async def ask(self, lead: str, agent: str, reason: str, note: str) -> None:
        pending = PendingPause(agent, reason, note, lead, self._clock())
        await self._db(lambda s: s.audit.set_pending_pause(pending))
        self._pending[agent] = pending
        await self._report.acted(lead, AUDIT_PAUSE_AFTER_SET, agent=agent, text=reason, note=note,
                                 detail={"reason": reason})

    async def cancel(self, lead: str, agent: str) -> bool:
        """False when nothing was asked for the agent."""
        found = self._pending.pop(agent, None)
        if found is None:
            return False
        await self._db(lambda s: s.audit.remove_pending_pause(agent))
        await self._report.acted(lead, AUDIT_PAUSE_AFTER_CANCEL, agent=agent, text=found.reason,
                                 detail={"reason": found.reason})
        return True

    async def pause_instead(self, agent: str) -> bool:
        """The agent's call (and wrap-up, if any) is over: pause them as
        asked. True if there was an ask (applied, or failed and audited)."""
        found = self._pending.pop(agent, None)
        if found is None:
            return False
        await self._db(lambda s: s.audit.remove_pending_pause(agent))
        result = "ok"
        try:
            await self._pauses.apply(agent, True, found.reason)
        except CommandError as error:
            log.warning("pausing %s after the call failed: %s", agent, error)
            result = str(error)
        await self._report.acted(found.lead, AUDIT_PAUSE_AFTER_APPLIED, agent=agent, text=found.reason,
                                 note=found.note, detail={"reason": found.reason}, result=result)
        return True
