"""Is the PBX there? A liveness probe that does not go through pjsua2.

Over UDP it sends a SIP OPTIONS from its own socket: any SIP answer (a
challenge included) means the PBX is up; an ICMP "port unreachable" (a
refused datagram) means it is down. Over TCP (and TLS) a connection that is accepted
means up, one that is refused means down. No answer at all is decided by
the caller's timeout.

Why not pjsua2's Account.sendRequest: a request still pending when the
phone quits (always the case while the PBX is down: SIP gives up after
32 s) calls back into an account pjsua has already deleted: pjsua with its
assertions aborts, without them it reads freed memory - the opposite of a
clean exit.
"""

from __future__ import annotations

import errno
import secrets
import socket

from .sipmsg import host_only


def _port_of(server: str, default: int) -> int:
    if server.startswith("["):
        tail = server.split("]", 1)[1]
        return int(tail[1:]) if tail.startswith(":") else default
    return int(server.rsplit(":", 1)[1]) if server.count(":") == 1 else default


class PbxProbe:
    """One outstanding question at a time; `answer()` is non-blocking:
    True (up), False (down) or None (no answer yet)."""

    def __init__(self, server: str, transport: str, user: str) -> None:
        self.host = host_only(server).strip("[]")
        self.port = _port_of(server, 5061 if transport == "tls" else 5060)
        self.transport = transport
        self.user = user
        self._socket: socket.socket | None = None

    def ask(self) -> None:
        self.close()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        if self.transport in ("tcp", "tls"):  # a connection accepted: the PBX is there
            self._socket = socket.socket(family, socket.SOCK_STREAM)
            self._socket.setblocking(False)
            self._socket.connect_ex((self.host, self.port))
            return
        self._socket = socket.socket(family, socket.SOCK_DGRAM)
        self._socket.setblocking(False)
        try:
            self._socket.connect((self.host, self.port))
            self._socket.send(self._options())
        except OSError:
            pass  # reported by answer()

    def _options(self) -> bytes:
        assert self._socket is not None
        local, port = self._socket.getsockname()[:2]
        tag, call_id, branch = secrets.token_hex(4), secrets.token_hex(8), secrets.token_hex(6)
        return (
            f"OPTIONS sip:{self.host}:{self.port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {local}:{port};branch=z9hG4bK{branch};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:{self.user}@{self.host}>;tag={tag}\r\n"
            f"To: <sip:{self.host}>\r\n"
            f"Call-ID: {call_id}\r\nCSeq: 1 OPTIONS\r\n"
            "User-Agent: AgentDesk liveness probe\r\nContent-Length: 0\r\n\r\n"
        ).encode()

    def answer(self) -> bool | None:
        probe = self._socket
        if probe is None:
            return None
        try:
            if self.transport in ("tcp", "tls"):  # a connection accepted: the PBX is there
                return self._tcp_answer(probe)
            return probe.recv(4096).startswith(b"SIP/2.0 ")
        except BlockingIOError:
            return None
        except OSError:
            return False  # refused: nobody listens there

    @staticmethod
    def _tcp_answer(probe: socket.socket) -> bool | None:
        error = probe.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if error in (errno.EINPROGRESS, errno.EALREADY):
            return None
        if error:
            return False
        try:
            probe.getpeername()
        except OSError:
            return None  # still connecting
        return True

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
