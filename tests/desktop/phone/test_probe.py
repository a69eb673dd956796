"""The PBX liveness probe against local stand-ins for a PBX."""

from __future__ import annotations

import socket
import time

from agentdesk.desktop.phone.probe import PbxProbe


def wait_answer(probe: PbxProbe) -> bool | None:
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        answer = probe.answer()
        if answer is not None:
            return answer
        time.sleep(0.01)
    return None


def test_udp_any_sip_answer_means_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as pbx:
        pbx.bind(("127.0.0.1", 0))
        probe = PbxProbe(f"127.0.0.1:{pbx.getsockname()[1]}", "udp", "1001")
        probe.ask()
        request, sender = pbx.recvfrom(4096)
        assert request.startswith(b"OPTIONS sip:127.0.0.1:") and b"From: <sip:1001@127.0.0.1>" in request
        pbx.sendto(b"SIP/2.0 401 Unauthorized\r\n\r\n", sender)
        assert wait_answer(probe) is True
        probe.close()


def test_udp_port_closed_means_down_and_silence_means_no_answer() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as vanished:
        vanished.bind(("127.0.0.1", 0))
        port = vanished.getsockname()[1]
    probe = PbxProbe(f"127.0.0.1:{port}", "udp", "1001")
    probe.ask()
    assert wait_answer(probe) is False  # ICMP port unreachable
    probe.close()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as mute:
        mute.bind(("127.0.0.1", 0))
        silent = PbxProbe(f"127.0.0.1:{mute.getsockname()[1]}", "udp", "1001")
        silent.ask()
        time.sleep(0.2)
        assert silent.answer() is None
        silent.close()


def test_tcp_accepted_means_up_refused_means_down() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as pbx:
        pbx.bind(("127.0.0.1", 0))
        pbx.listen()
        port = pbx.getsockname()[1]
        probe = PbxProbe(f"127.0.0.1:{port}", "tcp", "1001")
        probe.ask()
        assert wait_answer(probe) is True
        probe.close()
    refused = PbxProbe(f"127.0.0.1:{port}", "tcp", "1001")
    refused.ask()
    assert wait_answer(refused) is False
    refused.close()
