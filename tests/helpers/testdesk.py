"""The tests' own build of the desk service: the production service and
applications, plus what only tests need. The test PBX runs it in place of
the production entry point (`python -m tests.helpers.testdesk --config
...`, through pbx/run's AGENTDESK_DESK_MODULE).

- A movable clock, so scheduled callbacks can be tested without waiting.
- Callbacks, wrap-up and the pause after missed offers start switched off,
  so tests that are not about them see no offers and no agent paused after
  a call or after an offer they let ring.
- Routes for team leads on the desktops' listener:
  PUT /api/v1/test/clock {"advance_seconds": 0..30 days} | {"reset": true}
  PUT /api/v1/test/callbacks {"enabled"}
  PUT /api/v1/test/wrapup {"enabled", "limit_seconds"?, "warning_seconds"?, "then"?,
                           "disposition_required"?}  (policy fields then hold for every
                           queue; each PUT replaces them; none: the configuration's)
  PUT /api/v1/test/missed-offers {"pause_after": 0..100 | null}  (missed offers in a row
                           before the "missed call" pause, for every queue; null: the configuration's)
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from aiohttp import web

from agentdesk.contract.states import TEAMLEAD, THEN_PAUSED, THEN_READY
from agentdesk.server.__main__ import Assembly, main
from agentdesk.server.apps import build_app, build_pbx_app, run_service_with
from agentdesk.server.config import DeskConfig
from agentdesk.server.queues.agents import CommandError
from agentdesk.server.routing import SERVICE, read_json, session_of
from agentdesk.server.service import DeskService
from agentdesk.server.store import Store

log = logging.getLogger("agentdesk.server")

class MovableClock:
    """The real time, plus however far the tests moved it forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


CLOCK = web.AppKey("test-clock", MovableClock)


def assemble_for_tests(config: DeskConfig, store: Store) -> Assembly:
    clock = MovableClock()
    service = DeskService(config, store, clock)
    service.callbacks.switch(False)
    service.wrapups.switch(False, {})
    service.not_responding.switch(0)
    app = build_app(service)
    run_service_with(app)
    app[CLOCK] = clock
    app.add_routes([
        web.put("/api/v1/test/clock", move_clock),
        web.put("/api/v1/test/callbacks", switch_callbacks),
        web.put("/api/v1/test/wrapup", switch_wrapup),
        web.put("/api/v1/test/missed-offers", switch_missed_offers),
    ])
    return Assembly(service, app, build_pbx_app(service))


async def lead_only(request: web.Request) -> DeskService:
    session = await session_of(request)
    if session.person.role != TEAMLEAD:
        raise CommandError(403, "only team leads can do this")
    return request.app[SERVICE]


async def move_clock(request: web.Request) -> web.Response:
    service = await lead_only(request)
    clock = request.app[CLOCK]
    data = await read_json(request)
    if data.get("reset") is True:
        clock.offset = 0.0
    else:
        advance = data.get("advance_seconds")
        if isinstance(advance, bool) or not isinstance(advance, (int, float)) or not 0 <= advance <= 30 * 86400:
            raise CommandError(400, "advance_seconds must be between 0 and 30 days")
        clock.offset += float(advance)
        log.warning("test clock moved forward %.0f s", advance)
    service.callback_dispatch.kick()
    return web.json_response({"server_time": service.clock()})


async def switch_callbacks(request: web.Request) -> web.Response:
    service = await lead_only(request)
    enabled = (await read_json(request)).get("enabled")
    if not isinstance(enabled, bool):
        raise CommandError(400, "'enabled' must be true or false")
    service.callbacks.switch(enabled)
    return web.json_response({"enabled": enabled})


async def switch_wrapup(request: web.Request) -> web.Response:
    service = await lead_only(request)
    data = await read_json(request)
    enabled = data.get("enabled")
    if not isinstance(enabled, bool):
        raise CommandError(400, "'enabled' must be true or false")
    overrides = wrapup_overrides(data)
    service.wrapups.switch(enabled, overrides)
    return web.json_response({"enabled": enabled, **overrides})


async def switch_missed_offers(request: web.Request) -> web.Response:
    service = await lead_only(request)
    limit = (await read_json(request)).get("pause_after")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= 100):
        raise CommandError(400, "'pause_after' must be a whole number from 0 to 100, or null")
    service.not_responding.switch(limit)
    return web.json_response({"pause_after": limit})


def wrapup_overrides(data: dict[str, Any]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for name in ("limit_seconds", "warning_seconds"):
        value = data.get(name)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3600:
                raise CommandError(400, f"{name!r} must be whole seconds from 0 to 3600")
            overrides[name] = value
    then = data.get("then")
    if then is not None:
        if then not in (THEN_READY, THEN_PAUSED):
            raise CommandError(400, "'then' must be ready or paused")
        overrides["then"] = then
    required = data.get("disposition_required")
    if required is not None:
        if not isinstance(required, bool):
            raise CommandError(400, "'disposition_required' must be true or false")
        overrides["disposition_required"] = required
    return overrides


if __name__ == "__main__":
    sys.exit(main(build=assemble_for_tests))
