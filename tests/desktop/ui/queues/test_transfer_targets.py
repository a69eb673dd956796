"""Who the transfer picker offers: the agents in the agent's queues (free
ones first), the queues with a number, and the agents' voicemail boxes;
never the agent themself, whose phone is the one holding the call."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from agentdesk.contract.queues import AgentState, DeskSnapshot
from agentdesk.contract.states import AgentActivity
from agentdesk.desktop.crm.lookup import CrmLookup
from agentdesk.desktop.tasks import TaskRunner
from agentdesk.desktop.ui.queues.controller import DeskView
from tests.helpers.layout import QuietLink, queues


@pytest.fixture
def view(qtbot: Any) -> Iterator[DeskView]:
    runner = TaskRunner(workers=1)
    desk = DeskView(QuietLink(), CrmLookup(runner))
    yield desk
    runner.shutdown()


def signed_in_as(view: DeskView, agent: str) -> None:
    now = time.time()
    me = AgentState(agent, "", "agent", agent, {"support": True}, AgentActivity.ON_CALL, "", now)
    view.link.snapshot_received.emit(DeskSnapshot(now, me, queues(now), ()))


def test_the_agent_is_not_offered_their_own_transfer(view: DeskView) -> None:
    signed_in_as(view, "1002")  # Sara, on a call, is a member of every queue of the snapshot
    numbers = [target.number for target in view.transfer_targets()]
    assert "1002" not in numbers and "*1002" not in numbers
    assert numbers[:2] == ["1001", "1003"]  # the free colleague first
    assert {"7001", "7002", "7003", "*1001", "*1003"} <= set(numbers)


def test_a_colleague_sees_the_agent(view: DeskView) -> None:
    signed_in_as(view, "1001")
    numbers = [target.number for target in view.transfer_targets()]
    assert "1002" in numbers and "*1002" in numbers and "1001" not in numbers
