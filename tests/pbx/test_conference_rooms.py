"""The bundled PBX's conference rooms (extensions_conference.conf), with real
SIP parties: each agent may only use their own room, and a room ends when
one party is left on their own."""

from __future__ import annotations

import pytest

from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until
from tests.pbx.test_transfer_routes import (
    AGENT,
    AGENT_TONE,
    CUSTOMER,
    CUSTOMER_TONE,
    HEARD,
    TONES,
    MakeParty,
    answered_by_agent,
    sip,
    transferred,
)

pytestmark = pytest.mark.pbx

OTHER_AGENT = "1003"


def room_members(pbx: Pbx, room: str) -> list[str]:
    """The channels in `room` (empty: no such room right now)."""
    listing = pbx.cli(f"confbridge list {room}")
    return [line.split()[0] for line in listing.splitlines() if line.startswith("PJSIP/")]


def test_an_agent_cannot_dial_into_a_colleagues_room(pbx: Pbx, make_party: MakeParty) -> None:
    intruder = make_party(OTHER_AGENT)
    intruder.call(sip(f"room{AGENT}"))
    ended = intruder.wait("call_state", state="DISCONNECTED", timeout=10)
    assert ended["code"] >= 400, ended
    assert room_members(pbx, f"room{AGENT}") == []


def test_a_customer_referred_into_a_colleagues_room_lands_in_the_agents_own(
    pbx: Pbx, make_party: MakeParty
) -> None:
    customer, agent = answered_by_agent(make_party)
    transferred(agent, f"room{OTHER_AGENT}")
    wait_until(lambda: any(c.startswith(f"PJSIP/{CUSTOMER}-") for c in room_members(pbx, f"room{AGENT}")),
               10, "the customer in the agent's own room")
    assert room_members(pbx, f"room{OTHER_AGENT}") == []
    # Alone in the room, the customer hears hold music until the agent comes.
    assert customer.hear(TONES)["rms"] > 200
    agent.call(sip(f"room{AGENT}"))  # the agent dials into their own room
    agent.wait("call_state", state="CONFIRMED")
    assert agent.hear(TONES)[str(CUSTOMER_TONE)] > HEARD
    assert customer.hear(TONES)[str(AGENT_TONE)] > HEARD
    agent.send("hangup")  # the customer is left alone: the room ends
    customer.wait("call_state", state="DISCONNECTED", timeout=10)
    wait_until(lambda: room_members(pbx, f"room{AGENT}") == [], 5, "the room ended")
