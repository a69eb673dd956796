"""Real calls through the bundled Asterisk between an AgentDesk desktop and a
second SIP party (a separate pjsua2 process). Audio is checked with tones:
the party sends 1100 Hz, the agent's microphone carries 1400 Hz (the sound
server's test tone), and each side must hear the other's tone."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from agentdesk.desktop.phone.model import CallState, Direction, RegState
from agentdesk.desktop.ui.common.settings_dialog import SettingsDialog
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.soundserver import MIC_TONE, SoundServer

pytestmark = pytest.mark.pbx

PARTY_TONE = 1100
HEARD = 0.5  # share of the energy at the tone: clearly that tone
ABSENT = 0.05


def dial_from_keyboard(agent: Any, text: str) -> None:
    entry = agent.window.dialer.entry
    entry.setFocus()
    agent.qtbot.keyClicks(entry, text)
    agent.qtbot.keyClick(entry, Qt.Key.Key_Return)


def connected_call(agent: Any, party: Any) -> None:
    """Agent calls the party, the party answers and plays its tone."""
    dial_from_keyboard(agent, party.name.split("-")[-1])
    party.wait("incoming")
    party.answer()
    agent.wait_call(lambda c: c.state is CallState.ACTIVE and c.has_audio)
    party.wait_state("CONFIRMED")
    party.send("tone", freq=PARTY_TONE)


def test_outgoing_call_connects_with_audio_both_ways(make_agent: Any, make_party: Any, sound: SoundServer) -> None:
    agent = make_agent("1001")
    party = make_party("1002")
    connected_call(agent, party)
    call = agent.live()[0]
    assert call.direction is Direction.OUTGOING and call.remote_number == "1002"
    card = agent.window.calls.cards[call.call_id]
    assert card.state.text() == "Connected"

    heard_by_agent = sound.hear([PARTY_TONE, MIC_TONE], seconds=1.0)
    assert heard_by_agent[str(PARTY_TONE)] > HEARD, heard_by_agent
    assert heard_by_agent[str(int(MIC_TONE))] < ABSENT, heard_by_agent  # no local echo of the microphone
    heard_by_party = party.hear([MIC_TONE, PARTY_TONE])
    assert heard_by_party[str(int(MIC_TONE))] > HEARD, heard_by_party


def test_incoming_call_rings_shows_caller_and_answers_with_f5(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    agent = make_agent("1001")
    party = make_party("1002")
    party.call(f"sip:1001@{SERVER}")
    ringing = agent.wait_state(CallState.RINGING_IN)
    assert ringing.remote_number == "1002" and ringing.remote_name == "Dmitri Volkov"
    assert agent.window.incoming.isVisible()
    assert agent.window.incoming.title.text() == "Dmitri Volkov"
    ring = sound.hear([660, 880, 1320, 1760], seconds=1.0)
    # The trill switches every 50 ms, which spreads each tone a little.
    assert ring["660"] + ring["880"] + ring["1320"] + ring["1760"] > 0.35, ring  # the ring tone

    agent.qtbot.keyClick(agent.window, Qt.Key.Key_F5)
    agent.wait_call(lambda c: c.state is CallState.ACTIVE and c.has_audio)
    party.wait_state("CONFIRMED")
    assert not agent.window.incoming.isVisible()
    party.send("tone", freq=PARTY_TONE)
    after = sound.hear([PARTY_TONE, 660, 880], seconds=1.0)
    assert after[str(PARTY_TONE)] > HEARD and after["660"] + after["880"] < ABSENT, after


def test_hold_plays_music_to_the_other_side_and_resume_restores_audio(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    agent = make_agent("1001")
    party = make_party("1002")
    connected_call(agent, party)
    call_id = agent.live()[0].call_id
    card = agent.window.calls.cards[call_id]

    agent.qtbot.mouseClick(card.hold_button, Qt.MouseButton.LeftButton)
    agent.wait_call(lambda c: c.held)
    assert card.state.text() == "On hold"
    on_hold = party.hear([MIC_TONE], seconds=1.5)
    assert on_hold[str(int(MIC_TONE))] < ABSENT, on_hold  # the agent is not heard
    assert on_hold["rms"] > 200, on_hold  # but music is
    assert sound.hear([PARTY_TONE])[str(PARTY_TONE)] < ABSENT  # and the agent does not hear the caller

    agent.qtbot.mouseClick(card.hold_button, Qt.MouseButton.LeftButton)
    agent.wait_call(lambda c: not c.held and c.has_audio)
    resumed = party.hear([MIC_TONE])
    assert resumed[str(int(MIC_TONE))] > HEARD, resumed
    assert sound.hear([PARTY_TONE])[str(PARTY_TONE)] > HEARD


def test_mute_silences_the_microphone_only(make_agent: Any, make_party: Any, sound: SoundServer) -> None:
    agent = make_agent("1001")
    party = make_party("1002")
    connected_call(agent, party)
    agent.qtbot.keyClick(agent.window, Qt.Key.Key_F9)
    agent.wait_call(lambda c: c.muted)
    muted = party.hear([MIC_TONE])
    assert muted[str(int(MIC_TONE))] < ABSENT, muted
    assert sound.hear([PARTY_TONE])[str(PARTY_TONE)] > HEARD  # the agent still hears the caller
    agent.qtbot.keyClick(agent.window, Qt.Key.Key_F9)
    agent.wait_call(lambda c: not c.muted)
    assert party.hear([MIC_TONE])[str(int(MIC_TONE))] > HEARD


def test_keypad_tones_reach_the_dialplan(make_agent: Any, pbx: Pbx) -> None:
    pbx.db_del("dtmftest", "1001")
    agent = make_agent("1001")
    dial_from_keyboard(agent, "603")
    call = agent.wait_call(lambda c: c.state is CallState.ACTIVE and c.has_audio)
    agent.qtbot.wait(1200)  # let the prompt's beep start
    agent.window.setFocus()
    for key in (Qt.Key.Key_4, Qt.Key.Key_2):
        agent.qtbot.keyClick(agent.window, key)  # keyboard, entry not focused
        agent.qtbot.wait(250)
    card = agent.window.calls.cards[call.call_id]
    agent.qtbot.mouseClick(card.keypad_button, Qt.MouseButton.LeftButton)
    for pad_key in ("7", "#"):
        agent.qtbot.mouseClick(card.pad.buttons[pad_key], Qt.MouseButton.LeftButton)  # on-screen keypad
        agent.qtbot.wait(250)
    agent.qtbot.waitUntil(lambda: pbx.db_get("dtmftest", "1001") == "427", timeout=8000)


def test_hangup_from_the_agent_ends_the_call_for_both(make_agent: Any, make_party: Any) -> None:
    agent = make_agent("1001")
    party = make_party("1002")
    connected_call(agent, party)
    agent.qtbot.keyClick(agent.window, Qt.Key.Key_F4)
    party.wait_state("DISCONNECTED")
    agent.wait_no_calls()
    assert not agent.window.calls.cards


def test_hangup_from_the_caller_ends_the_call_and_lands_in_history(make_agent: Any, make_party: Any) -> None:
    agent = make_agent("1001")
    party = make_party("1002")
    party.call(f"sip:1001@{SERVER}")
    call = agent.wait_state(CallState.RINGING_IN)
    agent.qtbot.mouseClick(agent.window.calls.cards[call.call_id].answer_button, Qt.MouseButton.LeftButton)
    party.wait_state("CONFIRMED")
    agent.qtbot.wait(1100)
    party.send("hangup")
    ended = agent.wait_ended()
    assert ended.was_answered
    agent.wait_no_calls()
    agent.qtbot.waitUntil(lambda: agent.window.history.count() == 1)
    text = agent.window.history.item(0).text()
    assert "Dmitri Volkov" in text and "00:01" in text


def test_declining_rings_off_and_is_recorded(make_agent: Any, make_party: Any) -> None:
    agent = make_agent("1001")
    party = make_party("1002")
    party.call(f"sip:1001@{SERVER}")
    agent.wait_state(CallState.RINGING_IN)
    agent.qtbot.mouseClick(agent.window.incoming.decline_button, Qt.MouseButton.LeftButton)
    agent.wait_no_calls()
    assert not agent.window.incoming.isVisible()
    agent.qtbot.waitUntil(lambda: agent.window.history.count() == 1)
    assert "Declined" in agent.window.history.item(0).text()
    party.wait_state("CONFIRMED")  # the PBX took the caller to voicemail: not lost
    party.send("hangup")


def test_two_calls_switch_and_the_other_is_held(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    agent = make_agent("1001")
    first = make_party("1002")
    second = make_party("1003")
    connected_call(agent, first)
    second.send("tone", freq=700)
    second.call(f"sip:1001@{SERVER}")
    ringing = agent.wait_state(CallState.RINGING_IN)
    agent.engine.answer(ringing.call_id)
    second.wait_state("CONFIRMED")
    agent.wait_call(lambda c: c.call_id == ringing.call_id and c.has_audio and not c.held)
    agent.wait_call(lambda c: c.remote_number == "1002" and c.held)
    assert second.hear([MIC_TONE])[str(int(MIC_TONE))] > HEARD
    assert first.hear([MIC_TONE])[str(int(MIC_TONE))] < ABSENT
    heard = sound.hear([700, PARTY_TONE])
    assert heard["700"] > HEARD and heard[str(PARTY_TONE)] < ABSENT, heard

    agent.qtbot.keyClick(agent.window, Qt.Key.Key_F7)  # switch back to the first caller
    agent.wait_call(lambda c: c.remote_number == "1002" and not c.held and c.has_audio)
    agent.wait_call(lambda c: c.remote_number == "1003" and c.held)
    assert first.hear([MIC_TONE])[str(int(MIC_TONE))] > HEARD
    heard = sound.hear([700, PARTY_TONE])
    assert heard[str(PARTY_TONE)] > HEARD and heard["700"] < ABSENT, heard


def test_queue_call_is_answered_automatically_after_a_beep(
    make_agent: Any, make_party: Any, pbx: Pbx, sound: SoundServer
) -> None:
    agent = make_agent("1001", auto_answer=True)
    pbx.cli("queue add member PJSIP/1001 to support")
    try:
        party = make_party("1002")
        party.call(f"sip:7001@{SERVER}")
        agent.wait_state(CallState.RINGING_IN)
        beep = sound.hear([880], seconds=0.4)
        call = agent.wait_call(lambda c: c.state is CallState.ACTIVE)
        assert call.queue == "support"
        assert beep["880"] > 0.3, beep
        assert agent.window.calls.cards[call.call_id].queue.text() == "support"
        party.wait_state("CONFIRMED")
    finally:
        pbx.cli("queue remove member PJSIP/1001 from support")


def test_holding_an_answered_queue_call_plays_music_to_the_customer(
    make_agent: Any, make_party: Any, sound: SoundServer
) -> None:
    """A held call must stay silent toward the PBX: with sendonly hold the
    agent's silent RTP stopped the customer's music a few ms after it began
    whenever Asterisk transcoded between the legs (every queue call)."""
    from tests.helpers.desk import DeskUser

    agent = make_agent("1001")
    desk = DeskUser("1001")
    desk.join("support")
    try:
        customer = make_party("1002")
        customer.call(f"sip:7001@{SERVER}")
        call = agent.wait_state(CallState.RINGING_IN, timeout=15)
        agent.engine.answer(call.call_id)
        agent.wait_call(lambda c: c.state is CallState.ACTIVE and c.has_audio)
        customer.wait_state("CONFIRMED")
        agent.engine.hold(call.call_id, True)
        agent.wait_call(lambda c: c.held)
        customer.hear([MIC_TONE], seconds=0.5)  # let the music start
        on_hold = customer.hear([MIC_TONE], seconds=1.5)
        assert on_hold["rms"] > 200 and on_hold[str(int(MIC_TONE))] < ABSENT, on_hold
        agent.engine.hold(call.call_id, False)
        agent.wait_call(lambda c: not c.held and c.has_audio)
        assert customer.hear([MIC_TONE])[str(int(MIC_TONE))] > HEARD
    finally:
        desk.leave("support")


def test_a_phone_moved_to_a_pbx_on_this_machine_restarts_its_sip_stack_and_talks_both_ways(
    make_agent: Any, make_party: Any, pbx: Pbx, sound: SoundServer
) -> None:
    """The phone listens on loopback only when its PBX is on this machine: an
    agent who was set up for a PBX elsewhere and enters this machine's in the
    settings gets the SIP stack restarted on the new address, sound device
    included, then registers and talks as before."""
    agent = make_agent("1001", register=False, server="pbx.example.com:5060")
    assert agent.state is RegState.OFFLINE  # no password stored for that PBX: nothing to register with
    agent.desktop.open_settings()
    dialog = agent.window.findChild(SettingsDialog)
    assert dialog is not None
    dialog.editors["server"].setText(SERVER)
    dialog.password.setText("demo-1001")
    agent.qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    agent.wait_registered()
    pbx.wait_registered("1001")

    party = make_party("1002")
    connected_call(agent, party)
    heard_by_agent = sound.hear([PARTY_TONE], seconds=1.0)
    assert heard_by_agent[str(PARTY_TONE)] > HEARD, heard_by_agent
    heard_by_party = party.hear([MIC_TONE])
    assert heard_by_party[str(int(MIC_TONE))] > HEARD, heard_by_party
