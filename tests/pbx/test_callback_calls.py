"""What the desk service does with the callback dialplan over AMI, on the
real Asterisk (pbx/asterisk/extensions_callback.conf), with an HTTP stub
in its place for /pbx/v1/callbacks/* and the AMI actions sent by the test
as the design says the desk service sends them: a placeholder that rings
an agent who then talks to the customer, an agent calling a task's
customer (cb<task>) who answers or not, [outside]'s demo customer, and the
offer whispered to a waiting caller over the hold music."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from typing import Any

import pytest

from agentdesk.pbxtool.moh import PROGRESSION, note_frequency
from tests.helpers.callbackstub import (
    CUSTOMER,
    Ami,
    CallbacksStub,
    MakeParty,
    customer_waits,
    leaves_queue_with_1,
    prompt_seconds,
    waiting_channels,
)
from tests.helpers.callers import dialplan_global
from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

TASK = "c0ffee000001"
AGENT, CALLED = "1001", "09121110002"
AGENT_TONE, CUSTOMER_TONE, DEMO_CUSTOMER_TONE = 1400, 700, 450
TONES: list[float] = [AGENT_TONE, CUSTOMER_TONE, DEMO_CUSTOMER_TONE]
HEARD = 0.5  # share of the energy at one tone: clearly that tone


@pytest.fixture
def ami(pbx: Pbx, without_desk: None) -> Iterator[Ami]:
    client = Ami(pbx)
    yield client
    client.close()


@pytest.fixture
def support_agent(pbx: Pbx) -> Iterator[str]:
    """The agent's phone is a member of the support queue for the test."""
    pbx.cli(f"queue add member PJSIP/{AGENT} to support penalty 0 as agent-{AGENT}")
    yield AGENT
    pbx.cli(f"queue remove member PJSIP/{AGENT} from support")


def place_placeholder(ami: Ami, task: str, phone: str = "", queue: str = "support") -> dict[str, str]:
    """The desk service's Originate of a placeholder for a due task (phone:
    the agent it prefers)."""
    return ami.action(
        "Originate", Channel=f"Local/{task}@callback-line/n", Context="callback-connect", Exten=task,
        Priority="1", Timeout="86400000", Async="true", CallerID=f'"Customer 2" <{CALLED}>',
        ChannelId=f"cb{task}-1a", OtherChannelId=f"cb{task}-1b",
        Variable=[f"CALLBACK_TASK={task}", f"CALLBACK_QUEUE={queue}", "CALLBACK_PRIO=0",
                  "CALLBACK_POSITION=1", f"CALLBACK_PHONE={phone}", "CALLBACK_AUTODIAL=5"],
    )


def answer_with_tone(party: SipParty, tone: int, timeout: float = 15.0) -> dict[str, Any]:
    """The party answers the call ringing it and plays its tone; the offer."""
    offer = party.wait("incoming", timeout=timeout)
    party.answer()
    party.wait_state("CONFIRMED")
    party.send("tone", freq=tone)
    return offer


def assert_hears(listener: SipParty, tone: int) -> None:
    heard = listener.hear(TONES)
    assert heard[str(tone)] > HEARD, (listener.name, heard)


@pytest.mark.usefixtures("support_agent")
def test_a_placeholder_rings_an_agent_who_then_talks_to_the_customer(
    pbx: Pbx, make_party: MakeParty, desk: CallbacksStub, ami: Ami
) -> None:
    agent, customer = make_party(AGENT), make_party(CALLED)
    assert place_placeholder(ami, TASK)["Response"] == "Success"
    offer = answer_with_tone(agent, AGENT_TONE)
    headers = offer["headers"]
    assert CALLED in offer["remote"], offer  # the customer's name and number
    assert headers.get("x-agentdesk-callback") == TASK and headers.get("x-agentdesk-queue") == "support"
    assert headers.get("x-agentdesk-call") == f"cb{TASK}-1b" and headers.get("x-agentdesk-autodial") == "5"
    assert desk.wait_asked("dial") == {"task": TASK, "phone": AGENT}
    rung = answer_with_tone(customer, CUSTOMER_TONE)
    assert "02191000000" in rung["remote"], rung  # the company's caller ID, from the desk service
    # The call's linkedid (the placeholder's first channel) names the call whose end starts the wrap-up.
    assert desk.wait_asked("dialled") == {"task": TASK, "phone": AGENT, "status": "ANSWER", "call": f"cb{TASK}-1a"}
    assert_hears(agent, CUSTOMER_TONE)
    assert_hears(customer, AGENT_TONE)
    agent.send("hangup")
    customer.wait_state("DISCONNECTED", timeout=10)
    time.sleep(0.5)  # a second report would come now
    assert len(desk.asked("dialled")) == 1


def test_a_placeholder_rings_the_preferred_agent_first(
    pbx: Pbx, make_party: MakeParty, desk: CallbacksStub, ami: Ami
) -> None:
    agent, customer = make_party(AGENT), make_party(CALLED)  # the agent is in no queue
    assert place_placeholder(ami, TASK, phone=AGENT)["Response"] == "Success"
    offer = answer_with_tone(agent, AGENT_TONE)
    assert offer["headers"].get("x-agentdesk-callback") == TASK, offer
    assert offer["headers"].get("x-agentdesk-call") == f"cb{TASK}-1b", offer
    assert desk.wait_asked("dial") == {"task": TASK, "phone": AGENT}
    answer_with_tone(customer, CUSTOMER_TONE)
    assert_hears(agent, CUSTOMER_TONE)


