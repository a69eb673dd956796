"""What team leads do on the wire: supervision sessions (listen, whisper,
barge), the notice an agent gets when a lead acts on them, and the audit
log of both (the floor itself is monitor.py).

The desk service writes these with the dump_* functions (replies of the
supervision, control and audit routes; SUPERVISION and CONTROL events) and
desktops read them with the parse_* functions: strict about types, lenient
about extra fields. Times are the service's epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .queues import ModelError

# Supervision modes (each is also the dialplan extension that starts it) and session states.
LISTEN = "listen"  # the lead hears both; nobody hears the lead
WHISPER = "whisper"  # the lead hears both; only the agent hears the lead
BARGE = "barge"  # everyone hears everyone
MODES = (LISTEN, WHISPER, BARGE)
SESSION_RINGING = "ringing"  # the lead's phone is being rung
SESSION_LIVE = "live"
SESSION_ENDED = "ended"
SESSION_FAILED = "failed"  # the lead did not answer, or the call ended first


@dataclass(frozen=True)
class Supervision:
    session: str
    lead: str
    lead_name: str
    agent: str
    agent_name: str
    call: str  # the agent leg's uniqueid
    mode: str  # MODES
    state: str  # SESSION_*
    started_at: float
    ended_at: float | None = None


@dataclass(frozen=True)
class ControlNotice:
    """Sent to the agent a team lead acted on: who did what, and why."""

    by: str
    by_name: str
    action: str  # an audit action (AUDIT_*)
    detail: str  # plain text: "Meeting", "sales", "penalty 2 in sales"
    note: str  # the lead's words ('' none)
    at: float


# Audit actions.
AUDIT_SUPERVISE_START = "supervise.start"
AUDIT_SUPERVISE_MODE = "supervise.mode"
AUDIT_SUPERVISE_END = "supervise.end"
AUDIT_SUPERVISE_FAILED = "supervise.failed"
AUDIT_PAUSE = "pause"
AUDIT_READY = "ready"
AUDIT_QUEUE_LOGIN = "queue.login"
AUDIT_QUEUE_LOGOUT = "queue.logout"
AUDIT_PENALTY = "penalty"
AUDIT_PAUSE_AFTER_SET = "pause_after_call.set"
AUDIT_PAUSE_AFTER_CANCEL = "pause_after_call.cancel"
AUDIT_PAUSE_AFTER_APPLIED = "pause_after_call.applied"
AUDIT_CALLER_MOVE = "caller.move"
AUDIT_CALLER_CALLBACK = "caller.callback"
AUDIT_VIP_ADD = "vip.add"
AUDIT_VIP_REMOVE = "vip.remove"
AUDIT_BLOCK_ADD = "block.add"
AUDIT_BLOCK_REMOVE = "block.remove"


@dataclass(frozen=True)
class AuditEntry:
    id: str
    at: float
    lead: str
    action: str
    agent: str = ""
    queue: str = ""
    call: str = ""
    session: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    result: str = "ok"  # "ok", or the sentence that says why it failed


# -- reading (the desktop) ------------------------------------------------------------------


def parse_supervision(data: dict[str, Any]) -> Supervision:
    try:
        return Supervision(
            session=str(data["session"]), lead=str(data["lead"]), lead_name=str(data.get("lead_name", "")),
            agent=str(data["agent"]), agent_name=str(data.get("agent_name", "")), call=str(data.get("call", "")),
            mode=str(data["mode"]), state=str(data["state"]), started_at=float(data["started_at"]),
            ended_at=None if data.get("ended_at") is None else float(data["ended_at"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"bad supervision: {error}") from error


def parse_notice(data: dict[str, Any]) -> ControlNotice:
    try:
        return ControlNotice(by=str(data["by"]), by_name=str(data.get("by_name", "")), action=str(data["action"]),
                             detail=str(data.get("detail", "")), note=str(data.get("note", "")), at=float(data["at"]))
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"bad notice: {error}") from error


def parse_audit_entry(data: dict[str, Any]) -> AuditEntry:
    try:
        detail = data.get("detail") or {}
        if not isinstance(detail, dict):
            raise TypeError("detail is not an object")
        return AuditEntry(id=str(data["id"]), at=float(data["at"]), lead=str(data["lead"]), action=str(data["action"]),
                          agent=str(data.get("agent", "")), queue=str(data.get("queue", "")),
                          call=str(data.get("call", "")), session=str(data.get("session", "")), detail=detail,
                          result=str(data.get("result", "ok")))
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"bad audit entry: {error}") from error


# -- writing (the desk service) ------------------------------------------------------------


def dump_supervision(s: Supervision) -> dict[str, Any]:
    return {"session": s.session, "lead": s.lead, "lead_name": s.lead_name, "agent": s.agent,
            "agent_name": s.agent_name, "call": s.call, "mode": s.mode, "state": s.state,
            "started_at": s.started_at, "ended_at": s.ended_at}


def dump_notice(n: ControlNotice) -> dict[str, Any]:
    return {"by": n.by, "by_name": n.by_name, "action": n.action, "detail": n.detail, "note": n.note, "at": n.at}


def dump_audit_entry(e: AuditEntry) -> dict[str, Any]:
    return {"id": e.id, "at": e.at, "lead": e.lead, "action": e.action, "agent": e.agent, "queue": e.queue,
            "call": e.call, "session": e.session, "detail": dict(e.detail), "result": e.result}
