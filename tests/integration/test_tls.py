"""SIP over TLS with encrypted audio, against the bundled Asterisk: the PBX
makes its own authority and certificate, a desktop that pins that
authority registers and talks both ways over SRTP, and every way trust can
fail is refused with a sentence the agent can act on, never a silent fall
back to clear text. 1020 is marked tls in pbx/directory.csv (a remote
agent: SRTP or no call); 1001 is not (the PBX offers it plain RTP)."""

from __future__ import annotations

import base64
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agentdesk.desktop.phone.model import CallState, RegState
from tests.helpers.agent import Agent
from tests.helpers.pbx import RTP_START, SERVER, TLS_PORT, Pbx
from tests.helpers.soundserver import MIC_TONE, SoundServer
from tests.helpers.tlskit import (
    Forwarder,
    LoopbackCapture,
    TlsListener,
    issue,
    make_authority,
    rtp_compressibility,
)
from tests.integration.test_security import QUEUE_HEADERS, stranger_invite

pytestmark = pytest.mark.pbx

TLS_SERVER = f"127.0.0.1:{TLS_PORT}"
PARTY_TONE = 1100
HEARD = 0.5
ABSENT = 0.05


def authority(pbx: Pbx) -> Path:
    return pbx.home / "state" / "tls" / "ca.pem"


@pytest.fixture
def tls_agent(qtbot: Any, pbx: Pbx, sound: SoundServer) -> Iterator[Callable[..., Agent]]:
    """tls_agent(user, server=..., ca=...) -> a desktop using SIP over TLS."""
    agents: list[Agent] = []

    def make(user: str = "1020", server: str = TLS_SERVER, ca: Path | None = None, wait: bool = True,
             **extra: Any) -> Agent:
        settings = {"transport": "tls", "tls_ca_file": str(ca or authority(pbx)), "desk_url": "", **extra}
        agent = Agent.create(qtbot, user, f"demo-{user}", server, settings)
        agents.append(agent)
        if wait:
            agent.wait_registered()
        return agent

    yield make
    for agent in agents:
        agent.close()


def wait_failed(agent: Agent, timeout: float = 15.0) -> str:
    agent.wait_registered(RegState.FAILED, timeout)
    return agent.engine.account.reason


def test_pbx_run_shows_the_authority_desktops_pin(pbx: Pbx) -> None:
    shown = pbx.run("tls-ca")
    assert shown.returncode == 0, shown.stderr
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    pem = pbx.run("tls-ca", "--pem").stdout
    cert = x509.load_pem_x509_certificate(pem.encode())
    assert pem == authority(pbx).read_text()
    assert cert.fingerprint(hashes.SHA256()).hex(":").upper() in shown.stdout
    assert "127.0.0.1" in shown.stdout.split("Server", 1)[1]  # the server certificate names the address
    assert oct((pbx.home / "state" / "tls" / "ca.key").stat().st_mode & 0o777) == "0o600"


def test_tls_registration_and_srtp_call_carry_audio_both_ways_encrypted(
    tls_agent: Any, make_party: Any, pbx: Pbx, sound: SoundServer
) -> None:
    if not LoopbackCapture.available():
        pytest.skip("capturing packets needs root (CI runs as root)")
    agent = tls_agent("1020")
    assert "transport=tls" in pbx.contacts().split("1020/", 1)[1].splitlines()[0].lower()
    party = make_party("1002")
    capture = LoopbackCapture(range(RTP_START, RTP_START + 500))
    try:
        agent.engine.dial("1002")
        party.wait("incoming")
        party.answer()
        agent.wait_call(lambda c: c.state is CallState.ACTIVE and c.has_audio)
        party.wait_state("CONFIRMED")
        party.send("tone", freq=PARTY_TONE)
        heard_by_agent = sound.hear([PARTY_TONE], seconds=1.0)
        assert heard_by_agent[str(PARTY_TONE)] > HEARD, heard_by_agent
        assert party.hear([MIC_TONE])[str(int(MIC_TONE))] > HEARD
        flows = capture.capture(1.5)
    finally:
        capture.close()
    channels = pbx.cli("core show channels concise")
    assert "PJSIP/1020-" in channels
    # Asterisk's two legs: to the agent (SRTP) and to the party (plain RTP).
    # Both carry steady tones; only the party's leg may show it.
    squeeze = {flow: rtp_compressibility(payloads) for flow, payloads in flows.items() if len(payloads) > 30}
    assert len(squeeze) >= 4, squeeze  # two legs, both directions
    plain = [value for value in squeeze.values() if value > 0.08]  # G.722 tones shrink by 15-20 %
    random_like = [value for value in squeeze.values() if value < 0.02]
    assert len(plain) == 2 and len(random_like) == 2, squeeze


