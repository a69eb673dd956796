"""The desk service's HTTP API (aiohttp). JSON in, JSON out; errors are
{"error": "<a sentence a person can act on>"} with a 4xx/5xx status.

  GET  /api/v1/health                          no auth
  POST /api/v1/session/challenge {"agent"} -> {"nonce", "expires_in"}   no auth
  POST /api/v1/session        {"agent", "nonce", "proof"} -> {"token", "expires_at", "agent", "name", "role"}
                                               (proof: agentdesk/contract/signin.py; the secret never travels)
  DELETE /api/v1/session                       sign out (the token stops working)
  GET  /api/v1/snapshot                        everything a desktop shows (see views.py)
  GET  /api/v1/events                          server-sent events: snapshot, queue, agent, pbx
  PUT  /api/v1/agents/{agent}/queues/{queue}   {"logged_in": bool, "phone": "1001", "note"?}
  PUT  /api/v1/agents/{agent}/pause            {"paused": bool, "reason": "Lunch", "note"?}
                                               (a team lead acting on someone else: audited, and
                                               the agent gets a `control` event with the note)
  GET  /api/v1/calls/{uniqueid}                the screen-pop of a queue call
  GET/PUT/DELETE /api/v1/vips[/{number}]       the VIP list (team leads change it)
  GET  /api/v1/transfers?day=YYYY-MM-DD&agent= the day's transfers, oldest first (views.py "transfer")
  GET  /api/v1/stats/transfers?day=YYYY-MM-DD  the day's transfer rate by agent and queue
  GET  /api/v1/stats/missed-offers?day=YYYY-MM-DD&agent=  queue offers each agent did not answer:
                                               {"day", "agents": {agent: count}}
  ...and the callback routes: agentdesk/server/callbacks/api.py, web.py,
  the wrap-up and survey routes: agentdesk/server/wrapups/api.py, survey_routes.py,
  the call quality routes: quality.py,
  the provisioning routes (enrollment links, provisioned settings): provisioning/routes.py

The dialplan's questions (/pbx/v1/...) are not here: they have a listener
of their own on loopback (pbxapi.py), so this one never serves them.

An agent may act only on itself; a team lead may act on any agent. An
agent joins only the queues the directory lists for them (directory.py),
whoever asks; their state in the snapshot names those queues (`joinable`).
Likewise an agent reads only their own transfers, transfer rate and missed
offers, a team lead all (`day` is the service's local date, today when
left out). AMI is never exposed: each endpoint maps to a fixed,
validated set of actions.
"""

from __future__ import annotations

import logging
import re

from aiohttp import web

from agentdesk.contract.events import SNAPSHOT
from agentdesk.contract.ids import is_uniqueid
from agentdesk.contract.leads import (
    AUDIT_PAUSE,
    AUDIT_QUEUE_LOGIN,
    AUDIT_QUEUE_LOGOUT,
    AUDIT_READY,
    AUDIT_VIP_ADD,
    AUDIT_VIP_REMOVE,
)
from agentdesk.contract.signin import NONCE, PROOF
from agentdesk.contract.states import MISSED_CALL_REASON, TEAMLEAD, WRAPUP_REASON

from .auth import Session
from .queues.agents import CommandError
from .routing import SERVICE, acting_for, bool_field, day_param, optional_text, read_json, session_of, text_field
from .service import DeskService
from .views import transfer_rates_view, transfer_view
from .wrapups.sessions import SIGNED_OUT

log = logging.getLogger("agentdesk.server")

NUMBER = re.compile(r"\+?[0-9]{2,20}")
NOTE_LIMIT = 200  # a team lead's words to the agent they act on


def add_desk_routes(app: web.Application) -> None:
    app.add_routes(
        [
            web.get("/api/v1/health", health),
            web.post("/api/v1/session/challenge", sign_in_challenge),
            web.post("/api/v1/session", sign_in),
            web.delete("/api/v1/session", sign_out),
            web.get("/api/v1/snapshot", snapshot),
            web.get("/api/v1/events", events),
            web.put("/api/v1/agents/{agent}/queues/{queue}", queue_login),
            web.put("/api/v1/agents/{agent}/pause", pause),
            web.get("/api/v1/calls/{uniqueid}", call_info),
            web.get("/api/v1/vips", vip_list),
            web.put("/api/v1/vips/{number}", vip_add),
            web.delete("/api/v1/vips/{number}", vip_remove),
            web.get("/api/v1/transfers", transfer_list),
            web.get("/api/v1/stats/transfers", transfer_rates),
            web.get("/api/v1/stats/missed-offers", missed_offers),
        ]
    )


