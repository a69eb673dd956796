"""Where the bundled PBX sends an agent's blind transfer (SIP REFER into
[transfer]), with three real SIP parties: a customer calls agent 1001, who
answers and transfers the call. Who hears whom is checked with tones; the
customer must always end up with a person, a mailbox or a queue."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.helpers.callers import dialplan_global, waiting_numbers
from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

CUSTOMER, AGENT, TARGET, UNREGISTERED = "1010", "1001", "1003", "1009"
CUSTOMER_TONE, AGENT_TONE, TARGET_TONE = 700, 1400, 1100
TONES: list[float] = [CUSTOMER_TONE, AGENT_TONE, TARGET_TONE]
HEARD = 0.5  # share of the energy at one tone: clearly that tone
ABSENT = 0.05
SPEECH_RMS = 200  # a greeting or hold music, not silence

MakeParty = Callable[..., SipParty]


def sip(extension: str) -> str:
    return f"sip:{extension}@{SERVER}"


def answered_by_agent(make_party: MakeParty) -> tuple[SipParty, SipParty]:
    """The customer calls the agent directly, the agent answers; both play
    their tones."""
    customer, agent = make_party(CUSTOMER), make_party(AGENT)
    customer.call(sip(AGENT))
    agent.wait("incoming")
    agent.answer()
    agent.wait_state("CONFIRMED")
    customer.wait_state("CONFIRMED")
    customer.send("tone", freq=CUSTOMER_TONE)
    agent.send("tone", freq=AGENT_TONE)
    return customer, agent


def assert_talking(one: SipParty, one_tone: int, other: SipParty, other_tone: int) -> None:
    """Each of the two hears the other's tone."""
    for listener, tone in ((one, other_tone), (other, one_tone)):
        heard = listener.hear(TONES)
        assert heard[str(tone)] > HEARD, (listener.name, heard)


def transferred(agent: SipParty, target: str) -> None:
    """The agent transfers; the PBX accepts and the agent's leg ends."""
    agent.transfer(sip(target))
    assert agent.wait_transfer_done()["code"] == 200
    agent.wait("call_state", state="DISCONNECTED")


def transfer_accepted(party: SipParty) -> bool:
    return any(e["event"] == "xfer_status" and e["final"] and e["code"] == 200 for e in party.history)


def customer_channel(pbx: Pbx) -> tuple[str, str]:
    """(application, its data) the customer's channel is running."""
    for line in pbx.cli("core show channels concise").splitlines():
        fields = line.split("!")
        if fields[0].startswith(f"PJSIP/{CUSTOMER}-") and len(fields) > 6:
            return fields[5], fields[6]
    return "", ""


def customer_waiting(pbx: Pbx, queue: str) -> list[int]:
    """The priorities the customer waits with in `queue` (empty: not there)."""
    return [prio for channel, prio in waiting_numbers(pbx, queue) if channel.startswith(f"PJSIP/{CUSTOMER}-")]


def test_transfer_to_a_free_colleague_connects_the_customer(make_party: MakeParty) -> None:
    target = make_party(TARGET)
    customer, agent = answered_by_agent(make_party)
    transferred(agent, TARGET)
    offer = target.wait("incoming")
    assert offer["headers"].get("x-agentdesk-transfer") == f"by={AGENT};to={TARGET}", offer
    assert "x-agentdesk-queue" not in offer["headers"]  # a direct call, no queue
    target.answer()
    target.wait_state("CONFIRMED")
    target.send("tone", freq=TARGET_TONE)
    assert_talking(customer, CUSTOMER_TONE, target, TARGET_TONE)
    assert customer.hear(TONES)[str(AGENT_TONE)] < ABSENT


def test_rejected_transfer_comes_back_to_the_agent(make_party: MakeParty) -> None:
    target = make_party(TARGET)
    customer, agent = answered_by_agent(make_party)
    transferred(agent, TARGET)
    target.wait("incoming")
    target.reject(486)
    back = agent.wait("incoming", timeout=10)
    assert back["headers"].get("x-agentdesk-transfer") == f"by={AGENT};to={TARGET};returned=BUSY", back
    agent.answer()
    agent.wait_state("CONFIRMED")
    assert_talking(customer, CUSTOMER_TONE, agent, AGENT_TONE)


def test_transfer_to_an_unknown_number_is_refused_and_the_customer_stays(make_party: MakeParty) -> None:
    customer, agent = answered_by_agent(make_party)
    agent.transfer(sip("1099"))
    assert agent.wait_transfer_done()["code"] == 404
    assert agent.state == customer.state == "CONFIRMED"
    assert_talking(customer, CUSTOMER_TONE, agent, AGENT_TONE)


def test_transfer_to_a_colleagues_voicemail_plays_their_greeting(pbx: Pbx, make_party: MakeParty) -> None:
    customer, agent = answered_by_agent(make_party)
    transferred(agent, f"*{TARGET}")
    wait_until(lambda: customer_channel(pbx) == ("VoiceMail", f"{TARGET}@default,u"), 10, "the customer in voicemail")
    greeting = customer.hear(TONES)
    assert greeting["rms"] > SPEECH_RMS and greeting[str(AGENT_TONE)] < ABSENT, greeting


