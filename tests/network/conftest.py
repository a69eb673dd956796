"""A remote agent's working conditions, for real: the desktop in this
process behind a home router that masquerades (kernel NAT, nftables), an
impaired wire to a PBX in a network namespace of its own, and callers next
to that PBX (tests/helpers/netlab.py, netwire.py, netpbx.py).

The network and its PBX are built once per module (about 4 s) and the wire
is made perfect again around every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from agentdesk.desktop.phone.model import RegState
from tests.helpers.agent import Agent
from tests.helpers.netlab import PBX_NS, RemoteNetwork
from tests.helpers.netpbx import TLS_SERVER, UDP_SERVER, NetworkPbx
from tests.helpers.netwire import Wire
from tests.helpers.party import SipParty
from tests.helpers.pbx import Pbx
from tests.helpers.soundserver import SoundServer

SETTLED = (RegState.REGISTERED, RegState.FAILED, RegState.UNREACHABLE)


@dataclass(frozen=True)
class RemoteSite:
    network: RemoteNetwork
    pbx: NetworkPbx
    local_server: str  # plain SIP for phones on the PBX's own host

    @property
    def wire(self) -> Wire:
        return self.network.wire


@pytest.fixture(scope="module")
def remote_site(pbx: Pbx) -> Iterator[RemoteSite]:
    """Needs the session's PBX only for the Asterisk it provisioned."""
    network = RemoteNetwork(nat=True)
    server = NetworkPbx()
    try:
        server.start()
        yield RemoteSite(network, server, server.plain_sip_server())
    finally:
        server.stop()
        network.close()


@pytest.fixture
def wire(remote_site: RemoteSite) -> Iterator[Wire]:
    remote_site.wire.clear()
    yield remote_site.wire
    remote_site.wire.clear()


@pytest.fixture
def make_remote_agent(qtbot: Any, remote_site: RemoteSite, wire: Wire, sound: SoundServer
                      ) -> Iterator[Callable[..., Agent]]:
    """make_remote_agent(transport='tls') -> an agent's desktop at home,
    registered through the router and the wire: 1020, whom
    pbx/directory.csv marks as working from home, over SIP over TLS with
    encrypted audio; or 1001 over plain SIP (UDP)."""
    agents: list[Agent] = []

    def make(transport: str = "tls") -> Agent:
        user, server = ("1020", TLS_SERVER) if transport == "tls" else ("1001", UDP_SERVER)
        agent = Agent.create(qtbot, user, remote_site.pbx.password(user), server,
                             remote_site.pbx.desktop_settings(transport))
        agents.append(agent)
        # Settled either way: a refused registration fails the test at once.
        qtbot.waitUntil(lambda: agent.state in SETTLED, timeout=15000)
        assert agent.state is RegState.REGISTERED, agent.engine.account.reason
        return agent

    yield make
    for agent in agents:
        agent.close()


@pytest.fixture
def make_caller(remote_site: RemoteSite) -> Iterator[Callable[[str], SipParty]]:
    """make_caller(user) -> a SIP phone registered as `user` on the PBX's own
    host (it calls over the PBX's loopback: the agent's side of the call
    alone crosses the wire)."""
    parties: list[SipParty] = []

    def make(user: str) -> SipParty:
        party = SipParty(f"caller-{user}", netns=PBX_NS)
        parties.append(party)
        party.register(user, remote_site.local_server, password=remote_site.pbx.password(user))
        return party

    yield make
    for party in parties:
        party.close()