def test_a_customer_who_does_not_answer_is_reported(pbx: Pbx, make_party: MakeParty, desk: CallbacksStub) -> None:
    agent, customer = make_party(AGENT), make_party(CALLED)
    with dialplan_global(pbx, "CALLBACK_RING_SECONDS", "4"):
        agent.call(f"sip:cb{TASK}@{SERVER}")  # from the task list, after claiming it
        assert desk.wait_asked("dial") == {"task": TASK, "phone": AGENT, "from": "list"}
        customer.wait("incoming", timeout=10)
        agent.wait_state("DISCONNECTED", timeout=15)
    assert desk.wait_asked("dialled") == {"task": TASK, "phone": AGENT, "status": "NOANSWER"}
    customer.wait_state("DISCONNECTED", timeout=10)


def test_a_number_outside_the_directory_is_a_demo_customer_who_answers(
    make_party: MakeParty, desk: CallbacksStub
) -> None:
    desk.answers["dial"] = lambda q: "ok,02155550123,02191000000"
    agent = make_party(AGENT)
    agent.call(f"sip:cb{TASK}@{SERVER}")
    agent.wait_state("CONFIRMED", timeout=10)
    assert desk.wait_asked("dialled")["status"] == "ANSWER"
    agent.send("tone", freq=AGENT_TONE)
    assert_hears(agent, DEMO_CUSTOMER_TONE)
    agent.send("hangup")


def test_a_task_another_agent_holds_is_not_dialled(make_party: MakeParty, desk: CallbacksStub) -> None:
    desk.answers["dial"] = lambda q: "taken,,"
    agent = make_party(AGENT)
    agent.call(f"sip:cb{TASK}@{SERVER}")
    desk.wait_asked("dial")
    agent.wait_state("DISCONNECTED", timeout=15)  # after "another agent is already calling"
    assert not desk.asked("dialled")


def speech_band() -> list[float]:
    """Frequencies from 700 to 3700 Hz at least 25 Hz away from every
    partial of the hold music (moh.py): energy there is a voice."""
    partials = [note_frequency(m) * h for bass, notes in PROGRESSION for m in (bass, *notes) for h in (1, 2, 3, 4)]
    band: list[float] = []
    frequency = 700.0
    while frequency < 3700:
        if all(abs(frequency - p) >= 25 for p in partials):
            band.append(frequency)
            frequency += 53
        else:
            frequency += 7
    return band


def voice_level(party: SipParty, band: list[float]) -> float:
    """Share of what the party hears over 0.5 s in the speech band."""
    heard = party.hear(band, seconds=0.5)
    return sum(float(v) for k, v in heard.items() if k not in ("rms", "event"))


def wait_hold_music_only(party: SipParty, band: list[float], timeout: float = 20.0) -> None:
    """Until the party hears no voice for two windows in a row (the queue's
    own position announcement is over)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 2:
        if time.monotonic() > deadline:
            raise AssertionError(f"{party.name} hears a voice for {timeout} s")
        quiet = quiet + 1 if voice_level(party, band) < 0.002 else 0


def test_the_offer_is_whispered_to_a_waiting_caller_who_stays_in_line(
    pbx: Pbx, make_party: MakeParty, desk: CallbacksStub, ami: Ami
) -> None:
    band = speech_band()
    customer, _ = customer_waits(make_party, pbx)
    wait_hold_music_only(customer, band)
    (channel,) = waiting_channels(pbx)
    sent = time.time()
    offer = ami.action("Originate", Channel="Local/offer@callback-whisper/n", Context="callback-offer-prompt",
                       Exten="s", Priority="1", Async="true",
                       Variable=[f"__OFFER_TARGET={channel}", "OFFER_MINUTES=5", "OFFER_LANG=en"])
    assert offer["Response"] == "Success", offer
    spoken = 1.0 + sum(prompt_seconds(pbx, name) for name in ("offer-1", "minutes-5", "offer-2"))
    levels = []
    while time.time() - sent < spoken + 3.5:
        start = time.time() - sent
        levels.append((start, voice_level(customer, band)))
    # A voice from about 1 s after the offer for as long as the prompt lasts,
    # then hold music only (medians: a lost packet's click is no voice).
    during = statistics.median(level for start, level in levels if 1.5 <= start <= spoken - 1.0)
    after = statistics.median(level for start, level in levels if start >= spoken + 0.8)
    assert during > 0.008 and after < 0.004, (spoken, levels)
    assert next(start for start, level in levels if level > 0.008) < 3.0, levels
    queued = ami.events_of("QueueStatus", Queue="support")
    assert [e["Channel"] for e in queued if e.get("Event") == "QueueEntry"] == [channel]
    offer_again(ami, channel)
    wait_until(lambda: whispers(pbx), 5, "the second offer whispered")
    leaves_queue_with_1(pbx, customer, CUSTOMER)  # while it is whispered: the whisper stops
    wait_until(lambda: not whispers(pbx), 3, "the whisper ended")
    assert desk.wait_asked("check")["number"] == CUSTOMER


def offer_again(ami: Ami, channel: str) -> None:
    ami.action("Originate", Channel="Local/offer@callback-whisper/n", Context="callback-offer-prompt",
               Exten="s", Priority="1", Async="true", Variable=[f"__OFFER_TARGET={channel}", "OFFER_LANG=ru"])


def whispers(pbx: Pbx) -> bool:
    return "@callback-whisper-" in pbx.cli("core show channels concise")
