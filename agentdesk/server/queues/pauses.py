"""Agents' pauses as this service set them: Asterisk's members are the
truth of who is paused, the stored state gives when the pause began (it
survives restarts of this service)."""

from __future__ import annotations

from collections.abc import Callable

from ..runtime import Clock, StoreAccess
from ..store import PauseState
from .agents import AgentDirector

PauseBook = dict[str, PauseState]  # agent -> their last pause or unpause


class AgentPauses:
    def __init__(self, director: AgentDirector, db: StoreAccess, clock: Clock, book: PauseBook,
                 changed: Callable[[str], None]) -> None:
        self._director = director
        self._db = db
        self._clock = clock
        self._book = book
        self._changed = changed  # an agent's state changed: push it to desktops

    async def load(self) -> None:
        self._book.update(await self._db(lambda s: s.agents.pause_states()))

    def pause_of(self, agent: str) -> PauseState | None:
        return self._book.get(agent)

    async def apply(self, agent: str, paused: bool, reason: str) -> None:
        await self._director.pause(agent, paused, reason)
        self._book[agent] = PauseState(agent, paused, reason if paused else "", self._clock())
        self._changed(agent)
