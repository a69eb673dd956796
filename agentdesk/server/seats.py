"""Who works at which phone: the agent logged in there (hot-desking), else
the phone's own person in the directory."""

from __future__ import annotations

from .people import People
from .queues.board import QueueBoard


class Seats:
    def __init__(self, board: QueueBoard, people: People) -> None:
        self._board = board
        self._people = people

    def agent_of_phone(self, phone: str) -> str | None:
        """The agent working on `phone` (None: nobody's phone). A queue member
        not named by an agent ID (added outside the desk service) does not
        count."""
        for agent in (self._board.agent_on_phone(phone), phone):
            if agent is not None and self._people.get(agent) is not None:
                return agent
        return None
