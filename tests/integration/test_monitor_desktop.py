"""A team lead's desktop on the real desk service and PBX: the board row of
an agent follows the agent's pause within a second, and the wallboard says
"Stale since" once the desk service is gone and is live again after it is
back; a lead's commands from the monitor (pause with a note, ready, the
audit, the VIP and do-not-call lists) reach the agent and the service; the
lead's desktop answers the supervision call it asked for by itself, follows
the session to live and leaves it, the agent's call going on."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from agentdesk.contract.leads import LISTEN, SESSION_LIVE, AuditEntry
from agentdesk.contract.monitor import FLOOR_PAUSED
from agentdesk.desktop.phone.model import CallState
from agentdesk.desktop.ui.common.text import isolate
from agentdesk.desktop.ui.monitor.controller import MonitorDesk
from tests.helpers.agent import Agent
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import DESK_URL, SERVER, Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

AGENT, LEAD = "1001", "1901"


@pytest.fixture
def agent_desk(pbx: Pbx) -> Iterator[DeskUser]:
    """Agent 1001 signed in to the desk service and in support; ready and out of it after."""
    desk = DeskUser(AGENT)
    desk.unpause()
    desk.join("support")
    yield desk
    desk.close()
    after = DeskUser(AGENT)  # signed in anew: the desk service restarted meanwhile
    after.unpause()
    after.leave("support")
    after.close()


def monitor_of(lead: Agent) -> MonitorDesk:
    lead.qtbot.waitUntil(lambda: lead.desktop.monitor.desk is not None, timeout=15000)
    desk = lead.desktop.monitor.desk
    assert desk is not None
    return desk


def state_of(desk: MonitorDesk, agent: str) -> str:
    row = desk.agents.row_of(agent)
    return "" if row is None else desk.agents.agent_at(row).state


def test_the_board_follows_a_pause_and_the_wallboard_says_when_it_is_stale(
    make_agent: Callable[..., Agent], agent_desk: DeskUser, pbx: Pbx, qtbot: Any
) -> None:
    lead = make_agent(LEAD)
    desk = monitor_of(lead)
    qtbot.waitUntil(lambda: not desk.staleness.stale and state_of(desk, AGENT) not in ("", FLOOR_PAUSED),
                    timeout=15000)
    reason = desk.pause_reasons[0]
    agent_desk.pause(reason)
    qtbot.waitUntil(lambda: state_of(desk, AGENT) == FLOOR_PAUSED, timeout=1000)
    row = desk.agents.row_of(AGENT)
    assert row is not None
    assert desk.agents.index(row, 1).data() == f"Paused: {reason}"

    desk.show_wallboard()
    wallboard = desk.wallboard
    assert wallboard is not None and not wallboard.banner.isVisible()
    pbx.kill_desk()
    qtbot.waitUntil(lambda: wallboard.banner.isVisible(), timeout=15000)
    assert wallboard.banner.text().startswith("Stale since ")
    assert pbx.run("desk", "start", timeout=120).returncode == 0
    wait_until(lambda: requests.get(f"{DESK_URL}/api/v1/health", timeout=5).json()["pbx_connected"], 20,
               "the desk service back")
    qtbot.waitUntil(lambda: not wallboard.banner.isVisible(), timeout=40000)  # the stream retries with back-off
    assert state_of(desk, AGENT) == FLOOR_PAUSED  # the new floor still has the agent paused


def test_a_leads_commands_from_the_monitor_reach_the_agent_and_the_audit(
    make_agent: Callable[..., Agent], agent_desk: DeskUser, qtbot: Any
) -> None:
    lead = make_agent(LEAD)
    desk = monitor_of(lead)
    qtbot.waitUntil(lambda: state_of(desk, AGENT) not in ("", FLOOR_PAUSED), timeout=15000)
    unpaused = state_of(desk, AGENT)  # ready, or unavailable: no phone of 1001's is registered here
    agent_desk.listen()
    problems: list[str] = []
    desk.link.command_failed.connect(problems.append)
    reason = desk.pause_reasons[0]
    desk.link.pause(AGENT, reason, "team huddle")
    notice = agent_desk.wait_event(lambda name, data: name == "control" and data["action"] == "pause")
    assert (notice["detail"], notice["note"]) == (reason, "team huddle")
    qtbot.waitUntil(lambda: state_of(desk, AGENT) == FLOOR_PAUSED, timeout=5000)
    desk.link.make_ready(AGENT)
    qtbot.waitUntil(lambda: state_of(desk, AGENT) == unpaused, timeout=5000)
    entries: list[list[AuditEntry]] = []
    desk.link.audit(time.strftime("%Y-%m-%d"), AGENT, entries.append)
    qtbot.waitUntil(lambda: bool(entries), timeout=5000)
    assert {"pause", "ready"} <= {e.action for e in entries[0] if e.lead == LEAD}
    vips: list[list[tuple[str, str]]] = []
    desk.link.add_vip("09121119999", "Board member", lambda _done: desk.link.vips(vips.append))
    qtbot.waitUntil(lambda: bool(vips), timeout=5000)
    assert ("09121119999", "Board member") in vips[0]
    desk.link.remove_vip("09121119999", lambda _done: desk.link.vips(vips.append))
    qtbot.waitUntil(lambda: len(vips) == 2, timeout=5000)
    assert all(number != "09121119999" for number, _note in vips[1])
    blocked: list[list[tuple[str, str]]] = []
    desk.link.add_blocked("09121119998", "asked not to be called", lambda _done: desk.link.blocked(blocked.append))
    qtbot.waitUntil(lambda: bool(blocked), timeout=5000)
    assert ("09121119998", "asked not to be called") in blocked[0]
    desk.link.remove_blocked("09121119998", lambda _done: desk.link.blocked(blocked.append))
    qtbot.waitUntil(lambda: len(blocked) == 2, timeout=5000)
    assert all(number != "09121119998" for number, _reason in blocked[1])
    assert problems == []


def test_the_leads_desktop_answers_its_own_supervision_and_follows_it_to_the_end(
    make_agent: Callable[..., Agent], make_party: Callable[..., SipParty], agent_desk: DeskUser, qtbot: Any
) -> None:
    lead = make_agent(LEAD)
    desk = monitor_of(lead)
    customer, agent = make_party("09121110001"), make_party(AGENT)
    customer.call(f"sip:7001@{SERVER}")
    agent.wait("incoming", timeout=20)
    agent.answer()
    agent.wait_state("CONFIRMED")
    qtbot.waitUntil(lambda: (row := desk.agents.row_of(AGENT)) is not None
                    and desk.agents.agent_at(row).call is not None, timeout=5000)

    desk.supervise(AGENT, LISTEN)
    call = lead.wait_state(CallState.ACTIVE, timeout=15)  # answered by itself: no click
    assert call.supervision != ""
    qtbot.waitUntil(lambda: desk.session is not None and desk.session.state == SESSION_LIVE, timeout=5000)
    bar, session = desk.window.supervision_bar, desk.session
    assert session is not None and bar.label.text() == f"Supervising {isolate(session.agent_name)}'s call"
    assert lead.window.calls.cards and all(not card.banner.text() for card in lead.window.calls.cards.values())

    bar.leave_button.click()
    lead.wait_no_calls(timeout=10)
    qtbot.waitUntil(lambda: desk.session is None and not bar.isVisible(), timeout=5000)
    assert agent.state == customer.state == "CONFIRMED"  # the agent and the customer still talk
