"""An agent's phone that vanishes mid-call (network drop, PC off) must not
take the customer with it: the bundled PBX puts the customer back into
their queue, ahead of the other callers, within a bounded time. Real SIP
parties; the drop is a SIGKILL of the agent's party (no BYE, no more RTP,
no answer to OPTIONS). An agent who hangs up still ends the call. Queue
calls, a returning caller's sticky agent and a blind transfer's target
are all covered."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tests.helpers.callers import RouteStub, queue_log, waiting_numbers
from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.waiting import wait_until

pytestmark = [pytest.mark.pbx, pytest.mark.usefixtures("route")]

CUSTOMER, AGENT, SECOND, COLLEAGUE = "1010", "1001", "1004", "1003"
CUSTOMER_TONE, AGENT_TONE, SECOND_TONE, COLLEAGUE_TONE = 700, 1400, 1100, 900
TONES: list[float] = [CUSTOMER_TONE, AGENT_TONE, SECOND_TONE, COLLEAGUE_TONE]
HEARD = 0.5  # share of the energy at one tone: clearly that tone
ABSENT = 0.05
REQUEUE_PRIORITY = 100  # REQUEUE_PRIORITY in extensions.conf
# rtp_timeout of agent endpoints (10 s, pjsip.conf), up to a second of
# Asterisk's checking, and slack for a busy test machine.
REQUEUE_WITHIN = 16.0

MakeParty = Callable[..., SipParty]
AddMember = Callable[[str], None]


def sip(extension: str) -> str:
    return f"sip:{extension}@{SERVER}"


@pytest.fixture
def sales_members(pbx: Pbx) -> Iterator[AddMember]:
    """add(phone): that phone is a member of the sales queue for the test."""
    added: list[str] = []

    def add(phone: str) -> None:
        pbx.cli(f"queue add member PJSIP/{phone} to sales penalty 0 as agent-{phone}")
        added.append(phone)

    yield add
    for phone in added:
        pbx.cli(f"queue remove member PJSIP/{phone} from sales")


def customer_waiting(pbx: Pbx, queue: str) -> list[int]:
    """The priorities the customer waits with in `queue` (empty: not there)."""
    return [prio for channel, prio in waiting_numbers(pbx, queue) if channel.startswith(f"PJSIP/{CUSTOMER}-")]


def member_line(pbx: Pbx, queue: str, phone: str) -> str:
    lines = pbx.cli(f"queue show {queue}").splitlines()
    return next((line for line in lines if f"(PJSIP/{phone})" in line), "")


def agent_lost_logged(pbx: Pbx, since: float, phone: str) -> bool:
    """queue_log has the custom AGENTLOST event for the phone (data phone|cause)."""
    return any(line.event == "AGENTLOST" and line.data[:1] == (phone,) for line in queue_log(pbx, since))


def assert_hears(listener: SipParty, tone: int) -> None:
    heard = listener.hear(TONES)
    assert heard[str(tone)] > HEARD, (listener.name, heard)


def answer_with_tone(party: SipParty, tone: int, timeout: float = 15.0) -> dict[str, str]:
    """The party answers the call ringing it and plays its tone; returns the
    offer's SIP headers."""
    headers: dict[str, str] = party.wait("incoming", timeout=timeout)["headers"]
    party.answer()
    party.wait_state("CONFIRMED")
    party.send("tone", freq=tone)
    return headers


def sales_call_answered(make_party: MakeParty, add_member: AddMember) -> tuple[SipParty, SipParty]:
    """The customer calls the sales queue, whose only agent answers; they
    hear each other."""
    customer, agent = make_party(CUSTOMER), make_party(AGENT)
    add_member(AGENT)
    customer.call(sip("7002"))
    answer_with_tone(agent, AGENT_TONE)
    customer.wait_state("CONFIRMED")
    customer.send("tone", freq=CUSTOMER_TONE)
    assert_hears(agent, CUSTOMER_TONE)
    return customer, agent


def sticky_call_answered(make_party: MakeParty, route: RouteStub) -> tuple[SipParty, SipParty]:
    """The customer calls support; the desk service names their last agent's
    phone, which rings first (no Queue()) and answers."""
    route.replies = {CUSTOMER: f"0,{COLLEAGUE}".encode()}
    customer, colleague = make_party(CUSTOMER), make_party(COLLEAGUE)
    customer.call(sip("7001"))
    headers = answer_with_tone(colleague, COLLEAGUE_TONE, timeout=10)
    assert headers.get("x-agentdesk-queue") == "support", headers
    customer.send("tone", freq=CUSTOMER_TONE)
    assert_hears(colleague, CUSTOMER_TONE)
    return customer, colleague


