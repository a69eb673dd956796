"""A team lead's control of agents and waiting callers, beyond the pause
and queue routes every desktop has (api.py): an agent's penalty in a
queue, a pause after the agent's current call, and moving a waiting
caller to another queue or to the callback menu, keeping their wait.

Every action is audited and told to the agent it concerns (LeadActions).
Callers are moved with AMI QueueWithdrawCaller: Queue() returns WITHDRAW
and the dialplan ([queue-left] -> [queue-move], extensions.conf) reads the
WithdrawInfo this module writes: "move,<queue>,<position>,<joined>" (the
epoch second the caller began waiting: the new queue's max wait counts
from then) or "callback,<queue>,<position>".
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from agentdesk.contract.leads import AUDIT_CALLER_CALLBACK, AUDIT_CALLER_MOVE, AUDIT_PENALTY

from ..ami.client import AmiError
from ..ami.protocol import AmiMessage
from ..queues.agents import CommandError
from ..queues.board import Caller, QueueBoard, QueueState
from ..runtime import Spawn
from .pending import PendingPauses
from .report import LeadActions

log = logging.getLogger("agentdesk.server.monitor")

MAX_PENALTY = 99
# After the agent leg hangs up, the wrap-up (if the call has one) starts
# from the call log's AgentComplete; this long is enough for it to be
# known, and Asterisk's own wrapuptime keeps the next call away meanwhile.
HANGUP_SETTLE_SECONDS = 1.0
BUSY = frozenset({"on_call", "ringing"})


class Ami(Protocol):
    async def action(self, name: str, timeout: float = 5.0, **fields: str) -> Any: ...


class PenaltySetter(Protocol):
    async def set_penalty(self, agent: str, queue: str, penalty: int) -> None: ...


class MoveLog(Protocol):
    """The call log: a moved caller's visit ends `moved`."""

    def moving(self, uniqueid: str, queue: str, on: bool = True) -> None: ...


class WrapUps(Protocol):
    def held(self, agent: str) -> bool: ...


class FloorControl:
    def __init__(self, ami: Ami, board: QueueBoard, director: PenaltySetter, calls: MoveLog, wrapups: WrapUps,
                 pending: PendingPauses, report: LeadActions, spawn: Spawn) -> None:
        self._ami = ami
        self._board = board
        self._director = director
        self._calls = calls
        self._wrapups = wrapups
        self._pending = pending
        self._report = report
        self._spawn = spawn

    # -- agents -------------------------------------------------------------------
    async def set_penalty(self, lead: str, agent: str, queue: str, penalty: int, note: str) -> None:
        await self._report.attempt(self._director.set_penalty(agent, queue, penalty), lead, AUDIT_PENALTY,
                                   agent=agent, queue=queue, note=note, text=f"{queue}: {penalty}",
                                   detail={"penalty": penalty})

    async def pause_after_call(self, lead: str, agent: str, reason: str, note: str) -> None:
        if not self._on_call(agent) and not self._wrapups.held(agent):
            raise CommandError(409, f"agent {agent} is not on a call: pause them now instead")
        await self._pending.ask(lead, agent, reason, note)

    async def cancel_pause_after_call(self, lead: str, agent: str) -> None:
        if not await self._pending.cancel(lead, agent):
            raise CommandError(404, f"no pause after the call was asked for agent {agent}")

    def pending_reason(self, agent: str) -> str:
        return self._pending.pending_reason(agent)

    def _on_call(self, agent: str) -> bool:
        return any(m.activity in BUSY for m in self._board.memberships_of(agent).values())

    def handle(self, event: AmiMessage) -> None:
        """AMI events: an agent leg's Hangup may end the call a pause waits for."""
        if event.name != "Hangup" or not event.get("Channel").startswith("PJSIP/"):
            return
        phone = event.get("Channel")[len("PJSIP/"):].rpartition("-")[0]
        agent = self._board.agent_on_phone(phone) if phone else None
        if agent is not None and self._pending.pending_reason(agent):
            self._spawn(self._after_hangup(agent))

    async def _after_hangup(self, agent: str) -> None:
        await asyncio.sleep(HANGUP_SETTLE_SECONDS)
        if self._wrapups.held(agent) or self._on_call(agent):
            return  # the wrap-up's end applies it, or another leg of the call is still up
        await self._pending.pause_instead(agent)

    # -- waiting callers ------------------------------------------------------------
    async def move_caller(self, lead: str, uniqueid: str, to: str) -> int:
        """Into queue `to` ahead of everyone who joined it after this caller
        joined theirs (app_queue keeps callers of a higher priority ahead
        anyway); returns the position asked for."""
        source, caller = self._waiting(uniqueid)
        target = self._board.queues.get(to)
        if target is None:
            raise CommandError(404, f"there is no queue named {to!r}")
        if target.name == source.name:
            raise CommandError(409, f"the caller is waiting in {to} already")
        position = 1 + sum(1 for other in target.callers.values() if other.joined_at < caller.joined_at)
        self._board.carry_join(uniqueid, caller.joined_at)
        detail = {"from": source.name, "to": to, "position": position, "number": caller.number}
        info = f"move,{to},{position},{int(caller.joined_at)}"
        await self._withdraw(lead, AUDIT_CALLER_MOVE, source, caller, info, detail)
        return position

    async def to_callback(self, lead: str, uniqueid: str) -> None:
        """To the callback menu, keeping their place in line should they come back."""
        source, caller = self._waiting(uniqueid)
        detail = {"queue": source.name, "position": caller.position, "number": caller.number}
        info = f"callback,{source.name},{caller.position}"
        await self._withdraw(lead, AUDIT_CALLER_CALLBACK, source, caller, info, detail)

    def _waiting(self, uniqueid: str) -> tuple[QueueState, Caller]:
        found = self._board.caller(uniqueid)
        if found is None:
            raise CommandError(404, "no caller with that ID is waiting in a queue")
        if found[1].callback_task:
            raise CommandError(409, "that is a callback's place in line, not a caller: move the callback task instead")
        return found

    async def _withdraw(self, lead: str, action: str, source: QueueState, caller: Caller, info: str,
                        detail: dict[str, Any]) -> None:
        self._calls.moving(caller.uniqueid, source.name)
        try:
            await self._ami.action("QueueWithdrawCaller", 5.0, Queue=source.name, Caller=caller.channel,
                                   WithdrawInfo=info)
        except AmiError as error:
            self._calls.moving(caller.uniqueid, source.name, on=False)
            self._board.drop_carried(caller.uniqueid)
            await self._report.acted(lead, action, queue=source.name, call=caller.uniqueid, detail=detail,
                                     result=f"the PBX did not withdraw the caller: {error}")
            raise CommandError(409, f"the PBX did not take the caller out of {source.name}: {error}") from None
        await self._report.acted(lead, action, queue=source.name, call=caller.uniqueid, detail=detail)
        if detail.get("to"):
            self._report.touch_queue(str(detail["to"]))
