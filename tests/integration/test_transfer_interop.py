"""Transfers from the agent's desktop to a phone that is not built on pjsua2:
baresip (tests/helpers/baresip.py) as extension 1003, playing a 700 Hz tone
and recording what it hears. The customer is a SIP party (tests/peers),
the agent's microphone plays MIC_TONE through the sound server: who hears
whom is checked with each one's tone.

baresip speaks G.711 only (the PBX transcodes from the customer's G.722),
except as the target of the attended transfer: there the bundled Asterisk
22, in 2 to 8 of 10 runs here, sends nothing at all to a G.711-only target
once a G.722 customer is transferred to it (its RTP counters stop at the
REFER; hold music started on that channel later is not sent either; no
warning; not the connected-line re-INVITE, not native RTP bridging, not the
hold, not which leg carries the REFER). With G.722 offered too, no
transcoding is needed and it passes every time; the trunk-like case, a
G.711 customer transferred to G.722 agents, passes too (tested below)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from agentdesk.desktop.phone.model import CallState, TransferState
from tests.helpers.baresip import Baresip, sip_secret
from tests.helpers.callers import dialplan_global
from tests.helpers.handover import (
    ABSENT,
    CUSTOMER_TONE,
    HEARD,
    TARGET_TONE,
    consult,
    customer_call,
)
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.soundserver import MIC_TONE, SoundServer

pytestmark = pytest.mark.pbx

AGENT, CUSTOMER, TARGET = "1001", "1002", "1003"
MUSIC_RMS = 200  # hold music, not silence
TONES: list[float] = [TARGET_TONE, MIC_TONE, CUSTOMER_TONE]
G711 = "PCMU/8000/1"
G722_AND_G711 = "G722/16000/1,PCMU/8000/1"


@pytest.fixture
def make_baresip(pbx: Pbx, tmp_path: Path) -> Iterator[Callable[..., Baresip]]:
    """make_baresip(answermode='auto', codecs=G711) -> baresip registered as 1003."""
    phones: list[Baresip] = []

    def make(answermode: str = "auto", codecs: str = G711) -> Baresip:
        phone = Baresip(tmp_path / "baresip", TARGET, sip_secret(pbx.home, TARGET), SERVER, tone=TARGET_TONE,
                        answermode=answermode, codecs=codecs)
        phones.append(phone)
        phone.start().wait_registered()
        return phone

    yield make
    for phone in phones:
        phone.close()


@contextmanager
def sip_trace(pbx: Pbx) -> Iterator[Callable[[], str]]:
    """Asterisk logs the SIP messages it sends and receives (full.log) for
    the duration; the function returns what was logged since the start."""
    log = pbx.log_dir() / "full.log"
    start = log.stat().st_size
    pbx.cli("pjsip set logger on")
    try:
        yield lambda: log.read_bytes()[start:].decode(errors="replace")
    finally:
        pbx.cli("pjsip set logger off")


def returned_invite(trace: str, status: str) -> bool:
    """The PBX rang the agent again with the transfer's outcome."""
    return re.search(rf"^X-AgentDesk-Transfer: by={AGENT};to={TARGET};returned={status}\s*$", trace, re.M) is not None


def assert_customer_hears(customer: Any, tone: float, not_tone: float) -> None:
    heard = customer.hear(TONES)
    assert heard[str(int(tone))] > HEARD and heard[str(int(not_tone))] < ABSENT, f"{heard}"


def assert_customer_hears_music(customer: Any) -> None:
    music = customer.hear(TONES)
    assert music["rms"] > MUSIC_RMS and all(music[str(int(t))] < ABSENT for t in TONES), f"{music}"


def test_blind_transfer_to_baresip_connects_it_with_the_customer(
    make_agent: Any, make_party: Any, make_baresip: Callable[..., Baresip], sound: SoundServer
) -> None:
    agent, customer, target = make_agent(AGENT), make_party(CUSTOMER), make_baresip()
    call_id = customer_call(agent, customer)
    agent.engine.transfer(call_id, TARGET)
    target.wait("CALL_ESTABLISHED", timeout=15)
    agent.wait_no_calls(timeout=10)
    assert agent.calls_seen[-1].transfer_state is TransferState.DONE
    assert_customer_hears(customer, TARGET_TONE, MIC_TONE)
    heard = target.hear(TONES)
    assert heard[str(CUSTOMER_TONE)] > HEARD and heard[str(int(MIC_TONE))] < ABSENT, f"{heard}"


