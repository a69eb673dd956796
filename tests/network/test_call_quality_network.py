"""The call card's live quality estimate on a real impaired network: the
same kind of call through the wire reads "good" with no loss and "poor"
at 8 % loss, saying why, and the history keeps what the agent saw."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.helpers.agent import Agent
from tests.helpers.impairment import Impairment
from tests.helpers.netwire import Wire
from tests.helpers.party import SipParty
from tests.network.conftest import RemoteSite
from tests.network.test_remote_agent import answered_call

pytestmark = pytest.mark.pbx


@pytest.mark.parametrize(("loss", "level"), [(0.0, "good"), (0.08, "poor")])
def test_the_call_card_tells_a_clean_line_from_a_lossy_one(
    remote_site: RemoteSite, make_remote_agent: Callable[..., Agent], make_caller: Callable[[str], SipParty],
    wire: Wire, loss: float, level: str,
) -> None:
    agent = make_remote_agent()
    caller = make_caller("1002")
    call = answered_call(remote_site, agent, caller)
    wire.set(Impairment(loss=loss))  # both ways: what the agent hears and what it says
    label = agent.window.calls.cards[call.call_id].quality
    agent.qtbot.waitUntil(lambda: label.isVisible() and label.property("level") == level, timeout=15000)
    if level == "poor":
        assert "packet loss" in label.text(), label.text()
    wire.clear()
    caller.send("hangup")
    agent.wait_no_calls()
    agent.qtbot.waitUntil(lambda: agent.window.history.count() > 0 and "quality" in history_text(agent),
                          timeout=5000)


def history_text(agent: Agent) -> str:
    history = agent.window.history
    return " ".join(history.item(row).text() + " " + history.item(row).toolTip() for row in range(history.count()))
