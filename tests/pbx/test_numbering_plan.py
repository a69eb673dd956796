"""The numbering plan follows pbx/directory.csv and pbx/queues.ini: a PBX
made from a copy of pbx/ with one more agent (1021) and one more queue
(billing, 7003), and no other edit (tests/helpers/grownpbx.py), reaches the
new agent from a colleague and by a blind transfer, and takes calls in the
new queue. Real SIP parties on that second test PBX."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.grownpbx import NEW_AGENT, NEW_QUEUE, NEW_QUEUE_NUMBER, MakeParty, sip
from tests.helpers.party import SipParty
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

COLLEAGUE, CUSTOMER = "1002", "1010"
CALLER_TONE, ANSWER_TONE = 700, 1100
TONES: list[float] = [CALLER_TONE, ANSWER_TONE]
HEARD = 0.5


@pytest.fixture
def make_party(grown_party: MakeParty) -> MakeParty:
    return grown_party


def talking(caller: SipParty, answerer: SipParty) -> None:
    """Both ends of an answered call play their tone; each hears the other's."""
    caller.wait_state("CONFIRMED")
    caller.send("tone", freq=CALLER_TONE)
    answerer.send("tone", freq=ANSWER_TONE)
    for listener, tone in ((caller, ANSWER_TONE), (answerer, CALLER_TONE)):
        heard = listener.hear(TONES)
        assert heard[str(tone)] > HEARD, (listener.name, heard)


def answer(party: SipParty, timeout: float = 10.0) -> dict[str, str]:
    """The party is rung, answers; the SIP headers of the offer."""
    offer = party.wait("incoming", timeout=timeout)
    party.answer()
    party.wait_state("CONFIRMED")
    return dict(offer["headers"])


def test_a_new_agent_registers_and_a_colleague_reaches_them(grown: Pbx, make_party: MakeParty) -> None:
    new_agent, colleague = make_party(NEW_AGENT), make_party(COLLEAGUE)
    assert grown.is_registered(NEW_AGENT)
    colleague.call(sip(NEW_AGENT))
    answer(new_agent)
    talking(colleague, new_agent)


def test_a_new_agent_is_a_blind_transfer_target(make_party: MakeParty) -> None:
    new_agent, customer, agent = make_party(NEW_AGENT), make_party(CUSTOMER), make_party(COLLEAGUE)
    customer.call(sip(COLLEAGUE))
    answer(agent)
    talking(customer, agent)  # bridged: a REFER before that is refused (400)
    agent.transfer(sip(NEW_AGENT))
    assert agent.wait_transfer_done()["code"] == 200
    headers = answer(new_agent)
    assert headers.get("x-agentdesk-transfer") == f"by={COLLEAGUE};to={NEW_AGENT}", headers
    talking(customer, new_agent)


def test_a_new_agents_mailbox_is_a_transfer_target(grown: Pbx, make_party: MakeParty) -> None:
    customer, agent = make_party(CUSTOMER), make_party(COLLEAGUE)
    customer.call(sip(COLLEAGUE))
    answer(agent)
    talking(customer, agent)  # bridged: a REFER before that is refused (400)
    agent.transfer(sip(f"*{NEW_AGENT}"))
    assert agent.wait_transfer_done()["code"] == 200
    wait_until(lambda: customer_in(grown) == ("VoiceMail", f"{NEW_AGENT}@default,u"), 10, "the customer in voicemail")


def customer_in(pbx: Pbx) -> tuple[str, str]:
    """(application, its data) the customer's channel runs."""
    for line in pbx.cli("core show channels concise").splitlines():
        fields = line.split("!")
        if fields[0].startswith(f"PJSIP/{CUSTOMER}-") and len(fields) > 6:
            return fields[5], fields[6]
    return "", ""


@pytest.fixture
def billing_member(grown: Pbx) -> Iterator[str]:
    """The new agent's phone is a member of the new queue for the test (the
    desk service would add it when the agent logs in)."""
    member = f"PJSIP/{NEW_AGENT}"
    grown.cli(f"queue add member {member} to {NEW_QUEUE}")
    yield member
    grown.cli(f"queue remove member {member} from {NEW_QUEUE}")


@pytest.mark.usefixtures("billing_member")
def test_a_caller_of_the_new_queue_is_offered_to_its_agent(make_party: MakeParty) -> None:
    new_agent, customer = make_party(NEW_AGENT), make_party(CUSTOMER)
    customer.call(sip(NEW_QUEUE_NUMBER))
    headers = answer(new_agent, timeout=15)
    assert headers.get("x-agentdesk-queue") == NEW_QUEUE, headers
    talking(customer, new_agent)