def transferred_call_answered(pbx: Pbx, make_party: MakeParty, add_member: AddMember) -> tuple[SipParty, SipParty]:
    """The sales agent blind-transfers the customer to a colleague, who
    answers ([transfer-ring]); the agent leaves the queue meanwhile."""
    customer, agent = sales_call_answered(make_party, add_member)
    colleague = make_party(COLLEAGUE)
    pbx.cli(f"queue remove member PJSIP/{AGENT} from sales")  # nobody to offer it to again
    agent.transfer(sip(COLLEAGUE))
    answer_with_tone(colleague, COLLEAGUE_TONE)
    assert_hears(colleague, CUSTOMER_TONE)
    return customer, colleague


def killed_then_requeued(pbx: Pbx, phone: SipParty, queue: str) -> float:
    """Kill the phone the customer talks to; seconds until the customer
    waits in `queue` again, first in line (printed: pytest -rP shows it)."""
    killed = time.monotonic()
    phone.kill()
    wait_until(lambda: customer_waiting(pbx, queue) == [REQUEUE_PRIORITY], 30, f"the customer back in {queue}")
    seconds = time.monotonic() - killed
    print(f"{phone.name} killed, customer back in {queue} after {seconds:.1f} s")
    return seconds


def hung_up_ends_the_call(pbx: Pbx, phone: SipParty, customer: SipParty, queue: str) -> None:
    since = time.time() - 1
    phone.send("hangup")
    customer.wait_state("DISCONNECTED", timeout=5)
    assert not customer_waiting(pbx, queue)
    assert not [line for line in queue_log(pbx, since) if line.event == "AGENTLOST"]


def test_a_connected_agent_lost_puts_the_customer_back_first_for_the_next_agent(
    pbx: Pbx, make_party: MakeParty, sales_members: AddMember
) -> None:
    since = time.time() - 1
    customer, agent = sales_call_answered(make_party, sales_members)
    second = make_party(SECOND)
    sales_members(SECOND)
    assert killed_then_requeued(pbx, agent, "sales") < REQUEUE_WITHIN
    assert "(Unavailable)" in member_line(pbx, "sales", AGENT)  # not offered to the lost phone again
    headers = answer_with_tone(second, SECOND_TONE)
    assert headers.get("x-agentdesk-queue") == "sales", headers
    assert_hears(second, CUSTOMER_TONE)
    assert_hears(customer, SECOND_TONE)
    assert agent_lost_logged(pbx, since, AGENT)


def test_an_agent_lost_while_consulting_puts_the_held_customer_back_first(
    pbx: Pbx, make_party: MakeParty, sales_members: AddMember
) -> None:
    customer, agent = sales_call_answered(make_party, sales_members)
    colleague, second = make_party(COLLEAGUE), make_party(SECOND)
    agent.send("hold")
    wait_until(lambda: customer.hear(TONES)[str(AGENT_TONE)] < ABSENT, 10, "the customer on hold")
    agent.call(sip(COLLEAGUE))
    answer_with_tone(colleague, COLLEAGUE_TONE)
    assert_hears(agent, COLLEAGUE_TONE)
    sales_members(SECOND)
    assert killed_then_requeued(pbx, agent, "sales") < REQUEUE_WITHIN
    answer_with_tone(second, SECOND_TONE)
    assert_hears(second, CUSTOMER_TONE)
    assert_hears(customer, SECOND_TONE)
    colleague.wait_state("DISCONNECTED", timeout=10)  # the consultation goes with the lost phone


def test_an_agent_who_hangs_up_ends_the_customers_call(
    pbx: Pbx, make_party: MakeParty, sales_members: AddMember
) -> None:
    customer, agent = sales_call_answered(make_party, sales_members)
    hung_up_ends_the_call(pbx, agent, customer, "sales")


def test_a_lost_sticky_agent_puts_the_customer_back_into_the_queue(
    pbx: Pbx, make_party: MakeParty, route: RouteStub
) -> None:
    _, colleague = sticky_call_answered(make_party, route)
    assert killed_then_requeued(pbx, colleague, "support") < REQUEUE_WITHIN


def test_a_sticky_agent_who_hangs_up_ends_the_customers_call(pbx: Pbx, make_party: MakeParty, route: RouteStub) -> None:
    customer, colleague = sticky_call_answered(make_party, route)
    hung_up_ends_the_call(pbx, colleague, customer, "support")


def test_a_lost_transfer_target_puts_the_customer_back_into_the_queue(
    pbx: Pbx, make_party: MakeParty, sales_members: AddMember
) -> None:
    _, colleague = transferred_call_answered(pbx, make_party, sales_members)
    assert killed_then_requeued(pbx, colleague, "sales") < REQUEUE_WITHIN


def test_a_transfer_target_who_hangs_up_ends_the_customers_call(
    pbx: Pbx, make_party: MakeParty, sales_members: AddMember
) -> None:
    customer, colleague = transferred_call_answered(pbx, make_party, sales_members)
    hung_up_ends_the_call(pbx, colleague, customer, "sales")