def test_attended_transfer_to_baresip_after_consulting_it(
    make_agent: Any, make_party: Any, make_baresip: Callable[..., Baresip], sound: SoundServer
) -> None:
    agent, customer, target = make_agent(AGENT), make_party(CUSTOMER), make_baresip(codecs=G722_AND_G711)
    customer_id = customer_call(agent, customer)
    agent.engine.dial(TARGET)  # the customer goes on hold
    target.wait("CALL_ESTABLISHED", timeout=15)
    consult = agent.wait_call(lambda c: c.call_id != customer_id and c.state is CallState.ACTIVE and c.has_audio)
    assert_customer_hears_music(customer)
    assert sound.hear([TARGET_TONE])[str(TARGET_TONE)] > HEARD  # the agent talks with baresip...
    assert target.hear([MIC_TONE])[str(int(MIC_TONE))] > HEARD  # ...and baresip with the agent

    agent.engine.complete_transfer(customer_id, consult.call_id)
    agent.wait_no_calls(timeout=10)
    assert_customer_hears(customer, TARGET_TONE, MIC_TONE)
    heard = target.hear(TONES)
    assert heard[str(CUSTOMER_TONE)] > HEARD and heard[str(int(MIC_TONE))] < ABSENT, f"{heard}"


def test_a_g711_customer_on_baresip_is_attended_transferred_to_a_colleague(
    pbx: Pbx, tmp_path: Path, make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    """The customer is baresip speaking G.711 only, as a call from a
    telephone trunk would; agents speak G.722: the PBX transcodes both
    before and after the transfer."""
    agent, target = make_agent(AGENT), make_party(TARGET)
    customer = Baresip(tmp_path / "customer", CUSTOMER, sip_secret(pbx.home, CUSTOMER), SERVER,
                       tone=CUSTOMER_TONE, codecs=G711)
    try:
        customer.start().wait_registered()
        customer.command("dial", f"sip:{AGENT}@{SERVER}")
        call = agent.wait_state(CallState.RINGING_IN)
        agent.engine.answer(call.call_id)
        agent.wait_call(lambda c: c.call_id == call.call_id and c.state is CallState.ACTIVE and c.has_audio)
        consult_id = consult(agent, call.call_id, target, TARGET)
        agent.engine.complete_transfer(call.call_id, consult_id)
        agent.wait_no_calls(timeout=10)
        assert target.hear(TONES)[str(CUSTOMER_TONE)] > HEARD
        assert_customer_hears(customer, TARGET_TONE, MIC_TONE)
    finally:
        customer.close()


def take_returned_call(agent: Any, customer: Any, target: Baresip) -> None:
    """The customer's call rings the agent again; the agent takes it and
    they talk, baresip is out of it."""
    back = agent.wait_call(lambda c: c.state is CallState.RINGING_IN, timeout=10)
    assert back.remote_number == CUSTOMER, back
    customer.detect(MIC_TONE)
    agent.engine.answer(back.call_id)
    agent.wait_call(lambda c: c.call_id == back.call_id and c.state is CallState.ACTIVE and c.has_audio)
    # The agent's sound device restarts: its first audio usually reaches the
    # customer 0.25 s after the answer, sometimes 1.2 s (just after the
    # transferred call ended).
    customer.wait_detected(MIC_TONE, timeout=5)
    assert_customer_hears(customer, MIC_TONE, TARGET_TONE)
    assert not any(event["type"] == "CALL_ESTABLISHED" for event in target.history), target.history


def test_blind_transfer_rejected_by_baresip_comes_back_to_the_agent(
    pbx: Pbx, make_agent: Any, make_party: Any, make_baresip: Callable[..., Baresip], sound: SoundServer
) -> None:
    agent, customer, target = make_agent(AGENT), make_party(CUSTOMER), make_baresip(answermode="manual")
    call_id = customer_call(agent, customer)
    with sip_trace(pbx) as trace:
        agent.engine.transfer(call_id, TARGET)
        target.wait("CALL_INCOMING", timeout=15)
        agent.wait_no_calls(timeout=10)  # the PBX took the call: the agent's leg is gone
        assert_customer_hears_music(customer)  # while baresip rings
        target.hangup()  # 486 Busy Here
        target.wait("CALL_CLOSED")
        take_returned_call(agent, customer, target)
        assert returned_invite(trace(), "BUSY"), trace()[-3000:]


def test_blind_transfer_baresip_does_not_answer_comes_back_to_the_agent(
    pbx: Pbx, make_agent: Any, make_party: Any, make_baresip: Callable[..., Baresip], sound: SoundServer
) -> None:
    agent, customer, target = make_agent(AGENT), make_party(CUSTOMER), make_baresip(answermode="manual")
    call_id = customer_call(agent, customer)
    # The PBX's 20 s ring time, shortened at run time for this test only.
    with dialplan_global(pbx, "TRANSFER_RING_SECONDS", "3"), sip_trace(pbx) as trace:
        agent.engine.transfer(call_id, TARGET)
        target.wait("CALL_INCOMING", timeout=15)
        target.wait("CALL_CLOSED", timeout=10)  # the PBX gave up ringing it
        take_returned_call(agent, customer, target)
        assert returned_invite(trace(), "NOANSWER"), trace()[-3000:]
