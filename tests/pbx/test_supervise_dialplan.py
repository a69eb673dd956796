"""Team-lead supervision in the bundled Asterisk
(pbx/asterisk/extensions_supervise.conf), driven over AMI the way the desk
service drives it (agentdesk/server/monitor/agent_call.py): a customer
(1010) talks with agent 1001; team lead 1901 is rung with the session's
header and, once answered, spies on the agent's exact channel. Who hears
whom is checked with each party's own tone (tests/helpers/supervision.py).
The desk service's side of it: tests/integration/test_supervision.py."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from tests.helpers.callbackstub import Ami
from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.supervision import (
    AGENT_TONE,
    CUSTOMER_TONE,
    LEAD_TONE,
    EventAmi,
    assert_mode,
    assert_talking,
)

pytestmark = pytest.mark.pbx

CUSTOMER, AGENT, LEAD = "1010", "1001", "1901"
SWITCH_SECONDS = 0.5  # a digit reaches ChanSpy within 0.3 s (measured with a tone detector)

MakeParty = Callable[..., SipParty]


@dataclass
class Call:
    customer: SipParty
    agent: SipParty
    channel: str  # the agent's, PJSIP/1001-xxxxxxxx


@dataclass
class Session:
    lead: SipParty
    spyer: str  # the Local ;1 half running ChanSpy


@pytest.fixture
def ami(pbx: Pbx) -> Iterator[Ami]:
    client = Ami(pbx)
    yield client
    client.close()


@pytest.fixture
def events(pbx: Pbx) -> Iterator[EventAmi]:
    client = EventAmi(pbx)
    yield client
    client.stop()


def sip(extension: str) -> str:
    return f"sip:{extension}@{SERVER}"


def live_call(make_party: MakeParty, pbx: Pbx) -> Call:
    """The customer calls the agent, who answers; both play their tones."""
    customer, agent = make_party(CUSTOMER), make_party(AGENT)
    customer.send("tone", freq=CUSTOMER_TONE)
    agent.send("tone", freq=AGENT_TONE)
    customer.call(sip(AGENT))
    agent.wait("incoming")
    agent.answer()
    agent.wait_state("CONFIRMED")
    customer.wait_state("CONFIRMED")
    concise = pbx.cli("core show channels concise").splitlines()
    return Call(customer, agent, next(line.split("!")[0] for line in concise if line.startswith(f"PJSIP/{AGENT}-")))


def originate(ami: Ami, target: str, mode: str, session: str) -> None:
    reply = ami.action(
        "Originate", Channel=f"Local/{LEAD}@supervise-ring/n", Context="supervise", Exten=mode, Priority="1",
        Async="true", Timeout="15000", ChannelId=f"{session}a", OtherChannelId=f"{session}b",
        CallerID=f'"Listen: Sara Karimi" <{AGENT}>',
        Variable=[f"SUPERVISE_TARGET={target}", f"__SUPERVISE_SESSION={session}",
                  "__SUPERVISE_LABEL=Listen: Sara Karimi"],
    )
    assert reply.get("Response") == "Success", reply


def supervise(lead: SipParty, call: Call, ami: Ami, events: EventAmi, mode: str, count: int = 1) -> Session:
    """The lead is rung with the session's header, answers, and spies in `mode`."""
    session = f"test{int(time.time() * 1000) % 10**8:08d}"
    originate(ami, call.channel, mode, session)
    incoming = lead.wait("incoming", timeout=10)
    assert incoming["headers"].get("x-agentdesk-supervise") == session, incoming
    lead.answer()
    lead.wait_state("CONFIRMED")
    start = events.wait_event("ChanSpyStart", count)
    assert (start["SpyeeChannel"], start["SpyerUniqueid"]) == (call.channel, f"{session}a"), start
    return Session(lead, start["SpyerChannel"])


def leave(ami: Ami, session: Session, events: EventAmi, count: int = 1) -> None:
    """The desk service's DELETE: hang up the spyer."""
    assert ami.action("Hangup", Channel=session.spyer).get("Response") == "Success"
    events.wait_event("ChanSpyStop", count)
    session.lead.wait_state("DISCONNECTED")


def switch(ami: Ami, session: Session, digit: str) -> None:
    """The desk service's PUT: a digit received on the spyer, read by ChanSpy (option d)."""
    reply = ami.action("PlayDTMF", Channel=session.spyer, Digit=digit, Duration="120", Receive="true")
    assert reply.get("Response") == "Success", reply
    time.sleep(SWITCH_SECONDS)


def test_the_desk_services_digits_switch_modes_and_the_leads_keypad_does_not(
    make_party: MakeParty, pbx: Pbx, ami: Ami, events: EventAmi
) -> None:
    call = live_call(make_party, pbx)
    lead = make_party(LEAD)
    lead.send("tone", freq=LEAD_TONE)
    session = supervise(lead, call, ami, events, "listen")
    assert_mode(call.customer, call.agent, lead, "listen")
    # The lead's own keypad is dropped before ChanSpy ([supervise-offer]
    # FRAME_DROP): a mode change always goes through the desk service.
    lead.send("dtmf", digits="5")
    time.sleep(SWITCH_SECONDS)
    assert_mode(call.customer, call.agent, lead, "listen")
    for digit, mode in (("5", "whisper"), ("6", "barge"), ("4", "listen")):
        switch(ami, session, digit)
        assert_mode(call.customer, call.agent, lead, mode)
    # No event tells of a mode change: ChanSpy kept spying throughout.
    assert len(events.named("ChanSpyStart")) == 1 and not events.named("ChanSpyStop")
    leave(ami, session, events)
    assert call.agent.state == call.customer.state == "CONFIRMED"
    assert_talking(call.customer, call.agent)


def test_whisper_and_barge_start_as_asked(make_party: MakeParty, pbx: Pbx, ami: Ami, events: EventAmi) -> None:
    call = live_call(make_party, pbx)
    lead = make_party(LEAD)
    lead.send("tone", freq=LEAD_TONE)
    for count, mode in enumerate(("whisper", "barge"), start=1):
        session = supervise(lead, call, ami, events, mode, count)
        assert_mode(call.customer, call.agent, lead, mode)
        leave(ami, session, events, count)


def test_a_target_that_is_not_one_agent_channel_is_refused(
    make_party: MakeParty, pbx: Pbx, ami: Ami, events: EventAmi
) -> None:
    # A bare prefix would let ChanSpy pick any of the agent's channels. The
    # target is checked on ;1, which runs only once the lead answered.
    live_call(make_party, pbx)
    lead = make_party(LEAD)
    originate(ami, f"PJSIP/{AGENT}", "listen", "testbad")
    lead.wait("incoming")
    lead.answer()
    lead.wait_state("DISCONNECTED")
    assert not events.named("ChanSpyStart")


@pytest.mark.parametrize("phone", [AGENT, "1902"])  # an agent's and a team lead's
def test_no_phone_reaches_the_supervise_contexts(phone: str, make_party: MakeParty, pbx: Pbx) -> None:
    everything = pbx.cli("dialplan show")
    assert "'supervise'" in everything  # the contexts are loaded...
    assert not re.search(r"Include =>\s+'supervise", everything)  # ...and included by none
    for context in ("agents", "teamleads", "transfer", "customers"):
        assert "ChanSpy" not in pbx.cli(f"dialplan show {context}"), context
    party = make_party(phone)
    for number in ("listen", "whisper", "barge", "supervise", "supervise-ring"):
        party.call(sip(number))
        ended = party.wait("call_state", timeout=10, state="DISCONNECTED")
        assert ended["code"] >= 400, (number, ended)
