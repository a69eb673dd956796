"""Settings an administrator gives desktops, on the real desk service
(without Asterisk): site-wide defaults and per-agent overrides with
locks, checked against what may be provisioned; each signed-in person
reads their own effective settings, a change reaches exactly the desktops
it concerns as the "provisioning" event, and only team leads see or change
them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from agentdesk.contract.events import PROVISIONING
from tests.helpers.offline import OfflineDesk
from tests.helpers.testdesk import MovableClock
from tests.server.provisioning.desk import call, enroll, events, path_of, run_provisioning

LEAD = "1901"
SITE = "/api/v1/provisioning/site"
SARA = "/api/v1/provisioning/agents/1001"
OFFERED = {"provisioning": {"sip": {"tls": "pbx.example.com:5061", "tcp": "pbx.example.com:5060"},
                            "transport": "tcp"}}


async def own(desk: OfflineDesk, who: dict[str, str]) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    status, reply = await call(desk, "GET", "/api/v1/provisioning", who)
    assert status == 200, reply
    assert "secret" not in reply["sip"]
    return reply["settings"], reply["locked"], reply["sip"]


def test_an_agents_settings_are_the_sites_then_their_own_and_locks_add_up(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        lead, sara, dmitri = await desk.sign_in(LEAD), await desk.sign_in("1001"), await desk.sign_in("1002")
        site = {"settings": {"auto_answer": True, "language": "fa", "crm_timeout_ms": 1500, "transport": "tls"},
                "locked": ["auto_answer", "tone_zone"]}
        assert await call(desk, "PUT", SITE, lead, site) == (200, {**site, "locked": ["auto_answer", "tone_zone"]})
        override = {"settings": {"language": "en", "transport": "tcp"}, "locked": ["language"]}
        assert await call(desk, "PUT", SARA, lead, override) == (200, {"agent": "1001", **override})

        settings, locked, sip = await own(desk, sara)
        assert settings == {"auto_answer": True, "language": "en", "crm_timeout_ms": 1500, "transport": "tcp"}
        assert locked == ["auto_answer", "language", "tone_zone"]
        assert sip == {"server": "pbx.example.com:5060", "transport": "tcp", "user": "1001"}
        settings, locked, sip = await own(desk, dmitri)
        assert (settings["language"], locked, sip["transport"]) == ("fa", ["auto_answer", "tone_zone"], "tls")
        assert sip["server"] == "pbx.example.com:5061"

        status, view = await call(desk, "GET", SARA, lead)
        assert status == 200 and view["settings"] == override["settings"]
        assert view["effective"]["locked"] == ["auto_answer", "language", "tone_zone"]
        # A desktop enrolled now gets the same, with its secret.
        (made,) = await enroll(desk, lead, "1001")
        status, answer = await call(desk, "POST", path_of(made["link"]))
        assert (answer["settings"], answer["locked"]) == ((await own(desk, sara))[:2])

    run_provisioning(tmp_path, scenario, **OFFERED)


def test_settings_that_cannot_be_given_are_refused_with_a_sentence(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        lead = await desk.sign_in(LEAD)
        refusals = [
            ({"settings": {"server": "evil:5060"}}, "'server' cannot be provisioned; these can: transport, "),
            ({"settings": {"auto_answer": "yes"}}, "auto_answer must be true or false"),
            ({"settings": {"register_seconds": True}}, "register_seconds must be a whole number"),
            ({"settings": {"language": 7}}, "language must be text"),
            ({"settings": {}, "locked": "auto_answer"}, "'locked' must be a list of setting names"),
            ({"settings": {}, "locked": ["microphone"]}, "'microphone' cannot be locked; these can: "),
            ({"locked": []}, "'settings' must be an object of setting names and values"),
            ({"settings": {"transport": "udp"}}, "this PBX offers desktops the transport tcp or tls, not 'udp'"),
            ({"settings": {"crm_open_url": "x" * 2001}}, "crm_open_url is longer than 2000 characters"),
        ]
        for body, sentence in refusals:
            for path in (SITE, SARA):
                status, reply = await call(desk, "PUT", path, lead, body)
                assert status == 400 and reply["error"].startswith(sentence), (body, reply)
        async with desk.desk.put(SITE, data=b"{not json", headers=lead) as reply:
            assert reply.status == 400
        assert await call(desk, "GET", SITE, lead) == (200, {"settings": {}, "locked": []})  # nothing was kept
        assert await call(desk, "PUT", "/api/v1/provisioning/agents/4444", lead, {"settings": {}}) == (
            404, {"error": "the directory has no agent '4444'"})
        status, _ = await call(desk, "GET", "/api/v1/provisioning/agents/09121110001", lead)
        assert status == 404  # a customer's phone has no desktop

    run_provisioning(tmp_path, scenario, **OFFERED)


def test_only_team_leads_see_or_change_provisioned_settings(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        sara = await desk.sign_in("1001")
        body = {"settings": {"auto_answer": False}, "locked": []}
        for method, path in (("GET", SITE), ("PUT", SITE), ("GET", SARA), ("PUT", SARA)):
            assert await call(desk, method, path, sara, body if method == "PUT" else None) == (
                403, {"error": "only team leads can see or change the settings given to desktops"}), (method, path)
            assert (await call(desk, method, path, None, body if method == "PUT" else None))[0] == 401
        assert (await own(desk, sara))[:2] == ({}, [])  # nothing changed; reading one's own is anyone's
        assert (await call(desk, "GET", "/api/v1/provisioning"))[0] == 401

    run_provisioning(tmp_path, scenario)


def test_a_change_reaches_exactly_the_desktops_it_concerns(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        lead, sara, dmitri = await desk.sign_in(LEAD), await desk.sign_in("1001"), await desk.sign_in("1002")
        async with desk.desk.get("/api/v1/events", headers=sara) as sara_stream, \
                desk.desk.get("/api/v1/events", headers=dmitri) as dmitri_stream:
            sara_events, dmitri_events = events(sara_stream), events(dmitri_stream)
            for stream in (sara_events, dmitri_events):
                assert (await anext(stream))[1] == "snapshot"
            status, _ = await call(desk, "PUT", SARA, lead, {"settings": {"auto_answer": True}})
            assert status == 200
            status, _ = await call(desk, "PUT", SITE, lead, {"settings": {"language": "fa"}})
            assert status == 200

            async def next_provisioning(stream: Any) -> int:
                while True:
                    number, name, data = await asyncio.wait_for(anext(stream), 10)
                    if name == PROVISIONING:
                        assert data == {}
                        return int(number)

            for_sara = await next_provisioning(sara_events)
            site_change = await next_provisioning(sara_events)
            assert site_change > for_sara
            # Dmitri's first is the site's: Sara's own change never reached him.
            assert await next_provisioning(dmitri_events) == site_change

    run_provisioning(tmp_path, scenario)
