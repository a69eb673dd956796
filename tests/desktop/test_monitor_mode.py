"""Monitor mode exists only for a team lead, and the lead's phone answers
by itself only the supervision call this desktop asked for moments ago;
a supervision call never carries the lead's keypad tones."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtWidgets import QToolButton

from agentdesk.contract.queues import AgentState, DeskSnapshot
from agentdesk.contract.states import AgentActivity
from agentdesk.desktop.link.connection import DeskConnection
from agentdesk.desktop.mode import EXPECT_SECONDS, MonitorMode
from agentdesk.desktop.phone.model import CallSnapshot, CallState, Direction
from agentdesk.desktop.ui.phone.main_window import MainWindow
from tests.helpers.fakes import NOW, FakeEngine


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Lead:
    mode: MonitorMode
    engine: FakeEngine
    link: DeskConnection
    window: MainWindow
    clock: Monotonic

    def sign_in(self, role: str) -> None:
        me = AgentState("1901", "Parisa Rahimi", role, "1901", {}, AgentActivity.LOGGED_OUT, "", NOW)
        self.link.snapshot_received.emit(DeskSnapshot(NOW, me, (), ()))

    def monitor_buttons(self) -> list[QToolButton]:
        return [b for b in self.window.header.findChildren(QToolButton) if b.text() == "Monitor"]


@pytest.fixture
def lead(qtbot: Any) -> Iterator[Lead]:
    engine, link, clock = FakeEngine(), DeskConnection(), Monotonic()
    window = MainWindow(engine)  # closed below, after its calls: qtbot's own close would ask about them
    mode = MonitorMode(link, engine, window, monotonic=clock)
    yield Lead(mode, engine, link, window, clock)
    engine.calls.clear()  # or closing the window would ask about the live call
    mode.shutdown()
    window.incoming.close()
    window.close()
    window.deleteLater()


def ringing(call_id: int, session: str) -> CallSnapshot:
    """A call as the phone reports one carrying X-AgentDesk-Supervise."""
    return CallSnapshot(call_id, Direction.INCOMING, CallState.RINGING_IN, "1001", "Listen: Nina Karimi",
                           started_at=NOW, supervision=session)


def test_an_agent_gets_no_monitor(lead: Lead) -> None:
    lead.sign_in("agent")
    assert lead.mode.desk is None
    assert lead.monitor_buttons() == []


def test_a_team_lead_gets_the_monitor_button_and_window(lead: Lead, qtbot: Any) -> None:
    lead.sign_in("teamlead")
    assert lead.mode.desk is not None
    [button] = lead.monitor_buttons()
    button.click()
    assert lead.mode.desk.window.isVisible()
    lead.sign_in("teamlead")  # every reconnection: still one monitor
    assert len(lead.monitor_buttons()) == 1


def test_an_agents_desktop_does_not_even_import_the_monitor() -> None:
    code = ("import sys, agentdesk.desktop.app; print(any(m.startswith('agentdesk.desktop.ui.monitor') "
            "or m.endswith('monitor_link') for m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert found.stdout.strip() == "False"


def test_only_a_recent_session_of_this_desktop_is_expected(lead: Lead) -> None:
    lead.sign_in("teamlead")
    lead.mode.session_requested("4f2a9c1e", lead.clock.now)
    assert lead.mode.expects(ringing(1, "4f2a9c1e"))
    assert not lead.mode.expects(ringing(2, "77aa0000"))  # someone else's session
    assert not lead.mode.expects(ringing(3, ""))
    plain = CallSnapshot(4, Direction.INCOMING, CallState.RINGING_IN, "1001")
    assert not lead.mode.expects(plain)
    lead.clock.now += EXPECT_SECONDS + 0.5
    assert not lead.mode.expects(ringing(1, "4f2a9c1e"))


def test_the_expected_call_is_answered_by_itself_even_when_it_rings_first(lead: Lead) -> None:
    lead.sign_in("teamlead")
    lead.mode.session_requested("4f2a9c1e", lead.clock.now)
    lead.engine.show(ringing(1, "4f2a9c1e"))
    assert lead.engine.answered == [1]
    lead.engine.show(ringing(2, "b0b0b0b0"))  # rings before the service's answer names its session
    assert lead.engine.answered == [1]
    lead.mode.session_requested("b0b0b0b0", lead.clock.now)
    assert lead.engine.answered == [1, 2]
    lead.engine.show(ringing(3, "c1c1c1c1"))  # never asked for: rings like any call
    lead.clock.now += EXPECT_SECONDS + 1
    lead.mode.session_requested("c1c1c1c1", lead.clock.now - EXPECT_SECONDS - 1)
    assert lead.engine.answered == [1, 2]


def test_no_keypad_tones_on_a_supervision_call(lead: Lead, qtbot: Any) -> None:
    call = ringing(1, "4f2a9c1e").with_changes(state=CallState.ACTIVE, connected_at=NOW)
    lead.engine.show(call)
    lead.window.show_call(call)
    lead.window.dialer.pad.keyPressed.emit("5")
    lead.window.calls.keypadPressed.emit(1, "6")
    assert lead.engine.sent("send_dtmf") == []
    ordinary = CallSnapshot(2, Direction.OUTGOING, CallState.ACTIVE, "1001", connected_at=NOW)
    lead.engine.calls.clear()
    lead.engine.show(ordinary)
    lead.window.dialer.pad.keyPressed.emit("5")
    assert lead.engine.sent("send_dtmf") == [(2, "5")]
