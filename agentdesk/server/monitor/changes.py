"""What changed on the floor since the feed last sent it.

Every part that changes something a team lead sees marks it here (an
agent, a queue, a live call); the feed takes the marks at most a few times
a second and sends each changed row once, however many events touched it.
Made before the parts that mark and the feed that takes, so neither needs
the other.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class Dirty:
    agents: set[str] = field(default_factory=set)
    queues: set[str] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)
    everything: bool = False  # after a resync: send a whole new floor instead of rows
    happened: float = 0.0  # the latest Asterisk event time behind the marks

    def __bool__(self) -> bool:
        return self.everything or bool(self.agents or self.queues or self.calls)


class FloorChanges:
    def __init__(self) -> None:
        self._dirty = Dirty()
        self.wake = asyncio.Event()  # set when the first mark arrives after a take

    def touch_agent(self, agent: str, happened: float = 0.0) -> None:
        self._dirty.agents.add(agent)
        self._mark(happened)

    def touch_queue(self, queue: str, happened: float = 0.0) -> None:
        self._dirty.queues.add(queue)
        self._mark(happened)

    def touch_call(self, call: str, happened: float = 0.0) -> None:
        self._dirty.calls.add(call)
        self._mark(happened)

    def everything(self) -> None:
        self._dirty.everything = True
        self._mark(0.0)

    def take(self) -> Dirty:
        dirty, self._dirty = self._dirty, Dirty()
        self.wake.clear()
        return dirty

    def _mark(self, happened: float) -> None:
        self._dirty.happened = max(self._dirty.happened, happened)
        self.wake.set()
