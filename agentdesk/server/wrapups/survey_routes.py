"""The survey routes.

  POST /pbx/v1/surveys?call=UNIQUEID   the dialplan's result ([survey-post],
        on the PBX-only listener, pbxapi.py; form fields: surveys.PENDING_FIELDS) -> "ok" (also for
        a result already stored), 400 "invalid" for one that cannot be
  GET  /api/v1/stats/surveys?day=YYYY-MM-DD   the day's CSAT: per queue and
        per agent for team leads, an agent's own for an agent:
        {"day", "queues": {queue: stats}, "agents": {agent: stats}}, stats =
        {"surveys", "answered", "rated", "mean_score", "csat", "resolved_share"}

The survey log (surveys.SurveyLog) is one of the service's parts; its
import of results kept in AstDB runs in the service's background.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from agentdesk.contract.states import TEAMLEAD

from ..callbacks.pbxroutes import text
from ..days import day_bounds
from ..routing import SERVICE, day_param, session_of
from ..store.after_call_records import SurveyStats
from .surveys import PENDING_FIELDS, SurveyInputError

log = logging.getLogger("agentdesk.server.wrapups")


def add_survey_routes(app: web.Application) -> None:
    """Mount the desktops' survey routes on the desk service's app."""
    app.add_routes([web.get("/api/v1/stats/surveys", survey_stats)])


def add_pbx_survey_routes(app: web.Application) -> None:
    """Mount the dialplan's survey route on the PBX-only app, which keeps the survey log."""
    app.add_routes([web.post("/pbx/v1/surveys", post_survey)])


async def post_survey(request: web.Request) -> web.Response:
    form = await request.post()
    fields = {name: str(form.get(name, ""))[:100] for name in PENDING_FIELDS}
    uniqueid = request.query.get("call", "") or str(form.get("call", ""))
    try:
        await request.app[SERVICE].surveys.receive(fields, uniqueid)
    except SurveyInputError as error:
        log.warning("survey result for %s refused: %s", uniqueid[:64], error)
        return web.Response(text="invalid", status=400, content_type="text/plain")
    return text("ok")


async def survey_stats(request: web.Request) -> web.Response:
    session = await session_of(request)
    service = request.app[SERVICE]
    day = day_param(request)
    start, end = day_bounds(day)
    agents = await service.db(lambda s: s.surveys.survey_stats(start, end, "agent"))
    queues: dict[str, SurveyStats] = {}
    if session.person.role == TEAMLEAD:
        queues = await service.db(lambda s: s.surveys.survey_stats(start, end, "queue"))
    else:
        agents = {session.person.agent: agents.get(session.person.agent, SurveyStats())}
    return web.json_response({"day": day.isoformat(), "queues": {q: stats_view(s) for q, s in queues.items()},
                              "agents": {a: stats_view(s) for a, s in agents.items()}})


def stats_view(stats: SurveyStats) -> dict[str, Any]:
    return {"surveys": stats.surveys, "answered": stats.answered, "rated": stats.rated,
            "mean_score": stats.mean_score, "csat": stats.csat, "resolved_share": stats.resolved_share}
