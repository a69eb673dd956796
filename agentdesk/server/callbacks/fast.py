"""The first callback in line reaches an agent the moment they are free.

Asterisk's queue looks for a free agent for each waiting caller about once
a second, and not at all while it reads a caller their position and hold
time (7 s or more): a placeholder at the front would keep a free agent
waiting that long. So when an agent becomes free (unpaused, logged in, or
their wrap-up after a queue call is over) and the first in line of one of
their queues is a callback placeholder that rings nobody, the desk service
moves it out of the queue to ring that agent directly ([callback-line]
with CALLBACK_PHONE, the "same agent" path); not answered, it goes back
into the queue at the front. A live caller at the front is left to
Asterisk. An agent in after-call work (their wrap-up after a queue call or
a callback call) is never rung: they are not free until it is over, even
in the moment before Asterisk has their wrap-up pause.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Protocol

from ..ami.client import AmiClient, AmiError
from ..ami.fields import as_int
from ..ami.protocol import AmiMessage
from ..queues.board import Caller, QueueBoard
from ..runtime import Spawn

log = logging.getLogger("agentdesk.server.callbacks")

FREE_AGENT_EVENTS = frozenset({"QueueMemberStatus", "QueueMemberPause", "QueueMemberAdded", "AgentComplete"})
RINGING_EVENTS = frozenset({"AgentCalled"})
RING_DONE_EVENTS = frozenset({"AgentRingNoAnswer", "AgentConnect", "QueueCallerLeave"})


class AfterCallWork(Protocol):
    """Who is in after-call work (the wrap-up sessions)."""

    def held(self, agent: str) -> bool: ...


class FastDelivery:
    def __init__(self, board: QueueBoard, ami: AmiClient, spawn: Spawn, queue_wrapup_seconds: dict[str, int],
                 rings: Callable[[str, str], None], after_call: AfterCallWork) -> None:
        self._board = board
        self._after_call = after_call
        self._ami = ami
        self._spawn = spawn
        self._queue_wrapup_seconds = queue_wrapup_seconds
        self._rings = rings  # (task, agent): tells the dispatcher whose phone a placeholder rings
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._moving: set[str] = set()  # placeholders on their way to an agent (their channels)
        self._ringing: set[str] = set()  # placeholders Asterisk's queue is ringing an agent for
        self._call_ended: dict[str, float] = {}  # agent -> end of their last queue call (epoch)

    def handle(self, event: AmiMessage) -> None:
        channel = event.get("Channel")
        if event.name in RINGING_EVENTS:
            self._ringing.add(channel)
        elif event.name in RING_DONE_EVENTS:
            self._ringing.discard(channel)
        if event.name == "AgentComplete":
            self._call_ended[event.get("MemberName")] = time.time()
        if event.name in FREE_AGENT_EVENTS and event.get("MemberName"):
            self.member_changed(event)

    def member_changed(self, event: AmiMessage) -> None:
        """An agent's state in a queue changed: if they are free now, or
        will be once their wrap-up is over, deliver then."""
        agent = event.get("MemberName")
        if not self.is_free(agent):
            return
        last_call = max(as_int(event.get("LastCall")), int(self._call_ended.get(agent, 0)))
        wrapup = as_int(event.get("Wrapuptime")) or self._queue_wrapup_seconds.get(
            event.get("Queue"), 0)
        wait = max(0.0, last_call + wrapup - time.time()) if last_call else 0.0
        previous = self._timers.pop(agent, None)
        if previous is not None:
            previous.cancel()
        self._timers[agent] = asyncio.get_running_loop().call_later(
            wait, lambda: self._spawn(self.deliver_to(agent)))

    def is_free(self, agent: str) -> bool:
        """Ready in Asterisk and not in after-call work."""
        return self._board.is_free(agent) and not self._after_call.held(agent)

    async def deliver_to(self, agent: str) -> None:
        self._timers.pop(agent, None)
        board = self._board
        if not self.is_free(agent):
            return
        phone = board.phone_of(agent)
        for queue in sorted(board.memberships_of(agent)):
            callers = board.queues[queue].ordered_callers()
            head = callers[0] if callers else None
            busy = head is not None and (head.channel in self._moving or head.channel in self._ringing)
            if phone and head is not None and head.callback_task and not busy:
                await self._ring_directly(head, phone, agent)
                return

    async def _ring_directly(self, placeholder: Caller, phone: str, agent: str) -> None:
        channel = placeholder.channel
        self._moving.add(channel)
        asyncio.get_running_loop().call_later(30.0, self._moving.discard, channel)
        try:
            for name, value in (("CALLBACK_PHONE", phone), ("CALLBACK_POSITION", "1")):
                await self._ami.action("Setvar", Channel=channel, Variable=name, Value=value)
            await self._ami.action("Redirect", Channel=channel, Context="callback-line",
                                          Exten=placeholder.callback_task, Priority="1")
        except AmiError as error:
            log.info("callback %s stays in the queue for %s: %s", placeholder.callback_task, agent, error)
            return
        self._rings(placeholder.callback_task, agent)
        log.info("callback %s rings free agent %s directly", placeholder.callback_task, agent)
