"""The wrap-up JSON the desk service sends: the wrap-up view is the
contract's (agentdesk/contract/wrapups.py); an agent's calls of a day are
read over the REST API only:

agent call: {"uniqueid", "linkedid", "queue", "number", "name", "joined_at", "connected_at", "ended_at",
             "hold_seconds", "talk_seconds", "outcome", "disposition", "notes", "first_contact_resolved",
             "wrapup_seconds", "callback_task", "survey_score", "survey_resolved", "survey_status"}
"""

from __future__ import annotations

from typing import Any

from agentdesk.contract.states import WRAPUP_ACTIVE
from agentdesk.contract.wrapups import WrapUpView, dump_wrapup_view

from ..store.after_call_records import AfterCallWork, AgentCall, WrapUp
from .settings import WrapUpPolicy


def is_overtime(wrapup: WrapUp, policy: WrapUpPolicy, now: float) -> bool:
    """Past the limit and still active, as a required disposition is missing."""
    missing = policy.disposition_required and wrapup.saved_at is None
    return missing and wrapup.state == WRAPUP_ACTIVE and now >= wrapup.deadline_at


def wrapup_view(wrapup: WrapUp, policy: WrapUpPolicy, queue_title: str, name: str, now: float) -> dict[str, Any]:
    limit = max(0, round(wrapup.deadline_at - wrapup.started_at))
    return dump_wrapup_view(WrapUpView(
        agent=wrapup.agent, uniqueid=wrapup.uniqueid, linkedid=wrapup.linkedid, queue=wrapup.queue,
        queue_title=queue_title, number=wrapup.number, name=name, started_at=wrapup.started_at,
        deadline_at=wrapup.deadline_at, warning_at=wrapup.deadline_at - min(policy.warning_seconds, limit),
        limit_seconds=limit, then=policy.then, disposition_required=policy.disposition_required,
        dispositions=tuple(policy.dispositions), state=wrapup.state, end_reason=wrapup.end_reason,
        saved=wrapup.saved_at is not None, overtime=is_overtime(wrapup, policy, now), now=now,
    ))


def after_call_fields(work: AfterCallWork | None) -> dict[str, Any]:
    """The fields a customer history entry gains (screen-pop)."""
    work = work or AfterCallWork()
    return {"disposition": work.disposition, "notes": work.notes,
            "first_contact_resolved": work.first_contact_resolved, "survey_score": work.survey_score}


def agent_call_view(found: AgentCall) -> dict[str, Any]:
    call, work = found.call, found.work
    return {
        "uniqueid": call.uniqueid,
        "linkedid": call.linkedid,
        "queue": call.queue,
        "number": call.number,
        "name": call.name,
        "joined_at": call.joined_at,
        "connected_at": call.connected_at,
        "ended_at": call.ended_at,
        "hold_seconds": call.hold_seconds,
        "talk_seconds": call.talk_seconds,
        "outcome": call.outcome,
        **after_call_fields(work),
        "wrapup_seconds": work.wrapup_seconds,
        "callback_task": work.callback_task,
        "survey_resolved": work.survey_resolved,
        "survey_status": work.survey_status,
    }
