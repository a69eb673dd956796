"""A remote agent behind home NAT, over an impaired link (tests/network/conftest.py):
the agent registers through the router, a colleague next to the PBX rings
it, and each side hears the other's tone; a 5 s outage mid-call does not
cost the call."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import pytest

from agentdesk.desktop.phone.model import CallSnapshot, CallState
from tests.helpers.agent import Agent
from tests.helpers.netlab import DESKTOP, ROUTER_WAN
from tests.helpers.netwire import Wire
from tests.helpers.party import SipParty
from tests.helpers.soundserver import MIC_TONE, SoundServer
from tests.network.conftest import RemoteSite

pytestmark = pytest.mark.pbx

CALLER_TONE = 900
HEARD = 0.5


def answered_call(site: RemoteSite, agent: Agent, caller: SipParty) -> CallSnapshot:
    """The caller rings the agent, who answers; the caller plays its tone."""
    caller.call(f"sip:{agent.user}@{site.local_server}")
    ringing = agent.wait_state(CallState.RINGING_IN, timeout=10)
    agent.engine.answer(ringing.call_id)
    caller.wait_state("CONFIRMED")
    caller.send("tone", freq=CALLER_TONE)
    return agent.wait_state(CallState.ACTIVE)


def wait_talking(agent: Agent, caller: SipParty, sound: SoundServer, timeout: float = 8.0) -> None:
    """Both ears get the other side's tone again within `timeout` seconds."""
    caller.detect(MIC_TONE)
    caller.wait_detected(MIC_TONE, timeout=timeout)
    deadline = time.monotonic() + timeout
    heard: dict[str, float] = {}
    while time.monotonic() < deadline:
        heard = sound.hear([CALLER_TONE], seconds=0.5)
        if heard[str(CALLER_TONE)] > HEARD:
            return
        agent.qtbot.wait(10)
    raise AssertionError(f"the agent does not hear the caller: {heard}")


def host_addresses() -> str:
    """Every IPv4 address of the desktop's host (the tests' namespace)."""
    return subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("transport", ["tls", "udp"])
def test_an_agent_behind_home_nat_registers_rings_and_talks_both_ways(
    remote_site: RemoteSite, make_remote_agent: Callable[..., Agent], make_caller: Callable[[str], SipParty],
    sound: SoundServer, transport: str,
) -> None:
    agent = make_remote_agent(transport)
    contact = remote_site.pbx.contacts()
    # The PBX knows the agent only by the router's address, which the
    # desktop's host does not have: what reached it went through NAT.
    assert f"@{ROUTER_WAN}:" in contact, contact
    assert DESKTOP not in contact and f" {ROUTER_WAN}/" not in host_addresses()
    caller = make_caller("1002")
    answered_call(remote_site, agent, caller)
    wait_talking(agent, caller, sound)


def test_a_five_second_outage_mid_call_costs_neither_the_call_nor_its_audio(
    remote_site: RemoteSite, make_remote_agent: Callable[..., Agent], wire: Wire,
    make_caller: Callable[[str], SipParty], sound: SoundServer,
) -> None:
    remote_agent = make_remote_agent()
    caller = make_caller("1002")
    call = answered_call(remote_site, remote_agent, caller)
    wait_talking(remote_agent, caller, sound)
    before = wire.stats()
    wire.outage(5.0)
    remote_agent.qtbot.wait(1000)
    assert sound.hear([CALLER_TONE], seconds=1.0)[str(CALLER_TONE)] < 0.1  # the outage is real
    remote_agent.qtbot.wait(3500)
    wait_talking(remote_agent, caller, sound)
    after = wire.stats()
    for direction in ("up", "down"):  # audio went missing both ways for the whole outage
        assert after[direction]["outage_lost"] - before[direction]["outage_lost"] > 200, after
    assert remote_site.pbx.channel_up(remote_agent.user)
    assert [c.state for c in remote_agent.live() if c.call_id == call.call_id] == [CallState.ACTIVE]
    assert caller.state == "CONFIRMED"
