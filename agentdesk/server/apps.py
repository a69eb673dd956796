"""The desk service's two HTTP applications, assembled from the route
modules: the desktops' (and the public callback form's), and the PBX-only
one the dialplan asks on loopback. Every route module gets the service
through the application (routing.SERVICE) and its helpers from routing.py;
none imports another.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from .api import add_desk_routes
from .callbacks.api import add_callback_routes
from .callbacks.pbxroutes import add_pbx_callback_routes
from .callbacks.web import add_web_routes
from .monitor.routes_control import add_control_routes
from .monitor.routes_floor import add_floor_routes
from .monitor.routes_supervision import add_supervision_routes
from .pbxapi import add_pbx_routes, pbx_token_middleware
from .provisioning.routes import add_pbx_provisioning_routes, add_provisioning_routes
from .quality import add_quality_routes
from .routing import MAX_BODY, SERVICE, errors_middleware
from .service import DeskService
from .wrapups.api import add_wrapup_routes
from .wrapups.survey_routes import add_pbx_survey_routes, add_survey_routes


def build_app(service: DeskService) -> web.Application:
    """The desktops' application: /api/v1/* and the public form."""
    app = web.Application(middlewares=[errors_middleware], client_max_size=MAX_BODY)
    app[SERVICE] = service
    add_desk_routes(app)
    add_callback_routes(app)
    add_web_routes(app, service.callbacks.from_web, service.config.callbacks, service.clock)
    add_wrapup_routes(app)
    add_survey_routes(app)
    add_quality_routes(app)
    add_provisioning_routes(app)
    add_control_routes(app)
    add_supervision_routes(app)
    add_floor_routes(app)
    return app


def build_pbx_app(service: DeskService) -> web.Application:
    """The dialplan's application: /pbx/v1/*, each request checked for the token first."""
    app = web.Application(middlewares=[errors_middleware, pbx_token_middleware], client_max_size=MAX_BODY)
    app[SERVICE] = service
    add_pbx_routes(app)
    add_pbx_callback_routes(app)
    add_pbx_survey_routes(app)
    add_pbx_provisioning_routes(app)
    return app


def run_service_with(app: web.Application) -> None:
    """The service starts with `app` and stops with it (aiohttp's own
    lifecycle): its event streams end when the app shuts down, so open
    streams do not hold the shutdown, then the service writes what is
    queued and lets go of AMI and the store."""
    app.on_shutdown.append(_end_streams)
    app.cleanup_ctx.append(_service_running)


async def _end_streams(app: web.Application) -> None:
    app[SERVICE].hub.close_all()  # desktops reconnect to whoever comes next


async def _service_running(app: web.Application) -> AsyncIterator[None]:
    service = app[SERVICE]
    await service.start()
    yield
    await service.stop()
