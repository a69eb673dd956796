"""The snapshot names the callback region (callbacks.region): the country
whose national digits the PBX dials, which the desktop needs to read a
callback's '09121234567' as the same customer as a caller's '+989121234567'."""

from __future__ import annotations

from pathlib import Path

from agentdesk.contract.queues import parse_snapshot
from tests.helpers.offline import OfflineDesk, run_offline


def region_in_snapshot(folder: Path, **settings: object) -> str:
    async def scenario(desk: OfflineDesk) -> str:
        who = await desk.sign_in("1001")
        async with desk.desk.get("/api/v1/snapshot", headers=who) as reply:
            assert reply.status == 200, await reply.text()
            return parse_snapshot(await reply.json()).number_region

    return run_offline(folder, scenario, **settings)


def test_the_snapshot_names_the_callback_region(tmp_path: Path) -> None:
    assert region_in_snapshot(tmp_path) == "IR"  # the default
    assert region_in_snapshot(tmp_path, callbacks={"region": "RU"}) == "RU"
