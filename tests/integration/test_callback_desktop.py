"""Callbacks on a real desktop (pytest-qt) with the real PBX and desk
service: a due task rings the agent as a preview with the task's customer
and topic; "Call now" (Enter) calls the customer; after the call the
outcome picker records the outcome, and the history shows the customer's
number as the service's region writes it. "Skip" leaves the task to others for
the queue's skip delay. The task list shows the task and the agent can
call a task from it. With wrap-up on, the outcome picker is inside the
wrap-up panel of the call and saving the outcome ends the wrap-up. A busy
customer is recorded by the service, and the agent is told so instead of
being asked for an outcome."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from agentdesk.desktop.phone.model import CallState
from tests.helpers.agent import Agent
from tests.helpers.callbackflow import Lead
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

CUSTOMER = "09121110001"


@pytest.fixture
def agent_in_support(qtbot: Any, make_agent: Callable[..., Agent], pbx: Pbx) -> Iterator[Agent]:
    agent = make_agent("1008")
    view = agent.desktop.desk
    qtbot.waitUntil(lambda: "support" in view.agent_bar.toggles, timeout=10000)
    qtbot.mouseClick(view.agent_bar.toggles["support"], Qt.MouseButton.LeftButton)
    wait_until(lambda: re.search(r"^\s+1008 \(", pbx.cli("queue show support"), re.M) is not None,
               what="1008 in support")
    yield agent
    desk = DeskUser("1008")
    desk.leave("support")
    desk.unpause()


def new_task(lead: Lead, topic: str, number: str = CUSTOMER) -> dict[str, Any]:
    reply = lead.call("POST", "/api/v1/callbacks", {"queue": "support", "number": number, "topic": topic,
                                                    "same_agent": False})
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def test_the_agent_previews_calls_and_records_the_outcome(
    qtbot: Any, agent_in_support: Agent, make_party: Callable[..., SipParty], lead: Lead
) -> None:
    agent = agent_in_support
    customer = make_party(CUSTOMER)
    customer.send("auto_answer", on=True)
    task = new_task(lead, "Refund <b>please</b>")
    offer = agent.wait_call(lambda c: c.state is CallState.RINGING_IN and c.callback_task == task["id"],
                            timeout=20)
    callbacks = agent.desktop.callbacks
    preview = callbacks.preview
    qtbot.waitUntil(lambda: preview.isVisible() and preview.task_id == task["id"], timeout=5000)
    qtbot.waitUntil(lambda: "Refund <b>please</b>" in all_text(preview), timeout=5000)  # plain text, as typed
    assert agent.desktop.callbacks.find(task["id"]) is not None  # in the task list too
    qtbot.mouseClick(preview.call_button, Qt.MouseButton.LeftButton)
    agent.wait_call(lambda c: c.call_id == offer.call_id and c.state is CallState.ACTIVE, timeout=10)
    customer.wait("incoming", timeout=20)
    customer.wait_state("CONFIRMED", timeout=10)
    assert lead.wait_state(task["id"], "claimed")["agent"] == "1008"
    customer.send("hangup")
    agent.wait_no_calls(timeout=15)
    # The history keeps the call as its customer, grouped as the service's region (IR) writes it.
    qtbot.waitUntil(lambda: agent.window.history.count() >= 1, timeout=5000)
    assert "\u20660912 111 0001\u2069" in agent.window.history.item(0).text()
    qtbot.waitUntil(lambda: task["id"] in callbacks.outcomes, timeout=5000)
    picker = callbacks.outcomes[task["id"]]
    picker.choose("reached")
    qtbot.mouseClick(picker.save, Qt.MouseButton.LeftButton)
    done = lead.wait_state(task["id"], "done")
    assert done["last_outcome"] == "reached" and done["attempts"] == 1
    qtbot.waitUntil(lambda: task["id"] not in callbacks.outcomes, timeout=5000)


def test_after_a_callback_call_the_outcome_is_the_wrap_ups_record(
    qtbot: Any, agent_in_support: Agent, lead: Lead
) -> None:
    """With wrap-up on: the agent is paused "wrap-up" after the call, the outcome
    picker is inside the wrap-up panel (not a window over the next call), and
    saving the outcome (key 1, Enter) ends the wrap-up."""
    agent = agent_in_support
    lead.ok("PUT", "/api/v1/test/wrapup", {"enabled": True, "limit_seconds": 120})
    try:
        # A number no other test uses (the per-number request limit): the PBX's simulated customer answers.
        task = new_task(lead, "Wrap me up", f"0935{random.randrange(10**6, 10**7)}")
        offer = agent.wait_call(lambda c: c.state is CallState.RINGING_IN and c.callback_task == task["id"],
                                timeout=20)
        agent.desktop.engine.answer(offer.call_id)
        wait_until(lambda: "ANSWER" in [e["detail"] for e in lead.task(task["id"])["events"]], 15,
                   "the customer answers")
        agent.desktop.engine.hangup(offer.call_id)
        agent.wait_no_calls(timeout=15)
        callbacks, wrapups = agent.desktop.callbacks, agent.desktop.wrapups
        qtbot.waitUntil(lambda: wrapups.current.startswith(f"cb{task['id']}-"), timeout=10000)
        picker = callbacks.outcomes[task["id"]]
        assert wrapups.panel.isVisible() and wrapups.panel.isAncestorOf(picker) and picker.isVisible()
        assert picker.window() is agent.window
        me = DeskUser("1008")
        assert me.snapshot()["me"]["paused_reason"] == "wrap-up"
        agent.window.activateWindow()
        qtbot.waitUntil(lambda: picker.isAncestorOf(QApplication.focusWidget() or agent.window), timeout=5000)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1)
        assert picker.outcome() == "reached"
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        assert lead.wait_state(task["id"], "done")["last_outcome"] == "reached"
        qtbot.waitUntil(lambda: not wrapups.panel.isVisible(), timeout=5000)
        wait_until(lambda: me.snapshot()["wrapup"] is None and me.snapshot()["me"]["activity"] == "ready", 10,
                   "ready once the outcome is saved")
        me.close()
    finally:
        lead.call("PUT", "/api/v1/test/wrapup", {"enabled": False})


def test_a_skipped_offer_waits_for_the_skip_delay(
    qtbot: Any, agent_in_support: Agent, lead: Lead
) -> None:
    agent = agent_in_support
    task = new_task(lead, "Skip me")
    offer = agent.wait_call(lambda c: c.state is CallState.RINGING_IN and c.callback_task == task["id"],
                            timeout=20)
    callbacks = agent.desktop.callbacks
    dialog = callbacks.open_skip(offer.call_id)
    dialog.reasons.buttons()[0].setChecked(True)
    dialog.detail.setText("not my language")
    dialog.box.accepted.emit()  # OK
    agent.wait_no_calls(timeout=10)  # the offer stops ringing
    skipped = lead.wait_state(task["id"], "waiting")
    assert skipped["due_at"] > skipped["updated_at"] + 60
    events = lead.task(task["id"])["events"]
    assert any(e["kind"] == "skipped" and "not my language" in e["detail"] for e in events), events


def all_text(widget: Any) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in widget.findChildren(QLabel))


def test_a_busy_customer_is_recorded_by_the_service_and_asks_the_agent_for_nothing(
    qtbot: Any, agent_in_support: Agent, make_party: Callable[..., SipParty], lead: Lead
) -> None:
    """The customer's phone is busy: the PBX reports it, the service records
    the attempt ("busy") and keeps the task for another one; the agent is
    told so, and no outcome picker asks for what is already recorded."""
    agent = agent_in_support
    number = "09121110006"  # this test's own customer phone (the per-number request limit)
    customer = make_party(number)
    task = new_task(lead, "Busy line", number)
    offer = agent.wait_call(lambda c: c.state is CallState.RINGING_IN and c.callback_task == task["id"],
                            timeout=20)
    agent.desktop.engine.answer(offer.call_id)
    customer.wait("incoming", timeout=20)
    customer.reject(486)
    agent.wait_no_calls(timeout=20)
    qtbot.waitUntil(lambda: lead.task(task["id"])["state"] == "waiting", timeout=10000)
    stored = lead.task(task["id"])
    assert stored["last_outcome"] == "busy" and stored["attempts"] == 1
    qtbot.waitUntil(lambda: "did not answer (Busy)" in agent.window.statusBar().currentMessage(), timeout=5000)
    qtbot.wait(1000)  # the picker would have opened by now
    assert task["id"] not in agent.desktop.callbacks.outcomes
    assert not agent.desktop.wrapups.panel.isVisible()