def test_an_impostors_authority_is_refused_before_anything_is_sent(
    tls_agent: Any, pbx: Pbx, tmp_path: Path
) -> None:
    impostor, _ = make_authority(tmp_path)
    agent = tls_agent("1020", ca=impostor, wait=False)
    reason = wait_failed(agent)
    assert "not signed by the pinned authority" in reason and str(impostor) in reason
    assert not pbx.is_registered("1020")
    assert agent.window.header.state.toolTip() and "authority" in agent.window.header.state.toolTip()


def test_a_pbx_reached_by_a_name_its_certificate_lacks_is_refused(tls_agent: Any, pbx: Pbx) -> None:
    forwarder = Forwarder("127.0.0.3", ("127.0.0.1", TLS_PORT))
    try:
        host, port = forwarder.address
        agent = tls_agent("1020", server=f"{host}:{port}", wait=False)
        reason = wait_failed(agent)
    finally:
        forwarder.close()
    assert "does not match 127.0.0.3" in reason, reason
    assert not pbx.is_registered("1020")


def test_an_expired_certificate_is_refused_and_nothing_reaches_it(
    tls_agent: Any, pbx: Pbx, tmp_path: Path
) -> None:
    tls_dir = pbx.home / "state" / "tls"
    cert, key = issue(tmp_path, tls_dir / "ca.pem", tls_dir / "ca.key", "127.0.0.1", (-60, -1))
    server = TlsListener(cert, key)
    try:
        agent = tls_agent("1020", server=f"127.0.0.1:{server.address[1]}", wait=False)
        reason = wait_failed(agent)
    finally:
        server.close()
    assert "has expired" in reason, reason
    assert server.received == b""  # no REGISTER (and no password digest) went to it


def test_a_forged_invite_from_the_pbxs_own_address_and_tls_port_is_refused(tls_agent: Any) -> None:
    """Over TLS the phone still has a loopback UDP port (its own wake-ups).
    A local process can send from 127.0.0.1:<the PBX's TLS port> over UDP,
    which Asterisk does not hold: address and port match, yet the request
    was not sent to the Contact the phone registered over TLS, and pjsua
    takes no SRTP keys that did not travel over TLS (406). Either way: refused
    before it rings (the Contact check alone: test_callback_views.py)."""
    agent = tls_agent("1020", auto_answer=True)
    wake = agent.engine._wake_address
    assert wake is not None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as forger:
        forger.bind(("127.0.0.1", TLS_PORT))
        forger.settimeout(3)
        forger.sendto(secure_offer(stranger_invite(wake[1], "127.0.0.1", TLS_PORT, QUEUE_HEADERS)), wake)
        reply = forger.recv(4096).decode(errors="replace").split("\r\n", 1)[0]
        while reply.startswith("SIP/2.0 1"):
            reply = forger.recv(4096).decode(errors="replace").split("\r\n", 1)[0]
    assert reply in ("SIP/2.0 403 Forbidden", "SIP/2.0 406 Not Acceptable"), reply
    agent.qtbot.wait(1500)  # longer than any auto-answer delay
    assert agent.calls_seen == [] and not agent.live()
    # A forger's refused request is no news for the agent (the PBX's is).
    assert "refused" not in agent.window.statusBar().currentMessage()


def secure_offer(invite: bytes) -> bytes:
    """The forged INVITE offering SRTP (SDES), as the PBX would."""
    head, body = invite.decode().split("\r\n\r\n", 1)
    key = base64.b64encode(bytes(range(30))).decode()
    body = body.replace("RTP/AVP 0", "RTP/SAVP 0") + f"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{key}\r\n"
    head = re.sub(r"Content-Length: \d+", f"Content-Length: {len(body)}", head)
    return f"{head}\r\n\r\n{body}".encode()


def test_srtp_is_required_plain_audio_from_the_pbx_is_refused_not_taken(
    tls_agent: Any, make_party: Any, pbx: Pbx
) -> None:
    # 1001 is not marked tls: the PBX offers it plain RTP, which a desktop
    # on TLS refuses rather than downgrading.
    agent = tls_agent("1001")
    party = make_party("1002")
    party.send("call", uri=f"sip:1001@{SERVER}")
    party.wait_state("CONFIRMED", timeout=15)  # 1001's voicemail: the desktop refused the plain offer
    assert not [c for c in agent.calls_seen if c.state is CallState.RINGING_IN]  # it never rang
    # ...and said so, rather than letting callers go to voicemail unexplained.
    agent.qtbot.waitUntil(lambda: "unencrypted" in agent.window.statusBar().currentMessage(), timeout=5000)
    shown = agent.window.statusBar().currentMessage()
    assert "A call from 1002" in shown and "enable encrypted audio" in shown, shown
    party.send("hangup")
    agent.engine.dial("1002")
    refused = agent.wait_ended()
    assert refused.status_code == 488 and not refused.was_answered, refused
    shown = agent.window.statusBar().currentMessage()
    assert "could not be encrypted" in shown, shown
