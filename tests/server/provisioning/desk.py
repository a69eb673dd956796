"""The real desk service without Asterisk (tests/helpers/offline.py's
configuration and clients) on the test desk's movable clock, for the
provisioning tests: enrollments expire and guess limits lapse when the
test moves the clock, not when it waits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from agentdesk.server.apps import build_app, build_pbx_app
from agentdesk.server.config import load_config
from agentdesk.server.service import DeskService
from agentdesk.server.store import open_store
from tests.helpers.offline import OfflineDesk, write_config
from tests.helpers.testdesk import MovableClock

T = TypeVar("T")
Scenario = Callable[[OfflineDesk, MovableClock], Awaitable[T]]


def run_provisioning(folder: Path, scenario: Scenario[T], **settings: Any) -> T:
    config = load_config(write_config(folder, **settings))
    clock = MovableClock()

    async def main() -> T:
        store = open_store(config.database)
        service = DeskService(config, store, clock)
        try:
            async with TestClient(TestServer(build_app(service))) as desk, \
                    TestClient(TestServer(build_pbx_app(service))) as pbx:
                return await scenario(OfflineDesk(service, desk, pbx), clock)
        finally:
            await service.stop()
            store.close()

    return asyncio.run(asyncio.wait_for(main(), 30))


async def call(desk: OfflineDesk, method: str, path: str, who: dict[str, str] | None = None,
               body: Any = None, **options: Any) -> tuple[int, Any]:
    """(status, JSON answer) of a request to the desktops' listener."""
    async with desk.desk.request(method, path, json=body, headers=who or {}, **options) as reply:
        return reply.status, await reply.json()


async def enroll(desk: OfflineDesk, lead: dict[str, str], *agents: str, hours: int = 24) -> list[dict[str, Any]]:
    status, reply = await call(desk, "POST", "/api/v1/enrollments", lead, {"agents": list(agents), "hours": hours})
    assert status == 200, reply
    return list(reply["enrollments"])


def path_of(link: str) -> str:
    """The path of an enrollment link on the test server (its host is the test server's own)."""
    return "/enroll/" + link.split("/enroll/", 1)[1].split("#", 1)[0]


async def events(reply: ClientResponse) -> AsyncIterator[tuple[int, str, dict[str, Any]]]:
    """(id, event, data) of a server-sent event stream."""
    number, name, data = 0, "", ""
    async for raw in reply.content:
        line = raw.decode().rstrip("\n")
        if line.startswith("id: "):
            number = int(line.removeprefix("id: "))
        elif line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif not line and name:
            yield number, name, json.loads(data)
            name, data = "", ""
