"""Transfers from the agent's desktop through the real Asterisk: who hears
whom is checked with each party's own tone (the agent's microphone plays
MIC_TONE through the sound server)."""

from __future__ import annotations

from typing import Any

import pytest

from agentdesk.desktop.phone.model import CallState, TransferState
from tests.helpers.handover import (
    ABSENT,
    CUSTOMER_TONE,
    HEARD,
    TARGET_TONE,
    answer_as_target,
    customer_call,
)
from tests.helpers.soundserver import MIC_TONE, SoundServer

pytestmark = pytest.mark.pbx


def test_blind_transfer_connects_customer_and_target_and_the_agent_drops_out(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    agent = make_agent("1001")
    customer, target = make_party("1002"), make_party("1003")
    call_id = customer_call(agent, customer)
    agent.engine.transfer(call_id, "1003")
    answer_as_target(target)
    agent.wait_no_calls(timeout=10)
    assert agent.calls_seen[-1].transfer_state is TransferState.DONE
    heard = customer.hear([TARGET_TONE, MIC_TONE])
    assert heard[str(TARGET_TONE)] > HEARD and heard[str(int(MIC_TONE))] < ABSENT, heard
    assert target.hear([CUSTOMER_TONE])[str(CUSTOMER_TONE)] > HEARD


def test_a_transfer_to_no_such_number_leaves_the_customer_with_the_agent(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    agent = make_agent("1001")
    customer = make_party("1002")
    call_id = customer_call(agent, customer)
    problems: list[str] = []
    agent.engine.problem.connect(problems.append)
    agent.engine.transfer(call_id, "1099")
    failed = agent.wait_call(lambda c: c.transfer_state is TransferState.FAILED, timeout=10)
    assert failed.state is CallState.ACTIVE
    agent.qtbot.waitUntil(lambda: any("1099" in p and "still with you" in p for p in problems), timeout=3000)
    assert customer.hear([MIC_TONE])[str(int(MIC_TONE))] > HEARD  # still talking to the agent
    agent.engine.hangup(call_id)
    agent.wait_no_calls()


def test_attended_transfer_consults_the_target_while_the_customer_hears_hold_music(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    agent = make_agent("1001")
    customer, target = make_party("1002"), make_party("1003")
    customer_id = customer_call(agent, customer)
    agent.engine.dial("1003")  # the customer goes on hold
    answer_as_target(target)
    consult = agent.wait_call(lambda c: c.call_id != customer_id and c.state is CallState.ACTIVE and c.has_audio)
    on_hold = customer.hear([MIC_TONE, TARGET_TONE], seconds=1.5)
    assert on_hold["rms"] > 200 and on_hold[str(int(MIC_TONE))] < ABSENT and on_hold[str(TARGET_TONE)] < ABSENT, on_hold
    assert sound.hear([TARGET_TONE])[str(TARGET_TONE)] > HEARD  # the agent talks with the target

    agent.engine.complete_transfer(customer_id, consult.call_id)
    agent.wait_no_calls(timeout=10)
    heard = customer.hear([TARGET_TONE, MIC_TONE])
    assert heard[str(TARGET_TONE)] > HEARD and heard[str(int(MIC_TONE))] < ABSENT, heard
    assert target.hear([CUSTOMER_TONE])[str(CUSTOMER_TONE)] > HEARD


def test_the_agent_transfers_from_the_call_card_with_the_keyboard(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    from PySide6.QtCore import Qt

    from agentdesk.desktop.ui.phone.transfer_picker import TransferPicker

    agent = make_agent("1001")
    customer, target = make_party("1002"), make_party("1003")
    call_id = customer_call(agent, customer)
    agent.qtbot.waitUntil(lambda: bool(agent.desktop.desk.transfer_targets()), timeout=10000)  # desk snapshot
    card = agent.window.calls.cards[call_id]
    agent.qtbot.mouseClick(card.transfer_button, Qt.MouseButton.LeftButton)
    picker = agent.window.findChild(TransferPicker)
    assert picker is not None and picker.isVisible()
    listed = [picker.list.item(i).text() for i in range(picker.list.count())]
    assert any("Support (queue)" in text and "7001" in text for text in listed), listed
    agent.qtbot.keyClicks(picker.search, "1003")
    assert picker.selected_number() == "1003"
    agent.qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    answer_as_target(target)
    agent.wait_no_calls(timeout=10)
    assert target.hear([CUSTOMER_TONE])[str(CUSTOMER_TONE)] > HEARD
