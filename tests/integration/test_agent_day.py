"""An agent's working day in one run, on the real desktop (widgets, keys,
the pjsua2 engine), the real PBX and the real desk service, the way an
agent works it: queue calls answered with the keyboard and the mouse and
wrapped up in the panel, a caller who waits while the agent writes up the
last call, a caller the agent lets ring out (twice: the queue's count is
two), Ready again, a callback with its outcome saved in the wrap-up panel,
a lunch pause, Ready.

Checked on the way, as the agent would notice it: nothing rings during
after-call work; the missed offers pause the agent ("missed call", with
Ready offered) instead of a storm of re-offers; the history has one row
per queue call ("offered 3 times"), numbers as the service's region writes
them; no control of the call is cut off at 1280×800; the team lead sees
the pause reasons and the day's count of missed offers; the records hold
the dispositions and the callback's outcome."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from agentdesk.contract.states import MISSED_CALL_REASON, WRAPUP_REASON
from agentdesk.desktop.history import Outcome
from agentdesk.desktop.phone.model import CallSnapshot, CallState
from tests.helpers.agent import Agent
from tests.helpers.callbackflow import Lead
from tests.helpers.callers import customers_ended, place_callers
from tests.helpers.desk import DeskUser
from tests.helpers.layout import unreachable
from tests.helpers.pbx import Pbx

pytestmark = pytest.mark.pbx

AGENT = "1008"
RETRY_SECONDS = 3  # retry_seconds of pbx/queues.ini: a re-offer would come this soon after a miss
RING_SECONDS = 15  # ring_seconds
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def day(lead: Lead) -> Iterator[Lead]:
    """Wrap-up with a required disposition, and a pause after two missed offers in a row."""
    lead.ok("PUT", "/api/v1/test/wrapup", {"enabled": True, "limit_seconds": 120, "disposition_required": True})
    lead.ok("PUT", "/api/v1/test/missed-offers", {"pause_after": 2})
    yield lead
    lead.call("PUT", "/api/v1/test/wrapup", {"enabled": False})
    lead.call("PUT", "/api/v1/test/missed-offers", {"pause_after": 0})
    desk = DeskUser(AGENT)
    desk.leave("support")
    desk.unpause()
    desk.close()


@pytest.fixture
def agent(qtbot: Any, make_agent: Callable[..., Agent], pbx: Pbx, day: Lead) -> Agent:
    """The agent's desktop on a 1280×800 screen, logged in to support with its toggle."""
    agent = make_agent(AGENT)
    agent.window.resize(1280, 760)  # what a desktop leaves a window on such a screen
    agent.window.show()
    bar = agent.desktop.desk.agent_bar
    qtbot.waitUntil(lambda: "support" in bar.toggles, timeout=10000)
    qtbot.mouseClick(bar.toggles["support"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: re.search(rf"^\s+{AGENT} \(", pbx.cli("queue show support"), re.M) is not None,
                    timeout=10000)
    return agent


def a_number(prefix: str = "0912") -> str:
    """A number no earlier call used (a returning caller rings their last agent directly)."""
    return f"{prefix}{random.randrange(10**6, 10**7)}"


def grouped(number: str) -> str:
    """How the desktop shows an Iranian mobile number (the service's region is IR)."""
    return f"{number[:4]} {number[4:7]} {number[7:]}"


def offers(agent: Agent) -> set[int]:
    """The calls that have rung the agent so far."""
    return {c.call_id for c in agent.calls_seen if c.state is CallState.RINGING_IN}


def offered(agent: Agent, before: set[int], timeout: float = RING_SECONDS + 10) -> CallSnapshot:
    return agent.wait_call(lambda c: c.state is CallState.RINGING_IN and c.call_id not in before, timeout)


def key(agent: Agent, which: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed where the agent's focus is (the window's shortcuts work anywhere in it)."""
    agent.window.activateWindow()
    agent.qtbot.waitUntil(lambda: QApplication.activeWindow() is agent.window, timeout=5000)
    agent.qtbot.keyClick(QApplication.focusWidget() or agent.window, which, modifier)


def activity(agent: Agent) -> str:
    return agent.desktop.desk.agent_bar.activity.text()


def history_rows(agent: Agent, queue_call: str) -> list[str]:
    history = agent.window.history
    return [history.item(row).text() for row in range(history.count())
            if (entry := history.entry(row)) is not None and entry.queue_call == queue_call]


def wrap_up_with_the_keyboard(agent: Agent, queue_call: str, notes: str) -> str:
    """The panel opens for `queue_call`; Ctrl+2 picks the second code, the notes
    are typed and Ctrl+Enter is Done. The code chosen."""
    wrapups = agent.desktop.wrapups
    agent.qtbot.waitUntil(lambda: wrapups.panel.isVisible() and wrapups.current == queue_call, timeout=10000)
    panel = wrapups.panel
    panel.notes.setFocus()
    key(agent, Qt.Key.Key_2, CTRL)
    agent.qtbot.keyClicks(panel.notes, notes)
    code = panel.disposition
    assert code == panel.codes[1]
    key(agent, Qt.Key.Key_Return, CTRL)
    agent.qtbot.waitUntil(lambda: not panel.isVisible(), timeout=5000)
    return code


def record_of(agent: Agent, lead: Lead, queue_call: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def stored() -> bool:
        found[:] = [c for c in lead.ok("GET", f"/api/v1/agents/{AGENT}/calls")["calls"]
                    if c["uniqueid"] == queue_call and c["disposition"]]
        return bool(found)

    agent.qtbot.waitUntil(stored, timeout=10000)
    return found[0]


def missed_today(lead: Lead) -> int:
    return int(lead.ok("GET", f"/api/v1/stats/missed-offers?agent={AGENT}")["agents"][AGENT])


def seen_by_lead(lead: Lead) -> tuple[str, str]:
    member = next(m for m in lead.queue("support")["members"] if m["agent"] == AGENT)
    return member["activity"], member["paused_reason"]


def test_an_agent_s_day_on_the_desktop(qtbot: Any, pbx: Pbx, agent: Agent, day: Lead) -> None:
    lead, bar, window = day, agent.desktop.desk.agent_bar, agent.window
    missed_before = missed_today(lead)
    first_number, second_number = a_number(), a_number()
    with customers_ended(pbx):
        # 1. The first customer of the day: answered with F5, they talk and hang up.
        place_callers("support", patience=60, talk=4, number=first_number)
        first = offered(agent, set())
        key(agent, Qt.Key.Key_F5)
        agent.wait_call(lambda c: c.call_id == first.call_id and c.state is CallState.ACTIVE)
        qtbot.wait(500)  # the screen-pop and the call's controls are laid out
        assert unreachable(window) == [], "a control of the call is cut off at 1280×800"
        agent.wait_no_calls(timeout=15)

        # 2. After-call work: paused "wrap-up"; a second customer calls meanwhile and waits.
        qtbot.waitUntil(lambda: seen_by_lead(lead) == ("paused", WRAPUP_REASON), timeout=10000)
        place_callers("support", patience=180, talk=4, number=second_number)
        qtbot.wait((RETRY_SECONDS + 4) * 1000)
        assert offers(agent) == {first.call_id}, "a call rang during the after-call work"
        code = wrap_up_with_the_keyboard(agent, first.queue_call, "Asked about the invoice")
        assert record_of(agent, lead, first.queue_call)["disposition"] == code

        # 3. Ready again, the waiting customer is offered; the agent is away: two
        # offers ring out, then the agent is paused "missed call" and told so.
        second = offered(agent, {first.call_id})
        second_again = offered(agent, offers(agent), timeout=RING_SECONDS + RETRY_SECONDS + 10)
        assert second_again.queue_call == second.queue_call
        qtbot.waitUntil(lambda: bar.notice.isVisible(), timeout=(RING_SECONDS + 10) * 1000)
        assert "missed call" in activity(agent) and bar.ready_button.isEnabled()
        assert seen_by_lead(lead) == ("paused", MISSED_CALL_REASON)
        qtbot.wait((RETRY_SECONDS + 4) * 1000)
        assert len(offers(agent)) == 3, "offered again while paused for the missed calls"
        rows = history_rows(agent, second.queue_call)
        assert len(rows) == 1 and "Missed" in rows[0] and "offered 2 times" in rows[0], rows
        assert grouped(second_number) in rows[0]

        # 4. Back at the desk: Ready (mouse), the third offer is answered with the
        # incoming window's button; the history still has one row for that caller.
        qtbot.mouseClick(bar.ready_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not bar.notice.isVisible(), timeout=5000)
        third = offered(agent, offers(agent))
        assert third.queue_call == second.queue_call
        qtbot.waitUntil(lambda: window.incoming.isVisible(), timeout=5000)
        qtbot.mouseClick(window.incoming.answer_button, Qt.MouseButton.LeftButton)
        agent.wait_call(lambda c: c.call_id == third.call_id and c.state is CallState.ACTIVE)
        agent.wait_no_calls(timeout=15)
        rows = history_rows(agent, second.queue_call)
        assert len(rows) == 1 and "offered 3 times" in rows[0] and "Missed" not in rows[0], rows
        entry = next(e for r in range(window.history.count())
                     if (e := window.history.entry(r)) is not None and e.queue_call == second.queue_call)
        assert entry.outcome is Outcome.ANSWERED
        code = wrap_up_with_the_keyboard(agent, second.queue_call, "Paid twice")
        assert record_of(agent, lead, second.queue_call)["disposition"] == code
        qtbot.waitUntil(lambda: code in history_rows(agent, second.queue_call)[0], timeout=5000)

    # 5. A callback: the preview rings, "Call now", the PBX's customer answers,
    # the agent hangs up (F4); the outcome is picked in the wrap-up panel (1, Enter).
    callback_number = a_number("0935")
    created = lead.call("POST", "/api/v1/callbacks", {"queue": "support", "number": callback_number,
                                                      "topic": "Refund", "same_agent": False})
    assert created.status_code == 201, created.text
    task = str(created.json()["id"])
    ring = agent.wait_call(lambda c: c.state is CallState.RINGING_IN and c.callback_task == task, timeout=20)
    preview = agent.desktop.callbacks.preview
    qtbot.waitUntil(lambda: preview.isVisible() and preview.task_id == task, timeout=5000)
    qtbot.mouseClick(preview.call_button, Qt.MouseButton.LeftButton)
    agent.wait_call(lambda c: c.call_id == ring.call_id and c.state is CallState.ACTIVE)
    qtbot.waitUntil(lambda: "ANSWER" in [e["detail"] for e in lead.task(task)["events"]], timeout=15000)
    qtbot.wait(1000)
    key(agent, Qt.Key.Key_F4)
    agent.wait_no_calls(timeout=15)
    wrapups, callbacks = agent.desktop.wrapups, agent.desktop.callbacks
    qtbot.waitUntil(lambda: wrapups.current.startswith(f"cb{task}-") and task in callbacks.outcomes, timeout=10000)
    picker = callbacks.outcomes[task]
    assert wrapups.panel.isAncestorOf(picker) and picker.isVisible()
    qtbot.waitUntil(lambda: seen_by_lead(lead) == ("paused", WRAPUP_REASON), timeout=10000)
    window.activateWindow()
    qtbot.waitUntil(lambda: picker.isAncestorOf(QApplication.focusWidget() or window), timeout=5000)
    key(agent, Qt.Key.Key_1)
    key(agent, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lead.task(task)["state"] == "done", timeout=10000)
    assert lead.task(task)["last_outcome"] == "reached"
    qtbot.waitUntil(lambda: not wrapups.panel.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: seen_by_lead(lead) == ("ready", ""), timeout=10000)
    assert grouped(callback_number) in window.history.item(0).text()

    # 6. Lunch from the Pause menu, and Ready.
    qtbot.mouseClick(bar.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.pause_menu.isVisible(), timeout=5000)
    assert bar.pause_menu.actions()[1].text().endswith("Lunch")
    qtbot.keyClick(bar.pause_menu, Qt.Key.Key_2)  # its menu key
    qtbot.waitUntil(lambda: seen_by_lead(lead) == ("paused", "Lunch"), timeout=10000)
    qtbot.waitUntil(lambda: activity(agent) == "Paused: Lunch", timeout=5000)
    assert not bar.pause_menu.isVisible()
    qtbot.mouseClick(bar.ready_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: seen_by_lead(lead) == ("ready", ""), timeout=10000)
    qtbot.waitUntil(lambda: activity(agent) == "Ready", timeout=5000)

    # The day's count of missed offers, kept for reports.
    assert missed_today(lead) == missed_before + 2
