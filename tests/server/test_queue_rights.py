"""Which queues an agent may join comes from the directory (pbx/directory.csv,
its 4th column), and the API that logs agents into queues enforces it for
the agent and for a team lead seating them; leaving is always allowed, and
a changed directory counts at once."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers.offline import REPO, OfflineDesk, run_offline

NO_ASTERISK = "the PBX did not accept QueueAdd: QueueAdd: not connected to Asterisk"


def directory(folder: Path, sara_queues: str) -> Path:
    """The repository's directory with agent 1001's queues replaced."""
    lines = []
    for line in (REPO / "pbx" / "directory.csv").read_text(encoding="utf-8").splitlines():
        lines.append(f"1001,Sara Karimi,agent,{sara_queues}" if line.startswith("1001,") else line)
    path = folder / "directory.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_agent_joins_only_the_queues_the_directory_lists(tmp_path: Path) -> None:
    listing = directory(tmp_path, "support")

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
        directory(tmp_path, "support sales")
        stamp = listing.stat().st_mtime + 2
        os.utime(listing, (stamp, stamp))
        assert await put(desk, sara, "sales", True) == (503, NO_ASTERISK)

    run_offline(tmp_path, scenario, directory=str(listing))
