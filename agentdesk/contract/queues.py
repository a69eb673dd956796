"""The queues, agents and queue calls on the wire, as frozen plain data.

The desk service writes them with the dump_* functions and the desktop
reads them with the parse_* functions (HTTP replies and server-sent events;
the routes are listed in agentdesk/server/api.py). Parsing is strict about
types and lenient about extra fields, so a newer service does not break an
older desktop. Times are the service's epoch seconds; the desktop corrects
them by `clock_offset` (service time minus local time, measured from each
snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .states import AgentActivity


@dataclass(frozen=True)
class WaitingCaller:
    uniqueid: str
    number: str
    name: str
    position: int
    joined_at: float
    vip: bool
    callback_task: str = ""  # a callback task holding its place in line (not a live caller)


@dataclass(frozen=True)
class QueueMember:
    agent: str
    name: str
    activity: AgentActivity
    paused_reason: str
    since: float


@dataclass(frozen=True)
class DayStats:
    """A queue's figures today. offered/answered/abandoned and the service
    level count customers who called the queue (a returning caller rung
    straight to their last agent included); callbacks are counted apart:
    tasks of the queue first attempted today, and closed today as reached."""

    offered: int
    answered: int
    abandoned: int
    service_level: float | None  # share answered within service_level_seconds; None before any call
    service_level_seconds: int
    callbacks_attempted: int = 0  # 0 from a service that does not send it
    callbacks_reached: int = 0


@dataclass(frozen=True)
class QueueSummary:
    name: str
    title: str
    strategy: str
    callers: tuple[WaitingCaller, ...]
    members: tuple[QueueMember, ...]
    today: DayStats
    extension: str = ""  # the number that reaches the queue (a transfer target)

    def count(self, activity: AgentActivity) -> int:
        return sum(1 for member in self.members if member.activity is activity)

    @property
    def longest_wait_since(self) -> float | None:
        return min((caller.joined_at for caller in self.callers), default=None)


@dataclass(frozen=True)
class AgentState:
    agent: str
    name: str
    role: str  # "agent" or "teamlead"
    phone: str
    queues: dict[str, bool]  # queue name -> logged in
    activity: AgentActivity
    paused_reason: str
    since: float  # when the current activity began
    # The queues this person may join, as the directory says (a team lead: every
    # queue). None: the service did not say (an older one), so every queue is offered.
    joinable: tuple[str, ...] | None = None

    def may_join(self, queue: str) -> bool:
        return self.joinable is None or queue in self.joinable

    def may_toggle(self, queue: str) -> bool:
        """May the person log in to or out of `queue`? Leaving is always allowed."""
        return self.may_join(queue) or self.queues.get(queue, False)


@dataclass(frozen=True)
class PastCall:
    at: float
    agent: str
    agent_name: str
    queue: str
    outcome: str  # answered, abandoned, timeout, full, transferred, ...
    talk_seconds: int
    disposition: str = ""  # the agent's wrap-up code ('' none)
    notes: str = ""  # the agent's wrap-up notes (plain text)
    first_contact_resolved: bool | None = None
    survey_score: int | None = None  # the caller's 1-5 rating, None: none given


@dataclass(frozen=True)
class QueueCallInfo:
    """What the service knows about a queue call when it rings an agent (the screen-pop)."""

    uniqueid: str
    queue: str
    number: str
    name: str
    joined_at: float
    position: int  # position on entry
    vip: bool
    repeat: bool  # called before (within the repeat window)
    history: tuple[PastCall, ...] = field(default_factory=tuple)
    linkedid: str = ""  # the whole call's id (the caller's first channel)
    agent: str = ""  # who answered it ('' while it waits or rings)
    outcome: str = "waiting"  # states.CALL_*, or how it ended


@dataclass(frozen=True)
class DeskSnapshot:
    """Everything a desktop shows, sent first on every event stream and by GET /api/v1/snapshot."""

    server_time: float
    me: AgentState
    queues: tuple[QueueSummary, ...]
    pause_reasons: tuple[str, ...]
    pbx_connected: bool = True  # the desk service reaches Asterisk
    # This agent's active wrap-up view (wrapups.py), if any: kept as sent and
    # read with wrapups.parse_wrapup_view, so an unreadable one never costs the snapshot.
    wrapup: dict[str, Any] | None = None
    # The country whose national digits the PBX dials (the callback region):
    # how the desktop reads numbers without a + (numbers.py). '' unknown.
    number_region: str = ""


class ModelError(ValueError):
    """The service sent something that does not fit the model."""


def parse_snapshot(data: dict[str, Any]) -> DeskSnapshot:
    try:
        return DeskSnapshot(
            server_time=float(data["server_time"]),
            me=parse_agent_state(data["me"]),
            queues=tuple(parse_queue(queue) for queue in data["queues"]),
            pause_reasons=tuple(str(reason) for reason in data["pause_reasons"]),
            pbx_connected=bool(data.get("pbx_connected", True)),
            wrapup=data["wrapup"] if isinstance(data.get("wrapup"), dict) else None,
            number_region=str(data.get("number_region") or ""),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"bad snapshot: {error}") from error


def parse_agent_state(data: dict[str, Any]) -> AgentState:
    return AgentState(
        agent=str(data["agent"]),
        name=str(data["name"]),
        role=str(data["role"]),
        phone=str(data["phone"]),
        queues={str(name): bool(value) for name, value in data["queues"].items()},
        activity=AgentActivity(data["activity"]),
        paused_reason=str(data.get("paused_reason", "")),
        since=float(data["since"]),
        joinable=_queue_names(data.get("joinable")),
    )


def _queue_names(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise TypeError(f"a list of queue names was expected, not {type(value).__name__}")
    return tuple(str(name) for name in value)


def parse_queue(data: dict[str, Any]) -> QueueSummary:
    today = data["today"]
    level = today.get("service_level")
    return QueueSummary(
        name=str(data["name"]),
        title=str(data.get("title") or data["name"]),
        strategy=str(data.get("strategy", "")),
        extension=str(data.get("extension", "")),
        callers=tuple(
            WaitingCaller(
                uniqueid=str(c["uniqueid"]),
                number=str(c["number"]),
                name=str(c.get("name", "")),
                position=int(c["position"]),
                joined_at=float(c["joined_at"]),
                vip=bool(c.get("vip", False)),
                callback_task=str(c.get("callback") or ""),
            )
            for c in data["callers"]
        ),
        members=tuple(
            QueueMember(
                agent=str(m["agent"]),
                name=str(m.get("name", "")),
                activity=AgentActivity(m["activity"]),
                paused_reason=str(m.get("paused_reason", "")),
                since=float(m["since"]),
            )
            for m in data["members"]
        ),
        today=DayStats(
            offered=int(today["offered"]),
            answered=int(today["answered"]),
            abandoned=int(today["abandoned"]),
            service_level=None if level is None else float(level),
            service_level_seconds=int(today["service_level_seconds"]),
            callbacks_attempted=int(today.get("callbacks_attempted", 0)),
            callbacks_reached=int(today.get("callbacks_reached", 0)),
        ),
    )


def parse_call_info(data: dict[str, Any]) -> QueueCallInfo:
    try:
        return QueueCallInfo(
            uniqueid=str(data["uniqueid"]),
            queue=str(data["queue"]),
            number=str(data["number"]),
            name=str(data.get("name", "")),
            joined_at=float(data["joined_at"]),
            position=int(data["position"]),
            vip=bool(data.get("vip", False)),
            repeat=bool(data.get("repeat", False)),
            history=tuple(
                PastCall(
                    at=float(h["at"]),
                    agent=str(h.get("agent", "")),
                    agent_name=str(h.get("agent_name", "")),
                    queue=str(h.get("queue", "")),
                    outcome=str(h["outcome"]),
                    talk_seconds=int(h.get("talk_seconds", 0)),
                    disposition=str(h.get("disposition") or ""),
                    notes=str(h.get("notes") or ""),
                    first_contact_resolved=_maybe_bool(h.get("first_contact_resolved")),
                    survey_score=None if h.get("survey_score") is None else int(h["survey_score"]),
                )
                for h in data.get("history", [])
            ),
            linkedid=str(data.get("linkedid") or ""),
            agent=str(data.get("agent") or ""),
            outcome=str(data.get("outcome") or "waiting"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"bad call info: {error}") from error


def _maybe_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


# -- writing (the desk service) ------------------------------------------------------------


def dump_snapshot(snapshot: DeskSnapshot) -> dict[str, Any]:
    return {
        "server_time": snapshot.server_time,
        "pbx_connected": snapshot.pbx_connected,
        "me": dump_agent_state(snapshot.me),
        "queues": [dump_queue(queue) for queue in snapshot.queues],
        "pause_reasons": list(snapshot.pause_reasons),
        "wrapup": snapshot.wrapup,
        "number_region": snapshot.number_region,
    }


def dump_agent_state(agent: AgentState) -> dict[str, Any]:
    return {
        "agent": agent.agent,
        "name": agent.name,
        "role": agent.role,
        "phone": agent.phone,
        "queues": dict(agent.queues),
        "activity": agent.activity.value,
        "paused_reason": agent.paused_reason,
        "since": agent.since,
        "joinable": None if agent.joinable is None else list(agent.joinable),
    }


def dump_queue(queue: QueueSummary) -> dict[str, Any]:
    return {
        "name": queue.name,
        "title": queue.title,
        "extension": queue.extension,
        "strategy": queue.strategy,
        "callers": [
            {"uniqueid": c.uniqueid, "number": c.number, "name": c.name, "position": c.position,
             "joined_at": c.joined_at, "vip": c.vip, "callback": c.callback_task}
            for c in queue.callers
        ],
        "members": [
            {"agent": m.agent, "name": m.name, "activity": m.activity.value, "paused_reason": m.paused_reason,
             "since": m.since}
            for m in queue.members
        ],
        "today": {
            "offered": queue.today.offered,
            "answered": queue.today.answered,
            "abandoned": queue.today.abandoned,
            "service_level": queue.today.service_level,
            "service_level_seconds": queue.today.service_level_seconds,
            "callbacks_attempted": queue.today.callbacks_attempted,
            "callbacks_reached": queue.today.callbacks_reached,
        },
    }


def dump_call_info(call: QueueCallInfo) -> dict[str, Any]:
    return {
        "uniqueid": call.uniqueid,
        "linkedid": call.linkedid,
        "queue": call.queue,
        "number": call.number,
        "name": call.name,
        "joined_at": call.joined_at,
        "position": call.position,
        "vip": call.vip,
        "agent": call.agent,
        "outcome": call.outcome,
        "repeat": call.repeat,
        "history": [
            {"at": h.at, "agent": h.agent, "agent_name": h.agent_name, "queue": h.queue, "outcome": h.outcome,
             "talk_seconds": h.talk_seconds, "disposition": h.disposition, "notes": h.notes,
             "first_contact_resolved": h.first_contact_resolved, "survey_score": h.survey_score}
            for h in call.history
        ],
    }
