"""The post-call survey end to end on the real PBX and desk service: agent
1001 is logged into support through the desk service (a queue member named
by its agent ID), a customer phone of the directory calls support, the
agent answers and hangs up (or transfers the caller to *55), and the
customer answers by keypad (RFC 4733). The result must be in the desk
service's database once, tied to the call, the agent and the queue, and
pushed to the agent and the team leads."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers.callbackstub import CUSTOMER
from tests.helpers.callers import dialplan_global
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.surveystub import channel_uniqueid, press_when_asked, wait_playing
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

AGENT, LEAD = "1001", "1901"
MakeParty = Callable[..., SipParty]


@pytest.fixture
def desks(pbx: Pbx) -> Iterator[tuple[DeskUser, DeskUser]]:
    """Agent 1001 in support on phone 1001 and team lead 1901 listening,
    with the survey on for support (and short key timeouts) for the test."""
    agent, lead = DeskUser(AGENT), DeskUser(LEAD)
    agent.join("support", AGENT)
    agent.listen()
    lead.listen()
    try:
        with dialplan_global(pbx, "QUEUE_SURVEY_support", "yes"), dialplan_global(pbx, "SURVEY_KEY_SECONDS", "2"):
            yield agent, lead
    finally:
        agent.call("PUT", f"/api/v1/agents/{AGENT}/queues/support", {"logged_in": False})
        agent.close()
        lead.close()


def stored(pbx: Pbx, uniqueid: str) -> list[dict[str, Any]]:
    """The survey rows of a caller channel in the desk service's database."""
    with sqlite3.connect(f"file:{pbx.home / 'state' / 'desk' / 'desk.sqlite3'}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM surveys WHERE uniqueid = ?", (uniqueid,))]


def wait_stored(pbx: Pbx, uniqueid: str, timeout: float = 20.0) -> dict[str, Any]:
    wait_until(lambda: stored(pbx, uniqueid), timeout, f"the survey of {uniqueid} stored")
    (row,) = stored(pbx, uniqueid)
    return row


def served_call(make_party: MakeParty, pbx: Pbx, agent_desk: DeskUser) -> tuple[SipParty, SipParty, str]:
    """The customer calls support and agent 1001 answers: (customer, agent
    phone, the caller channel's UNIQUEID)."""
    customer, phone = make_party(CUSTOMER), make_party(AGENT)
    agent_desk.wait_queue("support", lambda q: any(m.get("agent") == AGENT for m in q.get("members", [])))
    customer.call(f"sip:7001@{SERVER}")
    customer.wait_state("CONFIRMED")
    phone.wait("incoming", timeout=15)
    phone.answer()
    phone.wait_state("CONFIRMED")
    return customer, phone, channel_uniqueid(pbx, f"PJSIP/{CUSTOMER}-")


def hang_up(party: SipParty) -> None:
    party.send("hangup")
    party.wait_state("DISCONNECTED")


def test_the_agent_hangs_up_and_the_customer_rates_4(
    pbx: Pbx, make_party: MakeParty, desks: tuple[DeskUser, DeskUser]
) -> None:
    agent_desk, lead = desks
    customer, phone, uniqueid = served_call(make_party, pbx, agent_desk)
    call = agent_desk.ok("GET", f"/api/v1/calls/{uniqueid}")
    hang_up(phone)
    press_when_asked(pbx, customer, CUSTOMER, "survey-rate", "4")
    press_when_asked(pbx, customer, CUSTOMER, "survey-resolved", "1")
    customer.wait_state("DISCONNECTED", timeout=20)
    row = wait_stored(pbx, uniqueid)
    assert (row["agent"], row["queue"], row["number"], row["language"]) == (AGENT, "support", CUSTOMER, "en")
    assert (row["score"], row["resolved"], row["status"]) == (4, 1, "answered")
    assert row["linkedid"] == call["linkedid"] == uniqueid
    assert row["started_at"] <= row["finished_at"]
    for desk in (agent_desk, lead):
        event = desk.wait_event(lambda name, data: name == "survey" and data["uniqueid"] == uniqueid)
        assert (event["agent"], event["score"], event["resolved"], event["status"]) == (AGENT, 4, True, "answered")
    stats = agent_desk.ok("GET", "/api/v1/stats/surveys")
    assert stats["agents"][AGENT]["rated"] >= 1 and stats["queues"] == {}
    lead_stats = lead.ok("GET", "/api/v1/stats/surveys")
    assert lead_stats["queues"]["support"]["rated"] >= 1 and AGENT in lead_stats["agents"]


