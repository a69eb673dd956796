"""A stand-in desk service speaking the provisioning contract
(agentdesk/contract/provisioning.py) over HTTPS with a test authority:
GET ENROLL_CA_PATH, POST ENROLL_PATH (each code good once), the sign-in
challenge and its answer (the proof checked against the agent's secret),
and GET PROVISIONING_PATH for a signed-in agent. It records what reached
it, so a test can tell whether a code was ever sent."""

from __future__ import annotations

import hashlib
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

from cryptography.hazmat.primitives import serialization

from agentdesk.contract.provisioning import CODE, ENROLL_CA_PATH, PROVISIONING_PATH, enrollment_link
from agentdesk.contract.signin import signin_key, signin_proof
from tests.helpers.deskcerts import Authority, issue_server, make_authority

SECRET = "Pr0v-s3cret-1001-x"  # the SIP secret the stand-in hands out: a test looks for it in every file
NONCE = "n" * 32
TOKEN = "t0ken-1001"


def fingerprint(authority: Authority) -> str:
    return hashlib.sha256(authority.cert.public_bytes(serialization.Encoding.DER)).hexdigest()


class StandInDesk:
    """`profile` is what an enrollment answers (without the secret, what
    PROVISIONING_PATH answers); tests change its settings and locks."""

    def __init__(self, folder: Path, tls: bool = True) -> None:
        self.authority = make_authority(folder / "authority")
        self.codes: set[str] = set()
        self.requests: list[tuple[str, str]] = []  # (method, path with the code as <code>)
        self.status_for_provisioning = 200
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        cast(Any, self._server).desk = self
        if tls:
            files = issue_server(folder / "server", self.authority, ("127.0.0.1",))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(files.cert_file, files.key_file)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self._server.server_address[1]}"
        self.profile: dict[str, Any] = {
            "version": 1, "agent": "1001", "name": "Alice Example",
            "sip": {"server": "127.0.0.1:5061", "transport": "tls", "user": "1001"},
            "desk_url": self.url, "tls_ca_pem": self.authority.cert_file.read_text(),
            "settings": {"auto_answer": True, "language": "fa", "register_seconds": 300},
            "locked": ["auto_answer"],
        }
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="standin-desk",
                                        daemon=True)
        self._thread.start()

    def new_link(self, ca_sha256: str | None = None) -> str:
        """A fresh one-time link; its fingerprint is the stand-in's authority unless told."""
        code = "C" * 11 + hashlib.sha256(str(len(self.codes)).encode()).hexdigest()[:32]
        assert CODE.fullmatch(code)
        with self._lock:
            self.codes.add(code)
        return enrollment_link(self.url, code, fingerprint(self.authority) if ca_sha256 is None else ca_sha256)

    @property
    def codes_sent(self) -> int:
        with self._lock:
            return sum(1 for method, path in self.requests if method == "POST" and path == "/enroll/<code>")

    def redeem(self, code: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if code not in self.codes:
                return 410, {"error": "this set-up link was used already or has expired: ask for a new one"}
            self.codes.discard(code)
        return 200, {**self.profile, "sip": {**self.profile["sip"], "secret": SECRET}}

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def desk(self) -> StandInDesk:
        return cast(StandInDesk, cast(Any, self.server).desk)

    def _record(self) -> str:
        path = "/enroll/<code>" if self.path.startswith("/enroll/") and self.path != ENROLL_CA_PATH else self.path
        with self.desk._lock:
            self.desk.requests.append((self.command, path))
        return path

    def do_GET(self) -> None:
        path = self._record()
        if path == ENROLL_CA_PATH and not self.desk.authority.cert_file.exists():
            self._json(404, {"error": "this desk service's certificate is from a publicly trusted authority"})
        elif path == ENROLL_CA_PATH:
            self._send(200, self.desk.authority.cert_file.read_bytes(), "application/x-pem-file")
        elif path == PROVISIONING_PATH and self.headers.get("Authorization") == f"Bearer {TOKEN}":
            profile = {key: value for key, value in self.desk.profile.items()}
            self._json(self.desk.status_for_provisioning, profile)
        elif path == PROVISIONING_PATH:
            self._json(401, {"error": "sign in first"})
        else:
            self._json(404, {"error": "no such page"})

    def do_POST(self) -> None:
        path = self._record()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if path == "/enroll/<code>":
            self._json(*self.desk.redeem(self.path.rsplit("/", 1)[1]))
        elif path == "/api/v1/session/challenge":
            self._json(200, {"nonce": NONCE, "expires_in": 30})
        elif path == "/api/v1/session":
            answer = json.loads(body)
            expected = signin_proof(signin_key(SECRET), NONCE, "1001")
            good = answer.get("agent") == "1001" and answer.get("proof") == expected
            self._json(200, {"token": TOKEN}) if good else self._json(401, {"error": "wrong proof"})
        else:
            self._json(404, {"error": "no such page"})

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body).encode(), "application/json")

    def _send(self, status: int, data: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
