"""Each agent's day so far, for the team leads' floor: queue calls answered,
the average handle time (talk + wrap-up per completed call) and missed
offers.

Read from the store when the service starts and at each midnight (when
"today" starts again even if no call comes), then kept up from AMI events
(AgentConnect, AgentComplete, AgentRingNoAnswer) and wrap-ups' ends, so the
floor never asks the store per row. Callback placeholders do not count,
as in HandleTimes.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from agentdesk.contract.states import WRAPUP_ACTIVE

from ..ami.fields import as_int
from ..ami.protocol import AmiMessage
from ..days import midnight
from ..directory import Person
from ..queues.board import callback_task_of
from ..runtime import Clock, StoreAccess
from ..store import Store
from ..store.records import AgentDayFigures
from .changes import FloorChanges

log = logging.getLogger("agentdesk.server.monitor")

DAY_SECONDS = 86400


class Directory(Protocol):
    def get(self, agent: str) -> Person | None: ...


@dataclass
class AgentDay:
    answered: int = 0
    completed: int = 0
    talk_seconds: float = 0.0
    wrapup_seconds: float = 0.0
    missed: int = 0
    ended_calls: set[str] = field(default_factory=set)  # callers whose wrap-up still counts

    @property
    def handle_seconds(self) -> float | None:
        """The average handle time; None before a completed call."""
        return (self.talk_seconds + self.wrapup_seconds) / self.completed if self.completed else None


class AgentDayCounters:
    def __init__(self, db: StoreAccess, clock: Clock, people: Directory, changes: FloorChanges) -> None:
        self._db = db
        self._clock = clock
        self._people = people
        self._changes = changes
        self._days: dict[str, AgentDay] = {}
        self._day_start = midnight(clock())

    def of(self, agent: str) -> AgentDay:
        return self._days.get(agent) or AgentDay()

    async def load(self) -> None:
        """Today's figures from the store (at start, and each midnight)."""
        now = self._clock()
        start = midnight(now)

        def read(store: Store) -> tuple[dict[str, AgentDayFigures], dict[str, int]]:
            return store.calls.agent_day_figures(start, now + 1), store.missed.missed_offer_counts(start, now + 1)

        try:
            figures, missed = await self._db(read)
        except Exception:
            log.exception("reading the agents' figures of today failed")
            return
        before = set(self._days)
        self._day_start = start
        self._days = {agent: AgentDay(f.answered, f.completed, f.talk_seconds, f.wrapup_seconds)
                      for agent, f in figures.items()}
        for agent, count in missed.items():
            self._day(agent).missed = count
        for agent in before | set(self._days):
            self._changes.touch_agent(agent)

    async def new_days(self) -> None:
        """At each midnight every agent's day starts again."""
        while True:
            now = self._clock()
            await asyncio.sleep(max(1.0, midnight(now) + DAY_SECONDS + 1 - now))
            await self.load()

    def handle(self, event: AmiMessage) -> None:
        agent = event.get("MemberName")
        if event.name not in _COUNTED or not agent or self._people.get(agent) is None \
                or callback_task_of(event.get("Channel")):
            return
        self._roll_over()
        day = self._day(agent)
        if event.name == "AgentConnect":
            day.answered += 1
        elif event.name == "AgentComplete":
            day.completed += 1
            day.talk_seconds += as_int(event.get("TalkTime"))
            day.ended_calls.add(event.get("Uniqueid"))
        else:
            day.missed += 1
        self._changes.touch_agent(agent)

    def wrapup_changed(self, view: dict[str, Any], agent: str) -> None:
        """A wrap-up's view as it is sent: one that ended adds its seconds,
        once, if it followed a completed queue call of today."""
        day = self._days.get(agent)
        uniqueid = str(view.get("uniqueid", ""))
        if view.get("state") == WRAPUP_ACTIVE or day is None or uniqueid not in day.ended_calls:
            return
        day.ended_calls.discard(uniqueid)
        day.wrapup_seconds += max(0.0, float(view.get("now", 0.0)) - float(view.get("started_at", 0.0)))
        self._changes.touch_agent(agent)

    def _day(self, agent: str) -> AgentDay:
        return self._days.setdefault(agent, AgentDay())

    def _roll_over(self) -> None:
        """An event after midnight before the reload: the new day starts empty."""
        start = midnight(self._clock())
        if start > self._day_start:
            self._day_start = start
            for agent in self._days:
                self._changes.touch_agent(agent)
            self._days = {}


_COUNTED = frozenset({"AgentConnect", "AgentComplete", "AgentRingNoAnswer"})
