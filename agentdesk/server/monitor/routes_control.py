"""Team leads' control routes and the audit log's (team leads only: an
agent's token gets 403 with a sentence).

  GET /api/v1/monitor/audit?day=YYYY-MM-DD&agent=&lead=&session=
                                   the day's audit entries, oldest first (contract/monitor.py)
"""

from __future__ import annotations

from aiohttp import web

from agentdesk.contract.monitor import dump_audit_entry

from ..days import day_bounds
from ..queues.agents import CommandError
from ..routing import SERVICE, day_param, team_lead

LEADS_ONLY = "only team leads can do this"
AUDIT_LEADS_ONLY = "only team leads can read the audit log"
FILTER_LIMIT = 64


def add_control_routes(app: web.Application) -> None:
    app.add_routes([
        web.get("/api/v1/monitor/audit", audit_entries),
    ])


async def audit_entries(request: web.Request) -> web.Response:
    await team_lead(request, AUDIT_LEADS_ONLY)
    start, end = day_bounds(day_param(request))
    found = await request.app[SERVICE].audit.query(start, end, agent=query_filter(request, "agent"),
                                                   lead=query_filter(request, "lead"),
                                                   session=query_filter(request, "session"))
    return web.json_response([dump_audit_entry(entry) for entry in found])


def query_filter(request: web.Request, name: str) -> str | None:
    value = request.query.get(name, "")
    if len(value) > FILTER_LIMIT:
        raise CommandError(400, f"{name!r} must be at most {FILTER_LIMIT} characters")
    return value or None
