"""The wrap-up routes for desktops (see /tmp/issue6.md's contract)."""

from __future__ import annotations

from aiohttp import web


def add_wrapup_routes(app: web.Application) -> None:
    """Mount the wrap-up routes on the desk service's app."""
