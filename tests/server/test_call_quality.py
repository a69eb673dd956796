"""Call quality on the real desk service without Asterisk
(tests/helpers/offline.py): an agent's desktop sends the quality of the
agent's own calls only, a queue call it names must be one the service saw
the agent take, a malformed record is refused with a sentence, and an
agent reads their own calls' quality while a team lead reads anyone's."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from agentdesk.contract.quality import CallQuality, dump_call_quality
from agentdesk.server.store import CallEntry
from tests.helpers.offline import OfflineDesk, run_offline

NOW = 1_763_800_000.0
QUALITY = CallQuality("", NOW, NOW + 95.5, "fair", "packet loss 6 %", 3.71, 3.92, 4.8, 0.4, 3.5, 12.0, 21.4,
                      "PCMU", "udp", "no", 47)
LEG = "7c1e0a52-3f7e-4f4e-9d7a-2c1f0e9d8b11"
LEAD = "1901"
DAY = date.fromtimestamp(NOW).isoformat()  # the service's days are local, as date.fromtimestamp's


def path(agent: str, leg: str = "") -> str:
    return f"/api/v1/agents/{agent}/call-quality" + (f"/{quote(leg, safe='')}" if leg else "")


async def put(desk: OfflineDesk, who: dict[str, str], agent: str, body: Any, leg: str = LEG) -> tuple[int, Any]:
    async with desk.desk.put(path(agent, leg), json=body, headers=who) as reply:
        return reply.status, await reply.json()


async def get(desk: OfflineDesk, who: dict[str, str], url: str) -> tuple[int, Any]:
    async with desk.desk.get(url, headers=who) as reply:
        return reply.status, await reply.json()


def test_an_agent_sends_their_own_calls_quality_and_a_team_lead_reads_it(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        sara, lead = await desk.sign_in("1001"), await desk.sign_in(LEAD)
        status, reply = await put(desk, sara, "1001", dump_call_quality(QUALITY))
        assert status == 200, reply
        assert reply["saved"] and reply["new"] and reply["quality"]["level"] == "fair"
        status, again = await put(desk, sara, "1001", dump_call_quality(QUALITY))  # the desktop's retry
        assert status == 200 and not again["new"]

        status, day = await get(desk, lead, f"{path('1001')}?day={DAY}")
        assert status == 200, day
        (call,) = day["calls"]
        assert call["agent"] == "1001" and call["call_id"] == LEG
        assert {key: call[key] for key in dump_call_quality(QUALITY)} == dump_call_quality(QUALITY)
        status, own = await get(desk, sara, path("1001", LEG))
        assert status == 200 and own["mos_avg"] == 3.92 and own["reason"] == "packet loss 6 %"

    run_offline(tmp_path, scenario)


def test_nobody_sends_quality_for_someone_elses_calls(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        dmitri, lead = await desk.sign_in("1002"), await desk.sign_in(LEAD)
        for who in (dmitri, lead):  # a team lead's desktop measures only the lead's own calls
            status, reply = await put(desk, who, "1001", dump_call_quality(QUALITY))
            assert status == 403
            assert reply["error"] == ("call quality comes from the desktop that took the call: "
                                      "you can send it for your own calls only")
        status, reply = await get(desk, lead, path("1001", LEG))
        assert status == 404 and reply["error"] == "the desk service has no quality of that call"

    run_offline(tmp_path, scenario)


def test_an_agent_reads_only_their_own_calls_quality(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        sara, dmitri = await desk.sign_in("1001"), await desk.sign_in("1002")
        assert (await put(desk, sara, "1001", dump_call_quality(QUALITY)))[0] == 200
        for url in (path("1001", LEG), f"{path('1001')}?day={DAY}"):
            status, reply = await get(desk, dmitri, url)
            assert status == 403
            assert reply["error"] == "an agent can read the quality of their own calls only; team leads read anyone's"
        status, reply = await get(desk, dmitri, f"{path('1002')}?day={DAY}")
        assert status == 200 and reply["calls"] == []

    run_offline(tmp_path, scenario)


def test_a_queue_call_must_be_one_the_agent_took(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        sara, dmitri = await desk.sign_in("1001"), await desk.sign_in("1002")
        entry = CallEntry("1763800000.7", "1763800000.7", "support", "09121110001", "Ann", NOW, 1, False)
        await desk.service.db(lambda s: s.calls.add_call(entry))
        await desk.service.db(lambda s: s.calls.connect_call("1763800000.7", "1001", NOW + 5, 5))
        body = {**dump_call_quality(QUALITY), "queue_call": "1763800000.7"}
        status, reply = await put(desk, dmitri, "1002", body)
        assert status == 403
        assert reply["error"] == "that queue call was not yours: you can send the quality of your own calls only"
        status, reply = await put(desk, sara, "1001", {**body, "queue_call": "1763800000.8"})
        assert status == 404 and reply["error"] == "the desk service knows no queue call with that ID"
        status, reply = await put(desk, sara, "1001", body)
        assert status == 200 and reply["quality"]["queue_call"] == "1763800000.7"

    run_offline(tmp_path, scenario)


def test_a_malformed_record_is_refused_with_a_sentence(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        sara = await desk.sign_in("1001")
        cases: list[tuple[Any, str, str]] = [
            ({**dump_call_quality(QUALITY), "mos_avg": 7}, LEG, "'mos_avg' must be a number from 1 to 4.5"),
            ({**dump_call_quality(QUALITY), "level": "great"}, LEG, "'level' must be one of good, fair, poor"),
            ({"level": "good"}, LEG, "'started_at' must be a number from 0 to 4e+09"),
            (dump_call_quality(QUALITY), "two words", "that is not a SIP Call-ID"),
        ]
        for body, leg, message in cases:
            status, reply = await put(desk, sara, "1001", body, leg)
            assert (status, reply["error"]) == (400, message)
        async with desk.desk.put(path("1001", LEG), data=b"[1, 2", headers=sara) as reply:
            assert reply.status == 400 and (await reply.json())["error"] == "the request body must be JSON"
        status, reply = await get(desk, sara, f"{path('1001')}?day={DAY}")
        assert status == 200 and reply["calls"] == []  # nothing of it was stored

    run_offline(tmp_path, scenario)


def test_without_signing_in_nothing_is_sent(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        status, reply = await put(desk, {}, "1001", dump_call_quality(QUALITY))
        assert status == 401 and "sign in" in reply["error"]

    run_offline(tmp_path, scenario)
