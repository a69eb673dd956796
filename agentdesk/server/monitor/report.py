"""What follows every team lead's action on an agent or a caller: an
audit row, a notice to the agent they acted on ("Parisa paused you:
Meeting — 'team huddle'") and a mark for the floor feed."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from agentdesk.contract import events
from agentdesk.contract.leads import AuditEntry, ControlNotice, dump_notice

from ..queues.agents import CommandError
from .audit import AuditLog
from .changes import FloorChanges

log = logging.getLogger("agentdesk.server.monitor")


class Publisher(Protocol):
    def publish(self, name: str, data: Any, agent: str | None = None) -> None: ...


class LeadActions:
    """Reports what a team lead did (`acted`); `names` gives a person's name ('' unknown)."""

    def __init__(self, audit: AuditLog, hub: Publisher, changes: FloorChanges,
                 names: Callable[[str], str]) -> None:
        self._audit = audit
        self._hub = hub
        self._changes = changes
        self._names = names

    async def acted(self, lead: str, action: str, *, agent: str = "", queue: str = "", call: str = "",
                    text: str = "", note: str = "", detail: dict[str, Any] | None = None,
                    result: str = "ok") -> AuditEntry:
        """Audit it; tell `agent` (when there is one and it worked) what
        was done (`text`) and why (`note`); mark the agent and queue changed."""
        fields = dict(detail or {})
        if note:
            fields["note"] = note
        entry = await self._audit.record(lead, action, agent=agent, queue=queue, call=call, detail=fields,
                                         result=result)
        if agent and result == "ok":
            notice = ControlNotice(by=lead, by_name=self._names(lead), action=action, detail=text, note=note,
                                   at=entry.at)
            self._hub.publish(events.CONTROL, dump_notice(notice), agent=agent)
        if agent:
            self._changes.touch_agent(agent)
        if queue:
            self._changes.touch_queue(queue)
        return entry

    async def attempt(self, work: Awaitable[None], lead: str, action: str, **fields: Any) -> AuditEntry:
        """Do `work` and report it (`acted`'s fields); a refusal (CommandError)
        is audited with its sentence as the result, then raised on."""
        try:
            await work
        except CommandError as error:
            await self.acted(lead, action, **fields, result=str(error))
            raise
        return await self.acted(lead, action, **fields)

    def touch_queue(self, queue: str) -> None:
        """Another queue the action changed (a caller's new queue)."""
        self._changes.touch_queue(queue)
