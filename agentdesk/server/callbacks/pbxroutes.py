"""What the dialplan asks the desk service about callbacks
(pbx/asterisk/extensions_callback.conf), on the PBX-only listener
(pbxapi.py, which checks the X-PBX-Token header); answers are one line of comma-separated fields, nothing a caller
typed is ever echoed except the digits we checked.

  /pbx/v1/callbacks/check?queue=&number=          ok,<digits> | invalid, | refused,
  /pbx/v1/callbacks/request?queue=&number=&call=&priority=&position=&at=HHMM
        ok,<task>,<minutes or epoch> | merged,<task>,<minutes or epoch> | refused,, | limited,, |
        invalid,, | badtime,,     (minutes for "as soon as possible", the epoch for a time asked for)
  /pbx/v1/callbacks/dial?task=&phone=&from=list   ok,<number>,<caller id> | taken,, | closed,,
        (from=list: the agent dialled cb<task> rather than answered the task's placeholder)
  /pbx/v1/callbacks/dialled?task=&phone=&status=&call=  ok
        (call: the linkedid of a call the customer answered, status=ANSWER)
"""

from __future__ import annotations

import re

from aiohttp import web

from agentdesk.contract.ids import is_task_id, is_uniqueid

from ..routing import SERVICE


def add_pbx_callback_routes(app: web.Application) -> None:
    app.add_routes([
        web.get("/pbx/v1/callbacks/check", check),
        web.get("/pbx/v1/callbacks/request", request_callback),
        web.get("/pbx/v1/callbacks/dial", dial),
        web.get("/pbx/v1/callbacks/dialled", dialled),
    ])


def text(reply: str) -> web.Response:
    return web.Response(text=reply, content_type="text/plain")


async def check(request: web.Request) -> web.Response:
    kind, digits = await request.app[SERVICE].callbacks.check_number(request.query.get("number", "")[:40])
    return text(f"{kind},{digits}")


async def request_callback(request: web.Request) -> web.Response:
    query = request.query
    kind, task, when = await request.app[SERVICE].ivr.request(
        query.get("queue", ""), query.get("number", "")[:40], query.get("call", ""),
        _int(query.get("priority"), 0, 999), _int(query.get("position"), 1, 999), query.get("at", ""))
    return text(f"{kind},{task},{when}" if task else f"{kind},,")


async def dial(request: web.Request) -> web.Response:
    task_id, phone = request.query.get("task", ""), request.query.get("phone", "")
    if not is_task_id(task_id) or not phone.isdigit():
        return text("closed,,")
    from_list = request.query.get("from") == "list"
    kind, number, caller_id = await request.app[SERVICE].callbacks.dial(task_id, phone, from_list)
    return text(f"{kind},{number},{caller_id}")


async def dialled(request: web.Request) -> web.Response:
    task_id, phone = request.query.get("task", ""), request.query.get("phone", "")
    status = re.sub(r"[^A-Z]", "", request.query.get("status", "").upper())[:20] or "UNKNOWN"
    if is_task_id(task_id) and phone.isdigit():
        service = request.app[SERVICE]
        await service.callbacks.dialled(task_id, phone, status)
        call = request.query.get("call", "")
        if status == "ANSWER" and is_uniqueid(call):
            service.callback_talks.answered(task_id, phone, call)
    return text("ok")


def _int(value: str | None, low: int, high: int) -> int:
    try:
        return min(high, max(low, int(value or low)))
    except ValueError:
        return low