def test_transfer_to_a_queue_number_puts_the_customer_in_that_queue(pbx: Pbx, make_party: MakeParty) -> None:
    customer, agent = answered_by_agent(make_party)
    transferred(agent, "7002")
    wait_until(lambda: customer_waiting(pbx, "sales"), 10, "the customer waiting in sales")
    music = customer.hear(TONES)
    assert music["rms"] > SPEECH_RMS and music[str(AGENT_TONE)] < ABSENT, music


def test_nobody_answering_puts_the_customer_back_in_a_queue_first(pbx: Pbx, make_party: MakeParty) -> None:
    customer, agent = answered_by_agent(make_party)
    pbx.wait_registered(UNREGISTERED, present=False)
    agent.transfer(sip(UNREGISTERED))
    # Nobody to ring: the call comes back at once, before the PBX confirms
    # the transfer (its final NOTIFY waits for the first audio frame).
    back = agent.wait("incoming", timeout=10)
    wait_until(lambda: transfer_accepted(agent), 10, "the transfer accepted")
    assert back["headers"].get("x-agentdesk-transfer") == f"by={AGENT};to={UNREGISTERED};returned=CHANUNAVAIL"
    agent.reject(603)
    # A direct call has no queue of its own: the fallback queue, ahead of
    # everybody (priority 100).
    wait_until(lambda: customer_waiting(pbx, "support") == [100], 10, "the customer first in support")
    assert customer.state == "CONFIRMED"


def test_a_pbx_set_to_return_transfers_to_the_queue_skips_the_agent(pbx: Pbx, make_party: MakeParty) -> None:
    target = make_party(TARGET)
    customer, agent = answered_by_agent(make_party)
    with dialplan_global(pbx, "TRANSFER_RETURN_TO", "queue"):
        transferred(agent, TARGET)
        target.wait("incoming")
        target.reject(486)
        wait_until(lambda: customer_waiting(pbx, "support") == [100], 10, "the customer first in support")
    assert [e["event"] for e in agent.history].count("incoming") == 1  # the customer's call only, never rung back
    assert customer.state == "CONFIRMED"


@pytest.fixture
def sales_agent(pbx: Pbx) -> Iterator[str]:
    """Agent 1001's phone is a member of the sales queue for the test."""
    member = f"PJSIP/{AGENT}"
    pbx.cli(f"queue add member {member} to sales")
    yield member
    pbx.cli(f"queue remove member {member} from sales")


def answered_sales_call(make_party: MakeParty) -> tuple[SipParty, SipParty, dict[str, str]]:
    """The customer calls the sales queue and the agent answers the offer
    (whose SIP headers are returned)."""
    customer, agent = make_party(CUSTOMER), make_party(AGENT)
    customer.call(sip("7002"))
    offer = agent.wait("incoming", timeout=15)["headers"]
    agent.answer()
    agent.wait_state("CONFIRMED")
    customer.send("tone", freq=CUSTOMER_TONE)
    agent.send("tone", freq=AGENT_TONE)
    # The queue bridges the two a moment after the agent's 200 OK; a REFER
    # before that is refused (400), so the transfer waits until they talk.
    assert_talking(customer, CUSTOMER_TONE, agent, AGENT_TONE)
    return customer, agent, offer


@pytest.mark.usefixtures("sales_agent")
def test_queue_call_transfer_gives_the_target_the_screen_pop(make_party: MakeParty) -> None:
    target = make_party(TARGET)
    customer, agent, offer = answered_sales_call(make_party)
    assert offer.get("x-agentdesk-queue") == "sales" and offer.get("x-agentdesk-call"), offer
    transferred(agent, TARGET)
    headers = target.wait("incoming")["headers"]
    assert headers.get("x-agentdesk-transfer") == f"by={AGENT};to={TARGET}", headers
    assert headers.get("x-agentdesk-queue") == "sales", headers
    assert headers.get("x-agentdesk-call") == offer["x-agentdesk-call"], headers
    target.answer()
    target.wait_state("CONFIRMED")
    target.send("tone", freq=TARGET_TONE)
    assert_talking(customer, CUSTOMER_TONE, target, TARGET_TONE)


def test_unanswered_queue_call_goes_back_into_its_own_queue(pbx: Pbx, make_party: MakeParty, sales_agent: str) -> None:
    customer, agent, offer = answered_sales_call(make_party)
    pbx.cli(f"queue remove member {sales_agent} from sales")  # nobody to offer it to again
    agent.transfer(sip(UNREGISTERED))
    back = agent.wait("incoming", timeout=10)["headers"]
    assert back.get("x-agentdesk-queue") == "sales" and back.get("x-agentdesk-call") == offer["x-agentdesk-call"]
    agent.reject(486)
    wait_until(lambda: customer_waiting(pbx, "sales") == [100], 10, "the customer first in sales")
    assert customer.state == "CONFIRMED"
