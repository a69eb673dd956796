"""The survey routes: the dialplan posts results here."""

from __future__ import annotations

from aiohttp import web


def add_survey_routes(app: web.Application) -> None:
    """Mount the survey routes on the desk service's app."""
