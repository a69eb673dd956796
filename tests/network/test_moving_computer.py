"""A remote agent's computer changes address mid-call (Wi-Fi to cable):
the old address disappears with every socket on it, the desktop notices
within a liveness round, opens its transports again, registers from the
new address through the home router and moves the call there with a
re-INVITE; both sides hear each other and nobody hung up. (The audio
itself finds the new address sooner: the PBX answers RTP where it comes
from, and the desktop's RTP now leaves from the new address.) In a
module of its own: the move changes the module's network for good."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from agentdesk.desktop.phone.model import CallState, RegState
from agentdesk.desktop.phone.registration import PING_INTERVAL
from tests.helpers.agent import Agent
from tests.helpers.netlab import DESKTOP, DESKTOP_MOVED, ROUTER_WAN
from tests.helpers.party import SipParty
from tests.helpers.soundserver import SoundServer
from tests.network.conftest import RemoteSite
from tests.network.test_remote_agent import answered_call, host_addresses, wait_talking

pytestmark = pytest.mark.pbx


def agent_contact(site: RemoteSite, user: str) -> str:
    """The address and port the PBX reaches the agent at."""
    found = re.search(rf"Contact:\s+{user}/sip:\S+@([\d.]+:\d+)", site.pbx.contacts())
    return found.group(1) if found else ""


def test_a_computer_that_changes_address_mid_call_registers_again_and_keeps_the_call(
    remote_site: RemoteSite, make_remote_agent: Callable[..., Agent], make_caller: Callable[[str], SipParty],
    sound: SoundServer,
) -> None:
    agent = make_remote_agent()
    caller = make_caller("1002")
    call = answered_call(remote_site, agent, caller)
    wait_talking(agent, caller, sound)
    before = agent_contact(remote_site, agent.user)
    assert before.startswith(f"{ROUTER_WAN}:"), remote_site.pbx.contacts()

    remote_site.network.move_desktop()
    addresses = host_addresses()
    assert f" {DESKTOP}/" not in addresses and f" {DESKTOP_MOVED}/" in addresses

    # Noticed at the next liveness round at the latest; then a new TLS
    # connection from the new address, so a new mapping in the router.
    agent.qtbot.waitUntil(lambda: agent_contact(remote_site, agent.user) not in ("", before),
                          timeout=int((PING_INTERVAL + 15) * 1000))
    assert agent_contact(remote_site, agent.user).startswith(f"{ROUTER_WAN}:")
    agent.qtbot.waitUntil(lambda: agent.state is RegState.REGISTERED, timeout=10000)
    wait_talking(agent, caller, sound, timeout=15.0)
    assert remote_site.pbx.channel_up(agent.user)
    assert [c.state for c in agent.live() if c.call_id == call.call_id] == [CallState.ACTIVE]
    assert caller.state == "CONFIRMED"
