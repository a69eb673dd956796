"""The callback routes of the desk service's HTTP API.

  GET  /api/v1/callbacks?state=open|closed&queue=&day=   tasks ({"tasks", "server_time"})
  POST /api/v1/callbacks                                 an agent schedules one (201 task)
  GET  /api/v1/callbacks/{id}                            task + "events"
  POST /api/v1/callbacks/{id}/claim|release|skip|outcome|reschedule|cancel
        outcome: {"outcome", "note"?, "due_at"? (the next attempt, if the task stays open)}
  GET  /api/v1/stats/callbacks?day=                      requested, reached, success rate, times
  GET/PUT/DELETE /api/v1/callbacks/blocked[/{number}]    numbers refused (team leads change it)
  (the dialplan's /pbx/v1/callbacks/* are on the PBX-only listener: pbxroutes.py, pbxapi.py)

Agents see and work the tasks of their queues and the tasks that prefer
them; team leads all. Claims are the only way to call a customer: the
dialplan's dial step asks again before it dials.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import web

from agentdesk.contract.ids import is_task_id
from agentdesk.contract.leads import AUDIT_BLOCK_ADD, AUDIT_BLOCK_REMOVE
from agentdesk.contract.states import OUTCOMES, TEAMLEAD

from ..auth import Session
from ..days import day_bounds
from ..queues.agents import CommandError
from ..routing import (
    SERVICE,
    day_param,
    read_json,
    session_of,
)
from ..store.records import CallbackTask
from .numbers import normalise
from .requests import NewRequest
from .tasks import CallbackTasks
from .views import event_view, may_see_task, stats_view

log = logging.getLogger("agentdesk.server.callbacks")

NUMBER_TEXT = re.compile(r"[0-9+()\s.-]{2,30}")


def add_callback_routes(app: web.Application) -> None:
    app.add_routes([
        web.get("/api/v1/callbacks", task_list),
        web.post("/api/v1/callbacks", task_create),
        web.get("/api/v1/callbacks/blocked", blocked_list),
        web.put("/api/v1/callbacks/blocked/{number}", blocked_add),
        web.delete("/api/v1/callbacks/blocked/{number}", blocked_remove),
        web.get("/api/v1/callbacks/{id}", task_detail),
        web.post("/api/v1/callbacks/{id}/{action}", task_action),
        web.get("/api/v1/stats/callbacks", task_stats),
    ])


def tasks_of(request: web.Request) -> CallbackTasks:
    return request.app[SERVICE].callbacks


def may_see(request: web.Request, session: Session, task: CallbackTask) -> bool:
    person = session.person
    return may_see_task(task, person.agent, person.role, request.app[SERVICE].board.memberships_of(person.agent))


async def task_list(request: web.Request) -> web.Response:
    session = await session_of(request)
    tasks = tasks_of(request)
    state = request.query.get("state", "open")
    queue = request.query.get("queue") or None
    if state == "open":
        found = await request.app[SERVICE].db(lambda s: s.callbacks.open_callbacks(queue))
    elif state == "closed":
        start, end = day_bounds(day_param(request))
        found = [t for t in await request.app[SERVICE].db(lambda s: s.callbacks.callbacks_closed(start, end))
                 if queue is None or t.queue == queue]
    else:
        raise CommandError(400, "state must be open or closed")
    names = request.app[SERVICE].names()
    views = [tasks.view(t, names) for t in found if may_see(request, session, t)]
    return web.json_response({"tasks": views, "server_time": tasks.now()})


async def task_detail(request: web.Request) -> web.Response:
    session = await session_of(request)
    task = await visible_task(request, session)
    service = request.app[SERVICE]
    events = await service.db(lambda s: s.callbacks.callback_events(task.task_id))
    names = service.names()
    return web.json_response({**tasks_of(request).view(task), "events": [event_view(e, names) for e in events]})


async def visible_task(request: web.Request, session: Session) -> CallbackTask:
    task_id = request.match_info["id"]
    if not is_task_id(task_id):
        raise CommandError(400, "that is not a callback task ID")
    task = await tasks_of(request).get(task_id)
    if not may_see(request, session, task):
        raise CommandError(403, "this callback belongs to a queue you are not in")
    return task


async def task_create(request: web.Request) -> web.Response:
    session = await session_of(request)
    data = await read_json(request)
    tasks = tasks_of(request)
    now = tasks.now()
    queue = data.get("queue")
    if not isinstance(queue, str) or queue not in request.app[SERVICE].board.queues:
        raise CommandError(400, f"there is no queue named {str(queue)[:30]!r}")
    due_at = epoch_field(data, "due_at", now)
    if due_at > now + tasks.settings.days_ahead * 86400 + 86400:
        raise CommandError(400, f"a callback can be scheduled up to {tasks.settings.days_ahead} days ahead")
    window_end = epoch_field(data, "window_end", 0.0) or None
    same_agent = data.get("same_agent", True)
    if not isinstance(same_agent, bool):
        raise CommandError(400, "'same_agent' must be true or false")
    new = NewRequest(
        queue=queue, number=number_field(data), origin="scheduled",
        created_by=session.person.agent, due_at=max(due_at, now), arrival_at=max(due_at, now),
        window_end=window_end, name=short_text(data, "name", 80), topic=short_text(data, "topic", 200),
        notes=short_text(data, "notes", 2000), preferred_agent=session.person.agent if same_agent else "",
    )
    result = await tasks.request(new)
    if result.kind == "invalid":
        raise CommandError(400, f"{new.number[:30]!r} is not a phone number we can call")
    if result.kind == "refused":
        raise CommandError(403, "this number is on the do-not-call list for callbacks")
    if result.task is None:
        raise CommandError(409, "the callback could not be stored; try again")
    status = 201 if result.kind == "ok" else 200
    return web.json_response({**tasks.view(result.task), "merged": result.kind == "merged"}, status=status)


async def task_action(request: web.Request) -> web.Response:
    session = await session_of(request)
    task = await visible_task(request, session)
    action = request.match_info["action"]
    agent = session.person.agent
    tasks = tasks_of(request)
    data = await read_json(request) if request.can_read_body else {}
    if action == "claim":
        done = await tasks.claim(task.task_id, agent)
    elif action == "release":
        done = await tasks.release(task.task_id, agent)
    elif action == "skip":
        done = await tasks.skip(task.task_id, agent, short_text(data, "reason", 200) or "skipped")
    elif action == "outcome":
        outcome = data.get("outcome")
        if not isinstance(outcome, str) or outcome not in OUTCOMES:
            raise CommandError(400, f"outcome must be one of {', '.join(OUTCOMES)}")
        retry_at = epoch_field(data, "due_at", 0.0) or None
        done = await tasks.outcome(task.task_id, agent, outcome, short_text(data, "note", 2000), retry_at)
        await request.app[SERVICE].wrapups.outcome_saved(agent, task.task_id)  # the record of its wrap-up
    elif action == "reschedule":
        done = await tasks.reschedule(task.task_id, agent, epoch_field(data, "due_at", -1.0),
                                      short_text(data, "note", 2000))
    elif action == "cancel":
        if session.person.role != TEAMLEAD:
            raise CommandError(403, "only team leads can cancel a callback")
        done = await tasks.cancel(task.task_id, agent, short_text(data, "reason", 200)) or task
    else:
        raise CommandError(404, f"there is no callback action {action[:20]!r}")
    log.info("%s: %s callback %s", agent, action, task.task_id)
    return web.json_response(tasks.view(done))


async def task_stats(request: web.Request) -> web.Response:
    session = await session_of(request)
    day = day_param(request)
    start, end = day_bounds(day)
    queue = request.query.get("queue") or None
    if session.person.role != TEAMLEAD and queue not in request.app[SERVICE].board.memberships_of(
            session.person.agent):
        raise CommandError(403, "agents see the callback figures of their own queues (?queue=)")
    stats = await request.app[SERVICE].db(lambda s: s.callbacks.callback_stats(start, end, queue))
    return web.json_response(stats_view(day.isoformat(), stats))


# -- the do-not-call list ---------------------------------------------------------
async def blocked_list(request: web.Request) -> web.Response:
    await session_of(request)
    blocks = await request.app[SERVICE].db(lambda s: s.callbacks.callback_blocks())
    return web.json_response({"blocked": [{"number": n, "reason": r, "until": u}
                                          for n, (r, u) in sorted(blocks.items())]})


async def blocked_add(request: web.Request) -> web.Response:
    lead, number = await lead_number(request)
    data = await read_json(request)
    until = epoch_field(data, "until", 0.0) or None
    reason = short_text(data, "reason", 200)
    await request.app[SERVICE].db(lambda s: s.callbacks.set_callback_block(number, reason, until))
    await request.app[SERVICE].audit.record(lead, AUDIT_BLOCK_ADD, detail={"number": number, "reason": reason,
                                                                           "until": until})
    return web.json_response({"number": number, "reason": reason, "until": until})


async def blocked_remove(request: web.Request) -> web.Response:
    lead, number = await lead_number(request)
    await request.app[SERVICE].db(lambda s: s.callbacks.remove_callback_block(number))
    await request.app[SERVICE].audit.record(lead, AUDIT_BLOCK_REMOVE, detail={"number": number})
    return web.json_response({"number": number, "removed": True})


async def lead_number(request: web.Request) -> tuple[str, str]:
    """The team lead asking, and the number they change the list for."""
    session = await session_of(request)
    if session.person.role != TEAMLEAD:
        raise CommandError(403, "only team leads can change the do-not-call list")
    settings = tasks_of(request).settings
    digits = normalise(request.match_info["number"], settings.region, settings.allow_international)
    if digits is None:
        raise CommandError(400, f"{request.match_info['number'][:30]!r} is not a phone number")
    return session.person.agent, digits


# -- fields -------------------------------------------------------------------------
def number_field(data: dict[str, Any]) -> str:
    value = data.get("number")
    if not isinstance(value, str) or not NUMBER_TEXT.fullmatch(value):
        raise CommandError(400, "'number' must be a phone number")
    return value


def short_text(data: dict[str, Any], name: str, limit: int) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or len(value) > limit:
        raise CommandError(400, f"{name!r} must be a text of at most {limit} characters")
    return value.strip()


def epoch_field(data: dict[str, Any], name: str, default: float) -> float:
    value = data.get(name)
    if value is None:
        if default < 0:
            raise CommandError(400, f"{name!r} (a time, epoch seconds) is missing")
        return default
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1e11:
        raise CommandError(400, f"{name!r} must be a time in epoch seconds")
    return float(value)

