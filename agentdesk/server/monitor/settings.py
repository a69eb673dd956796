"""The "monitor" section of desk-service.json (written by agentdesk/pbxtool
from pbx/monitor.ini, or by hand): the floor's colour thresholds, whether
an agent is told a team lead listens, and which team leads see a queue.

    "monitor": {
      "defaults": {"ringing_seconds": [15, 30], ..., "pause_reason_seconds": {"Lunch": [3600, 4200]},
                   "listen_notice": true, "team_leads": []},
      "queues": {"support": {"waiting_callers": [2, 4], "team_leads": ["1901"]}}}

Each threshold is an (amber, red) pair; 0 turns that colour off. A queue
takes the defaults for every knob it does not set. `team_leads` empty
means every team lead sees the queue. A bad value raises ValueError naming
the place and the knob ("monitor.queues.support.ringing_seconds: ...");
so do unknown knobs (a typo must not silently fall back to a default).
This is the one parser: pbx/monitor.ini only becomes this JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentdesk.contract.monitor import (
    LOWER_IS_WORSE,
    T_ABANDONED,
    T_CALLBACKS_DUE,
    T_LONGEST_WAIT,
    T_ON_CALL,
    T_ON_HOLD,
    T_PAUSED,
    T_RINGING,
    T_SERVICE_LEVEL,
    T_UNAVAILABLE,
    T_WAITING,
    T_WRAPUP_OVER,
    THRESHOLD_KNOBS,
    Limit,
    QueueThresholds,
)

PAUSE_REASONS = "pause_reason_seconds"
LISTEN_NOTICE = "listen_notice"
TEAM_LEADS = "team_leads"
MONITOR_KNOBS = frozenset(THRESHOLD_KNOBS) | {PAUSE_REASONS, LISTEN_NOTICE, TEAM_LEADS}
PERCENT_KNOBS = frozenset({T_SERVICE_LEVEL, T_ABANDONED})
MAX_VALUE = 7 * 86400

DEFAULT_LIMITS = {
    T_RINGING: Limit(15, 30),
    T_ON_CALL: Limit(600, 900),
    T_ON_HOLD: Limit(60, 180),
    T_PAUSED: Limit(900, 1800),
    T_WRAPUP_OVER: Limit(0, 60),
    T_UNAVAILABLE: Limit(0, 60),
    T_WAITING: Limit(3, 6),
    T_LONGEST_WAIT: Limit(60, 120),
    T_SERVICE_LEVEL: Limit(80, 70),
    T_ABANDONED: Limit(5, 10),
    T_CALLBACKS_DUE: Limit(5, 20),
}


@dataclass(frozen=True)
class QueueMonitorPolicy:
    thresholds: QueueThresholds
    listen_notice: bool = True  # an agent's desktop says when a team lead listens
    team_leads: frozenset[str] = frozenset()  # who sees the queue (empty: every team lead)


DEFAULT_POLICY = QueueMonitorPolicy(QueueThresholds(dict(DEFAULT_LIMITS)))


@dataclass(frozen=True)
class MonitorSettings:
    defaults: QueueMonitorPolicy = DEFAULT_POLICY
    queues: dict[str, QueueMonitorPolicy] = field(default_factory=dict)

    def policy(self, queue: str) -> QueueMonitorPolicy:
        return self.queues.get(queue) or self.defaults

    def thresholds(self, queue: str) -> QueueThresholds:
        return self.policy(queue).thresholds

    def listen_notice(self, queue: str) -> bool:
        """Is an agent on a call of `queue` told that a team lead listens?"""
        return self.policy(queue).listen_notice

    def may_see(self, lead: str, queue: str) -> bool:
        leads = self.policy(queue).team_leads
        return not leads or lead in leads


def parse_monitor_settings(data: Any) -> MonitorSettings:
    if not isinstance(data, dict):
        raise ValueError("monitor must be an object")
    unknown = sorted(set(data) - {"defaults", "queues"})
    if unknown:
        raise ValueError(f"monitor: unknown setting {unknown[0]!r}")
    defaults = _policy("monitor.defaults", data.get("defaults", {}), DEFAULT_POLICY)
    queues = data.get("queues", {})
    if not isinstance(queues, dict):
        raise ValueError("monitor.queues must be an object of queue: settings")
    return MonitorSettings(defaults, {str(q): _policy(f"monitor.queues.{q}", v, defaults) for q, v in queues.items()})


def _policy(where: str, data: Any, base: QueueMonitorPolicy) -> QueueMonitorPolicy:
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be an object")
    unknown = sorted(set(data) - MONITOR_KNOBS)
    if unknown:
        raise ValueError(f"{where}: unknown setting {unknown[0]!r}")
    limits = dict(base.thresholds.limits)
    limits.update({knob: _limit(f"{where}.{knob}", knob, data[knob]) for knob in THRESHOLD_KNOBS if knob in data})
    reasons = base.thresholds.pause_reasons
    if PAUSE_REASONS in data:
        reasons = _reasons(f"{where}.{PAUSE_REASONS}", data[PAUSE_REASONS])
    notice = base.listen_notice
    if LISTEN_NOTICE in data:
        if not isinstance(data[LISTEN_NOTICE], bool):
            raise ValueError(f"{where}.{LISTEN_NOTICE}: must be yes or no (true or false)")
        notice = data[LISTEN_NOTICE]
    leads = base.team_leads
    if TEAM_LEADS in data:
        leads = _leads(f"{where}.{TEAM_LEADS}", data[TEAM_LEADS])
    return QueueMonitorPolicy(QueueThresholds(limits, reasons), notice, leads)


def _limit(where: str, knob: str, value: Any) -> Limit:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"{where}: must be two numbers, amber and red")
    amber, red = (_number(where, item) for item in value)
    top = 100 if knob in PERCENT_KNOBS else MAX_VALUE
    if amber > top or red > top:
        raise ValueError(f"{where}: at most {top}")
    if amber and red and (amber < red if knob in LOWER_IS_WORSE else amber > red):
        order = "at least" if knob in LOWER_IS_WORSE else "at most"
        raise ValueError(f"{where}: amber ({amber:g}) must be {order} red ({red:g})")
    return Limit(amber, red)


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{where}: {value!r} is not a number of 0 or more")
    return float(value)


def _reasons(where: str, data: Any) -> dict[str, Limit]:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: must be an object of reason: [amber, red]")
    return {str(reason): _limit(f"{where}.{reason}", T_PAUSED, pair) for reason, pair in data.items()}


def _leads(where: str, data: Any) -> frozenset[str]:
    if not isinstance(data, list) or not all(isinstance(lead, str) and lead for lead in data):
        raise ValueError(f"{where}: must be a list of team leads' agent IDs")
    return frozenset(data)
