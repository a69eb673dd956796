"""Enrollment links on the real desk service (without Asterisk, on a clock
the test moves): a team lead makes them, alone or from a CSV; the desktop
fetches the private authority the link's fingerprint names, then redeems
the link once for its whole configuration, SIP secret included; a used,
expired or unknown link is refused with a sentence, unknown ones are
limited per address, and of two redemptions at once exactly one wins."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from pathlib import Path

from cryptography.hazmat.primitives import hashes

from agentdesk.contract.provisioning import CODE, FINGERPRINT_FRAGMENT
from agentdesk.server.attempts import MAX_FAILURES
from tests.helpers.deskcerts import issue_server, make_authority
from tests.helpers.errorlog import ErrorLog
from tests.helpers.offline import OfflineDesk, touch
from tests.helpers.testdesk import MovableClock
from tests.server.provisioning.desk import call, enroll, path_of, run_provisioning

LEAD = "1901"
USED = re.compile(r"this enrollment link was used already \(on \d{4}-\d\d-\d\d \d\d:\d\d from 127\.0\.0\.1\): "
                  r"ask your administrator for a new one")


def test_a_link_names_the_authority_and_redeems_once_for_the_whole_configuration(tmp_path: Path) -> None:
    authority = make_authority(tmp_path / "ca")
    server = issue_server(tmp_path / "ca", authority)
    tls = {"certificate": str(server.cert_file), "key": str(server.key_file), "authority": str(authority.cert_file)}

    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        lead = await desk.sign_in(LEAD)
        (made,) = await enroll(desk, lead, "1001")
        assert made["agent"] == "1001" and made["name"] == "Sara Karimi"
        assert abs(made["expires_at"] - (clock() + 24 * 3600)) < 60
        link, _, fragment = made["link"].partition("#")
        assert link.startswith("https://pbx.example.com:8480/enroll/") and CODE.fullmatch(link.rsplit("/", 1)[1])
        fingerprint = FINGERPRINT_FRAGMENT.fullmatch(fragment)
        assert fingerprint and fingerprint.group(1) == authority.cert.fingerprint(hashes.SHA256()).hex()

        async with desk.desk.get("/enroll/ca.pem") as reply:  # what the desktop fetches first, without the code
            assert reply.status == 200
            pem = await reply.text()
        assert pem == authority.cert_file.read_text()
        async with desk.desk.get(path_of(made["link"])) as reply:  # no fragment sent, yet the page has it
            assert f"agentdesk provision '{made['link']}'" in await reply.text()

        status, answer = await call(desk, "POST", path_of(made["link"]))
        assert status == 200, answer
        assert answer == {
            "version": 1, "agent": "1001", "name": "Sara Karimi",
            "sip": {"server": "pbx.example.com:5060", "transport": "tcp", "user": "1001", "secret": "demo-1001"},
            "desk_url": "https://pbx.example.com:8480", "tls_ca_pem": pem, "settings": {}, "locked": []}
        status, again = await call(desk, "POST", path_of(made["link"]))
        assert status == 410 and USED.fullmatch(again["error"]), again

    run_provisioning(tmp_path, scenario, tls=tls, provisioning={
        "desk_url": "https://pbx.example.com:8480", "transport": "tcp",
        "sip": {"tls": "pbx.example.com:5061", "tcp": "pbx.example.com:5060"}})


def test_a_person_marked_tls_is_given_tls_and_defaults_come_from_the_request(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        (made,) = await enroll(desk, await desk.sign_in(LEAD), "1020")  # Alexei: tls in the directory
        assert "#" not in made["link"]  # no private authority (plain HTTP on loopback): nothing to pin
        status, answer = await call(desk, "POST", path_of(made["link"]))
        assert status == 200, answer
        host = desk.url.split("//", 1)[1].split(":")[0]
        assert answer["sip"] == {"server": f"{host}:5061", "transport": "tls", "user": "1020", "secret": "demo-1020"}
        assert answer["desk_url"] == desk.url.rstrip("/") and answer["tls_ca_pem"] is None
        status, reply = await call(desk, "GET", "/enroll/ca.pem")
        assert status == 404 and reply["error"] == ("this desk service serves plain HTTP on this machine only: "
                                                    "there is no certificate authority to trust")

    run_provisioning(tmp_path, scenario)


def test_a_desktop_too_old_for_the_answer_is_refused_and_the_link_stays_usable(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        (made,) = await enroll(desk, await desk.sign_in(LEAD), "1002")
        status, reply = await call(desk, "POST", path_of(made["link"]), body={"version": 0})
        assert status == 400 and reply["error"] == (
            "this AgentDesk reads set-up version 0, the desk service gives version 1: update AgentDesk, "
            "then open the same link again (it was not used up)")
        status, reply = await call(desk, "POST", path_of(made["link"]), body={"version": "new"})
        assert status == 400 and "'version' must be" in reply["error"]
        status, answer = await call(desk, "POST", path_of(made["link"]), body={"version": 1})
        assert status == 200 and answer["agent"] == "1002", answer

    run_provisioning(tmp_path, scenario)


def test_an_expired_link_is_refused_and_says_when_it_expired(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        (made,) = await enroll(desk, await desk.sign_in(LEAD), "1002", hours=2)
        clock.offset += 2 * 3600 + 1
        status, reply = await call(desk, "POST", path_of(made["link"]))
        assert status == 410
        assert re.fullmatch(r"this enrollment link expired on \d{4}-\d\d-\d\d \d\d:\d\d: "
                            r"ask your administrator for a new one", reply["error"]), reply

    run_provisioning(tmp_path, scenario)


def test_unknown_links_are_refused_and_guessing_is_limited_per_address(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        (made,) = await enroll(desk, await desk.sign_in(LEAD), "1003")
        unknown = ("this enrollment link is not known here (mistyped, or made on another server): check it, "
                   "or ask your administrator for a new one")
        for guess in ["x" * 43, "short", *(f"{n:043d}" for n in range(MAX_FAILURES - 2))]:
            assert await call(desk, "POST", f"/enroll/{guess}") == (404, {"error": unknown})
        status, reply = await call(desk, "POST", path_of(made["link"]))  # even a good link waits now
        assert status == 429 and reply["error"] == ("too many unknown enrollment links from this address; "
                                                    "wait a minute")
        clock.offset += 61
        assert (await call(desk, "POST", path_of(made["link"])))[0] == 200

    run_provisioning(tmp_path, scenario)


def test_of_two_redemptions_at_once_exactly_one_wins(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        (made,) = await enroll(desk, await desk.sign_in(LEAD), "1004")
        first, second = await asyncio.gather(call(desk, "POST", path_of(made["link"])),
                                             call(desk, "POST", path_of(made["link"])))
        (won,), (lost,) = [r for r in (first, second) if r[0] == 200], [r for r in (first, second) if r[0] != 200]
        assert won[1]["sip"]["secret"] == "demo-1004"
        assert lost[0] == 410 and USED.fullmatch(lost[1]["error"]), lost

    run_provisioning(tmp_path, scenario)


def test_a_browser_gets_instructions_and_the_link_stays_usable(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        (made,) = await enroll(desk, await desk.sign_in(LEAD), "1005")
        async with desk.desk.get(path_of(made["link"])) as reply:
            assert reply.status == 200 and reply.content_type == "text/html"
            assert reply.headers["Content-Security-Policy"].startswith("default-src 'none'")
            assert reply.headers["Referrer-Policy"] == "no-referrer"
            page = await reply.text()
        assert f"<pre>agentdesk provision '{made['link']}'</pre>" in page and "Set up from a link" in page
        assert "<script" not in page
        async with desk.desk.get("/enroll/<script>alert(1)</script>") as reply:
            assert reply.status == 404 and "<script>" not in await reply.text()
        assert (await call(desk, "POST", path_of(made["link"])))[0] == 200

    run_provisioning(tmp_path, scenario)


def test_a_csv_batch_makes_one_link_per_agent(tmp_path: Path) -> None:
    sheet = "Name,Agent,Room\nSara Karimi,1001,A1\n\nDmitri Volkov, 1002 ,A2\nParisa Tehrani,1901,B\n"

    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        lead = await desk.sign_in(LEAD)
        async with desk.desk.post("/api/v1/enrollments?hours=48", data=sheet.encode(),
                                  headers={**lead, "Content-Type": "text/csv", "Accept": "text/csv"}) as reply:
            assert reply.status == 200, await reply.text()
            assert reply.content_type == "text/csv"
            rows = list(csv.DictReader(io.StringIO(await reply.text())))
        assert [(r["agent"], r["name"]) for r in rows] == [
            ("1001", "Sara Karimi"), ("1002", "Dmitri Volkov"), ("1901", "Parisa Tehrani")]
        assert len({r["link"] for r in rows}) == 3 and all(r["expires_at"][:4].isdigit() for r in rows)
        status, listed = await call(desk, "GET", "/api/v1/enrollments", lead)
        assert status == 200 and sorted(e["agent"] for e in listed["enrollments"]) == ["1001", "1002", "1901"]
        assert all(e["created_by"] == LEAD and e["used_at"] is None for e in listed["enrollments"])
        assert all(set(e) == {"agent", "name", "created_by", "created_at", "expires_at", "used_at", "used_from"}
                   for e in listed["enrollments"])  # never a code or a link

    run_provisioning(tmp_path, scenario)


def test_a_batch_naming_anyone_who_cannot_be_enrolled_makes_nothing(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        lead = await desk.sign_in(LEAD)
        async with desk.desk.post("/api/v1/enrollments", data=b"agent\n1001\n4444\n1002\n7777\n",
                                  headers={**lead, "Content-Type": "text/csv"}) as reply:
            assert reply.status == 400
            assert (await reply.json())["error"] == "the directory has no agent 4444, 7777"
        refusals = {
            ("1001", "09121110001"): "customers cannot be enrolled: 09121110001 is a customer phone",
            ("1001", "1001"): "agent 1001 is listed more than once",
            (): "name at least one agent to enroll",
        }
        for agents, sentence in refusals.items():
            assert await call(desk, "POST", "/api/v1/enrollments", lead, {"agents": list(agents)}) == (
                400, {"error": sentence})
        status, reply = await call(desk, "POST", "/api/v1/enrollments", lead, {"agents": ["1001"], "hours": 999})
        assert status == 400 and reply["error"] == "'hours' must be a whole number from 1 to 336"
        async with desk.desk.post("/api/v1/enrollments", data=b"name\nSara\n",
                                  headers={**lead, "Content-Type": "text/csv"}) as reply:
            assert reply.status == 400 and "no 'agent' column" in (await reply.json())["error"]
        assert await call(desk, "GET", "/api/v1/enrollments", lead) == (200, {"enrollments": []})

    run_provisioning(tmp_path, scenario)


def test_only_team_leads_make_or_list_enrollments(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        sara = await desk.sign_in("1001")
        for method, body in (("POST", {"agents": ["1001"]}), ("GET", None)):
            assert await call(desk, method, "/api/v1/enrollments", sara, body) == (
                403, {"error": "only team leads can make enrollments"})
            assert (await call(desk, method, "/api/v1/enrollments", None, body))[0] == 401
        assert await call(desk, "GET", "/api/v1/enrollments", await desk.sign_in(LEAD)) == (200, {"enrollments": []})

    run_provisioning(tmp_path, scenario)


def test_the_administrator_enrolls_through_the_pbx_listener_with_its_token(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk, clock: MovableClock) -> None:
        body = {"agents": ["1006"], "hours": 1, "created_by": "pbx/run (root)"}
        async with desk.pbx.post("/pbx/v1/enrollments", json=body) as reply:
            assert reply.status == 403  # no token
        async with desk.pbx.post("/pbx/v1/enrollments", json=body,
                                 headers={"X-PBX-Token": "offline-pbx-token-0123456789"}) as reply:
            assert reply.status == 200
            (made,) = (await reply.json())["enrollments"]
        assert made["link"].startswith("https://desk.example.com:8480/enroll/")
        status, listed = await call(desk, "GET", "/api/v1/enrollments", await desk.sign_in(LEAD))
        assert status == 200
        assert [(e["agent"], e["created_by"]) for e in listed["enrollments"]] == [("1006", "pbx/run (root)")]
        assert (await call(desk, "POST", path_of(made["link"])))[0] == 200

    run_provisioning(tmp_path, scenario, provisioning={"desk_url": "https://desk.example.com:8480"})


def replace(path: Path, text: str) -> None:
    path.write_text(text)
    touch(path)  # seen as changed, however coarse the file system's clock


def test_a_public_certificate_has_no_authority_to_pin_and_a_broken_one_spends_no_code(
        tmp_path: Path, error_log: ErrorLog) -> None:
    authority = make_authority(tmp_path / "ca")
    server = issue_server(tmp_path / "ca", authority)
    public = {"certificate": str(server.cert_file), "key": str(server.key_file)}

    async def without_authority(desk: OfflineDesk, clock: MovableClock) -> None:
        (made,) = await enroll(desk, await desk.sign_in(LEAD), "1007")
        assert "#" not in made["link"]
        assert await call(desk, "GET", "/enroll/ca.pem") == (404, {"error": (
            "this desk service's certificate is from a publicly trusted authority: AgentDesk trusts it through "
            "the system's authorities")})
        status, answer = await call(desk, "POST", path_of(made["link"]))
        assert status == 200 and answer["tls_ca_pem"] is None

    (tmp_path / "public").mkdir()
    run_provisioning(tmp_path / "public", without_authority, tls=public)

    broken = tmp_path / "broken.pem"
    broken.write_text("not a certificate\n")
    error_log.allowed = True  # the service logs why it cannot read its authority

    async def with_a_broken_authority(desk: OfflineDesk, clock: MovableClock) -> None:
        lead = await desk.sign_in(LEAD)
        assert (await call(desk, "POST", "/api/v1/enrollments", lead, {"agents": ["1008"]}))[0] == 503
        async with desk.pbx.post("/pbx/v1/enrollments", json={"agents": ["1008"]},
                                 headers={"X-PBX-Token": "offline-pbx-token-0123456789"}) as reply:
            assert reply.status == 503  # links without the authority's fingerprint would not be trusted
        replace(broken, authority.cert_file.read_text())
        (made,) = await enroll(desk, lead, "1008")
        replace(broken, "not a certificate either\n")
        status, reply = await call(desk, "POST", path_of(made["link"]))
        assert (status, reply["error"]) == (503, "the desk service cannot read its certificate authority; see its log")
        replace(broken, authority.cert_file.read_text())
        assert (await call(desk, "POST", path_of(made["link"])))[0] == 200  # the refused attempt spent nothing

    (tmp_path / "broken").mkdir()
    run_provisioning(tmp_path / "broken", with_a_broken_authority, tls={**public, "authority": str(broken)})
    assert any("cannot read the certificate authority" in r.getMessage() for r in error_log.records)
