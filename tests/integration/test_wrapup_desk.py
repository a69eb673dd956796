"""Wrap-up end to end on the real PBX and desk service: an agent's SIP phone
answers a simulated customer of the support queue; when the customer hangs
up the desk service pauses the agent in every queue with the reason
"wrap-up" (as Asterisk's `queue show` prints it) and makes them ready at
the end of the limit, or earlier when they finish; a required disposition
keeps them paused until it is saved; records are stored once with one
follow-up task; a desk service killed mid-wrap-up still ends it on time.

The test set-up starts with wrap-up off; PUT /api/v1/test/wrapup switches
it on with a short limit for every queue."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.helpers.callbackflow import Lead
from tests.helpers.callers import customers_ended, place_callers
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import DESK_URL, Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

MakeParty = Callable[..., SipParty]
AGENT = "1004"
QUEUES = ("support", "sales")


@pytest.fixture
def lead(pbx: Pbx) -> Iterator[Lead]:
    lead = Lead()
    yield lead
    lead.call("PUT", "/api/v1/test/wrapup", {"enabled": False})
    lead.close()


@pytest.fixture
def agent(pbx: Pbx, make_party: MakeParty) -> Iterator[tuple[DeskUser, SipParty]]:
    """Agent 1004 in support and sales, their phone answering by itself."""
    phone = make_party(AGENT)
    phone.send("auto_answer", on=True)
    desk = DeskUser(AGENT)
    for queue in QUEUES:
        desk.join(queue)
    yield desk, phone
    for queue in QUEUES:
        desk.call("PUT", f"/api/v1/agents/{AGENT}/queues/{queue}", {"logged_in": False})
    desk.call("PUT", f"/api/v1/agents/{AGENT}/pause", {"paused": False})


def switch_on(lead: Lead, **policy: Any) -> None:
    lead.ok("PUT", "/api/v1/test/wrapup", {"enabled": True, **policy})


def member_line(pbx: Pbx, queue: str) -> str:
    """The agent's line in `queue show` (Asterisk's own picture)."""
    output = pbx.cli(f"queue show {queue}")
    return next((line for line in output.splitlines() if f"(PJSIP/{AGENT})" in line), "")


def paused_for_wrapup(pbx: Pbx, queue: str) -> bool:
    return "(paused:wrap-up" in member_line(pbx, queue)


def everywhere(pbx: Pbx, check: Callable[[Pbx, str], bool]) -> bool:
    return all(check(pbx, queue) for queue in QUEUES)


def ready(pbx: Pbx, queue: str) -> bool:
    line = member_line(pbx, queue)
    return bool(line) and "paused" not in line


def a_number() -> str:
    """A number no earlier test used (a repeat caller would be routed to
    their last agent directly, not through the queue)."""
    return f"0912{random.randrange(10**6, 10**7)}"


def serve_a_call(pbx: Pbx, desk: DeskUser, phone: SipParty, number: str, talk: int = 2) -> dict[str, Any]:
    """A customer of support is answered, talks, hangs up: the wrap-up view."""
    place_callers("support", patience=30, talk=talk, number=number)
    phone.wait("incoming", timeout=20)
    found: list[dict[str, Any]] = []

    def started() -> bool:
        view = desk.snapshot()["wrapup"]
        found[:] = [view] if view and view["number"] == number else []
        return bool(found)

    wait_until(started, 20 + talk, "the wrap-up to start")
    return found[0]


def test_after_a_call_the_agent_is_paused_in_every_queue_until_the_limit(
    pbx: Pbx, lead: Lead, agent: tuple[DeskUser, SipParty]
) -> None:
    desk, phone = agent
    switch_on(lead, limit_seconds=8, warning_seconds=3)
    with customers_ended(pbx):
        view = serve_a_call(pbx, desk, phone, a_number())
    assert view["state"] == "active" and view["limit_seconds"] == 8 and view["queue"] == "support"
    assert view["deadline_at"] - view["warning_at"] == 3 and view["then"] == "ready" and not view["saved"]
    wait_until(lambda: everywhere(pbx, paused_for_wrapup), 5, "paused with reason wrap-up in support and sales")
    assert re.search(r"\(paused:wrap-up was \d+ secs? ago\)", member_line(pbx, "support")), member_line(pbx, "support")
    me = desk.snapshot()["me"]
    assert me["activity"] == "paused" and me["paused_reason"] == "wrap-up"
    lead_view = lead.snapshot()
    member = next(m for q in lead_view["queues"] if q["name"] == "sales" for m in q["members"] if m["agent"] == AGENT)
    assert member["paused_reason"] == "wrap-up"
    assert view["deadline_at"] - time.time() > 2  # still paused well before the limit:
    assert everywhere(pbx, paused_for_wrapup)
    wait_until(lambda: everywhere(pbx, ready), view["deadline_at"] - time.time() + 5, "ready at the limit")
    assert time.time() >= view["deadline_at"] - 0.5
    assert desk.snapshot()["wrapup"] is None


def test_an_agent_finishes_early_and_cannot_choose_wrap_up_themselves(
    pbx: Pbx, lead: Lead, agent: tuple[DeskUser, SipParty]
) -> None:
    desk, phone = agent
    refused = desk.call("PUT", f"/api/v1/agents/{AGENT}/pause", {"paused": True, "reason": "wrap-up"})
    assert refused.status_code == 400
    switch_on(lead, limit_seconds=120)
    with customers_ended(pbx):
        view = serve_a_call(pbx, desk, phone, a_number())
    wait_until(lambda: everywhere(pbx, paused_for_wrapup), 5, "paused for wrap-up")
    done = desk.ok("POST", f"/api/v1/wrapups/{view['uniqueid']}/finish")
    assert done["wrapup"]["state"] == "ended" and done["wrapup"]["end_reason"] == "finished"
    wait_until(lambda: everywhere(pbx, ready), 5, "ready after finishing")
    assert desk.call("POST", "/api/v1/wrapups/1.1/finish").status_code == 404


def test_a_required_disposition_keeps_the_agent_paused_and_a_repeated_record_is_stored_once(
    pbx: Pbx, lead: Lead, agent: tuple[DeskUser, SipParty]
) -> None:
    desk, phone = agent
    desk.listen()
    switch_on(lead, limit_seconds=3, disposition_required=True)
    number = a_number()
    with customers_ended(pbx):
        view = serve_a_call(pbx, desk, phone, number)
    uniqueid = view["uniqueid"]
    early = desk.call("POST", f"/api/v1/wrapups/{uniqueid}/finish")
    assert early.status_code == 409 and early.json()["error"].startswith("Choose a disposition first: Resolved")
    assert desk.call("PUT", f"/api/v1/agents/{AGENT}/pause", {"paused": False}).status_code == 409
    desk.wait_event(lambda name, data: name == "wrapup" and data["overtime"], timeout=15)
    assert everywhere(pbx, paused_for_wrapup)

    bad = desk.call("PUT", f"/api/v1/wrapups/{uniqueid}", {"disposition": "Nonsense"})
    assert bad.status_code == 400 and "Resolved" in bad.json()["error"]
    follow_up = time.time() + 2 * 86400
    body = {"disposition": "Sale", "notes": "Wants the yearly plan", "first_contact_resolved": False,
            "follow_up": {"at": follow_up, "topic": "Yearly plan"}, "record_id": "9f1c"}
    first = desk.ok("PUT", f"/api/v1/wrapups/{uniqueid}", body)
    assert first["saved"] and first["first"] and re.fullmatch(r"[0-9a-f]{12}", first["callback_task"])
    assert first["wrapup"]["state"] == "ended" and first["wrapup"]["end_reason"] == "saved"
    wait_until(lambda: everywhere(pbx, ready), 5, "ready once the disposition arrived")

    again = desk.ok("PUT", f"/api/v1/wrapups/{uniqueid}", {**body, "disposition": "Resolved"})
    assert not again["first"] and again["callback_task"] == first["callback_task"]
    tasks = [t for t in lead.ok("GET", "/api/v1/callbacks")["tasks"] if t["number"] == number]
    assert [t["id"] for t in tasks] == [first["callback_task"]]
    assert tasks[0]["preferred_agent"] == AGENT and tasks[0]["topic"] == "Yearly plan"
    assert abs(tasks[0]["due_at"] - follow_up) < 1

    today = desk.ok("GET", f"/api/v1/agents/{AGENT}/calls")["calls"]
    mine = next(c for c in today if c["number"] == number)
    assert mine["disposition"] == "Sale" and mine["notes"] == "Wants the yearly plan"
    assert mine["wrapup_seconds"] >= 3 and mine["survey_score"] is None
    assert DeskUser("1005").call("GET", f"/api/v1/agents/{AGENT}/calls").status_code == 403


def test_a_desk_service_killed_mid_wrap_up_still_ends_it_at_the_deadline(
    pbx: Pbx, lead: Lead, agent: tuple[DeskUser, SipParty]
) -> None:
    desk, phone = agent
    switch_on(lead, limit_seconds=20)
    with customers_ended(pbx):
        view = serve_a_call(pbx, desk, phone, a_number())
    wait_until(lambda: everywhere(pbx, paused_for_wrapup), 5, "paused for wrap-up")
    pbx.kill_desk()
    assert pbx.run("desk", "start", timeout=120).returncode == 0
    wait_until(lambda: requests.get(f"{DESK_URL}/api/v1/health", timeout=5).json()["pbx_connected"], 20,
               "the desk service back")
    desk = DeskUser(AGENT)
    resumed = desk.snapshot()["wrapup"]
    assert resumed is not None and resumed["uniqueid"] == view["uniqueid"]
    assert resumed["deadline_at"] == view["deadline_at"]
    if time.time() < view["deadline_at"] - 1:
        assert everywhere(pbx, paused_for_wrapup)
    wait_until(lambda: everywhere(pbx, ready), view["deadline_at"] - time.time() + 5, "ready at the deadline")
    assert time.time() >= view["deadline_at"] - 0.5


def a_served_call(pbx: Pbx, desk: DeskUser, phone: SipParty, number: str, count: int) -> dict[str, Any]:
    """With wrap-up off: the `count`th call of `number` answered and ended (the agent's call list's entry)."""
    place_callers("support", patience=30, talk=1, number=number)
    phone.wait("incoming", timeout=20)
    found: list[dict[str, Any]] = []

    def ended() -> bool:
        calls = desk.ok("GET", f"/api/v1/agents/{AGENT}/calls")["calls"]
        found[:] = [c for c in calls if c["number"] == number and c["ended_at"]]
        return len(found) >= count

    wait_until(ended, 25, f"call {count} of {number} to end")
    return found[count - 1]


def test_a_record_of_a_call_without_a_wrap_up_is_stored_and_shows_on_the_next_screen_pop(
    pbx: Pbx, agent: tuple[DeskUser, SipParty]
) -> None:
    desk, phone = agent
    number = a_number()
    with customers_ended(pbx):
        first = a_served_call(pbx, desk, phone, number, 1)
        assert desk.snapshot()["wrapup"] is None  # wrap-up is off: the service saw no session
        body = {"disposition": "Complaint", "notes": "Late delivery", "first_contact_resolved": False}
        assert DeskUser("1005").call("PUT", f"/api/v1/wrapups/{first['uniqueid']}", body).status_code == 403
        saved = desk.ok("PUT", f"/api/v1/wrapups/{first['uniqueid']}", body)
        assert saved == {"saved": True, "first": True, "callback_task": "", "wrapup": None}
        assert desk.call("PUT", "/api/v1/wrapups/1.99", body).status_code == 404
        second = a_served_call(pbx, desk, phone, number, 2)
    pop = desk.ok("GET", f"/api/v1/calls/{second['uniqueid']}")
    past = next(h for h in pop["history"] if h["at"] == first["joined_at"])
    assert (past["disposition"], past["notes"], past["first_contact_resolved"], past["survey_score"]) == (
        "Complaint", "Late delivery", False, None)


def test_a_returning_caller_rung_straight_to_their_agent_also_gets_a_wrap_up(
    pbx: Pbx, lead: Lead, agent: tuple[DeskUser, SipParty]
) -> None:
    """A sticky call never passes through app_queue (no AgentComplete), yet
    it is a queue customer's call all the same."""
    desk, phone = agent
    number = a_number()
    with customers_ended(pbx):
        place_callers("support", patience=30, talk=2, number=number)  # served by the queue, wrap-up off
        phone.wait("incoming", timeout=20)
        phone.wait_state("DISCONNECTED", timeout=20)
        wait_until(lambda: desk.snapshot()["me"]["activity"] == "ready", 15, "the agent free again")
        switch_on(lead, limit_seconds=30)
        completed = queue_completed(pbx)
        place_callers("support", patience=30, talk=2, number=number)
        offer = phone.wait("incoming", timeout=20)
        headers = {k.lower(): v for k, v in offer["headers"].items()}
        wait_until(lambda: (desk.snapshot()["wrapup"] or {}).get("number") == number, 20, "the sticky call's wrap-up")
    view = desk.snapshot()["wrapup"]
    assert view["uniqueid"] == headers["x-agentdesk-call"] and view["queue"] == "support"
    wait_until(lambda: everywhere(pbx, paused_for_wrapup), 5, "paused with reason wrap-up in support and sales")
    assert queue_completed(pbx) == completed  # it was the sticky ring: app_queue never had the call


def queue_completed(pbx: Pbx) -> int:
    """app_queue's count of completed calls of support (`queue show`'s C:)."""
    found = re.search(r"\bC:(\d+)", pbx.cli("queue show support"))
    assert found, pbx.cli("queue show support")
    return int(found.group(1))
