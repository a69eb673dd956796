"""Agents who do not answer ("not responding").

Each queue offer that rang an agent's phone without being answered (AMI
AgentRingNoAnswer: the ring time ran out, or the phone refused) is a missed
offer: it is stored for reports, and after the queue's number of missed
offers in a row (desk-service.json "queue_pause_after_missed", default 1,
0 = never) the agent is paused in all their queues with the reason
"missed call", so waiting callers go to agents who are there. An answered
call, or the agent making themselves ready, starts the count again.

The service counts rather than Asterisk's own `autopause`: autopause
pauses after the first miss only, under a reason of its own, and behind
the service's back, so the stored pause wish (re-applied after every
reconnect) would unpause the agent again; here the pause is one the
service made, kept and shown like every other.

An agent whose phone a queue call rang (AgentCalled) and that a colleague
then answered is told so (the `offer_taken` event), so their desktop does
not keep it as missed: after a miss and a later re-offer to the colleague,
or at once when the colleague answered first (strategy ringall).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from agentdesk.contract import events
from agentdesk.contract.offers import OfferTaken, dump_offer_taken
from agentdesk.contract.states import MISSED_CALL_REASON

from ..ami.protocol import AmiMessage
from ..runtime import Clock, Spawn, StoreAccess
from ..store import PauseState
from .agents import CommandError

log = logging.getLogger("agentdesk.server.queues")

# Whom a caller rang is remembered this long for the colleague notice.
OFFERS_KEPT_SECONDS = 4 * 3600


class Pauses(Protocol):
    def pause_of(self, agent: str) -> PauseState | None: ...

    async def apply(self, agent: str, paused: bool, reason: str) -> None: ...


class Publisher(Protocol):
    def publish(self, name: str, data: object, agent: str | None = None) -> None: ...


class NotResponding:
    def __init__(self, pauses: Pauses, db: StoreAccess, clock: Clock, spawn: Spawn, limit: Callable[[str], int],
                 name_of: Callable[[str], str | None], publisher: Publisher) -> None:
        self._pauses = pauses
        self._db = db
        self._clock = clock
        self._spawn = spawn
        self._limit = limit  # queue -> missed offers in a row before the pause (0: never)
        self._name_of = name_of  # agent -> their name, None for members who are nobody in the directory
        self._publisher = publisher
        self.override: int | None = None  # switch(): one count for every queue (the tests' own build)
        self._in_a_row: dict[tuple[str, str], int] = {}  # (agent, queue) -> missed offers since the last answer
        self._rung: dict[str, tuple[float, set[str]]] = {}  # caller uniqueid -> (first ring, agents rung)

    def switch(self, limit: int | None) -> None:
        """One count for every queue (None: the configuration's); reached only
        from the tests' own build of the service, tests/helpers/testdesk.py."""
        self.override = limit
        log.warning("pause after missed offers switched to %s (test set-up)", "configured" if limit is None else limit)

    def in_a_row(self, agent: str, queue: str) -> int:
        return self._in_a_row.get((agent, queue), 0)

    def handle(self, event: AmiMessage) -> None:
        agent, uniqueid = event.get("MemberName"), event.get("Uniqueid")
        if event.name == "AgentCalled" and uniqueid and self._name_of(agent) is not None:
            now = self._clock()
            self._forget_old(now)
            self._rung.setdefault(uniqueid, (now, set()))[1].add(agent)
        elif event.name == "AgentRingNoAnswer" and self._name_of(agent) is not None:
            self._missed(agent, event.get("Queue"), uniqueid)
        elif event.name == "AgentConnect":
            self.agent_ready(agent)
            self._taken(uniqueid, event.get("Queue"), agent)
        elif event.name == "QueueCallerAbandon":
            self._rung.pop(uniqueid, None)

    def agent_ready(self, agent: str) -> None:
        """The agent answered a call or made themselves ready: counting starts again."""
        for key in [key for key in self._in_a_row if key[0] == agent]:
            del self._in_a_row[key]

    def _missed(self, agent: str, queue: str, uniqueid: str) -> None:
        now = self._clock()
        count = self._in_a_row[(agent, queue)] = self.in_a_row(agent, queue) + 1
        self._spawn(self._store(agent, queue, uniqueid, now))
        limit = self._limit(queue) if self.override is None else self.override
        log.info("%s missed an offer of %s (%d in a row; paused after %s)", agent, queue, count, limit or "never")
        if limit and count >= limit:
            self.agent_ready(agent)  # the next count starts after this pause
            self._spawn(self._pause(agent, queue))

    async def _store(self, agent: str, queue: str, uniqueid: str, at: float) -> None:
        await self._db(lambda s: s.missed.add_missed_offer(agent, queue, uniqueid, at))

    async def _pause(self, agent: str, queue: str) -> None:
        pause = self._pauses.pause_of(agent)
        if pause is not None and pause.paused:
            log.info("%s is already paused (%s): not paused for the missed offers", agent, pause.reason)
            return
        try:
            await self._pauses.apply(agent, True, MISSED_CALL_REASON)
        except CommandError as error:
            log.warning("pausing %s after missed offers of %s failed: %s", agent, queue, error)
            return
        log.info("%s paused: %s (%s)", agent, MISSED_CALL_REASON, queue)

    def _taken(self, uniqueid: str, queue: str, agent: str) -> None:
        """`agent` answered the caller: the others it rang are told."""
        rung = self._rung.pop(uniqueid, None)
        if rung is None:
            return
        offer = OfferTaken(uniqueid, queue, agent, self._name_of(agent) or "")
        for other in sorted(rung[1] - {agent}):
            self._publisher.publish(events.OFFER_TAKEN, dump_offer_taken(offer), agent=other)

    def _forget_old(self, now: float) -> None:
        for uniqueid, (first, _) in list(self._rung.items()):
            if first < now - OFFERS_KEPT_SECONDS:
                del self._rung[uniqueid]
