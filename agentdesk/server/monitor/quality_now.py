"""The quality of the call an agent is on now, as their own desktop measures
it (PUT /api/v1/agents/{agent}/live-quality, sent when its level changes),
for the team leads' floor. A report belongs to the agent's call leg at the
time it came; once that leg has ended (or the agent is on another) it is
dropped, so a lead never sees an old call's quality on a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from agentdesk.contract.quality import LEVELS, MAX_REASON, MOS_RANGE, is_sip_call_id

from ..queues.agents import CommandError
from .changes import FloorChanges
from .livecalls import LiveCall


class AgentLegs(Protocol):
    def call_of(self, agent: str) -> LiveCall | None: ...


@dataclass(frozen=True)
class LiveQuality:
    call_id: str  # the SIP Call-ID of the agent's leg, as the desktop knows it
    leg: str  # the agent leg's uniqueid when the report came
    level: str  # contract.quality LEVELS
    mos: float | None
    reason: str
    at: float


class QualityNow:
    def __init__(self, legs: AgentLegs, changes: FloorChanges) -> None:
        self._legs = legs
        self._changes = changes
        self._reports: dict[str, LiveQuality] = {}

    def report(self, agent: str, data: dict[str, Any], at: float) -> LiveQuality:
        """Keep the agent's report (CommandError 400/409 for a bad one or no call)."""
        leg = self._legs.call_of(agent)
        if leg is None or not leg.answered:
            raise CommandError(409, "you are not on a call: live quality is for the call in progress")
        quality = LiveQuality(call_id=_call_id(data), leg=leg.uniqueid, level=_level(data), mos=_mos(data),
                              reason=_reason(data), at=at)
        self._reports[agent] = quality
        self._changes.touch_agent(agent)
        return quality

    def level_of(self, agent: str) -> str:
        """The level of the agent's call in progress ('' unknown)."""
        quality = self._reports.get(agent)
        if quality is None:
            return ""
        leg = self._legs.call_of(agent)
        if leg is None or leg.uniqueid != quality.leg:
            del self._reports[agent]  # that call is over
            return ""
        return quality.level


def _call_id(data: dict[str, Any]) -> str:
    value = data.get("call_id")
    if not isinstance(value, str) or not is_sip_call_id(value):
        raise CommandError(400, "'call_id' must be the call's SIP Call-ID")
    return value


def _level(data: dict[str, Any]) -> str:
    value = data.get("level")
    if value not in LEVELS:
        raise CommandError(400, f"'level' must be one of {', '.join(LEVELS)}")
    return str(value)


def _mos(data: dict[str, Any]) -> float | None:
    value = data.get("mos")
    if value is None:
        return None
    low, high = MOS_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise CommandError(400, f"'mos' must be a number from {low} to {high}")
    return float(value)


def _reason(data: dict[str, Any]) -> str:
    value = data.get("reason") or ""
    if not isinstance(value, str) or len(value) > MAX_REASON:
        raise CommandError(400, f"'reason' must be a text of at most {MAX_REASON} characters")
    return value
