"""Pure pieces of the floor's rows: an agent's one floor state from what
the service knows of them, a live call's row, and a queue's figures of
today as the wallboard shows them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentdesk.contract.leads import SESSION_ENDED, SESSION_FAILED, Supervision
from agentdesk.contract.monitor import (
    FLOOR_LOGGED_OUT,
    FLOOR_ON_CALL,
    FLOOR_ON_HOLD,
    FLOOR_PAUSED,
    FLOOR_READY,
    FLOOR_RINGING,
    FLOOR_UNAVAILABLE,
    FLOOR_WRAP_UP,
    LiveCallRow,
)
from agentdesk.contract.states import WRAPUP_ACTIVE

from ..queues.board import Member
from ..store import DayStats, PauseState
from .livecalls import LiveCall

BUSY = frozenset({FLOOR_ON_CALL, FLOOR_ON_HOLD})


@dataclass(frozen=True)
class FloorState:
    state: str
    since: float | None  # None: the state itself does not say when it began
    reason: str = ""
    wrapup_deadline: float | None = None


def floor_state(members: list[Member], leg: LiveCall | None, wrapup: dict[str, Any] | None,
                pause: PauseState | None) -> FloorState:
    """The agent's one state: a call first, then the phone ringing, after-call
    work, logged out, paused, then what Asterisk says of the phone."""
    if leg is not None and (leg.answered or not leg.ringing):
        return FloorState(FLOOR_ON_HOLD, leg.hold_since) if leg.on_hold else FloorState(FLOOR_ON_CALL, leg.since)
    if leg is not None:
        return FloorState(FLOOR_RINGING, leg.since)
    if wrapup is not None and wrapup.get("state") == WRAPUP_ACTIVE:
        deadline = float(wrapup["deadline_at"]) if wrapup.get("limit_seconds") else None
        return FloorState(FLOOR_WRAP_UP, float(wrapup["started_at"]), wrapup_deadline=deadline)
    if not members:
        return FloorState(FLOOR_LOGGED_OUT, None)
    paused = [m for m in members if m.paused]
    if paused:
        reason = paused[0].reason
        known = pause.since if pause is not None and pause.paused and pause.reason == reason else None
        return FloorState(FLOOR_PAUSED, known, reason)
    activities = {m.activity for m in members}
    for activity, state in (("ringing", FLOOR_RINGING), ("on_call", FLOOR_ON_CALL), ("ready", FLOOR_READY)):
        if activity in activities:
            return FloorState(state, None)
    return FloorState(FLOOR_UNAVAILABLE, None)


def call_row(leg: LiveCall, agent_name: str, supervision: Supervision | None) -> LiveCallRow:
    watched = supervision is not None and supervision.call == leg.uniqueid \
        and supervision.state not in (SESSION_ENDED, SESSION_FAILED)
    return LiveCallRow(
        call=leg.uniqueid, linkedid=leg.linkedid, agent=leg.agent, agent_name=agent_name, channel=leg.channel,
        direction=leg.direction, queue=leg.queue, peer_number=leg.peer_number, peer_name=leg.peer_name,
        since=leg.since, on_hold=leg.on_hold, vip=leg.vip, callback=leg.callback, transferred=leg.transferred,
        supervised_by=supervision.lead if watched and supervision else "",
        supervision_mode=supervision.mode if watched and supervision else "",
    )


@dataclass(frozen=True)
class QueueFiguresNow:
    service_level: float | None
    service_level_abandons: float | None
    average_answer_seconds: float | None


def queue_figures(stats: DayStats | None) -> QueueFiguresNow:
    """Service level over answered calls (a caller who hangs up early does not
    count against the agents), the variant that counts abandons as misses
    (today's queue panel's figure), and the average speed of answer."""
    if stats is None:
        return QueueFiguresNow(None, None, None)
    reached = stats.answered + stats.abandoned
    return QueueFiguresNow(
        service_level=stats.answered_within_sl / stats.answered if stats.answered else None,
        service_level_abandons=stats.answered_within_sl / reached if reached else None,
        average_answer_seconds=stats.answered_hold_seconds / stats.answered if stats.answered else None,
    )


def expected_wait(waiting: int, handle_seconds: float | None, taking: int) -> float | None:
    """How long a new caller would wait: the callers ahead times the queue's
    recent average talk time, shared by the agents taking calls (logged in,
    not paused, phone registered). None: nobody takes calls, or no call yet."""
    if handle_seconds is None or taking == 0:
        return None
    return waiting * handle_seconds / taking
