"""The desk service's answers about single calls: the screen-pop of a queue
call (with the caller's history) for desktops, and where the dialplan
should send a caller about to queue (priority, sticky agent).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from agentdesk.contract.states import TEAMLEAD
from agentdesk.server.directory import Person

from .callbacks.hooks import CallbackHooks, is_identifying
from .config import DeskConfig
from .people import People
from .queues.board import QueueBoard
from .queues.calllog import CallLog
from .runtime import Clock, StoreRunner
from .store import CallEntry, CallRecord
from .views import call_view


class CallQueries:
    def __init__(self, calls: CallLog, callback_hooks: CallbackHooks, board: QueueBoard, db: StoreRunner,
                 config: DeskConfig, people: People, clock: Clock) -> None:
        self.calls = calls
        self.callback_hooks = callback_hooks
        self.board = board
        self.db = db
        self.config = config
        self.people = people
        self.clock = clock

    async def call_json(self, uniqueid: str, queue: str = "") -> dict[str, Any] | None:
        call = await self.calls.lookup(uniqueid, queue) or await self.callback_hooks.placeholder_call(uniqueid)
        if call is None:
            # A sticky offer (not in the queue) or a join the store has not written yet.
            entry = self.calls.routed_call(uniqueid) or self._board_entry(uniqueid)
            if entry is None:
                return None
            call = CallRecord(**asdict(entry), agent="", connected_at=None, ended_at=None, hold_seconds=None,
                              talk_seconds=None, outcome="waiting")
        history: list[CallRecord] = []
        if is_identifying(call.number):  # withheld numbers share no history
            number, before = call.number, call.joined_at
            history = await self.db(lambda s: s.calls.calls_of_number(number, 5, before))
        repeat = any(past.joined_at >= call.joined_at - self.config.repeat_seconds for past in history)
        work = await self.db(lambda s: s.wrapups.after_call_work(history)) if history else {}
        return call_view(call, history, repeat, self.people.names(), work)

    def _board_entry(self, uniqueid: str) -> CallEntry | None:
        found = self.board.caller(uniqueid)
        if found is None:
            return None
        queue, caller = found
        return CallEntry(uniqueid, caller.linkedid, queue.name, caller.number, caller.name, caller.joined_at,
                         caller.position, caller.vip)

    def may_see_call(self, person: Person, call: dict[str, Any]) -> bool:
        """Team leads see every call; agents those of their queues or their own."""
        if person.role == TEAMLEAD or call.get("agent") == person.agent:
            return True
        return str(call.get("queue", "")) in self.board.memberships_of(person.agent)

    async def route(self, queue: str, number: str, uniqueid: str = "") -> tuple[int, str]:
        """(priority, phone of a free sticky agent or "") for a caller about to queue."""
        vip = await self.db(lambda s: s.calls.is_vip(number))
        since = self.clock() - self.config.sticky_seconds
        agent = await self.db(lambda s: s.calls.last_agent(number, since)) if number else None
        phone = ""
        queue_state = self.board.queues.get(queue)
        member = queue_state is not None and agent in queue_state.members
        if agent and member and is_identifying(number) and self.board.is_free(agent):
            phone = self.board.phone_of(agent) or ""
        if phone:
            self.calls.routed(uniqueid, queue, number)
        return (10 if vip else 0), phone