def test_a_wrong_key_then_a_right_one_stores_the_right_one(
    pbx: Pbx, make_party: MakeParty, desks: tuple[DeskUser, DeskUser]
) -> None:
    customer, phone, uniqueid = served_call(make_party, pbx, desks[0])
    with dialplan_global(pbx, "QUEUE_SURVEY_RESOLVED_support", "no"):
        hang_up(phone)
        press_when_asked(pbx, customer, CUSTOMER, "survey-rate", "7")
        wait_playing(pbx, CUSTOMER, "Playback", "survey-invalid")
        press_when_asked(pbx, customer, CUSTOMER, "survey-rate", "2")
        customer.wait_state("DISCONNECTED", timeout=20)
    row = wait_stored(pbx, uniqueid)
    assert (row["score"], row["resolved"], row["status"], row["agent"]) == (2, None, "answered", AGENT)


def test_a_customer_who_hangs_up_during_the_survey_is_no_answer(
    pbx: Pbx, make_party: MakeParty, desks: tuple[DeskUser, DeskUser]
) -> None:
    customer, phone, uniqueid = served_call(make_party, pbx, desks[0])
    hang_up(phone)
    wait_playing(pbx, CUSTOMER, "Read", "survey-rate")
    hang_up(customer)
    row = wait_stored(pbx, uniqueid)
    assert (row["score"], row["resolved"], row["status"], row["agent"]) == (None, None, "no_answer", AGENT)


def test_the_agents_transfer_to_55_surveys_the_caller_for_that_agent(
    pbx: Pbx, make_party: MakeParty, desks: tuple[DeskUser, DeskUser]
) -> None:
    customer, phone, uniqueid = served_call(make_party, pbx, desks[0])
    phone.transfer(f"sip:*55@{SERVER}")
    assert phone.wait_transfer_done()["code"] == 200
    press_when_asked(pbx, customer, CUSTOMER, "survey-rate", "5")
    press_when_asked(pbx, customer, CUSTOMER, "survey-resolved", "2")
    customer.wait_state("DISCONNECTED", timeout=20)
    row = wait_stored(pbx, uniqueid)
    assert (row["agent"], row["queue"], row["score"], row["resolved"], row["status"]) == (
        AGENT, "support", 5, 0, "answered")
    transfers = desks[0].ok("GET", f"/api/v1/transfers?agent={AGENT}")["transfers"]
    assert not [t for t in transfers if t.get("uniqueid") == uniqueid]  # the survey is not a transfer


def test_a_result_made_while_the_desk_service_is_down_arrives_once(
    pbx: Pbx, make_party: MakeParty, desks: tuple[DeskUser, DeskUser]
) -> None:
    customer, phone, uniqueid = served_call(make_party, pbx, desks[0])
    assert pbx.run("desk", "stop", timeout=60).returncode == 0
    try:
        hang_up(phone)
        press_when_asked(pbx, customer, CUSTOMER, "survey-rate", "3")
        press_when_asked(pbx, customer, CUSTOMER, "survey-resolved", "1")
        customer.wait_state("DISCONNECTED", timeout=20)
        wait_until(lambda: pbx.db_get("survey-pending", uniqueid), 10, "the result kept in AstDB")
    finally:
        assert pbx.run("desk", "start", timeout=120).returncode == 0
    row = wait_stored(pbx, uniqueid, timeout=30)
    assert (row["agent"], row["score"], row["resolved"], row["status"]) == (AGENT, 3, 1, "answered")
    wait_until(lambda: pbx.db_get("survey-pending", uniqueid) is None, 10, "the AstDB copy removed")
    assert len(stored(pbx, uniqueid)) == 1
