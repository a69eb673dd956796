"""Consultations and three-way conferences from the agent's desktop,
through the real Asterisk (ConfBridge rooms): who hears whom is checked
with each party's own tone; the agent's microphone plays MIC_TONE through
the sound server and the agent's speaker is what `sound.hear` measures."""

from __future__ import annotations

from typing import Any

import pytest

from agentdesk.desktop.phone.model import CallState
from tests.helpers.handover import (
    ABSENT,
    CUSTOMER_TONE,
    HEARD,
    MIXED,
    TARGET_TONE,
    consult,
    customer_call,
)
from tests.helpers.soundserver import MIC_TONE, SoundServer

pytestmark = pytest.mark.pbx

AGENT_TONE = int(MIC_TONE)
TONES: list[float] = [CUSTOMER_TONE, TARGET_TONE, MIC_TONE]


def hears(listener: Any, *tones: int, threshold: float = MIXED) -> dict[str, float]:
    """What `listener` hears; asserts each of `tones` is there."""
    heard: dict[str, float] = listener.hear(TONES, seconds=1.5)
    for tone in tones:
        assert heard[str(tone)] > threshold, (getattr(listener, "name", "agent"), tone, heard)
    return heard


def consulting(make_agent: Any, make_party: Any) -> tuple[Any, Any, Any, int, int]:
    """Agent 1001 talks with customer 1002, then consults 1003 while the
    customer waits on hold: (agent, customer, target, customer's call,
    consultation call)."""
    agent = make_agent("1001")
    customer, target = make_party("1002"), make_party("1003")
    customer_id = customer_call(agent, customer)
    return agent, customer, target, customer_id, consult(agent, customer_id, target, "1003")


def conference(make_agent: Any, make_party: Any) -> tuple[Any, Any, Any, int]:
    """A consultation, then all three together: (agent, customer, target,
    the agent's call into the room)."""
    agent, customer, target, customer_id, consult_id = consulting(make_agent, make_party)
    agent.engine.conference(customer_id, consult_id)
    room = agent.wait_call(lambda c: c.conference and c.state is CallState.ACTIVE and c.has_audio, timeout=10)
    agent.qtbot.waitUntil(lambda: [c.call_id for c in agent.live()] == [room.call_id], timeout=10000)
    return agent, customer, target, int(room.call_id)


def test_in_a_conference_everyone_hears_everyone_and_the_two_stay_when_the_agent_leaves(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    agent, customer, target, room_id = conference(make_agent, make_party)
    assert agent.engine.calls[room_id].remote_name == "Dmitri Volkov + 1003"  # the customer by name (directory)
    hears(customer, TARGET_TONE, AGENT_TONE)
    hears(target, CUSTOMER_TONE, AGENT_TONE)
    hears(sound, CUSTOMER_TONE, TARGET_TONE)

    agent.engine.hangup(room_id)  # the agent leaves
    agent.wait_no_calls()
    heard = hears(customer, TARGET_TONE, threshold=HEARD)
    assert heard[str(AGENT_TONE)] < ABSENT, heard
    hears(target, CUSTOMER_TONE, threshold=HEARD)

    target.send("hangup")  # one of the two left alone: the room ends for the other too
    customer.wait("call_state", state="DISCONNECTED", timeout=10)


def test_when_the_colleague_leaves_the_conference_the_agent_keeps_the_customer(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    agent, customer, target, room_id = conference(make_agent, make_party)
    target.send("hangup")
    target.wait("call_state", state="DISCONNECTED")
    heard = hears(customer, AGENT_TONE, threshold=HEARD)
    assert heard[str(TARGET_TONE)] < ABSENT, heard
    hears(sound, CUSTOMER_TONE, threshold=HEARD)
    customer.send("hangup")  # the customer goes: the agent is not left alone in a room
    agent.wait_no_calls(timeout=10)
    assert agent.calls_seen[-1].call_id == room_id


def test_the_conference_buttons_and_f12_join_the_held_caller(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    from PySide6.QtCore import Qt

    agent, customer, _target, customer_id, consult_id = consulting(make_agent, make_party)
    cards = agent.window.calls.cards
    agent.qtbot.waitUntil(lambda: cards[customer_id].conference_button.isVisible(), timeout=3000)
    assert not cards[consult_id].conference_button.isVisible()  # offered on the held caller only
    assert "consulting" in cards[consult_id].detail.text()
    agent.qtbot.keyClick(agent.window, Qt.Key.Key_F12)
    room = agent.wait_call(lambda c: c.conference and c.state is CallState.ACTIVE, timeout=10)
    agent.qtbot.waitUntil(lambda: list(cards) == [room.call_id], timeout=10000)
    assert "Conference" in cards[room.call_id].detail.text()
    hears(customer, TARGET_TONE, AGENT_TONE)


def test_hanging_up_the_consultation_gives_the_agent_the_caller_back(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    agent, customer, _target, customer_id, consult_id = consulting(make_agent, make_party)
    agent.engine.hangup(consult_id)  # the agent cancels
    resumed = agent.wait_call(lambda c: c.call_id == customer_id and not c.held, timeout=5)
    assert resumed.state is CallState.ACTIVE
    heard = hears(customer, AGENT_TONE, threshold=HEARD)
    assert heard[str(TARGET_TONE)] < ABSENT, heard


def test_a_target_who_hangs_up_or_does_not_exist_gives_the_agent_the_caller_back(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    agent, customer, target, customer_id, _ = consulting(make_agent, make_party)
    target.send("hangup")  # the colleague cannot help
    agent.wait_call(lambda c: c.call_id == customer_id and not c.held, timeout=5)
    hears(customer, AGENT_TONE, threshold=HEARD)

    seen = len(agent.calls_seen)
    agent.engine.dial("1099")  # no such extension

    def put_on_hold_then_back() -> bool:
        customer_states = [c.held for c in agent.calls_seen[seen:] if c.call_id == customer_id]
        return True in customer_states and customer_states[-1] is False and len(agent.live()) == 1

    agent.qtbot.waitUntil(put_on_hold_then_back, timeout=10000)
    # Both ways: an un-hold re-INVITE that went out still saying sendonly
    # leaves the agent deaf to the customer, whatever the customer hears.
    hears(customer, AGENT_TONE, threshold=HEARD)
    hears(sound, CUSTOMER_TONE, threshold=HEARD)


def test_a_caller_who_hangs_up_during_the_consultation_leaves_the_agent_with_the_colleague(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    agent, customer, target, customer_id, consult_id = consulting(make_agent, make_party)
    problems: list[str] = []
    agent.engine.problem.connect(problems.append)
    customer.send("hangup")
    agent.qtbot.waitUntil(lambda: customer_id not in agent.engine.calls or not agent.engine.calls[customer_id].is_live)
    agent.qtbot.waitUntil(lambda: any("hung up while you were consulting" in p for p in problems), timeout=3000)
    card = agent.window.calls.cards[consult_id]
    assert not card.complete_button.isVisible() and not card.conference_button.isVisible()
    assert "consulting" not in card.detail.text()
    hears(sound, TARGET_TONE, threshold=HEARD)
    hears(target, AGENT_TONE, threshold=HEARD)
