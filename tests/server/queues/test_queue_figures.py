"""Today's figures of a queue count its callbacks apart from its callers:
a task closed as reached shows in the queue's view at once, and not in the
answered figure (the real service, without Asterisk)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.helpers.offline import OfflineDesk, run_offline

LEAD = "1901"


async def today_of(desk: OfflineDesk, headers: dict[str, str], queue: str) -> dict[str, Any]:
    async with desk.desk.get("/api/v1/snapshot", headers=headers) as reply:
        assert reply.status == 200, await reply.text()
        snapshot = await reply.json()
    return next(q["today"] for q in snapshot["queues"] if q["name"] == queue)


def test_a_callback_reached_today_is_counted_apart(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> tuple[dict[str, Any], dict[str, Any]]:
        desk.load_queues("support", "sales")
        lead = await desk.sign_in(LEAD)
        before = await today_of(desk, lead, "support")
        async with desk.desk.post("/api/v1/callbacks", headers=lead,
                                  json={"queue": "support", "number": "09121234567", "topic": "Refund"}) as reply:
            assert reply.status == 201, await reply.text()
            task = (await reply.json())["id"]
        for step, body in (("claim", {}), ("outcome", {"outcome": "reached"})):
            async with desk.desk.post(f"/api/v1/callbacks/{task}/{step}", headers=lead, json=body) as reply:
                assert reply.status == 200, await reply.text()
        for _ in range(50):
            after = await today_of(desk, lead, "support")
            if after["callbacks_reached"]:
                break
            await asyncio.sleep(0.05)
        return before, after

    before, after = run_offline(tmp_path, scenario)
    assert (before["callbacks_reached"], before["answered"]) == (0, 0)
    assert (after["callbacks_reached"], after["answered"], after["offered"]) == (1, 0, 0)
