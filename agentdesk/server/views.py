"""The JSON the desk service sends (the wire format; parsed on the desktop
by agentdesk/contract/queues.py).

queue:  {"name", "title", "extension", "strategy",
         "callers": [{"uniqueid", "number", "name", "position", "joined_at", "vip",
                      "callback" (the task a callback placeholder holds the place of, else "")}],
         "members": [{"agent", "name", "activity", "paused_reason", "since"}],
         "today": {"offered", "answered", "abandoned", "service_level", "service_level_seconds"}}
agent:  {"agent", "name", "role", "phone", "queues": {queue: bool}, "activity",
         "paused_reason", "since"}
call:   {"uniqueid", "queue", "number", "name", "joined_at", "position", "vip",
         "agent", "outcome", "repeat", "history": [{"at", "agent", "agent_name", "queue", "outcome", "talk_seconds",
                      "disposition", "notes", "first_contact_resolved", "survey_score"}]}
transfer: {"id", "at", "kind", "agent", "agent_name", "phone", "call", "uniqueid", "queue", "target",
           "result"}
transfer_rates: {"day", "agents": [{"agent", "name", "answered", "transfers", "returned", "direct",
                 "transfer_rate"}], "queues": [{"queue", "answered", "transfers", "returned", "transfer_rate"}]}
Activities: logged_out, ready, ringing, on_call, paused, unavailable.
Transfer kinds: blind, attended, conference, voicemail; results: accepted,
failed, returned:<DIALSTATUS>. transfer_rate = transfers / answered (null
while nothing was answered).
"""

from __future__ import annotations

from typing import Any

from .people import Person
from .queues.board import QueueState
from .store import CallRecord, DayStats, TransferRecord
from .store.wrapup_api import AfterCallWork
from .transfers import TransferKpi, TransferRate
from .wrapups.views import after_call_fields

ACTIVITY_ORDER = ("ringing", "on_call", "ready", "unavailable")


def queue_view(queue: QueueState, title: str, extension: str, stats: DayStats | None,
               names: dict[str, str]) -> dict[str, Any]:
    return {
        "name": queue.name,
        "title": title,
        "extension": extension,
        "strategy": queue.strategy,
        "callers": [
            {
                "uniqueid": c.uniqueid,
                "number": c.number,
                "name": c.name,
                "position": c.position,
                "joined_at": c.joined_at,
                "vip": c.vip,
                "callback": c.callback_task,
            }
            for c in queue.ordered_callers()
        ],
        "members": [
            {
                "agent": m.agent,
                "name": names.get(m.agent, ""),
                "activity": m.activity,
                "paused_reason": m.reason if m.paused else "",
                "since": m.since,
            }
            for m in sorted(queue.members.values(), key=lambda m: m.agent)
        ],
        "today": stats_view(stats, queue.service_level_seconds),
    }


def stats_view(stats: DayStats | None, level_seconds: int) -> dict[str, Any]:
    if stats is None:
        return {"offered": 0, "answered": 0, "abandoned": 0, "service_level": None,
                "service_level_seconds": level_seconds}
    finished = stats.answered + stats.abandoned
    return {
        "offered": stats.offered,
        "answered": stats.answered,
        "abandoned": stats.abandoned,
        "service_level": round(stats.answered_within_sl / finished, 4) if finished else None,
        "service_level_seconds": level_seconds,
    }


def combined_activity(activities: list[str], paused: bool) -> str:
    """One activity for an agent who may be in several queues."""
    if not activities:
        return "logged_out"
    if paused or "paused" in activities:
        return "paused"
    for activity in ACTIVITY_ORDER:
        if activity in activities:
            return activity
    return "ready"


def agent_view(person: Person, phone: str, queues: dict[str, bool], activity: str, reason: str,
               since: float) -> dict[str, Any]:
    return {
        "agent": person.agent,
        "name": person.name,
        "role": person.role,
        "phone": phone,
        "queues": queues,
        "activity": activity,
        "paused_reason": reason if activity == "paused" else "",
        "since": since,
    }


def call_view(call: CallRecord, history: list[CallRecord], repeat: bool, names: dict[str, str],
              work: dict[str, AfterCallWork] | None = None) -> dict[str, Any]:
    """The screen-pop; `work` is the history calls' after-call work by record key."""
    work = work or {}
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
        "repeat": repeat,
        "history": [
            {
                "at": past.joined_at,
                "agent": past.agent,
                "agent_name": names.get(past.agent, ""),
                "queue": past.queue,
                "outcome": past.outcome,
                "talk_seconds": past.talk_seconds or 0,
                **after_call_fields(work.get(past.uniqueid)),
            }
            for past in history
        ],
    }


def transfer_view(transfer: TransferRecord, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": transfer.transfer_id,
        "at": transfer.at,
        "kind": transfer.kind,
        "agent": transfer.agent,
        "agent_name": names.get(transfer.agent, ""),
        "phone": transfer.phone,
        "call": transfer.call,
        "uniqueid": transfer.uniqueid,
        "queue": transfer.queue,
        "target": transfer.target,
        "result": transfer.result,
    }


def transfer_rates_view(day: str, kpi: TransferKpi, names: dict[str, str],
                        only_agent: str | None = None) -> dict[str, Any]:
    """The KPI; with `only_agent`, that agent's own row and no queues."""
    agents = [
        {"agent": agent, "name": names.get(agent, ""), **_rate(rate), "direct": rate.direct}
        for agent, rate in sorted(kpi.agents.items())
        if only_agent is None or agent == only_agent
    ]
    queues = [{"queue": queue, **_rate(rate)} for queue, rate in sorted(kpi.queues.items())]
    if only_agent is not None:
        queues = []
    return {"day": day, "agents": agents, "queues": queues}


def _rate(rate: TransferRate) -> dict[str, Any]:
    return {"answered": rate.answered, "transfers": rate.transfers, "returned": rate.returned,
            "transfer_rate": rate.rate}
