"""Agents' transfers recorded by the desk service against the real PBX:
SIP parties make blind, returned and attended transfers of queue calls, and
the records and the transfer rate are read back over HTTP. (The event ->
record logic alone: tests/server/test_transfers.py.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from agentdesk.desktop.phone.model import CallState
from tests.helpers.agent import Agent
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import DESK_URL, SERVER, Pbx
from tests.helpers.soundserver import SoundServer
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

AGENT, TARGET, CUSTOMER, LEAD = "1017", "1018", "1019", "1901"
CUSTOMER_TONE = 700
HEARD = 0.5
MakeParty = Callable[..., SipParty]


def sip(extension: str) -> str:
    return f"sip:{extension}@{SERVER}"


@pytest.fixture
def lead(pbx: Pbx) -> Iterator[DeskUser]:
    """A team lead reading the desk service; agent 1017 works the sales
    queue on its own phone for the test."""
    agent = DeskUser(AGENT)
    agent.join("sales")
    wait_until(lambda: f"{AGENT} (PJSIP/{AGENT}" in pbx.cli("queue show sales"), what="1017 in sales")
    reader = DeskUser(LEAD)
    yield reader
    agent.leave("sales")
    pbx.cli("channel request hangup all")
    wait_until(lambda: "0 active channels" in pbx.cli("core show channels count"), what="no calls left")


def transfers_of(reader: DeskUser, uniqueid: str) -> list[dict[str, Any]]:
    return [t for t in reader.ok("GET", "/api/v1/transfers")["transfers"] if t["uniqueid"] == uniqueid]


def recorded(reader: DeskUser, uniqueid: str, check: Callable[[dict[str, Any]], bool] = bool) -> dict[str, Any]:
    """The one transfer of the customer's call, once it passes `check`."""
    found: list[dict[str, Any]] = []

    def one() -> bool:
        found[:] = transfers_of(reader, uniqueid)
        return len(found) == 1 and check(found[0])

    wait_until(one, what=f"the transfer of {uniqueid} recorded")
    return found[0]


def rates(reader: DeskUser) -> tuple[dict[str, Any], dict[str, Any]]:
    """(agent 1017's row, the sales queue's row) of today's transfer rates."""
    stats = reader.ok("GET", "/api/v1/stats/transfers")
    zero = {"answered": 0, "transfers": 0, "returned": 0}
    agent = next((row for row in stats["agents"] if row["agent"] == AGENT), zero)
    queue = next((row for row in stats["queues"] if row["queue"] == "sales"), zero)
    return agent, queue


def answered_sales_call(make_party: MakeParty) -> tuple[SipParty, SipParty, str]:
    """The customer calls sales, agent 1017 answers: (customer, agent, the
    caller's uniqueid from the offer's X-AgentDesk-Call)."""
    customer, agent = make_party(CUSTOMER), make_party(AGENT)
    customer.call(sip("7002"))
    offer = agent.wait("incoming", timeout=20)["headers"]
    agent.answer()
    agent.wait_state("CONFIRMED")
    customer.wait_state("CONFIRMED")
    assert offer.get("x-agentdesk-queue") == "sales", offer
    # Answered is not yet bridged (a sticky call's answer gosub still runs,
    # and a REFER then fails with Result "Invalid"): transfer once they talk.
    customer.send("tone", freq=CUSTOMER_TONE)
    wait_until(lambda: agent.hear([CUSTOMER_TONE])[str(CUSTOMER_TONE)] > HEARD, what="the agent hearing the customer")
    return customer, agent, offer["x-agentdesk-call"]


def assert_kpi_grew(reader: DeskUser, before: tuple[dict[str, Any], dict[str, Any]], returned: int) -> None:
    """One more answered call and one more transfer for the agent and sales;
    the rate is transfers / answered."""
    for old, new in zip(before, rates(reader), strict=True):
        assert (new["answered"], new["transfers"]) == (old["answered"] + 1, old["transfers"] + 1), (old, new)
        assert new["returned"] == old["returned"] + returned
        assert new["transfer_rate"] == round(new["transfers"] / new["answered"], 4)


