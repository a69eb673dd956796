"""The live views desktops are sent: each queue's summary and each agent's
state, built from the board (Asterisk's picture), the directory, today's
figures and the pauses, and pushed through the event hub. Whatever is
pushed is also marked changed on the team leads' floor (pauses, wrap-ups,
directory changes, figures), and a wrap-up's end reaches the agents' day
counters."""

from __future__ import annotations

from typing import Any, Protocol

from agentdesk.contract import events
from agentdesk.contract.queues import AgentState, QueueSummary, dump_agent_state, dump_queue
from agentdesk.contract.states import TEAMLEAD
from agentdesk.server.directory import Person

from .config import DeskConfig
from .hub import EventHub
from .people import People
from .queues.board import QueueBoard
from .queues.pauses import PauseBook
from .runtime import Clock
from .store import DayStats, PauseState
from .views import agent_state, combined_activity, queue_summary


class FloorMarks(Protocol):
    def touch_agent(self, agent: str, happened: float = 0.0) -> None: ...

    def touch_queue(self, queue: str, happened: float = 0.0) -> None: ...


class WrapUpWatch(Protocol):
    def wrapup_changed(self, view: dict[str, Any], agent: str) -> None: ...


class NoFloor:
    def touch_agent(self, agent: str, happened: float = 0.0) -> None:
        pass

    def touch_queue(self, queue: str, happened: float = 0.0) -> None:
        pass

    def wrapup_changed(self, view: dict[str, Any], agent: str) -> None:
        pass


NO_FLOOR = NoFloor()  # a service without the team leads' floor (tests of other parts)


class LiveViews:
    def __init__(self, board: QueueBoard, people: People, hub: EventHub, config: DeskConfig, clock: Clock,
                 pauses: PauseBook, floor: FloorMarks = NO_FLOOR, wrapup_watch: WrapUpWatch = NO_FLOOR) -> None:
        self._board = board
        self._people = people
        self._hub = hub
        self._config = config
        self._clock = clock
        self._pauses = pauses
        self._stats: dict[str, DayStats] = {}
        self._activity: dict[str, tuple[str, str, float]] = {}
        self._floor = floor
        self._wrapup_watch = wrapup_watch

    def set_stats(self, queue: str, stats: DayStats) -> None:
        self._stats[queue] = stats

    def stats_of(self, queue: str) -> DayStats | None:
        """The queue's figures of today (None before the first count)."""
        return self._stats.get(queue)

    def queue_title(self, queue: str) -> str:
        return self._config.queue_titles.get(queue, queue.capitalize())

    def queue_summary(self, name: str) -> QueueSummary:
        extension = self._config.queue_extensions.get(name, "")
        return queue_summary(self._board.queues[name], self.queue_title(name), extension, self._stats.get(name),
                             self._people.names())

    def queue_json(self, name: str) -> dict[str, Any]:
        return dump_queue(self.queue_summary(name))

    def agent_state(self, person: Person) -> AgentState:
        members = self._board.memberships_of(person.agent)
        paused_members = [m for m in members.values() if m.paused]
        activity = combined_activity([m.activity for m in members.values()], bool(paused_members))
        reason = paused_members[0].reason if paused_members else ""
        since = self._since(person.agent, activity, reason, self._pauses.get(person.agent))
        phone = self._board.phone_of(person.agent) or person.agent
        queues = {name: name in members for name in sorted(self._board.queues)}
        return agent_state(person, phone, queues, activity, reason, since)

    def agent_json(self, person: Person) -> dict[str, Any]:
        return dump_agent_state(self.agent_state(person))

    def _since(self, agent: str, activity: str, reason: str, pause: PauseState | None) -> float:
        if activity == "paused" and pause is not None and pause.paused and pause.reason == reason:
            return pause.since
        last = self._activity.get(agent)
        if last is not None and last[:2] == (activity, reason):
            return last[2]
        self._activity[agent] = (activity, reason, self._clock())
        return self._activity[agent][2]

    # -- pushing -----------------------------------------------------------------
    def publish_queue(self, name: str, happened: float | None = None) -> None:
        """Push a queue's summary; `updated_at` is when Asterisk saw the change
        (lets desktops and the fan-out benchmark see delivery latency)."""
        self._floor.touch_queue(name, happened or 0.0)
        if name in self._board.queues:
            data = self.queue_json(name)
            data["updated_at"] = happened if happened is not None else self._clock()
            self._hub.publish(events.QUEUE, data)

    def publish_agent(self, agent: str) -> None:
        self._floor.touch_agent(agent)
        person = self._people.get(agent)
        if person is not None:
            self._hub.publish(events.AGENT, self.agent_json(person), agent=agent)

    def publish_wrapup(self, view: dict[str, Any], agent: str) -> None:
        """A wrap-up's view to its agent's desktops and to the team leads'."""
        self._wrapup_watch.wrapup_changed(view, agent)
        self._floor.touch_agent(agent)
        for person in self._people.all():
            if person.agent == agent or person.role == TEAMLEAD:
                self._hub.publish(events.WRAPUP, view, agent=person.agent)
