"""What an agent reads when a team lead supervises their call or acts on them."""

from __future__ import annotations

from typing import Any

from agentdesk.contract.leads import (
    AUDIT_PAUSE,
    BARGE,
    LISTEN,
    SESSION_ENDED,
    SESSION_LIVE,
    WHISPER,
    ControlNotice,
    Supervision,
)
from agentdesk.desktop.phone.model import CallSnapshot, CallState, Direction
from agentdesk.desktop.ui.phone.calls_panel import CallsPanel
from agentdesk.desktop.ui.queues.agent_bar import AgentBar
from tests.helpers.fakes import NOW

CALL = CallSnapshot(3, Direction.INCOMING, CallState.ACTIVE, "09121110001", "Reza Hosseini", queue="support",
                    started_at=NOW, connected_at=NOW)


def session(mode: str, state: str = SESSION_LIVE) -> Supervision:
    return Supervision("4f2a9c1e", "1901", "Parisa Rahimi", "1001", "Nina Karimi", "1700.1", mode, state, NOW)


def shown(text: str) -> str:
    return text.replace("\u2066", "").replace("\u2068", "").replace("\u2069", "")


def test_the_call_card_says_who_coaches_listens_or_joined_until_it_ends(qtbot: Any) -> None:
    panel = CallsPanel()
    qtbot.addWidget(panel)
    panel.show_call(CALL)
    card = panel.cards[3]
    assert card.banner.isHidden()
    panel.show_supervision(session(WHISPER))
    assert shown(card.banner.text()) == "Parisa Rahimi is coaching you"
    assert not card.banner.isHidden()
    panel.show_supervision(session(BARGE))
    assert shown(card.banner.text()) == "Parisa Rahimi has joined the call"
    panel.show_supervision(session(LISTEN))
    assert shown(card.banner.text()) == "Parisa Rahimi is listening"
    panel.show_supervision(session(BARGE, SESSION_ENDED))
    assert card.banner.isHidden()


def test_a_supervision_that_began_before_the_card_shows_on_it(qtbot: Any) -> None:
    panel = CallsPanel()
    qtbot.addWidget(panel)
    panel.show_supervision(session(WHISPER))
    panel.show_call(CALL)
    assert shown(panel.cards[3].banner.text()) == "Parisa Rahimi is coaching you"
    panel.show_call(CALL.with_changes(state=CallState.ENDED))
    panel.show_call(CALL.with_changes(call_id=4))  # the next call: nobody coaches it
    assert panel.cards[4].banner.isHidden()


def test_the_agent_bar_says_what_a_team_lead_did_and_why(qtbot: Any) -> None:
    bar = AgentBar()
    qtbot.addWidget(bar)
    assert bar.lead_notice.isHidden()
    bar.show_control(ControlNotice("1901", "Parisa Rahimi", AUDIT_PAUSE, "Meeting", "team huddle", NOW))
    assert shown(bar.lead_notice.text()) == "Parisa Rahimi paused you: Meeting — team huddle"
    assert not bar.lead_notice.isHidden()
    bar.show_control(ControlNotice("1901", "", AUDIT_PAUSE, "Lunch", "", NOW))
    assert shown(bar.lead_notice.text()) == "1901 paused you: Lunch"
