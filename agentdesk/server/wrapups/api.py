"""The wrap-up routes for desktops (the views are agentdesk/contract/wrapups.py).

  PUT  /api/v1/wrapups/{uniqueid}          the agent's record of a call (idempotent per call and agent)
        {"disposition", "notes"?, "first_contact_resolved"?, "follow_up"?: null | {"at", "topic"},
         "finish"?, "record_id"?} -> {"saved", "first", "callback_task", "wrapup": view | null}
         (+ "follow_up_error" when a follow-up was asked for but no task could be made)
  POST /api/v1/wrapups/{uniqueid}/finish   end the wrap-up early -> {"wrapup": view}; 409 while a
                                           required disposition is missing
  GET  /api/v1/agents/{agent}/calls?day=   the agent's queue calls of the day with their after-call
                                           work -> {"day", "agent", "calls": [views.py "agent call"]}

`uniqueid` is the caller channel's (AgentComplete's Uniqueid, the
screen-pop's call ID). An agent reads only their own calls; a team lead
any agent's.
"""

from __future__ import annotations

from aiohttp import web

from agentdesk.contract.ids import is_uniqueid
from agentdesk.contract.states import TEAMLEAD

from ..days import day_bounds
from ..queues.agents import CommandError
from ..routing import (
    SERVICE,
    day_param,
    read_json,
    session_of,
)
from .records import parse_record
from .views import agent_call_view


def add_wrapup_routes(app: web.Application) -> None:
    """Mount the wrap-up routes on the desk service's app."""
    app.add_routes([
        web.put("/api/v1/wrapups/{uniqueid}", record_put),
        web.post("/api/v1/wrapups/{uniqueid}/finish", finish_post),
        web.get("/api/v1/agents/{agent}/calls", agent_calls),
    ])


def call_id(request: web.Request) -> str:
    uniqueid = request.match_info["uniqueid"]
    if not is_uniqueid(uniqueid):
        raise CommandError(400, "that is not a call ID")
    return uniqueid


async def record_put(request: web.Request) -> web.Response:
    session = await session_of(request)
    uniqueid = call_id(request)
    record = parse_record(await read_json(request))
    service = request.app[SERVICE]
    return web.json_response(await service.wrapup_records.save(session.person.agent, uniqueid, record))


async def finish_post(request: web.Request) -> web.Response:
    session = await session_of(request)
    uniqueid = call_id(request)
    service = request.app[SERVICE]
    wrapup = await service.wrapups.finish(session.person.agent, uniqueid)
    if wrapup is None:
        raise CommandError(404, "you have no wrap-up of that call")
    return web.json_response({"wrapup": service.wrapups.view(wrapup)})


async def agent_calls(request: web.Request) -> web.Response:
    session = await session_of(request)
    agent = request.match_info["agent"]
    if agent != session.person.agent and session.person.role != TEAMLEAD:
        raise CommandError(403, "an agent can only see their own calls")
    service = request.app[SERVICE]
    if service.people.get(agent) is None:
        raise CommandError(404, f"there is no agent {agent[:20]!r}")
    day = day_param(request)
    start, end = day_bounds(day)
    found = await service.db(lambda s: s.wrapups.agent_calls(agent, start, end))
    return web.json_response({"day": day.isoformat(), "agent": agent, "calls": [agent_call_view(c) for c in found]})
