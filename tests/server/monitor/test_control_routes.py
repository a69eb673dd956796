"""The team leads' control and audit routes on the real desk service
(without Asterisk): every one refuses an agent's token with 403 and a
sentence, bad input gets 400 and a sentence, and the audit log reads back
what was recorded, by day and filters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse

from agentdesk.contract.leads import AUDIT_PAUSE, AUDIT_PENALTY, parse_audit_entry
from tests.helpers.offline import OfflineDesk, run_offline
from tests.server.test_queue_rights import sse

# Every control route: (method, path, body).
CONTROL_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/monitor/audit", None),
    ("PUT", "/api/v1/agents/1002/queues/sales/penalty", {"penalty": 1}),
    ("PUT", "/api/v1/agents/1002/pause-after-call", {"reason": "Meeting"}),
    ("DELETE", "/api/v1/agents/1002/pause-after-call", None),
    ("POST", "/api/v1/monitor/callers/1763800000.1/move", {"queue": "sales"}),
    ("POST", "/api/v1/monitor/callers/1763800000.1/callback", None),
]


async def call(desk: OfflineDesk, method: str, path: str, who: dict[str, str],
               body: dict[str, Any] | None = None) -> tuple[int, Any]:
    async with desk.desk.request(method, path, json=body, headers=who) as reply:
        return reply.status, await reply.json()


def test_an_agent_gets_403_on_every_control_route(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        desk.load_queues("support", "sales")
        sara = await desk.sign_in("1001")
        for method, path, body in CONTROL_ROUTES:
            status, answer = await call(desk, method, path, sara, body)
            assert status == 403 and "only team leads" in answer["error"], (method, path, status, answer)

    run_offline(tmp_path, scenario)


def test_bad_control_input_gets_400_or_404_with_a_sentence(tmp_path: Path) -> None:
    cases: list[tuple[str, str, dict[str, Any] | None, int, str]] = [
        ("PUT", "/api/v1/agents/1002/queues/sales/penalty", {"penalty": 100}, 400, "from 0 to 99"),
        ("PUT", "/api/v1/agents/1002/queues/sales/penalty", {"penalty": True}, 400, "from 0 to 99"),
        ("PUT", "/api/v1/agents/1002/queues/sales/penalty", {"penalty": 1, "note": "n" * 201}, 400,
         "at most 200 characters"),
        ("PUT", "/api/v1/agents/1002/queues/nosuch/penalty", {"penalty": 1}, 404, "no queue named 'nosuch'"),
        ("PUT", "/api/v1/agents/1002/queues/sales/penalty", {"penalty": 1}, 409, "not logged in to queue 'sales'"),
        ("PUT", "/api/v1/agents/9999/pause-after-call", {"reason": "Meeting"}, 404, "no agent '9999'"),
        ("PUT", "/api/v1/agents/1002/pause-after-call", {"reason": "wrap-up"}, 400, "is not a pause reason"),
        ("PUT", "/api/v1/agents/1002/pause-after-call", {"reason": "Meeting"}, 409, "not on a call"),
        ("DELETE", "/api/v1/agents/1002/pause-after-call", None, 404, "no pause after the call"),
        ("POST", "/api/v1/monitor/callers/not%20a%20call/move", {"queue": "sales"}, 400, "not a call ID"),
        ("POST", "/api/v1/monitor/callers/1763800000.1/move", {}, 400, "'queue' must be"),
        ("POST", "/api/v1/monitor/callers/1763800000.1/move", {"queue": "sales"}, 404, "no caller with that ID"),
        ("POST", "/api/v1/monitor/callers/1763800000.1/callback", None, 404, "no caller with that ID"),
        ("PUT", "/api/v1/agents/1002/pause", {"paused": True, "reason": "Meeting", "note": 5}, 400, "'note' must be"),
    ]

    async def scenario(desk: OfflineDesk) -> None:
        desk.load_queues("support", "sales")
        lead = await desk.sign_in("1901")
        for method, path, body, status, words in cases:
            got, answer = await call(desk, method, path, lead, body)
            assert got == status and words in answer["error"], (method, path, got, answer)
        # Bad input is refused before anything is tried; a refused action is audited with the reason.
        tried = await desk.service.audit.query(0, 2e9)
        assert [(e.lead, e.action, e.agent, e.queue, e.result) for e in tried] == [
            ("1901", "penalty", "1002", "sales", "agent 1002 is not logged in to queue 'sales'")]

    run_offline(tmp_path, scenario)


def test_a_leads_pause_of_an_agent_is_audited_and_told_to_the_agent(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        lead, dmitri, sara = await desk.sign_in("1901"), await desk.sign_in("1002"), await desk.sign_in("1001")
        async with desk.desk.get("/api/v1/events", headers=dmitri) as dmitris:
            body = {"paused": True, "reason": "Meeting", "note": "1:1 in room 4"}
            assert (await call(desk, "PUT", "/api/v1/agents/1002/pause", lead, body))[0] == 200
            assert (await call(desk, "PUT", "/api/v1/agents/1002/pause", lead, {"paused": False}))[0] == 200
            assert (await call(desk, "PUT", "/api/v1/agents/1001/pause", sara, body))[0] == 200  # their own: no audit
            told = [data async for name, data in first_events(dmitris, 2) if name == "control"]
            assert [(n["by"], n["action"], n["detail"], n["note"]) for n in told] == [
                ("1901", "pause", "Meeting", "1:1 in room 4"), ("1901", "ready", "", "")]
            assert told[0]["by_name"] == desk.service.people.get("1901").name  # type: ignore[union-attr]
        entries = await desk.service.audit.query(0, 2e9)
        assert [(e.lead, e.action, e.agent, e.detail) for e in entries] == [
            ("1901", "pause", "1002", {"reason": "Meeting", "note": "1:1 in room 4"}), ("1901", "ready", "1002", {})]

    run_offline(tmp_path, scenario)


async def first_events(reply: ClientResponse, controls: int) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """The stream's events until `controls` control events have come."""
    seen = 0
    async for name, data in sse(reply):
        yield name, data
        seen += name == "control"
        if seen == controls:
            return


