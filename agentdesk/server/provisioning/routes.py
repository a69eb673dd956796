"""The provisioning routes (agentdesk/contract/provisioning.py has the
paths, the answer's shape and what may be provisioned).

For desktops and browsers, no sign-in:
  GET  /enroll/ca.pem                   the PEM of the private authority the service's certificate
                                        chains to (what the link's #ca-sha256= names); 404 with a
                                        sentence when the certificate is publicly trusted
  GET  /enroll/{code}                   a page telling the person how to give the link to AgentDesk;
                                        it does not use the code up
  POST /enroll/{code}                   redeem: the desktop's whole configuration, SIP secret included
                                        -> {"version", "agent", "name", "sip": {"server", "transport",
                                        "user", "secret"}, "desk_url", "tls_ca_pem", "settings", "locked"};
                                        404 unknown code, 410 used (when, from where) or expired,
                                        429 after five unknown codes a minute from one address
Signed in:
  GET  /api/v1/provisioning             the caller's own configuration, as at enrollment but without
                                        the secret (re-read at start and on the "provisioning" event)
Team leads only (anyone else: 403):
  POST /api/v1/enrollments              {"agents": ["1001", ...], "hours"?: 24}, or text/csv with an
                                        "agent" column (?hours=24) -> {"enrollments": [{"agent",
                                        "name", "link", "expires_at" (epoch seconds)}]}, or as CSV with
                                        Accept: text/csv; a batch naming anyone who cannot be enrolled
                                        (unknown, a customer's phone, twice) is a 400 naming them, and
                                        nothing is made
  GET  /api/v1/enrollments              those of the last 30 days, newest first: who, by whom, when
                                        made, until when, used when and from where (never a code)
  GET/PUT /api/v1/provisioning/site     {"settings": {name: value}, "locked": [name, ...]}: the whole
                                        site's; PUT replaces them (400 with a sentence when a name, a
                                        kind or a transport cannot be given)
  GET/PUT /api/v1/provisioning/agents/{agent}   one agent's overrides, likewise; GET adds
                                        "effective": the site's and the agent's together
A change sends the "provisioning" event: a site change to every desktop,
an agent's change to that agent's.

The PBX-only listener (pbx/run enroll, with the PBX token):
  POST /pbx/v1/enrollments              {"agents", "hours"?, "created_by"?} -> as POST /api/v1/enrollments

Codes appear in no log: not in the service's (which names the route's
pattern), nor in an access log (there is none).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from aiohttp import web

from agentdesk.contract.provisioning import (
    AGENT_SETTINGS_PATH,
    CODE,
    DEFAULT_ENROLLMENT_HOURS,
    ENROLL_CA_PATH,
    ENROLL_PATH,
    ENROLLMENT_VERSION,
    ENROLLMENTS_PATH,
    PROVISIONING_PATH,
    SITE_SETTINGS_PATH,
    enrollment_link,
)

from ..queues.agents import CommandError
from ..routing import SERVICE, optional_text, read_json, read_text, session_of, team_lead
from ..service import DeskService
from ..store import SITE, ScopeSettings
from .addresses import HOST_PORT
from .batch import BatchError, agents_from_csv, agents_from_list, enrollments_csv, people_of
from .enrollments import Issued
from .page import instructions_page, not_a_link_page
from .profiles import desktop_profile

LISTED_DAYS = 30
LEADS_ENROLL = "only team leads can make enrollments"
LEADS_SETTINGS = "only team leads can see or change the settings given to desktops"
SERVER_ADMINISTRATOR = "the server's administrator"
PRIVATE = {"Cache-Control": "no-store"}


def add_provisioning_routes(app: web.Application) -> None:
    app.add_routes([
        web.get(ENROLL_CA_PATH, authority_pem),  # before ENROLL_PATH, whose {code} would take "ca.pem"
        web.get(ENROLL_PATH, enrollment_page),
        web.post(ENROLL_PATH, redeem),
        web.get(PROVISIONING_PATH, own_profile),
        web.post(ENROLLMENTS_PATH, make_enrollments),
        web.get(ENROLLMENTS_PATH, list_enrollments),
        web.get(SITE_SETTINGS_PATH, site_settings),
        web.put(SITE_SETTINGS_PATH, change_site_settings),
        web.get(AGENT_SETTINGS_PATH, agent_settings),
        web.put(AGENT_SETTINGS_PATH, change_agent_settings),
    ])


def add_pbx_provisioning_routes(app: web.Application) -> None:
    app.add_routes([web.post("/pbx/v1/enrollments", make_enrollments_for_administrator)])


# -- the desktop's side ------------------------------------------------------------


async def authority_pem(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    authority = service.authority.read()
    if authority is None:
        if service.config.tls is None:
            raise CommandError(404, "this desk service serves plain HTTP on this machine only: there is no "
                                    "certificate authority to trust")
        raise CommandError(404, "this desk service's certificate is from a publicly trusted authority: "
                                "AgentDesk trusts it through the system's authorities")
    return web.Response(text=authority.pem, content_type="application/x-pem-file")


async def enrollment_page(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    if not CODE.fullmatch(code):
        return not_a_link_page()
    service = request.app[SERVICE]
    origin, _ = request_origin(request, service)
    authority = service.authority.read()
    desk_url = service.config.provisioning.desk_url_for(origin)
    return instructions_page(enrollment_link(desk_url, code, authority.sha256 if authority else None))


async def redeem(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    authority = service.authority.read()  # before the code is used up: a broken file leaves it usable
    _check_understood(await read_json(request) if request.can_read_body else {})
    person, secret = await service.enrollments.redeem(request.match_info["code"], request.remote or "")
    settings = await service.admin_settings.effective(person.agent)
    origin, host = request_origin(request, service)
    profile = desktop_profile(person, service.config.provisioning, authority, settings, origin, host, secret)
    return web.json_response(profile, headers=PRIVATE)


def _check_understood(data: dict[str, Any]) -> None:
    """A desktop says which set-up version it reads ({"version": n}); one too
    old for this service's answer is refused before the code is used up, so
    the same link works once AgentDesk is updated. No body: assume it reads ours."""
    understood = data.get("version", ENROLLMENT_VERSION)
    if not isinstance(understood, int) or isinstance(understood, bool):
        raise CommandError(400, "'version' must be the set-up version this AgentDesk reads (a whole number)")
    if understood < ENROLLMENT_VERSION:
        raise CommandError(400, f"this AgentDesk reads set-up version {understood}, the desk service gives "
                                f"version {ENROLLMENT_VERSION}: update AgentDesk, then open the same link again "
                                "(it was not used up)")


async def own_profile(request: web.Request) -> web.Response:
    session = await session_of(request)
    service = request.app[SERVICE]
    settings = await service.admin_settings.effective(session.person.agent)
    origin, host = request_origin(request, service)
    profile = desktop_profile(session.person, service.config.provisioning, service.authority.read(), settings,
                              origin, host)
    return web.json_response(profile)


# -- enrollments -------------------------------------------------------------------


async def make_enrollments(request: web.Request) -> web.Response:
    session = await team_lead(request, LEADS_ENROLL)
    service = request.app[SERVICE]
    if request.content_type == "text/csv":
        text = await read_text(request)
        hours = _hours(request.query.get("hours", DEFAULT_ENROLLMENT_HOURS))
        issued = await _issue(service, lambda: agents_from_csv(text), hours, session.person.agent)
    else:
        data = await read_json(request)
        hours = _hours(data.get("hours", DEFAULT_ENROLLMENT_HOURS))
        issued = await _issue(service, lambda: agents_from_list(data.get("agents")), hours, session.person.agent)
    rows = enrollment_rows(service, request_origin(request, service)[0], issued)
    if "text/csv" in request.headers.get("Accept", ""):
        return web.Response(text=enrollments_csv(rows), content_type="text/csv", headers=PRIVATE)
    return web.json_response({"enrollments": rows}, headers=PRIVATE)


async def make_enrollments_for_administrator(request: web.Request) -> web.Response:
    """pbx/run enroll's: the PBX token stands for the server's administrator."""
    service = request.app[SERVICE]
    data = await read_json(request)
    hours = _hours(data.get("hours", DEFAULT_ENROLLMENT_HOURS))
    created_by = optional_text(data, "created_by", 60) or SERVER_ADMINISTRATOR
    issued = await _issue(service, lambda: agents_from_list(data.get("agents")), hours, created_by)
    return web.json_response({"enrollments": enrollment_rows(service, listener_origin(service), issued)})


async def list_enrollments(request: web.Request) -> web.Response:
    await team_lead(request, LEADS_ENROLL)
    service = request.app[SERVICE]
    names = service.names()
    found = await service.enrollments.recent(LISTED_DAYS)
    return web.json_response({"enrollments": [
        {"agent": e.agent, "name": names.get(e.agent, ""), "created_by": e.created_by,
         "created_at": e.created_at, "expires_at": e.expires_at, "used_at": e.used_at,
         "used_from": e.used_from or None}
        for e in found]})


async def _issue(service: DeskService, agents: Callable[[], list[str]], hours: int, by: str) -> list[Issued]:
    try:
        batch = people_of(agents(), service.people)
    except BatchError as error:
        raise CommandError(400, str(error)) from None
    return await service.enrollments.issue(batch, hours, by)


def _hours(value: object) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CommandError(400, "'hours' must be a whole number of hours")
    return value


def enrollment_rows(service: DeskService, origin: str, issued: list[Issued]) -> list[dict[str, Any]]:
    authority = service.authority.read()
    desk_url = service.config.provisioning.desk_url_for(origin)
    return [{"agent": i.person.agent, "name": i.person.name, "expires_at": i.expires_at,
             "link": enrollment_link(desk_url, i.code, authority.sha256 if authority else None)}
            for i in issued]


# -- settings ----------------------------------------------------------------------


async def site_settings(request: web.Request) -> web.Response:
    await team_lead(request, LEADS_SETTINGS)
    return web.json_response(settings_view(await request.app[SERVICE].admin_settings.of_scope(SITE)))


async def change_site_settings(request: web.Request) -> web.Response:
    session = await team_lead(request, LEADS_SETTINGS)
    data = await read_json(request)
    changed = await request.app[SERVICE].admin_settings.replace(SITE, data, session.person.agent)
    return web.json_response(settings_view(changed))


async def agent_settings(request: web.Request) -> web.Response:
    await team_lead(request, LEADS_SETTINGS)
    agent = _agent(request)
    settings = request.app[SERVICE].admin_settings
    own, effective = await settings.of_scope(agent), await settings.effective(agent)
    return web.json_response({"agent": agent, **settings_view(own), "effective": settings_view(effective)})


async def change_agent_settings(request: web.Request) -> web.Response:
    session = await team_lead(request, LEADS_SETTINGS)
    agent = _agent(request)
    data = await read_json(request)
    changed = await request.app[SERVICE].admin_settings.replace(agent, data, session.person.agent)
    return web.json_response({"agent": agent, **settings_view(changed)})


def _agent(request: web.Request) -> str:
    agent = request.match_info["agent"]
    if request.app[SERVICE].people.get(agent) is None:
        raise CommandError(404, f"the directory has no agent {agent[:20]!r}")
    return agent


def settings_view(value: ScopeSettings) -> dict[str, Any]:
    return {"settings": value.settings, "locked": sorted(value.locked)}


# -- where the request came ------------------------------------------------------------


def request_origin(request: web.Request, service: DeskService) -> tuple[str, str]:
    """(scheme://host[:port], host) the request was sent to; the listener's
    own when its Host header is not a plain host and port."""
    found = HOST_PORT.fullmatch(request.host)
    if found is None:
        return listener_origin(service), _host_of(service)
    return f"{request.scheme}://{request.host}", found.group(1)


def listener_origin(service: DeskService) -> str:
    config = service.config
    return f"{'https' if config.tls else 'http'}://{_host_of(service)}:{config.http_port}"


def _host_of(service: DeskService) -> str:
    host = service.config.http_host
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    return f"[{host}]" if ":" in host else host
