"""The team leads' floor as rows: one AgentRow per agent, one QueueBoardRow
per queue, one LiveCallRow per agent call leg, built from the queue board
(Asterisk's picture), the live calls, the pauses, the wrap-ups, the agents'
day counters, the queues' figures of today, and the callbacks due now.

A lead's scope is the queues monitor.ini lets them see; the agents in it
are those who may join, or are logged in to, one of those queues. Parts
other helpers build (supervision, a lead's "pause after this call") come in
through small protocols, each with a default that knows nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from agentdesk.contract.leads import Supervision
from agentdesk.contract.monitor import (
    FLOOR_LOGGED_OUT,
    FLOOR_PAUSED,
    FLOOR_READY,
    FLOOR_UNAVAILABLE,
    FLOOR_WRAP_UP,
    AgentRow,
    FloorSnapshot,
    FloorUpdate,
    LiveCallRow,
    QueueBoardRow,
)
from agentdesk.contract.queues import WaitingCaller
from agentdesk.contract.states import AGENT, CUSTOMER
from agentdesk.server.directory import Person

from ..queues.board import QueueBoard
from ..queues.pauses import PauseBook
from ..runtime import Clock, StoreAccess
from ..store import DayStats
from .changes import Dirty, FloorChanges
from .counters import AgentDayCounters
from .floor_rows import BUSY, FloorState, call_row, expected_wait, floor_state, queue_figures
from .livecalls import LiveCalls
from .quality_now import QualityNow
from .settings import MonitorSettings

log = logging.getLogger("agentdesk.server.monitor")

Scope = frozenset[str]  # the queues a lead sees


class Directory(Protocol):
    def get(self, agent: str) -> Person | None: ...

    def all(self) -> list[Person]: ...


class QueueViews(Protocol):
    def queue_title(self, queue: str) -> str: ...

    def stats_of(self, queue: str) -> DayStats | None: ...


class WrapUps(Protocol):
    def view_of(self, agent: str) -> dict[str, Any] | None: ...


class HandleAverages(Protocol):
    def average(self, queue: str) -> float | None: ...


class SupervisionOf(Protocol):
    def session_of_agent(self, agent: str) -> Supervision | None: ...


class PendingPauses(Protocol):
    def pending_reason(self, agent: str) -> str: ...


class PbxLink(Protocol):
    @property
    def connected(self) -> bool: ...


class NoSupervision:
    def session_of_agent(self, agent: str) -> Supervision | None:
        return None


class NoPendingPauses:
    def pending_reason(self, agent: str) -> str:
        return ""


NO_SUPERVISION = NoSupervision()
NO_PENDING_PAUSES = NoPendingPauses()


@dataclass(frozen=True)
class FloorSources:
    """What the floor is built from (each a part of the service)."""

    board: QueueBoard
    people: Directory
    calls: LiveCalls
    pauses: PauseBook
    wrapups: WrapUps
    counters: AgentDayCounters
    queues: QueueViews
    handle_times: HandleAverages
    quality: QualityNow
    pbx: PbxLink
    supervision: SupervisionOf = NO_SUPERVISION
    pending: PendingPauses = NO_PENDING_PAUSES


class FloorViews:
    def __init__(self, sources: FloorSources, settings: MonitorSettings, pause_reasons: tuple[str, ...],
                 db: StoreAccess, clock: Clock, changes: FloorChanges) -> None:
        self._s = sources
        self._settings = settings
        self._pause_reasons = pause_reasons
        self._db = db
        self._clock = clock
        self._changes = changes
        self._since: dict[str, tuple[str, str, float]] = {}  # agent -> (state, reason, since) last sent
        self._due: dict[str, int] = {}  # queue -> callback tasks due now

    # -- scope ---------------------------------------------------------------
    def scope(self, lead: str) -> Scope:
        return frozenset(q for q in self._s.board.queues if self._settings.may_see(lead, q))

    def agents_in(self, scope: Scope) -> list[Person]:
        return [p for p in self._s.people.all() if self._in_scope(p, scope)]

    def _in_scope(self, person: Person, scope: Scope) -> bool:
        """An agent who may join a scoped queue; anyone (a lead too) logged in to one."""
        if person.role == CUSTOMER:
            return False
        members = self._s.board.memberships_of(person.agent)
        return any(q in members or (person.role == AGENT and person.may_join(q)) for q in scope)

    # -- rows ----------------------------------------------------------------
    def state_of(self, agent: str) -> FloorState:
        board = self._s.board
        return floor_state(list(board.memberships_of(agent).values()), self._s.calls.call_of(agent),
                           self._s.wrapups.view_of(agent), self._s.pauses.get(agent))

    def agent_row(self, person: Person, scope: Scope) -> AgentRow:
        agent = person.agent
        members = self._s.board.memberships_of(agent)
        found = self.state_of(agent)
        leg = self._s.calls.call_of(agent)
        return AgentRow(
            agent=agent, name=person.name, phone=self._s.board.phone_of(agent) or agent,
            queues={q: q in members for q in sorted(scope) if q in members or person.may_join(q)},
            penalties={q: int(getattr(m, "penalty", 0)) for q, m in members.items() if q in scope},
            state=found.state, since=self._state_since(agent, found), paused_reason=found.reason,
            wrapup_deadline=found.wrapup_deadline, pause_after_call=self._s.pending.pending_reason(agent),
            call=self.call_row(leg.uniqueid) if leg is not None and not leg.ringing else None,
            answered_today=self._s.counters.of(agent).answered,
            handle_seconds_today=self._s.counters.of(agent).handle_seconds,
            missed_today=self._s.counters.of(agent).missed, quality=self._s.quality.level_of(agent),
        )

    def _state_since(self, agent: str, found: FloorState) -> float:
        last = self._since.get(agent)
        if found.since is not None:
            since = found.since
        elif last is not None and last[:2] == (found.state, found.reason):
            since = last[2]
        else:
            since = self._clock()
        self._since[agent] = (found.state, found.reason, since)
        return since

    def call_row(self, uniqueid: str) -> LiveCallRow | None:
        leg = self._s.calls.call(uniqueid)
        if leg is None or leg.ringing:
            return None
        person = self._s.people.get(leg.agent)
        return call_row(leg, person.name if person else "", self._s.supervision.session_of_agent(leg.agent))

    def queue_row(self, name: str, states: Callable[[str], str]) -> QueueBoardRow | None:
        queue = self._s.board.queues.get(name)
        if queue is None:
            return None
        counts = [states(agent) for agent in queue.members]
        stats = self._s.queues.stats_of(name)
        figures = queue_figures(stats)
        taking = sum(1 for member in queue.members.values() if member.activity not in ("paused", "unavailable"))
        return QueueBoardRow(
            name=name, title=self._s.queues.queue_title(name),
            callers=tuple(WaitingCaller(c.uniqueid, c.number, c.name, c.position, c.joined_at, c.vip, c.callback_task)
                          for c in queue.ordered_callers()),
            expected_wait=expected_wait(len(queue.callers), self._s.handle_times.average(name), taking),
            offered=stats.offered if stats else 0, answered=stats.answered if stats else 0,
            abandoned=stats.abandoned if stats else 0, service_level=figures.service_level,
            service_level_abandons=figures.service_level_abandons,
            service_level_seconds=queue.service_level_seconds,
            average_answer_seconds=figures.average_answer_seconds,
            ready=counts.count(FLOOR_READY), on_call=sum(1 for s in counts if s in BUSY),
            paused=counts.count(FLOOR_PAUSED), wrap_up=counts.count(FLOOR_WRAP_UP),
            logged_in=sum(1 for s in counts if s not in (FLOOR_LOGGED_OUT, FLOOR_UNAVAILABLE)),
            callbacks_due=self._due.get(name, 0),
        )

    def _states(self) -> Callable[[str], str]:
        """Agents' states, each worked out once for one build."""
        known: dict[str, str] = {}

        def state(agent: str) -> str:
            if agent not in known:
                known[agent] = self.state_of(agent).state
            return known[agent]
        return state

    # -- whole floor and updates ------------------------------------------------
    def snapshot(self, scope: Scope) -> FloorSnapshot:
        states = self._states()
        agents = self.agents_in(scope)
        names = {p.agent for p in agents}
        queues = [row for q in sorted(scope) if (row := self.queue_row(q, states)) is not None]
        calls = [call for leg in self._s.calls.calls() if leg.agent in names
                 and (call := self.call_row(leg.uniqueid)) is not None]
        thresholds = {"": self._settings.defaults.thresholds}
        thresholds.update({q: self._settings.thresholds(q) for q in sorted(scope)})
        return FloorSnapshot(server_time=self._clock(), pbx_connected=self._s.pbx.connected,
                             agents=tuple(self.agent_row(p, scope) for p in agents), queues=tuple(queues),
                             calls=tuple(calls), thresholds=thresholds, pause_reasons=self._pause_reasons)

    def update(self, dirty: Dirty, scope: Scope) -> FloorUpdate | None:
        """The rows of `scope` that `dirty` names (None: none of them)."""
        states = self._states()
        people = {p.agent: p for p in self.agents_in(scope)}
        agents = [self.agent_row(people[a], scope) for a in sorted(dirty.agents) if a in people]
        gone_agents = [a for a in sorted(dirty.agents) if a not in people and self._s.people.get(a) is None]
        # An agent's new state moves their queues' counts.
        touched = dirty.queues | {q for a in dirty.agents for q in self._s.board.memberships_of(a)}
        queues = [row for q in sorted(touched & scope) if (row := self.queue_row(q, states)) is not None]
        gone_queues = [q for q in sorted(dirty.queues) if q not in self._s.board.queues]
        calls, gone_calls = self._calls(dirty.calls, people)
        if not (agents or gone_agents or queues or gone_queues or calls or gone_calls):
            return None
        return FloorUpdate(server_time=self._clock(), happened=dirty.happened or self._clock(), agents=tuple(agents),
                           queues=tuple(queues), calls=tuple(calls), removed_agents=tuple(gone_agents),
                           removed_queues=tuple(gone_queues), removed_calls=tuple(gone_calls))

    def _calls(self, keys: Iterable[str], people: dict[str, Person]) -> tuple[list[LiveCallRow], list[str]]:
        rows, gone = [], []
        for key in sorted(keys):
            leg = self._s.calls.call(key)
            if leg is None:
                gone.append(key)  # ended: a lead who had it drops it
            elif not leg.ringing and leg.agent in people and (row := self.call_row(key)) is not None:
                rows.append(row)  # (a leg still ringing in is no call yet: neither sent nor removed)
        return rows, gone

    # -- callbacks due -----------------------------------------------------------------
    async def refresh_callbacks_due(self) -> None:
        """Count the callback tasks due now; queues whose count moved are marked."""
        now = self._clock()
        try:
            due = await self._db(lambda store: store.callbacks.due_counts(now))
        except Exception:
            log.exception("counting the callbacks due failed")
            return
        for queue in set(due) | set(self._due):
            if due.get(queue, 0) != self._due.get(queue, 0):
                self._changes.touch_queue(queue)
        self._due = due
