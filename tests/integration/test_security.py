"""The softphone takes calls only from its own PBX, survives malformed SIP,
and shows caller-supplied text as plain text."""

from __future__ import annotations

import re
import socket
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from agentdesk.desktop.phone.model import CallState, RegState
from tests.helpers.pbx import SERVER, Pbx

pytestmark = pytest.mark.pbx

TORTURE = Path(__file__).resolve().parents[1] / "data" / "rfc4475"
STRANGER = "127.0.0.2"  # another host on the loopback network, not the PBX


def agent_port(pbx: Pbx, user: str) -> int:
    match = re.search(rf"Contact:\s+{user}/sip:{user}@127\.0\.0\.1:(\d+)", pbx.contacts())
    assert match, pbx.contacts()
    return int(match.group(1))


def stranger_invite(port: int, source: str, source_port: int, headers: str = "") -> bytes:
    call_id = uuid.uuid4().hex
    body = (f"v=0\r\no=- 1 1 IN IP4 {source}\r\ns=-\r\nc=IN IP4 {source}\r\nt=0 0\r\n"
            "m=audio 4000 RTP/AVP 0\r\n")
    return (
        f"INVITE sip:1001@127.0.0.1:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {source}:{source_port};branch=z9hG4bK{call_id[:12]};rport\r\n"
        f"Max-Forwards: 70\r\nFrom: \"friendly-scanner\" <sip:100@{source}>;tag=1\r\n"
        f"To: <sip:1001@127.0.0.1>\r\nCall-ID: {call_id}\r\nCSeq: 1 INVITE\r\n"
        f"Contact: <sip:100@{source}:{source_port}>\r\n{headers}Content-Type: application/sdp\r\n"
        f"Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode()


def send_invite(port: int, source: str, headers: str = "") -> list[str]:
    """One INVITE from `source` (another port than the PBX's); the status
    lines of the replies, up to the first final one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as scanner:
        scanner.bind((source, 0))
        scanner.settimeout(3)
        scanner.sendto(stranger_invite(port, source, scanner.getsockname()[1], headers), ("127.0.0.1", port))
        replies: list[str] = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                replies.append(scanner.recv(4096).decode(errors="replace").split("\r\n", 1)[0])
            except TimeoutError:
                break
            if not replies[-1].startswith("SIP/2.0 1"):
                break
    return replies


def test_an_invite_that_does_not_come_from_the_pbx_is_refused(make_agent: Any, pbx: Pbx) -> None:
    make_agent("1001")
    replies = send_invite(agent_port(pbx, "1001"), STRANGER)
    assert replies and replies[-1] == "SIP/2.0 403 Forbidden", replies


QUEUE_HEADERS = ("X-AgentDesk-Queue: support\r\nX-AgentDesk-Call: 1700000000.1\r\n"
                 "X-AgentDesk-Callback: 0123456789ab\r\nX-AgentDesk-Autodial: 1\r\n")


@pytest.mark.parametrize("auto_answer", [True, False])
def test_an_invite_from_the_pbx_host_but_not_its_sip_port_is_refused_whatever_it_claims(
        make_agent: Any, pbx: Pbx, auto_answer: bool) -> None:
    """A local process (same address as the PBX, another port) sending a
    queue call with callback and auto-dial headers: refused, never rung,
    never answered, no audio, with auto-answer on or off."""
    agent = make_agent("1001", auto_answer=auto_answer)
    replies = send_invite(agent_port(pbx, "1001"), "127.0.0.1", QUEUE_HEADERS)
    assert replies and replies[-1] == "SIP/2.0 403 Forbidden", replies
    agent.qtbot.wait(1500)  # longer than any auto-answer or auto-dial delay
    assert agent.calls_seen == [] and not agent.live()
    assert agent.desktop.bridge is not None and not agent.desktop.bridge.is_open  # no microphone opened
    agent.qtbot.wait(300)
    assert not agent.live() and not agent.window.incoming.isVisible()


def test_torture_messages_neither_crash_nor_unregister_the_phone(
    make_agent: Any, make_party: Any, pbx: Pbx
) -> None:
    agent = make_agent("1001")
    port = agent_port(pbx, "1001")
    messages = sorted(TORTURE.glob("*.dat"))
    assert len(messages) >= 40
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as attacker:
        attacker.bind((STRANGER, 0))
        for message in messages:
            attacker.sendto(message.read_bytes(), ("127.0.0.1", port))
            agent.qtbot.wait(20)
    agent.qtbot.wait(500)
    assert agent.state is RegState.REGISTERED
    assert not agent.live()
    party = make_party("1002")  # and real calls still ring through the PBX
    party.call(f"sip:1001@{SERVER}")
    agent.wait_state(CallState.RINGING_IN)
    party.send("hangup")
    agent.wait_no_calls()


def test_caller_text_is_shown_as_plain_text(make_agent: Any, pbx: Pbx) -> None:
    agent = make_agent("1001")
    name = "<b>Mallory</b> <img src=x>"
    spool = pbx.home / "state" / "spool"
    staging = spool / "tmp" / "html-caller.call"
    staging.write_text(
        f'Channel: PJSIP/1001\nCallerID: "{name}" <5550100>\nMaxRetries: 0\n'
        "Context: demo-caller\nExtension: s\nPriority: 1\n"
    )
    staging.chmod(0o666)
    staging.rename(spool / "outgoing" / staging.name)
    call = agent.wait_state(CallState.RINGING_IN)
    assert call.remote_name == name
    card = agent.window.calls.cards[call.call_id]
    for label in (card.title, agent.window.incoming.title):
        assert label.text() == name
        assert label.textFormat() == Qt.TextFormat.PlainText
    agent.engine.reject(call.call_id)
    agent.wait_no_calls()
    agent.qtbot.waitUntil(lambda: agent.window.history.count() == 1)
    assert name in agent.window.history.item(0).text()
