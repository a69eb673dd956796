"""Team lead monitor mode on the wire: the floor (agents, queues, live
calls) and its pushed updates. Supervision sessions, the notices an agent
gets when a team lead acts on them and the audit log are in leads.py.

The desk service writes these with the dump_* functions and the team
lead's desktop reads them with the parse_* functions (GET
/api/v1/monitor/floor and the stream GET /api/v1/monitor/events). As in queues.py, parsing is strict about
types and lenient about extra fields. Times are the service's epoch
seconds.

The floor's agent states are their own strings, not queues.AgentActivity:
they say more (on hold, in wrap-up) and an older agent desktop parses that
enum strictly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .queues import ModelError, WaitingCaller

# An agent's state on the floor.
FLOOR_READY = "ready"
FLOOR_RINGING = "ringing"
FLOOR_ON_CALL = "on_call"
FLOOR_ON_HOLD = "on_hold"
FLOOR_WRAP_UP = "wrap_up"
FLOOR_PAUSED = "paused"
FLOOR_LOGGED_OUT = "logged_out"
FLOOR_UNAVAILABLE = "unavailable"  # logged in, the phone is not registered
FLOOR_STATES = (FLOOR_READY, FLOOR_RINGING, FLOOR_ON_CALL, FLOOR_ON_HOLD, FLOOR_WRAP_UP, FLOOR_PAUSED,
                FLOOR_LOGGED_OUT, FLOOR_UNAVAILABLE)

# Call directions.
INBOUND = "inbound"
OUTBOUND = "outbound"

# Threshold knobs (monitor.ini): each an (amber, red) pair; 0 turns a colour off.
# Agent cells, in seconds in the state.
T_RINGING = "ringing_seconds"
T_ON_CALL = "on_call_seconds"
T_ON_HOLD = "on_hold_seconds"
T_PAUSED = "paused_seconds"
T_WRAPUP_OVER = "wrapup_over_seconds"  # past the wrap-up's own limit
T_UNAVAILABLE = "unavailable_seconds"
# Queue cells.
T_WAITING = "waiting_callers"
T_LONGEST_WAIT = "longest_wait_seconds"
T_SERVICE_LEVEL = "service_level_percent"  # the one knob where lower is worse
T_ABANDONED = "abandoned_percent"
T_CALLBACKS_DUE = "callbacks_due"
THRESHOLD_KNOBS = (T_RINGING, T_ON_CALL, T_ON_HOLD, T_PAUSED, T_WRAPUP_OVER, T_UNAVAILABLE, T_WAITING,
                   T_LONGEST_WAIT, T_SERVICE_LEVEL, T_ABANDONED, T_CALLBACKS_DUE)
LOWER_IS_WORSE = frozenset({T_SERVICE_LEVEL})


@dataclass(frozen=True)
class Limit:
    amber: float  # 0: no amber
    red: float  # 0: no red


@dataclass(frozen=True)
class QueueThresholds:
    limits: dict[str, Limit]  # knob -> limit, every knob present
    pause_reasons: dict[str, Limit] = field(default_factory=dict)  # a reason's own paused_seconds


@dataclass(frozen=True)
class LiveCallRow:
    call: str  # the agent leg's uniqueid: the row's key
    linkedid: str
    agent: str
    agent_name: str
    channel: str  # the agent's phone channel, PJSIP/<phone>-xxxxxxxx
    direction: str  # INBOUND or OUTBOUND
    queue: str  # '' not a queue call
    peer_number: str
    peer_name: str
    since: float  # answered (or dialled, while ringing out)
    on_hold: bool = False
    vip: bool = False
    callback: bool = False
    transferred: bool = False
    supervised_by: str = ""  # the lead supervising it ('' nobody)
    supervision_mode: str = ""  # LISTEN/WHISPER/BARGE while supervised


@dataclass(frozen=True)
class AgentRow:
    agent: str
    name: str
    phone: str
    queues: dict[str, bool]  # the agent's queues in the lead's scope -> logged in
    penalties: dict[str, int]  # queue -> penalty (skill level; lower is offered first)
    state: str  # FLOOR_*
    since: float  # when the state began
    paused_reason: str = ""
    wrapup_deadline: float | None = None  # a wrap-up's end (None: none, or no limit)
    pause_after_call: str = ""  # the reason a lead asked for after the current call ('' none)
    call: LiveCallRow | None = None
    answered_today: int = 0
    handle_seconds_today: float | None = None  # average handle time (talk + wrap-up); None before a call
    missed_today: int = 0
    quality: str = ""  # the current call's quality level as the agent's desktop reports it ('' unknown)


@dataclass(frozen=True)
class QueueBoardRow:
    name: str
    title: str
    callers: tuple[WaitingCaller, ...]
    expected_wait: float | None  # seconds a new caller would wait; None: unknown
    offered: int
    answered: int
    abandoned: int
    service_level: float | None  # answered within target / answered
    service_level_abandons: float | None  # answered within target / (answered + abandoned)
    service_level_seconds: int
    average_answer_seconds: float | None  # average speed of answer today
    ready: int
    on_call: int
    paused: int
    wrap_up: int
    logged_in: int
    callbacks_due: int

    @property
    def longest_wait_since(self) -> float | None:
        return min((caller.joined_at for caller in self.callers), default=None)


@dataclass(frozen=True)
class FloorSnapshot:
    """The whole floor a team lead may see: first on the monitor stream and GET /api/v1/monitor/floor."""

    server_time: float
    pbx_connected: bool
    agents: tuple[AgentRow, ...]
    queues: tuple[QueueBoardRow, ...]
    calls: tuple[LiveCallRow, ...]
    thresholds: dict[str, QueueThresholds]  # queue -> thresholds ('' the defaults)
    pause_reasons: tuple[str, ...]


@dataclass(frozen=True)
class FloorUpdate:
    """What changed: whole rows (not deltas) and the keys that left."""

    server_time: float
    happened: float  # the latest Asterisk event time behind it
    agents: tuple[AgentRow, ...] = ()
    queues: tuple[QueueBoardRow, ...] = ()
    calls: tuple[LiveCallRow, ...] = ()
    removed_agents: tuple[str, ...] = ()
    removed_queues: tuple[str, ...] = ()
    removed_calls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tick:
    """Sent every few seconds: a wallboard that hears none knows it is stale."""

    server_time: float
    pbx_connected: bool


# -- reading (the desktop) ------------------------------------------------------------------


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _limit(data: Any) -> Limit:
    amber, red = data
    return Limit(float(amber), float(red))


def parse_thresholds(data: dict[str, Any]) -> QueueThresholds:
    return QueueThresholds(
        limits={str(k): _limit(v) for k, v in data["limits"].items()},
        pause_reasons={str(k): _limit(v) for k, v in data.get("pause_reasons", {}).items()},
    )


def parse_call(data: dict[str, Any]) -> LiveCallRow:
    return LiveCallRow(
        call=str(data["call"]), linkedid=str(data.get("linkedid", "")), agent=str(data["agent"]),
        agent_name=str(data.get("agent_name", "")), channel=str(data.get("channel", "")),
        direction=str(data["direction"]), queue=str(data.get("queue", "")),
        peer_number=str(data.get("peer_number", "")), peer_name=str(data.get("peer_name", "")),
        since=float(data["since"]), on_hold=bool(data.get("on_hold", False)), vip=bool(data.get("vip", False)),
        callback=bool(data.get("callback", False)), transferred=bool(data.get("transferred", False)),
        supervised_by=str(data.get("supervised_by", "")), supervision_mode=str(data.get("supervision_mode", "")),
    )


def parse_agent_row(data: dict[str, Any]) -> AgentRow:
    call = data.get("call")
    return AgentRow(
        agent=str(data["agent"]), name=str(data.get("name", "")), phone=str(data.get("phone", "")),
        queues={str(k): bool(v) for k, v in data["queues"].items()},
        penalties={str(k): int(v) for k, v in data.get("penalties", {}).items()},
        state=str(data["state"]), since=float(data["since"]), paused_reason=str(data.get("paused_reason", "")),
        wrapup_deadline=_opt_float(data.get("wrapup_deadline")),
        pause_after_call=str(data.get("pause_after_call") or ""),
        call=parse_call(call) if isinstance(call, dict) else None,
        answered_today=int(data.get("answered_today", 0)),
        handle_seconds_today=_opt_float(data.get("handle_seconds_today")),
        missed_today=int(data.get("missed_today", 0)), quality=str(data.get("quality") or ""),
    )


def _caller(c: dict[str, Any]) -> WaitingCaller:
    return WaitingCaller(uniqueid=str(c["uniqueid"]), number=str(c["number"]), name=str(c.get("name", "")),
                         position=int(c["position"]), joined_at=float(c["joined_at"]), vip=bool(c.get("vip", False)),
                         callback_task=str(c.get("callback") or ""))


def parse_queue_row(data: dict[str, Any]) -> QueueBoardRow:
    return QueueBoardRow(
        name=str(data["name"]), title=str(data.get("title") or data["name"]),
        callers=tuple(_caller(c) for c in data["callers"]), expected_wait=_opt_float(data.get("expected_wait")),
        offered=int(data["offered"]), answered=int(data["answered"]), abandoned=int(data["abandoned"]),
        service_level=_opt_float(data.get("service_level")),
        service_level_abandons=_opt_float(data.get("service_level_abandons")),
        service_level_seconds=int(data["service_level_seconds"]),
        average_answer_seconds=_opt_float(data.get("average_answer_seconds")),
        ready=int(data["ready"]), on_call=int(data["on_call"]), paused=int(data["paused"]),
        wrap_up=int(data["wrap_up"]), logged_in=int(data["logged_in"]), callbacks_due=int(data["callbacks_due"]),
    )


def parse_floor(data: dict[str, Any]) -> FloorSnapshot:
    try:
        return FloorSnapshot(
            server_time=float(data["server_time"]), pbx_connected=bool(data["pbx_connected"]),
            agents=tuple(parse_agent_row(a) for a in data["agents"]),
            queues=tuple(parse_queue_row(q) for q in data["queues"]),
            calls=tuple(parse_call(c) for c in data["calls"]),
            thresholds={str(k): parse_thresholds(v) for k, v in data["thresholds"].items()},
            pause_reasons=tuple(str(r) for r in data.get("pause_reasons", ())),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"bad floor: {error}") from error


def parse_floor_update(data: dict[str, Any]) -> FloorUpdate:
    try:
        return FloorUpdate(
            server_time=float(data["server_time"]), happened=float(data.get("happened", data["server_time"])),
            agents=tuple(parse_agent_row(a) for a in data.get("agents", ())),
            queues=tuple(parse_queue_row(q) for q in data.get("queues", ())),
            calls=tuple(parse_call(c) for c in data.get("calls", ())),
            removed_agents=tuple(str(k) for k in data.get("removed_agents", ())),
            removed_queues=tuple(str(k) for k in data.get("removed_queues", ())),
            removed_calls=tuple(str(k) for k in data.get("removed_calls", ())),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"bad floor update: {error}") from error


def parse_tick(data: dict[str, Any]) -> Tick:
    try:
        return Tick(server_time=float(data["server_time"]), pbx_connected=bool(data["pbx_connected"]))
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"bad tick: {error}") from error


# -- writing (the desk service) ------------------------------------------------------------


def dump_thresholds(thresholds: QueueThresholds) -> dict[str, Any]:
    return {"limits": {k: [v.amber, v.red] for k, v in thresholds.limits.items()},
            "pause_reasons": {k: [v.amber, v.red] for k, v in thresholds.pause_reasons.items()}}


def dump_call(row: LiveCallRow) -> dict[str, Any]:
    return {"call": row.call, "linkedid": row.linkedid, "agent": row.agent, "agent_name": row.agent_name,
            "channel": row.channel, "direction": row.direction, "queue": row.queue, "peer_number": row.peer_number,
            "peer_name": row.peer_name, "since": row.since, "on_hold": row.on_hold, "vip": row.vip,
            "callback": row.callback, "transferred": row.transferred, "supervised_by": row.supervised_by,
            "supervision_mode": row.supervision_mode}


def dump_agent_row(row: AgentRow) -> dict[str, Any]:
    return {"agent": row.agent, "name": row.name, "phone": row.phone, "queues": dict(row.queues),
            "penalties": dict(row.penalties), "state": row.state, "since": row.since,
            "paused_reason": row.paused_reason, "wrapup_deadline": row.wrapup_deadline,
            "pause_after_call": row.pause_after_call, "call": None if row.call is None else dump_call(row.call),
            "answered_today": row.answered_today, "handle_seconds_today": row.handle_seconds_today,
            "missed_today": row.missed_today, "quality": row.quality}


def dump_queue_row(row: QueueBoardRow) -> dict[str, Any]:
    return {
        "name": row.name, "title": row.title,
        "callers": [{"uniqueid": c.uniqueid, "number": c.number, "name": c.name, "position": c.position,
                     "joined_at": c.joined_at, "vip": c.vip, "callback": c.callback_task} for c in row.callers],
        "expected_wait": row.expected_wait, "offered": row.offered, "answered": row.answered,
        "abandoned": row.abandoned, "service_level": row.service_level,
        "service_level_abandons": row.service_level_abandons, "service_level_seconds": row.service_level_seconds,
        "average_answer_seconds": row.average_answer_seconds, "ready": row.ready, "on_call": row.on_call,
        "paused": row.paused, "wrap_up": row.wrap_up, "logged_in": row.logged_in, "callbacks_due": row.callbacks_due,
    }


def dump_floor(floor: FloorSnapshot) -> dict[str, Any]:
    return {"server_time": floor.server_time, "pbx_connected": floor.pbx_connected,
            "agents": [dump_agent_row(a) for a in floor.agents], "queues": [dump_queue_row(q) for q in floor.queues],
            "calls": [dump_call(c) for c in floor.calls],
            "thresholds": {k: dump_thresholds(v) for k, v in floor.thresholds.items()},
            "pause_reasons": list(floor.pause_reasons)}


def dump_floor_update(update: FloorUpdate) -> dict[str, Any]:
    return {"server_time": update.server_time, "happened": update.happened,
            "agents": [dump_agent_row(a) for a in update.agents], "queues": [dump_queue_row(q) for q in update.queues],
            "calls": [dump_call(c) for c in update.calls], "removed_agents": list(update.removed_agents),
            "removed_queues": list(update.removed_queues), "removed_calls": list(update.removed_calls)}


def dump_tick(tick: Tick) -> dict[str, Any]:
    return {"server_time": tick.server_time, "pbx_connected": tick.pbx_connected}
