"""Which queues an agent may join comes from the directory (pbx/directory.csv,
its 4th column), and the API that logs agents into queues enforces it for
the agent and for a team lead seating them; leaving is always allowed, and
a changed directory counts at once. Each person's state (snapshot and
agent events) names the queues they may join, and follows the directory
by itself."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse

from tests.helpers.offline import OfflineDesk, directory_where_1001_joins, run_offline, touch


async def sse(reply: ClientResponse) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """The (event, data) pairs of a server-sent event stream."""
    name, data = "", ""
    async for raw in reply.content:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif not line and name:
            yield name, json.loads(data)
            name, data = "", ""


NO_ASTERISK = "the PBX did not accept QueueAdd: QueueAdd: not connected to Asterisk"


def test_an_agent_joins_only_the_queues_the_directory_lists(tmp_path: Path) -> None:
    listing = directory_where_1001_joins(tmp_path, "support")

    async def put(desk: OfflineDesk, who: dict[str, str], queue: str, logged_in: bool) -> tuple[int, str]:
        body = {"logged_in": logged_in, "phone": "1001"}
        async with desk.desk.put(f"/api/v1/agents/1001/queues/{queue}", json=body, headers=who) as reply:
            return reply.status, (await reply.json())["error"] if reply.status >= 400 else ""

    async def scenario(desk: OfflineDesk) -> None:
        desk.load_queues("support", "sales")
        sara, lead = await desk.sign_in("1001"), await desk.sign_in("1901")
        for who in (sara, lead):
            status, error = await put(desk, who, "sales", True)
            assert status == 403 and "may not join queue 'sales'" in error, (status, error)
            # Past the directory's check, the service asks Asterisk (not here: it answers 503).
            assert await put(desk, who, "support", True) == (503, NO_ASTERISK)
            assert (await put(desk, who, "sales", False))[0] == 200  # leaving is always allowed
        # A team lead changes the directory: it counts at once.
        directory_where_1001_joins(tmp_path, "support sales")
        touch(listing)
        assert await put(desk, sara, "sales", True) == (503, NO_ASTERISK)

    run_offline(tmp_path, scenario, directory=str(listing))


def test_the_snapshot_names_the_queues_the_directory_lets_each_person_join(tmp_path: Path) -> None:
    listing = directory_where_1001_joins(tmp_path, "support")

    async def joinable(desk: OfflineDesk, who: dict[str, str]) -> list[str]:
        async with desk.desk.get("/api/v1/snapshot", headers=who) as reply:
            assert reply.status == 200, await reply.text()
            return list((await reply.json())["me"]["joinable"])

    async def scenario(desk: OfflineDesk) -> None:
        desk.load_queues("support", "sales", "vip")
        sara, dmitri, lead = await desk.sign_in("1001"), await desk.sign_in("1002"), await desk.sign_in("1901")
        assert await joinable(desk, sara) == ["support"]
        assert await joinable(desk, dmitri) == ["sales", "support"]  # "support sales": not vip
        assert await joinable(desk, lead) == ["sales", "support", "vip"]  # team leads: every queue
        directory_where_1001_joins(tmp_path, "*")
        touch(listing)
        assert await joinable(desk, sara) == ["sales", "support", "vip"]

    run_offline(tmp_path, scenario, directory=str(listing))


def test_a_changed_directory_reaches_the_agents_desktop_by_itself(tmp_path: Path) -> None:
    listing = directory_where_1001_joins(tmp_path, "support")

    async def scenario(desk: OfflineDesk) -> None:
        desk.load_queues("support", "sales")
        sara = await desk.sign_in("1001")
        desk.service.spawn(desk.service.follow_directory())  # as start() does
        async with desk.desk.get("/api/v1/events", headers=sara) as reply:
            events = sse(reply)
            name, data = await anext(events)
            assert name == "snapshot" and data["me"]["joinable"] == ["support"]
            directory_where_1001_joins(tmp_path, "support sales")
            touch(listing)
            name, data = await asyncio.wait_for(anext(events), 10)
            assert (name, data["agent"], data["joinable"]) == ("agent", "1001", ["sales", "support"])

    run_offline(tmp_path, scenario, directory=str(listing))
