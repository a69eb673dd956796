"""The team leads' floor over HTTP.

  GET /api/v1/monitor/floor     the floor the lead sees (contract.monitor.FloorSnapshot)
  GET /api/v1/monitor/events    server-sent events: floor first, then floor_update
                                (coalesced), tick every 5 s; reconnect to get a new floor
  PUT /api/v1/agents/{agent}/live-quality  {"call_id", "level", "mos"?, "reason"?}
        the agent's own desktop on its call in progress -> {"saved": true}

The floor routes are a team lead's only (403 with a sentence for anyone
else); live quality comes from the agent's own desktop only.
"""

from __future__ import annotations

from aiohttp import web

from agentdesk.contract.monitor import dump_floor

from ..queues.agents import CommandError
from ..routing import SERVICE, read_json, session_of, team_lead

NOT_A_LEAD = "only a team lead may watch the floor"


def add_floor_routes(app: web.Application) -> None:
    app.add_routes([
        web.get("/api/v1/monitor/floor", floor),
        web.get("/api/v1/monitor/events", floor_events),
        web.put("/api/v1/agents/{agent}/live-quality", live_quality),
    ])
    app.on_shutdown.append(_end_floor_streams)


async def floor(request: web.Request) -> web.Response:
    session = await team_lead(request, NOT_A_LEAD)
    service = request.app[SERVICE]
    return web.json_response(dump_floor(service.floor.snapshot(service.floor.scope(session.person.agent))))


async def floor_events(request: web.Request) -> web.StreamResponse:
    session = await team_lead(request, NOT_A_LEAD)
    feed = request.app[SERVICE].floor_feed
    if feed.hub.closed:
        raise CommandError(503, "the desk service is shutting down")
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    subscriber = feed.subscribe(session.person.agent, session.person.role, session.token_hash)
    try:
        async for frame in feed.hub.frames(subscriber):
            await response.write(frame)
    except (ConnectionResetError, ConnectionError):
        pass
    finally:
        feed.unsubscribe(subscriber)
    return response


async def live_quality(request: web.Request) -> web.Response:
    session = await session_of(request)
    agent = request.match_info["agent"]
    if agent != session.person.agent:
        raise CommandError(403, "only the agent's own desktop reports the quality of their call")
    service = request.app[SERVICE]
    service.quality_now.report(agent, await read_json(request), service.clock())
    return web.json_response({"saved": True})


async def _end_floor_streams(app: web.Application) -> None:
    app[SERVICE].floor_feed.hub.close_all()  # leads reconnect to whoever comes next
