"""Live call quality on a real call through the bundled Asterisk: a clean
call (loopback, no loss) shows "Good" on the agent's call card while it
lasts, and once it ends its summary reaches the desk service, where a team
lead reads it back, and the agent's call history shows it."""

from __future__ import annotations

from typing import Any

import pytest

from agentdesk.desktop.phone.model import CallState
from agentdesk.desktop.phone.qualitytrack import QualitySummary
from tests.helpers.callbackflow import TEAM_LEAD
from tests.helpers.desk import DeskUser
from tests.helpers.pbx import SERVER

pytestmark = pytest.mark.pbx

PARTY_TONE = 1100


def test_a_clean_call_is_good_on_the_card_and_its_quality_is_stored(make_agent: Any, make_party: Any) -> None:
    agent = make_agent("1001")
    party = make_party("1002")
    party.call(f"sip:1001@{SERVER}")
    ringing = agent.wait_state(CallState.RINGING_IN)
    agent.engine.answer(ringing.call_id)
    call = agent.wait_call(lambda c: c.state is CallState.ACTIVE and c.has_audio)
    party.wait_state("CONFIRMED")
    party.send("tone", freq=PARTY_TONE)

    label = agent.window.calls.cards[call.call_id].quality
    agent.qtbot.waitUntil(lambda: not label.isHidden(), timeout=8000)  # the first reading, two seconds in
    assert label.text() == "Good"
    assert label.property("level") == "good"
    assert "Packet loss: 0 % to you" in label.accessibleDescription()
    # Long enough for Asterisk's RTCP (every 5 s): the round trip and its view of our stream.
    agent.qtbot.wait(7000)
    assert label.text() == "Good"

    with agent.qtbot.waitSignal(agent.engine.callQualitySummary, timeout=5000) as ended:
        agent.engine.hangup(call.call_id)
    summary = ended.args[0]
    assert isinstance(summary, QualitySummary)
    assert summary.level == "good" and summary.mos_min >= 4.0 and summary.loss_pct == 0
    assert summary.samples >= 4 and summary.rtt_avg_ms is not None
    agent.wait_no_calls()
    history = agent.window.history.item(0).text()
    assert "quality: Good, MOS 4." in history

    lead = DeskUser(TEAM_LEAD)
    try:
        calls: list[dict[str, Any]] = []

        def stored() -> bool:
            calls[:] = lead.ok("GET", "/api/v1/agents/1001/call-quality")["calls"]
            return any(c["call_id"] == summary.sip_call_id for c in calls)

        agent.qtbot.waitUntil(stored, timeout=10000)  # the Qt loop runs meanwhile: the outbox sends
    finally:
        lead.close()
    record = next(c for c in calls if c["call_id"] == summary.sip_call_id)
    assert record["agent"] == "1001" and record["queue_call"] == ""
    assert record["level"] == "good" and record["reason"] == ""
    assert 4.0 <= record["mos_min"] <= record["mos_avg"] <= 4.5
    assert record["loss_pct"] == 0 and record["remote_loss_pct"] in (0, None)
    assert record["codec"] in ("PCMU", "PCMA", "G722") and record["transport"] == "udp"
    assert record["srtp"] == "no"  # an account over UDP: SRTP is off
    assert record["ended_at"] > record["started_at"] >= call.connected_at - 1
    # The service answers before the desktop has handled the answer: then the outbox empties.
    agent.qtbot.waitUntil(lambda: agent.desktop.quality_outbox.pending == 0, timeout=5000)
