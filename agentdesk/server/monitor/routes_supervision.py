"""Team leads' supervision routes (team leads only: an agent's token gets
403 with a sentence). Each answers with the session (contract/monitor.py
Supervision); the lead's phone rings with X-AgentDesk-Supervise: <session>.

  POST   /api/v1/monitor/supervisions            {"agent", "mode"}  201: a ringing session
  PUT    /api/v1/monitor/supervisions/{session}  {"mode"}           the live session in its new mode
  DELETE /api/v1/monitor/supervisions/{session}                     the ended session
  GET    /api/v1/monitor/supervisions                               the lead's ringing and live sessions
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from agentdesk.contract.ids import is_extension
from agentdesk.contract.leads import MODES, dump_supervision

from ..queues.agents import CommandError
from ..routing import SERVICE, read_json, team_lead

LEADS_ONLY = "only team leads can listen to agents' calls"
SESSION_LIMIT = 64


def add_supervision_routes(app: web.Application) -> None:
    app.add_routes([
        web.post("/api/v1/monitor/supervisions", start),
        web.get("/api/v1/monitor/supervisions", own_sessions),
        web.put("/api/v1/monitor/supervisions/{session}", switch),
        web.delete("/api/v1/monitor/supervisions/{session}", leave),
    ])


async def start(request: web.Request) -> web.Response:
    session = await team_lead(request, LEADS_ONLY)
    data = await read_json(request)
    agent = data.get("agent")
    if not isinstance(agent, str) or not is_extension(agent):
        raise CommandError(400, "'agent' must be an agent's extension, like \"1001\"")
    supervision = await request.app[SERVICE].supervisions.start(session.person.agent, agent, mode_of(data))
    return web.json_response(dump_supervision(supervision), status=201)


async def switch(request: web.Request) -> web.Response:
    session = await team_lead(request, LEADS_ONLY)
    mode = mode_of(await read_json(request))
    supervision = await request.app[SERVICE].supervisions.switch(session.person.agent, session_id(request), mode)
    return web.json_response(dump_supervision(supervision))


async def leave(request: web.Request) -> web.Response:
    session = await team_lead(request, LEADS_ONLY)
    supervision = await request.app[SERVICE].supervisions.leave(session.person.agent, session_id(request))
    return web.json_response(dump_supervision(supervision))


async def own_sessions(request: web.Request) -> web.Response:
    session = await team_lead(request, LEADS_ONLY)
    found = request.app[SERVICE].supervisions.sessions_of_lead(session.person.agent)
    return web.json_response([dump_supervision(s) for s in found])


def mode_of(data: dict[str, Any]) -> str:
    mode = data.get("mode")
    if not isinstance(mode, str) or mode not in MODES:
        raise CommandError(400, f"'mode' must be one of {', '.join(MODES)}")
    return mode


def session_id(request: web.Request) -> str:
    value = request.match_info["session"]
    if len(value) > SESSION_LIMIT:
        raise CommandError(404, "there is no such supervision of yours (it may have ended)")
    return value