async def health(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    return web.json_response({"status": "ok", "pbx_connected": service.ami.connected,
                              "desktops": service.hub.count})


async def sign_in_challenge(request: web.Request) -> web.Response:
    data = await read_json(request)
    agent = text_field(data, "agent", 20)
    challenge = request.app[SERVICE].sessions.challenge(agent, request.remote or "")
    expires_in = max(0, round(challenge.expires_at - request.app[SERVICE].clock()))
    return web.json_response({"nonce": challenge.nonce, "expires_in": expires_in})


async def sign_in(request: web.Request) -> web.Response:
    data = await read_json(request)
    if "password" in data:
        # A desktop older than the challenge: say what changed rather than "nonce is missing".
        raise CommandError(400, "the desk service no longer takes a password: update AgentDesk, which "
                                "answers a sign-in challenge instead (POST /api/v1/session/challenge)")
    agent = text_field(data, "agent", 20)
    nonce = text_field(data, "nonce", 64)
    if not NONCE.fullmatch(nonce):
        raise CommandError(400, "'nonce' must be the one POST /api/v1/session/challenge gave")
    proof = text_field(data, "proof", 64)
    if not PROOF.fullmatch(proof):
        raise CommandError(400, "'proof' must be 64 lower-case hexadecimal digits (an HMAC-SHA256)")
    token, session = await request.app[SERVICE].sessions.login(agent, nonce, proof, request.remote or "")
    person = session.person
    return web.json_response({"token": token, "expires_at": session.expires_at, "agent": person.agent,
                              "name": person.name, "role": person.role})


async def sign_out(request: web.Request) -> web.Response:
    session = await session_of(request)
    service = request.app[SERVICE]
    await service.sessions.logout(session)
    service.hub.close_session(session.token_hash)
    service.floor_feed.hub.close_session(session.token_hash)  # a lead's monitor stream ends with the session
    await service.wrapups.agent_gone(session.person.agent, SIGNED_OUT)
    return web.json_response({"signed_out": True})


async def snapshot(request: web.Request) -> web.Response:
    session = await session_of(request)
    return web.json_response(request.app[SERVICE].snapshot(session.person))


async def events(request: web.Request) -> web.StreamResponse:
    session = await session_of(request)
    service = request.app[SERVICE]
    if service.hub.closed:
        raise CommandError(503, "the desk service is shutting down")
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    first = service.hub.encode(SNAPSHOT, service.snapshot(session.person))
    subscriber = service.hub.subscribe(session.person.agent, session.person.role, session.token_hash, first)
    try:
        async for frame in service.hub.frames(subscriber):
            await response.write(frame)
    except (ConnectionResetError, ConnectionError):
        pass
    finally:
        service.hub.unsubscribe(subscriber)
    return response


async def queue_login(request: web.Request) -> web.Response:
    session, agent = await acting_for(request)
    service = request.app[SERVICE]
    data = await read_json(request)
    logged_in = bool_field(data, "logged_in")
    queue = request.match_info["queue"]
    if queue not in service.board.queues:
        raise CommandError(404, f"there is no queue named {queue!r}")
    person = service.people.get(agent)
    if logged_in and (person is None or not person.may_join(queue)):
        # The directory (pbx/directory.csv, 4th column) says who works which queue; leaving is always allowed.
        raise CommandError(403, f"agent {agent} may not join queue {queue!r}: the directory does not list it for them")
    phone = optional_text(data, "phone", 20) or agent
    note = optional_text(data, "note", NOTE_LIMIT)
    check_phone(service, session, agent, phone)
    work = service.set_queue_login(agent, queue, logged_in, phone)
    if session.person.agent != agent:  # a team lead's action on someone else: audited, and the agent told
        await service.lead_actions.attempt(work, session.person.agent,
                                           AUDIT_QUEUE_LOGIN if logged_in else AUDIT_QUEUE_LOGOUT, agent=agent,
                                           queue=queue, text=queue, note=note, detail={"phone": phone})
    else:
        await work
    log.info("%s: %s %s queue %s", session.person.agent, agent, "joined" if logged_in else "left", queue)
    return web.json_response({"agent": agent, "queue": queue, "logged_in": logged_in})


def check_phone(service: DeskService, session: Session, agent: str, phone: str) -> None:
    """An agent works from their own extension or a shared desk phone
    (hot-desking); only a team lead may seat an agent at anyone's phone."""
    if not phone.isdigit() or service.people.get(phone) is None:
        raise CommandError(400, f"phone {phone[:20]!r} is not an extension of this PBX")
    allowed = phone == agent or phone in service.config.desk_phones or session.person.role == TEAMLEAD
    if not allowed:
        raise CommandError(403, f"phone {phone} belongs to someone else; use your own or a shared desk phone")
    seated = service.board.agent_on_phone(phone)
    if seated is not None and seated != agent:
        raise CommandError(409, f"phone {phone} is in use by agent {seated}")


async def pause(request: web.Request) -> web.Response:
    session, agent = await acting_for(request)
    service = request.app[SERVICE]
    data = await read_json(request)
    paused = bool_field(data, "paused")
    reason = ""
    if paused:
        reason = text_field(data, "reason", 40)
        # "wrap-up" and "missed call" are the desk service's own reasons, never chosen.
        if reason not in service.config.pause_reasons or reason in (WRAPUP_REASON, MISSED_CALL_REASON):
            raise CommandError(400, f"{reason!r} is not a pause reason here: {', '.join(service.config.pause_reasons)}")
    elif session.person.role != TEAMLEAD and service.wrapups.unpause_refusal(agent):
        raise CommandError(409, service.wrapups.unpause_refusal(agent))
    note = optional_text(data, "note", NOTE_LIMIT)
    work = service.set_pause(agent, paused, reason)
    if session.person.agent != agent:  # a team lead's action on someone else: audited, and the agent told
        await service.lead_actions.attempt(work, session.person.agent, AUDIT_PAUSE if paused else AUDIT_READY,
                                           agent=agent, text=reason, note=note,
                                           detail={"reason": reason} if paused else {})
    else:
        await work
    return web.json_response({"agent": agent, "paused": paused, "reason": reason})


async def call_info(request: web.Request) -> web.Response:
    session = await session_of(request)
    uniqueid = request.match_info["uniqueid"]
    if not is_uniqueid(uniqueid):
        raise CommandError(400, "that is not a call ID")
    queue = request.query.get("queue", "")[:64]
    service = request.app[SERVICE]
    found = await service.call_queries.call_json(uniqueid, queue)
    if found is None:
        raise CommandError(404, "the desk service knows no queue call with that ID")
    if not service.call_queries.may_see_call(session.person, found):
        raise CommandError(403, "this call was not offered to you or your queues")
    return web.json_response(found)


async def vip_list(request: web.Request) -> web.Response:
    await session_of(request)
    vips = await request.app[SERVICE].db(lambda s: s.calls.vip_numbers())
    return web.json_response({"vips": [{"number": n, "note": note} for n, note in sorted(vips.items())]})


async def vip_add(request: web.Request) -> web.Response:
    lead, number = await lead_and_number(request)
    data = await read_json(request)
    note = optional_text(data, "note", 200)
    await request.app[SERVICE].db(lambda s: s.calls.set_vip(number, note))
    await request.app[SERVICE].audit.record(lead, AUDIT_VIP_ADD, detail={"number": number, "note": note})
    return web.json_response({"number": number, "note": note})


async def vip_remove(request: web.Request) -> web.Response:
    lead, number = await lead_and_number(request)
    await request.app[SERVICE].db(lambda s: s.calls.remove_vip(number))
    await request.app[SERVICE].audit.record(lead, AUDIT_VIP_REMOVE, detail={"number": number})
    return web.json_response({"number": number, "removed": True})


async def lead_and_number(request: web.Request) -> tuple[str, str]:
    """The team lead asking, and the number they change the VIP list for."""
    session = await session_of(request)
    if session.person.role != TEAMLEAD:
        raise CommandError(403, "only team leads can change the VIP list")
    number = request.match_info["number"]
    if not NUMBER.fullmatch(number):
        raise CommandError(400, f"{number[:30]!r} is not a phone number")
    return session.person.agent, number


async def transfer_list(request: web.Request) -> web.Response:
    session = await session_of(request)
    agent = request.query.get("agent") or None
    if session.person.role != TEAMLEAD:
        if agent not in (None, session.person.agent):
            raise CommandError(403, "an agent can only see their own transfers")
        agent = session.person.agent
    service = request.app[SERVICE]
    day = day_param(request)
    names = service.names()
    found = await service.transfers_of(day, agent)
    return web.json_response({"day": day.isoformat(), "transfers": [transfer_view(t, names) for t in found]})


async def transfer_rates(request: web.Request) -> web.Response:
    session = await session_of(request)
    service = request.app[SERVICE]
    day = day_param(request)
    kpi = await service.transfer_rates(day)
    only = None if session.person.role == TEAMLEAD else session.person.agent
    return web.json_response(transfer_rates_view(day.isoformat(), kpi, service.names(), only))


async def missed_offers(request: web.Request) -> web.Response:
    session = await session_of(request)
    agent = request.query.get("agent") or None
    if session.person.role != TEAMLEAD:
        if agent not in (None, session.person.agent):
            raise CommandError(403, "an agent can only see their own missed offers")
        agent = session.person.agent
    service = request.app[SERVICE]
    day = day_param(request)
    counts = await service.missed_offers(day, agent)
    if agent is not None:
        counts = {agent: counts.get(agent, 0)}
    return web.json_response({"day": day.isoformat(), "agents": counts})
