"""The call-quality routes (the record: agentdesk/contract/quality.py).

  PUT /api/v1/agents/{agent}/call-quality/{call_id}   a call's quality, once it has ended
        -> {"saved": true, "new": bool, "quality": view}   (idempotent per agent and call)
  GET /api/v1/agents/{agent}/call-quality?day=YYYY-MM-DD   the agent's calls that began that day
        -> {"day", "agent", "calls": [view]}, oldest first
  GET /api/v1/agents/{agent}/call-quality/{call_id}   one call -> view

`call_id` is the SIP Call-ID of the agent's leg, percent-encoded in the
path; a view is the record plus "agent", "call_id" and "received_at".

The quality is what the desktop on the call measured, so only the agent's
own desktop sends it (a team lead's, too, only for the lead's own calls),
and a queue call it names must be one this service saw that agent take.
An agent reads their own calls' quality, a team lead anyone's.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from agentdesk.contract.quality import dump_call_quality, is_sip_call_id, parse_call_quality
from agentdesk.contract.queues import ModelError
from agentdesk.contract.states import TEAMLEAD

from .days import day_bounds
from .queues.agents import CommandError
from .routing import SERVICE, day_param, read_json, session_of
from .store.quality_sql import StoredQuality

log = logging.getLogger("agentdesk.server")


def add_quality_routes(app: web.Application) -> None:
    app.add_routes([
        web.put("/api/v1/agents/{agent}/call-quality/{call_id}", quality_put),
        web.get("/api/v1/agents/{agent}/call-quality", quality_of_day),
        web.get("/api/v1/agents/{agent}/call-quality/{call_id}", quality_get),
    ])


def quality_view(stored: StoredQuality) -> dict[str, Any]:
    return {"agent": stored.agent, "call_id": stored.call_id, "received_at": stored.received_at,
            **dump_call_quality(stored.quality)}


def call_id_of(request: web.Request) -> str:
    call_id = request.match_info["call_id"]
    if not is_sip_call_id(call_id):
        raise CommandError(400, "that is not a SIP Call-ID")
    return call_id


async def quality_put(request: web.Request) -> web.Response:
    session = await session_of(request)
    agent = request.match_info["agent"]
    if agent != session.person.agent:
        raise CommandError(403, "call quality comes from the desktop that took the call: "
                                "you can send it for your own calls only")
    call_id = call_id_of(request)
    try:
        quality = parse_call_quality(await read_json(request))
    except ModelError as error:
        raise CommandError(400, str(error)) from None
    service = request.app[SERVICE]
    if quality.queue_call:
        uniqueid = quality.queue_call
        agents = await service.db(lambda s: s.quality.agents_of_queue_call(uniqueid))
        if agents is None:
            raise CommandError(404, "the desk service knows no queue call with that ID")
        if agent not in agents:
            raise CommandError(403, "that queue call was not yours: you can send the quality of your own calls only")
    stored = StoredQuality(agent, call_id, service.clock(), quality)
    new = await service.db(lambda s: s.quality.save_quality(stored))
    log.info("%s: call quality %s, MOS %.2f (lowest %.2f)%s", agent, quality.level, quality.mos_avg,
             quality.mos_min, f" for queue call {quality.queue_call}" if quality.queue_call else "")
    return web.json_response({"saved": True, "new": new, "quality": quality_view(stored)})


async def reader_of(request: web.Request) -> str:
    """The agent whose calls are asked for, once the asker may read them."""
    session = await session_of(request)
    agent = request.match_info["agent"]
    if agent != session.person.agent and session.person.role != TEAMLEAD:
        raise CommandError(403, "an agent can read the quality of their own calls only; team leads read anyone's")
    if request.app[SERVICE].people.get(agent) is None:
        raise CommandError(404, f"there is no agent {agent[:20]!r}")
    return agent


async def quality_of_day(request: web.Request) -> web.Response:
    agent = await reader_of(request)
    day = day_param(request)
    start, end = day_bounds(day)
    found = await request.app[SERVICE].db(lambda s: s.quality.qualities_of_agent(agent, start, end))
    return web.json_response({"day": day.isoformat(), "agent": agent, "calls": [quality_view(q) for q in found]})


async def quality_get(request: web.Request) -> web.Response:
    agent = await reader_of(request)
    call_id = call_id_of(request)
    found = await request.app[SERVICE].db(lambda s: s.quality.quality_of(agent, call_id))
    if found is None:
        raise CommandError(404, "the desk service has no quality of that call")
    return web.json_response(quality_view(found))
