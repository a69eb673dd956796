"""The JSON the desk service sends. What desktops read (queues, agents, the
screen-pop) is built as the contract's views (agentdesk/contract/queues.py)
and written by its dump_* functions; the transfer views below are read
only over the REST API (reports):

transfer: {"id", "at", "kind", "agent", "agent_name", "phone", "call", "uniqueid", "queue", "target",
           "result"}
transfer_rates: {"day", "agents": [{"agent", "name", "answered", "transfers", "returned", "direct",
                 "transfer_rate"}], "queues": [{"queue", "answered", "transfers", "returned", "transfer_rate"}]}
Transfer kinds: blind, attended, conference, voicemail; results: accepted,
failed, returned:<DIALSTATUS>. transfer_rate = transfers / answered (null
while nothing was answered).
"""

from __future__ import annotations

from typing import Any

from agentdesk.contract import queues as wire
from agentdesk.contract.states import AgentActivity
from agentdesk.server.directory import Person

from .queues.board import QueueState
from .store import CallRecord, DayStats, TransferRecord
from .store.after_call_records import AfterCallWork
from .transfers import TransferKpi, TransferRate

ACTIVITY_ORDER = (AgentActivity.RINGING, AgentActivity.ON_CALL, AgentActivity.READY, AgentActivity.UNAVAILABLE)


def queue_summary(queue: QueueState, title: str, extension: str, stats: DayStats | None,
                  names: dict[str, str]) -> wire.QueueSummary:
    callers = tuple(
        wire.WaitingCaller(c.uniqueid, c.number, c.name, c.position, c.joined_at, c.vip, c.callback_task)
        for c in queue.ordered_callers()
    )
    members = tuple(
        wire.QueueMember(m.agent, names.get(m.agent, ""), AgentActivity(m.activity), m.reason if m.paused else "",
                         m.since)
        for m in sorted(queue.members.values(), key=lambda m: m.agent)
    )
    return wire.QueueSummary(queue.name, title, queue.strategy, callers, members,
                             today_figures(stats, queue.service_level_seconds), extension)


def today_figures(stats: DayStats | None, level_seconds: int) -> wire.DayStats:
    if stats is None:
        return wire.DayStats(0, 0, 0, None, level_seconds)
    finished = stats.answered + stats.abandoned
    level = round(stats.answered_within_sl / finished, 4) if finished else None
    return wire.DayStats(stats.offered, stats.answered, stats.abandoned, level, level_seconds,
                         stats.callbacks_attempted, stats.callbacks_reached)


def combined_activity(activities: list[str], paused: bool) -> str:
    """One activity for an agent who may be in several queues."""
    if not activities:
        return AgentActivity.LOGGED_OUT.value
    if paused or AgentActivity.PAUSED.value in activities:
        return AgentActivity.PAUSED.value
    for activity in ACTIVITY_ORDER:
        if activity.value in activities:
            return activity.value
    return AgentActivity.READY.value


def agent_state(person: Person, phone: str, queues: dict[str, bool], activity: str, reason: str,
                since: float) -> wire.AgentState:
    """`queues`: every queue of the PBX -> whether the person is logged in to it.
    The state also names the ones the directory lets them join, so their
    desktop offers only those."""
    joinable = tuple(name for name in queues if person.may_join(name))
    return wire.AgentState(person.agent, person.name, person.role, phone, queues, AgentActivity(activity),
                           reason if activity == AgentActivity.PAUSED.value else "", since, joinable)


def call_view(call: CallRecord, history: list[CallRecord], repeat: bool, names: dict[str, str],
              work: dict[str, AfterCallWork] | None = None) -> dict[str, Any]:
    """The screen-pop; `work` is the history calls' after-call work by record key."""
    work = work or {}
    past = tuple(past_call(entry, names, work.get(entry.uniqueid)) for entry in history)
    info = wire.QueueCallInfo(call.uniqueid, call.queue, call.number, call.name, call.joined_at, call.position,
                              call.vip, repeat, past, call.linkedid, call.agent, call.outcome)
    return wire.dump_call_info(info)


def past_call(call: CallRecord, names: dict[str, str], work: AfterCallWork | None) -> wire.PastCall:
    work = work or AfterCallWork()
    return wire.PastCall(call.joined_at, call.agent, names.get(call.agent, ""), call.queue, call.outcome,
                         call.talk_seconds or 0, work.disposition, work.notes, work.first_contact_resolved,
                         work.survey_score)


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
