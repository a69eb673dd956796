"""The PBX-only HTTP application: the questions the dialplan asks the desk
service, served on a listener of their own bound to loopback
(desk-service.json "pbx_listener"), never on the one desktops and the
public callback form reach.

  GET  /pbx/v1/route?queue=&number=&call=      "<priority>,<phone>"
  GET  /pbx/v1/callbacks/check|request|dial|dialled   (callbacks/pbxroutes.py)
  POST /pbx/v1/surveys?call=                   (wrapups/survey_routes.py)

Every request carries the token in the X-PBX-Token header; one check
here (pbx_token_middleware, which apps.py puts before every route). A token anywhere else (the URL) is not read:
URLs end up in logs.
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from .queues.agents import CommandError
from .routing import SERVICE, Handler

log = logging.getLogger("agentdesk.server")

TOKEN_HEADER = "X-PBX-Token"


def add_pbx_routes(app: web.Application) -> None:
    app.add_routes([web.get("/pbx/v1/route", pbx_route)])


@web.middleware
async def pbx_token_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = request.headers.get(TOKEN_HEADER, "")
    expected = request.app[SERVICE].config.pbx_token
    if not token or not hmac.compare_digest(token.encode(), expected.encode()):
        log.warning("refused %s %s from the PBX listener: wrong or missing %s", request.method, request.path,
                    TOKEN_HEADER)
        raise CommandError(403, "wrong PBX token")
    return await handler(request)


async def pbx_route(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    queue, number = request.query.get("queue", ""), request.query.get("number", "")
    priority, phone = await service.call_queries.route(queue, number, request.query.get("call", "")[:64])
    return web.Response(text=f"{priority},{phone}", content_type="text/plain")
