"""The placeholders of callback tasks standing in Asterisk's queues, and
which agent each one rings: written by the dispatcher, read and withdrawn
by the task operations (a task claimed or closed gives up its place)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..ami.client import AmiClient, AmiError
from ..runtime import Spawn

log = logging.getLogger("agentdesk.server.callbacks")


@dataclass
class Placement:
    task_id: str
    queue: str
    channel_a: str  # our uniqueid of the ;1 half
    since: float
    rank: tuple[int, float] = (0, 0.0)  # (priority, arrival): its place in the line
    number: str = ""
    answered: bool = False  # an agent took it: it no longer holds a place in line


class Placements:
    def __init__(self, ami: AmiClient, spawn: Spawn) -> None:
        self._ami = ami
        self._spawn = spawn
        self.placed: dict[str, Placement] = {}
        self.ringing: dict[str, str] = {}  # task -> the agent its placeholder rings now

    def ringing_agent(self, task_id: str) -> str:
        return self.ringing.get(task_id, "")

    def withdraw(self, task_id: str) -> None:
        """Take a task's placeholder out of Asterisk (claimed, skipped...)."""
        placement = self.placed.pop(task_id, None)
        if placement is not None:
            self._spawn(self._hang_up(placement))

    async def _hang_up(self, placement: Placement) -> None:
        try:
            await self._ami.action("Hangup", Channel=f"/^Local\\/{placement.task_id}@callback-line-/")
        except AmiError as error:
            log.info("placeholder of callback %s already gone: %s", placement.task_id, error)