def test_the_audit_log_reads_back_by_day_and_filters(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        lead = await desk.sign_in("1901")
        audit = desk.service.audit
        first = await audit.record("1901", AUDIT_PAUSE, agent="1001", detail={"reason": "Meeting"})
        await audit.record("1902", AUDIT_PENALTY, agent="1002", queue="sales", detail={"penalty": 2})
        today = datetime.fromtimestamp(first.at).date().isoformat()

        status, rows = await call(desk, "GET", f"/api/v1/monitor/audit?day={today}", lead)
        assert status == 200 and parse_audit_entry(rows[0]) == first
        assert [r["action"] for r in rows] == [AUDIT_PAUSE, AUDIT_PENALTY]
        _, rows = await call(desk, "GET", "/api/v1/monitor/audit?agent=1002", lead)  # today by default
        assert [(r["lead"], r["queue"], r["detail"]) for r in rows] == [("1902", "sales", {"penalty": 2})]
        _, rows = await call(desk, "GET", "/api/v1/monitor/audit?lead=1901", lead)
        assert [r["id"] for r in rows] == [first.id]
        _, rows = await call(desk, "GET", "/api/v1/monitor/audit?day=2020-01-01", lead)
        assert rows == []
        for bad in ("2025-02-30", "yesterday"):
            status, answer = await call(desk, "GET", f"/api/v1/monitor/audit?day={bad}", lead)
            assert status == 400 and "is not a date like 2025-01-31" in answer["error"]
        status, answer = await call(desk, "GET", "/api/v1/monitor/audit?agent=" + "1" * 65, lead)
        assert status == 400 and "at most 64 characters" in answer["error"]

    run_offline(tmp_path, scenario)
