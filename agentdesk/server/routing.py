"""What every route of the desk service's two applications uses: the key
to the service, the error middleware (a CommandError or a refused request
becomes {"error": "<a sentence>"}; anything else a 500 whose traceback
stays in the log), the body and field readers, and the session checks.

A leaf: the route modules import it, it imports none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from aiohttp import web

from agentdesk.contract.ids import DAY
from agentdesk.contract.states import TEAMLEAD

from .auth import Session
from .jsonbody import JsonBodyError, parse_object
from .queues.agents import CommandError
from .service import DeskService

log = logging.getLogger("agentdesk.server")

SERVICE: web.AppKey[DeskService] = web.AppKey("service", DeskService)
MAX_BODY = 16 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except CommandError as error:
        return web.json_response({"error": str(error)}, status=error.status)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return web.json_response({"error": error.reason}, status=error.status)
    except Exception:
        # The route's pattern, not the path: a path may carry a one-time code.
        log.exception("request %s %s failed", request.method, route_of(request))
        return web.json_response({"error": "the desk service failed; see its log"}, status=500)


def route_of(request: web.Request) -> str:
    """The route a request matched, e.g. /enroll/{code}, for logs."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "(no route)"


async def read_body(request: web.Request) -> bytes:
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise CommandError(413, f"the request body is too large (at most {MAX_BODY // 1024} KB)") from None


async def read_json(request: web.Request) -> dict[str, Any]:
    raw = await read_body(request)
    try:
        return parse_object(raw)
    except JsonBodyError as error:
        raise CommandError(400, str(error)) from None


async def read_text(request: web.Request) -> str:
    try:
        return (await read_body(request)).decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError(400, "the request body is not UTF-8 text") from None


def text_field(data: dict[str, Any], name: str, limit: int = 200) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise CommandError(400, f"{name!r} must be a non-empty text of at most {limit} characters")
    return value


def optional_text(data: dict[str, Any], name: str, limit: int) -> str:
    """A text that may be left out (or null): "" then."""
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise CommandError(400, f"{name!r} must be a text of at most {limit} characters")
    return value


def bool_field(data: dict[str, Any], name: str) -> bool:
    value = data.get(name)
    if not isinstance(value, bool):
        raise CommandError(400, f"{name!r} must be true or false")
    return value


async def session_of(request: web.Request) -> Session:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise CommandError(401, "sign in first (no bearer token)")
    return await request.app[SERVICE].sessions.verify(header[7:].strip())


async def acting_for(request: web.Request) -> tuple[Session, str]:
    """The session and the agent it acts on: itself, or anyone for a team lead."""
    session = await session_of(request)
    agent = request.match_info["agent"]
    if agent != session.person.agent and session.person.role != TEAMLEAD:
        raise CommandError(403, "an agent can only change their own state")
    if request.app[SERVICE].people.get(agent) is None:
        raise CommandError(404, f"there is no agent {agent!r}")
    return session, agent


def day_param(request: web.Request) -> date:
    text = request.query.get("day", "")
    if not text:
        return request.app[SERVICE].today()
    try:
        if DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        log.info("refusing day %r: no such date", text)
    raise CommandError(400, f"day {text[:20]!r} is not a date like 2025-01-31")


async def team_lead(request: web.Request, refusal: str) -> Session:
    """The session of a team lead; CommandError 403 with `refusal` for anyone else."""
    session = await session_of(request)
    if session.person.role != TEAMLEAD:
        raise CommandError(403, refusal)
    return session
