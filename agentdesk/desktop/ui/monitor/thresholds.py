"""Whether a figure on the floor is fine, worth a look (amber) or needs
action (red), from the (amber, red) limits of monitor.ini that ride in
the floor snapshot. Pure: no Qt.

A limit of 0 turns that colour off. For most knobs a larger value is
worse (red at or above `red`); for those in LOWER_IS_WORSE (the service
level) a smaller one is (red below `red`).
"""

from __future__ import annotations

from agentdesk.contract.monitor import (
    FLOOR_ON_CALL,
    FLOOR_ON_HOLD,
    FLOOR_PAUSED,
    FLOOR_RINGING,
    FLOOR_UNAVAILABLE,
    FLOOR_WRAP_UP,
    LOWER_IS_WORSE,
    T_ON_CALL,
    T_ON_HOLD,
    T_PAUSED,
    T_RINGING,
    T_UNAVAILABLE,
    T_WRAPUP_OVER,
    AgentRow,
    Limit,
    QueueThresholds,
)

OK = "ok"
AMBER = "amber"
RED = "red"

# The knob that times each agent state (the others are never coloured).
STATE_KNOBS = {
    FLOOR_RINGING: T_RINGING,
    FLOOR_ON_CALL: T_ON_CALL,
    FLOOR_ON_HOLD: T_ON_HOLD,
    FLOOR_PAUSED: T_PAUSED,
    FLOOR_WRAP_UP: T_WRAPUP_OVER,
    FLOOR_UNAVAILABLE: T_UNAVAILABLE,
}


def level(knob: str, value: float | None, limit: Limit | None) -> str:
    """OK, AMBER or RED for `value` of `knob` against `limit` (None: not known, OK)."""
    if value is None or limit is None:
        return OK
    if knob in LOWER_IS_WORSE:
        if limit.red and value < limit.red:
            return RED
        if limit.amber and value < limit.amber:
            return AMBER
        return OK
    if limit.red and value >= limit.red:
        return RED
    if limit.amber and value >= limit.amber:
        return AMBER
    return OK


def for_queue(table: dict[str, QueueThresholds], queue: str) -> QueueThresholds | None:
    """A queue's thresholds, else the defaults ('')."""
    return table.get(queue) or table.get("")


def queue_level(table: dict[str, QueueThresholds], queue: str, knob: str, value: float | None) -> str:
    thresholds = for_queue(table, queue)
    return level(knob, value, None if thresholds is None else thresholds.limits.get(knob))


def agent_level(row: AgentRow, now: float, table: dict[str, QueueThresholds]) -> str:
    """How long the agent has been in their state, against the limits of
    their call's queue (else the defaults); a pause against its reason's own
    limit when it has one; a wrap-up by how far it ran past its deadline."""
    knob = STATE_KNOBS.get(row.state)
    thresholds = for_queue(table, row.call.queue if row.call is not None else "")
    if knob is None or thresholds is None:
        return OK
    limit = thresholds.limits.get(knob)
    if row.state == FLOOR_PAUSED and row.paused_reason in thresholds.pause_reasons:
        limit = thresholds.pause_reasons[row.paused_reason]
    if row.state == FLOOR_WRAP_UP:
        if row.wrapup_deadline is None or now < row.wrapup_deadline:
            return OK
        return level(knob, now - row.wrapup_deadline, limit)
    return level(knob, now - row.since, limit)