def test_a_blind_transfer_of_a_queue_call_is_recorded_once(make_party: MakeParty, lead: DeskUser, pbx: Pbx) -> None:
    before = rates(lead)
    target = make_party(TARGET)
    customer, agent, call = answered_sales_call(make_party)
    agent.transfer(sip(TARGET))
    assert agent.wait_transfer_done()["code"] == 200
    target.wait("incoming")
    target.answer()
    target.wait_state("CONFIRMED")
    record = recorded(lead, call)
    assert (record["kind"], record["agent"], record["phone"], record["target"]) == ("blind", AGENT, AGENT, TARGET)
    assert (record["queue"], record["call"].split("@")[0], record["result"]) == ("sales", call, "accepted")
    assert record["agent_name"] == "Farhad Kazemi"
    assert_kpi_grew(lead, before, returned=0)
    customer.send("hangup")
    wait_until(lambda: "0 active channels" in pbx.cli("core show channels count"), what="the call over")
    assert len(transfers_of(lead, call)) == 1


def test_a_transfer_the_target_rejects_is_recorded_as_returned(make_party: MakeParty, lead: DeskUser) -> None:
    before = rates(lead)
    target = make_party(TARGET)
    _, agent, call = answered_sales_call(make_party)
    agent.transfer(sip(TARGET))
    assert agent.wait_transfer_done()["code"] == 200
    target.wait("incoming")
    target.reject(486)
    back = agent.wait("incoming", timeout=10)["headers"]
    assert back.get("x-agentdesk-transfer") == f"by={AGENT};to={TARGET};returned=BUSY", back
    agent.answer()
    record = recorded(lead, call, lambda t: t["result"] != "accepted")
    assert (record["kind"], record["agent"], record["target"], record["queue"]) == ("blind", AGENT, TARGET, "sales")
    assert record["result"] == "returned:BUSY"
    assert_kpi_grew(lead, before, returned=1)


@pytest.mark.parametrize("kind", ["attended", "conference"])
def test_an_attended_transfer_or_conference_from_the_desktop_is_recorded(
    kind: str, make_agent: Callable[..., Agent], make_party: MakeParty, lead: DeskUser, sound: SoundServer
) -> None:
    before = rates(lead)
    desktop = make_agent(AGENT)
    customer, target = make_party(CUSTOMER), make_party(TARGET)
    customer.call(sip("7002"))
    call = desktop.wait_state(CallState.RINGING_IN, timeout=20)
    desktop.engine.answer(call.call_id)
    desktop.wait_call(lambda c: c.call_id == call.call_id and c.state is CallState.ACTIVE)
    customer.send("tone", freq=CUSTOMER_TONE)
    wait_until(lambda: sound.hear([CUSTOMER_TONE])[str(CUSTOMER_TONE)] > HEARD, what="the agent hearing the customer")
    desktop.engine.dial(TARGET)  # the customer waits on hold
    target.wait("incoming", timeout=15)
    target.answer()
    consult = desktop.wait_call(lambda c: c.call_id != call.call_id and c.state is CallState.ACTIVE)
    if kind == "conference":
        desktop.engine.conference(call.call_id, consult.call_id)
        room = desktop.wait_call(lambda c: c.conference and c.state is CallState.ACTIVE, timeout=10)
        desktop.engine.hangup(room.call_id)  # the agent leaves the two talking
    else:
        desktop.engine.complete_transfer(call.call_id, consult.call_id)
    desktop.wait_no_calls(timeout=10)
    record = recorded(lead, call.queue_call)
    assert (record["kind"], record["agent"], record["target"], record["queue"]) == (kind, AGENT, TARGET, "sales")
    assert (record["call"].split("@")[0], record["result"]) == (call.queue_call, "accepted")
    assert_kpi_grew(lead, before, returned=0)


def test_agents_read_only_their_own_transfers_and_rate(lead: DeskUser) -> None:
    agent = DeskUser(AGENT)
    mine = agent.ok("GET", "/api/v1/transfers")
    assert all(t["agent"] == AGENT for t in mine["transfers"])
    assert agent.call("GET", f"/api/v1/transfers?agent={TARGET}").status_code == 403
    assert agent.ok("GET", f"/api/v1/transfers?agent={AGENT}") == mine
    stats = agent.ok("GET", "/api/v1/stats/transfers")
    assert [row["agent"] for row in stats["agents"]] in ([], [AGENT]) and stats["queues"] == []
    assert lead.ok("GET", "/api/v1/transfers?day=2001-01-31") == {"day": "2001-01-31", "transfers": []}
    for bad in ("2001-02-30", "yesterday", "20010131"):
        reply = lead.call("GET", f"/api/v1/stats/transfers?day={bad}")
        assert reply.status_code == 400 and "not a date" in reply.json()["error"], bad
    assert requests.get(f"{DESK_URL}/api/v1/transfers", timeout=5).status_code == 401
