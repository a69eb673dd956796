"""A team lead supervises an agent's queue call through the real desk
service and the bundled PBX: listen, whisper, barge and leave on one call,
each checked by who hears whose tone; the agent's desktop is told when the
lead can be heard, an agent cannot supervise, and the audit log keeps every
step. (The dialplan alone: tests/pbx/test_supervise_dialplan.py; the
session logic and every refusal: tests/server/monitor/test_supervision.py.)"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agentdesk.contract import events
from agentdesk.contract.leads import AUDIT_SUPERVISE_END, AUDIT_SUPERVISE_MODE, AUDIT_SUPERVISE_START, parse_supervision
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.supervision import AGENT_TONE, CUSTOMER_TONE, LEAD_TONE, assert_mode, assert_talking
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

AGENT, CUSTOMER, LEAD = "1005", "09121110005", "1901"
ROUTE = "/api/v1/monitor/supervisions"
SWITCH_SECONDS = 0.5  # the lead's digit reaches ChanSpy within 0.3 s

MakeParty = Callable[..., SipParty]


@pytest.fixture
def agent_desk(pbx: Pbx) -> Iterator[DeskUser]:
    """Agent 1005's desktop, logged into support and reading its events."""
    desk = DeskUser(AGENT)
    desk.join("support")
    wait_until(lambda: f"{AGENT} (PJSIP/{AGENT}" in pbx.cli("queue show support"), what=f"{AGENT} in support")
    desk.listen()
    yield desk
    desk.close()
    desk.leave("support")
    pbx.cli("channel request hangup all")
    wait_until(lambda: "0 active channels" in pbx.cli("core show channels count"), what="no calls left")


def supervision_event(desk: DeskUser, **expected: str) -> dict[str, Any]:
    def match(name: str, data: dict[str, Any]) -> bool:
        return name == events.SUPERVISION and all(data.get(k) == v for k, v in expected.items())

    return desk.wait_event(match, timeout=10)


def test_a_team_lead_listens_whispers_barges_and_leaves_an_agents_call(
    pbx: Pbx, make_party: MakeParty, agent_desk: DeskUser
) -> None:
    lead_desk = DeskUser(LEAD)
    lead_desk.listen("/api/v1/monitor/events")  # a lead's sessions come on their monitor stream
    customer, agent, lead = make_party(CUSTOMER), make_party(AGENT), make_party(LEAD)
    customer.call(f"sip:7001@{SERVER}")
    agent.wait("incoming", timeout=20)
    agent.answer()
    agent.wait_state("CONFIRMED")
    customer.wait_state("CONFIRMED")
    for party, tone in ((customer, CUSTOMER_TONE), (agent, AGENT_TONE), (lead, LEAD_TONE)):
        party.send("tone", freq=tone)

    refused = agent_desk.call("POST", ROUTE, {"agent": AGENT, "mode": "listen"})
    assert refused.status_code == 403 and refused.json() == {"error": "only team leads can listen to agents' calls"}

    reply = lead_desk.call("POST", ROUTE, {"agent": AGENT, "mode": "listen"})
    assert reply.status_code == 201, reply.text
    started = parse_supervision(reply.json())
    assert (started.state, started.agent_name, started.lead_name) == ("ringing", "Reza Hosseini", "Parisa Tehrani")
    ringing = lead.wait("incoming", timeout=10)
    assert ringing["headers"].get("x-agentdesk-supervise") == started.session, ringing
    lead.answer()
    supervision_event(lead_desk, session=started.session, state="live")
    assert_mode(customer, agent, lead, "listen")

    for mode in ("whisper", "barge"):
        changed = lead_desk.call("PUT", f"{ROUTE}/{started.session}", {"mode": mode})
        assert changed.status_code == 200 and changed.json()["mode"] == mode, changed.text
        time.sleep(SWITCH_SECONDS)
        assert_mode(customer, agent, lead, mode)
    # The agent's desktop was told the lead coaches them.
    supervision_event(agent_desk, session=started.session, mode="whisper", state="live", lead=LEAD)
    assert [parse_supervision(s).mode for s in lead_desk.ok("GET", ROUTE)] == ["barge"]

    ended = lead_desk.call("DELETE", f"{ROUTE}/{started.session}")
    assert ended.status_code == 200 and ended.json()["state"] == "ended", ended.text
    lead.wait_state("DISCONNECTED")
    assert customer.state == agent.state == "CONFIRMED"
    assert_talking(customer, agent)
    supervision_event(agent_desk, session=started.session, state="ended")
    assert lead_desk.ok("GET", ROUTE) == []

    def audited() -> list[str]:
        rows = lead_desk.ok("GET", f"/api/v1/monitor/audit?session={started.session}")
        return [row["action"] for row in rows]

    steps = [AUDIT_SUPERVISE_START, AUDIT_SUPERVISE_MODE, AUDIT_SUPERVISE_MODE, AUDIT_SUPERVISE_END]
    wait_until(lambda: audited() == steps, 5, f"the audit log's {steps}")
    lead_desk.close()
