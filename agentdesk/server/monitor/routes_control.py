"""Team leads' control routes and the audit log's (team leads only: an
agent's token gets 403 with a sentence).

  PUT    /api/v1/agents/{agent}/queues/{queue}/penalty  {"penalty": 0..99, "note"?}
  PUT    /api/v1/agents/{agent}/pause-after-call        {"reason", "note"?}  (409: not on a call)
  DELETE /api/v1/agents/{agent}/pause-after-call
  POST   /api/v1/monitor/callers/{uniqueid}/move        {"queue"} -> {"position"}
  POST   /api/v1/monitor/callers/{uniqueid}/callback    to the callback menu, keeping their place
  GET    /api/v1/monitor/audit?day=YYYY-MM-DD&agent=&lead=&session=
                                   the day's audit entries, oldest first (contract/monitor.py)

Pausing, making ready and logging an agent in or out of a queue are the
routes every desktop uses (api.py), which audit a team lead's action on
someone else.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from agentdesk.contract.ids import is_uniqueid
from agentdesk.contract.leads import dump_audit_entry
from agentdesk.contract.states import MISSED_CALL_REASON, WRAPUP_REASON

from ..auth import Session
from ..days import day_bounds
from ..queues.agents import CommandError
from ..routing import SERVICE, day_param, optional_text, read_json, team_lead, text_field
from .control import MAX_PENALTY

LEADS_ONLY = "only team leads can do this"
AUDIT_LEADS_ONLY = "only team leads can read the audit log"
FILTER_LIMIT = 64
NOTE_LIMIT = 200


def add_control_routes(app: web.Application) -> None:
    app.add_routes([
        web.put("/api/v1/agents/{agent}/queues/{queue}/penalty", penalty),
        web.put("/api/v1/agents/{agent}/pause-after-call", pause_after_call),
        web.delete("/api/v1/agents/{agent}/pause-after-call", cancel_pause_after_call),
        web.post("/api/v1/monitor/callers/{uniqueid}/move", move_caller),
        web.post("/api/v1/monitor/callers/{uniqueid}/callback", caller_to_callback),
        web.get("/api/v1/monitor/audit", audit_entries),
    ])


async def lead_on_agent(request: web.Request) -> tuple[Session, str]:
    session = await team_lead(request, LEADS_ONLY)
    agent = request.match_info["agent"]
    if request.app[SERVICE].people.get(agent) is None:
        raise CommandError(404, f"there is no agent {agent[:20]!r}")
    return session, agent


async def penalty(request: web.Request) -> web.Response:
    session, agent = await lead_on_agent(request)
    queue = request.match_info["queue"]
    data = await read_json(request)
    value = data.get("penalty")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_PENALTY:
        raise CommandError(400, f"'penalty' must be a whole number from 0 to {MAX_PENALTY}")
    note = optional_text(data, "note", NOTE_LIMIT)
    service = request.app[SERVICE]
    if queue not in service.board.queues:
        raise CommandError(404, f"there is no queue named {queue[:40]!r}")
    await service.control.set_penalty(session.person.agent, agent, queue, value, note)
    return web.json_response({"agent": agent, "queue": queue, "penalty": value})


async def pause_after_call(request: web.Request) -> web.Response:
    session, agent = await lead_on_agent(request)
    data = await read_json(request)
    service = request.app[SERVICE]
    reason = text_field(data, "reason", 40)
    if reason not in service.config.pause_reasons or reason in (WRAPUP_REASON, MISSED_CALL_REASON):
        raise CommandError(400, f"{reason!r} is not a pause reason here: {', '.join(service.config.pause_reasons)}")
    note = optional_text(data, "note", NOTE_LIMIT)
    await service.control.pause_after_call(session.person.agent, agent, reason, note)
    return web.json_response({"agent": agent, "pause_after_call": reason})


async def cancel_pause_after_call(request: web.Request) -> web.Response:
    session, agent = await lead_on_agent(request)
    await request.app[SERVICE].control.cancel_pause_after_call(session.person.agent, agent)
    return web.json_response({"agent": agent, "pause_after_call": ""})


async def waiting_caller(request: web.Request) -> tuple[Session, str, dict[str, Any]]:
    session = await team_lead(request, LEADS_ONLY)
    uniqueid = request.match_info["uniqueid"]
    if not is_uniqueid(uniqueid):
        raise CommandError(400, "that is not a call ID")
    data = await read_json(request) if request.can_read_body else {}
    return session, uniqueid, data


async def move_caller(request: web.Request) -> web.Response:
    session, uniqueid, data = await waiting_caller(request)
    queue = text_field(data, "queue", 40)
    position = await request.app[SERVICE].control.move_caller(session.person.agent, uniqueid, queue)
    return web.json_response({"call": uniqueid, "queue": queue, "position": position})


async def caller_to_callback(request: web.Request) -> web.Response:
    session, uniqueid, _ = await waiting_caller(request)
    await request.app[SERVICE].control.to_callback(session.person.agent, uniqueid)
    return web.json_response({"call": uniqueid, "callback_menu": True})


async def audit_entries(request: web.Request) -> web.Response:
    await team_lead(request, AUDIT_LEADS_ONLY)
    start, end = day_bounds(day_param(request))
    found = await request.app[SERVICE].audit.query(start, end, agent=query_filter(request, "agent"),
                                                   lead=query_filter(request, "lead"),
                                                   session=query_filter(request, "session"))
    return web.json_response([dump_audit_entry(entry) for entry in found])


def query_filter(request: web.Request, name: str) -> str | None:
    value = request.query.get(name, "")
    if len(value) > FILTER_LIMIT:
        raise CommandError(400, f"{name!r} must be at most {FILTER_LIMIT} characters")
    return value or None
