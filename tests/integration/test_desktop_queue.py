"""The whole chain with a real desktop: the agent logs into a queue from the
agent bar, generated customers call the queue, the live queue panel shows
them in order, the call rings with a screen-pop filled from the desk
service and the demo CRM, and a slow CRM never delays answering."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from agentdesk.desktop.crm.demo import DemoCrm
from agentdesk.desktop.phone.model import CallState
from agentdesk.desktop.resources import resource
from agentdesk.desktop.ui.queues.controller import DeskView
from tests.helpers.agent import Agent
from tests.helpers.callers import place_callers
from tests.helpers.desk import DeskUser
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

DEMO_OLGA = "+74951234567"  # in resources/demo/customers.csv
# This run's Olga: a number no other test has called from (the demo callers
# rotate through the demo customers, and an earlier call would make her a
# repeat caller), with her record in this test's copy of the CRM.
OLGA = f"+7495{random.randrange(10**6, 10**7)}"


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[DemoCrm]:
    customers = tmp_path / "customers.csv"
    demo = resource("demo", "customers.csv").read_text(encoding="utf-8")
    assert DEMO_OLGA in demo
    customers.write_text(demo.replace(DEMO_OLGA, OLGA), encoding="utf-8")
    server = DemoCrm(port=0, delay_ms=50, customers=customers)
    server.start()
    yield server
    server.stop()


def crm_settings(crm: DemoCrm, timeout_ms: int = 2000) -> dict[str, Any]:
    return {"crm_lookup_url": crm.url + "/api/customers?phone={number}",
            "crm_open_url": crm.url + "/customers/{id}", "crm_timeout_ms": timeout_ms}


def member_line(pbx: Pbx, queue: str, agent: str) -> str:
    found = re.search(rf"^\s+{agent} \(.*$", pbx.cli(f"queue show {queue}"), re.M)
    return found.group(0) if found else ""


def log_in(qtbot: Any, agent: Agent, pbx: Pbx, queue: str) -> DeskView:
    view = agent.desktop.desk
    qtbot.waitUntil(lambda: queue in view.agent_bar.toggles, timeout=10000)
    qtbot.mouseClick(view.agent_bar.toggles[queue], Qt.MouseButton.LeftButton)
    wait_until(lambda: member_line(pbx, queue, agent.desktop.settings.get("user")) != "", what="agent in queue")
    qtbot.waitUntil(lambda: queue in view.queue_panel.cards, timeout=5000)
    return view


def waiting_positions(view: DeskView, queue: str) -> list[tuple[int, str]]:
    card = view.queue_panel.cards[queue]
    return [(row.caller.position, row.caller.number) for row in card.rows if row.caller and not row.isHidden()]


@pytest.fixture
def leave_queues(pbx: Pbx) -> Iterator[list[Agent]]:
    """Agents appended here leave every queue and pause afterwards (through
    the service's API, since a desktop may have been closed by the test)."""
    agents: list[Agent] = []
    yield agents
    for user in {a.desktop.settings.get("user") for a in agents}:
        desk = DeskUser(user)
        for queue in ("support", "sales"):
            desk.leave(queue)
        desk.unpause()
    pbx.cli("channel request hangup all")  # callers left waiting must not reach the next test's agents
    wait_until(lambda: "0 active channels" in pbx.cli("core show channels count"), what="no calls left")


def test_queue_call_with_screen_pop_live_panel_and_history(
    qtbot: Any, make_agent: Callable[..., Agent], pbx: Pbx, crm: DemoCrm, leave_queues: list[Agent]
) -> None:
    agent = make_agent("1016", **crm_settings(crm))
    leave_queues.append(agent)
    view = log_in(qtbot, agent, pbx, "support")
    place_callers("support", count=2, interval=0.4, patience=60, talk=2, number=OLGA, name="Olga S")
    qtbot.waitUntil(lambda: len(waiting_positions(view, "support")) == 2, timeout=10000)
    assert [p for p, _ in waiting_positions(view, "support")] == [1, 2]

    first = agent.wait_state(CallState.RINGING_IN)
    assert first.queue == "support" and first.queue_call
    pop = view.screen_pop
    qtbot.waitUntil(lambda: pop.isVisible() and pop.title.text() == "Olga Smirnova", timeout=3000)  # from the CRM
    qtbot.waitUntil(lambda: "position 1 on entry" in pop.queue_line.text(), timeout=3000)  # from the desk
    assert not pop.repeat.isVisible()
    agent.engine.answer(first.call_id)
    agent.wait_state(CallState.ACTIVE)
    qtbot.waitUntil(lambda: [p for p, _ in waiting_positions(view, "support")] == [1], timeout=5000)
    agent.wait_no_calls(timeout=15)  # the customer hangs up after talking 2 s

    second = agent.wait_call(lambda c: c.state is CallState.RINGING_IN and c.call_id != first.call_id, timeout=30)
    qtbot.waitUntil(lambda: pop.repeat.isVisible() and pop.history.rowCount() >= 1, timeout=5000)
    assert "position 2 on entry" in pop.queue_line.text()
    agent_cell = pop.history.item(0, 1)
    assert agent_cell is not None and "Nikolai Popov" in agent_cell.text()  # the agent of the first call
    agent.engine.answer(second.call_id)
    agent.wait_no_calls(timeout=15)
    today = view.queue_panel.cards["support"].queue.today
    assert today.answered >= 2


def test_a_slow_crm_does_not_delay_ringing_or_answering(
    qtbot: Any, make_agent: Callable[..., Agent], pbx: Pbx, crm: DemoCrm, leave_queues: list[Agent]
) -> None:
    crm.set_delay_ms(3000)
    agent = make_agent("1017", **crm_settings(crm, timeout_ms=1000))
    leave_queues.append(agent)
    view = log_in(qtbot, agent, pbx, "sales")
    place_callers("sales", count=1, patience=30, talk=3, number=OLGA)
    call = agent.wait_state(CallState.RINGING_IN)
    rang_at = time.monotonic()
    pop = view.screen_pop
    assert pop.isVisible() and pop.crm_status.text()  # shown at once, CRM still loading
    agent.engine.answer(call.call_id)
    agent.wait_state(CallState.ACTIVE, timeout=3)
    answered_after = time.monotonic() - rang_at
    qtbot.waitUntil(lambda: "did not answer" in pop.crm_status.text(), timeout=3000)
    assert answered_after < 1.0, f"answering took {answered_after:.2f} s while the CRM was slow"
    assert "position 1 on entry" in pop.queue_line.text()  # the desk part did arrive
    agent.wait_no_calls(timeout=15)


def test_an_abandoned_caller_is_counted(
    qtbot: Any, make_agent: Callable[..., Agent], pbx: Pbx, leave_queues: list[Agent]
) -> None:
    agent = make_agent("1018")
    leave_queues.append(agent)
    view = log_in(qtbot, agent, pbx, "support")
    view.agent_bar.pause_requested.emit("Break")
    wait_until(lambda: "paused:Break" in member_line(pbx, "support", "1018"), what="paused")
    before = view.queue_panel.cards["support"].queue.today.abandoned
    place_callers("support", count=1, patience=2, talk=1)
    qtbot.waitUntil(lambda: view.queue_panel.cards["support"].queue.today.abandoned == before + 1, timeout=10000)
    view.agent_bar.unpause_requested.emit()
    wait_until(lambda: "paused" not in member_line(pbx, "support", "1018"), what="unpaused")


def test_the_agent_state_survives_a_desktop_restart_and_the_panel_a_desk_restart(
    qtbot: Any, make_agent: Callable[..., Agent], pbx: Pbx, leave_queues: list[Agent]
) -> None:
    first = make_agent("1015")
    leave_queues.append(first)
    view = log_in(qtbot, first, pbx, "sales")
    view.agent_bar.pause_requested.emit("Lunch")
    wait_until(lambda: "paused:Lunch" in member_line(pbx, "sales", "1015"), what="paused")
    first.close()

    again = make_agent("1015")
    leave_queues.append(again)
    bar = again.desktop.desk.agent_bar
    qtbot.waitUntil(lambda: bar.activity.text() == "Paused: Lunch", timeout=10000)
    assert bar.toggles["sales"].isChecked() and not bar.toggles["support"].isChecked()

    panel = again.desktop.desk.queue_panel
    assert pbx.run("desk", "restart").returncode == 0
    place_callers("sales", count=1, patience=20, talk=1, number=OLGA)
    qtbot.waitUntil(lambda: len(panel.cards["sales"].queue.callers) == 1, timeout=20000)  # pushed after reconnecting
    assert panel.cards["sales"].queue.callers[0].number == OLGA
    assert bar.activity.text() == "Paused: Lunch"
