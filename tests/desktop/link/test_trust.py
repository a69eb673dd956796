"""Whom the desk link trusts (agentdesk/desktop/link/trust.py) and how it
signs in: https is checked against the pinned authority alone (or the
system's), never also against requests' bundle or REQUESTS_CA_BUNDLE;
plain http only to this machine; an expired certificate or a missing
authority file is one sentence; the secret never leaves the desktop.

A small TLS stand-in of the desk service on 127.0.0.1, with certificates
made by the test (tests/helpers/deskcerts.py)."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

import pytest

from agentdesk.contract.signin import signin_key, signin_proof
from agentdesk.desktop.link.api import DeskApi, DeskError, default_desk_url
from tests.helpers.deskcerts import Authority, ServerFiles, issue_server, make_authority

NONCE = "n0nce" * 8


class TlsStandIn:
    """Answers the two sign-in steps and records their bodies."""

    def __init__(self, files: ServerFiles) -> None:
        self.bodies: list[dict[str, Any]] = []
        self._server = _Server(self)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(files.cert_file, files.key_file)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, stand_in: TlsStandIn) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stand_in = stand_in

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # refused handshakes are what some tests are about


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        cast(_Server, self.server).stand_in.bodies.append(body)
        reply = {"nonce": NONCE, "expires_in": 30} if self.path.endswith("/challenge") else {"token": "t0ken"}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def authority(tmp_path: Path) -> Authority:
    return make_authority(tmp_path / "authority")


@pytest.fixture
def serving(tmp_path: Path, authority: Authority) -> Iterator[TlsStandIn]:
    stand_in = TlsStandIn(issue_server(tmp_path / "server", authority))
    yield stand_in
    stand_in.close()


def test_the_default_desk_address_is_https_when_sip_uses_tls() -> None:
    assert default_desk_url("pbx.example.com:5061", "tls") == "https://pbx.example.com:8480"
    assert default_desk_url("127.0.0.1:5060", "udp") == "http://127.0.0.1:8480"


@pytest.mark.parametrize("url", ["http://192.0.2.7:8480", "http://pbx.example.com:8480", "http://[2001:db8::1]:8480"])
def test_plain_http_to_another_machine_is_refused_with_why(url: str) -> None:
    with pytest.raises(DeskError) as refused:
        DeskApi(url, "1001", lambda: "secret")
    message = str(refused.value)
    assert url in message and "plain HTTP to another machine" in message and "https://" in message


@pytest.mark.parametrize("url", ["http://127.0.0.1:8480", "http://localhost:8480", "http://[::1]:8480"])
def test_plain_http_on_this_machine_is_allowed(url: str) -> None:
    DeskApi(url, "1001", lambda: "secret").close()


def test_the_secret_never_leaves_the_desktop(serving: TlsStandIn, authority: Authority) -> None:
    api = DeskApi(serving.url, "1001", lambda: "s3cret-of-1001", str(authority.cert_file))
    api.sign_in()
    api.close()
    assert serving.bodies == [
        {"agent": "1001"},
        {"agent": "1001", "nonce": NONCE, "proof": signin_proof(signin_key("s3cret-of-1001"), NONCE, "1001")},
    ]
    assert "s3cret" not in json.dumps(serving.bodies)


def test_only_the_pinned_authority_is_trusted_whatever_the_environment_says(
    serving: TlsStandIn, authority: Authority, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests would take REQUESTS_CA_BUNDLE over its own default; the link never does.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(authority.cert_file))
    other = make_authority(tmp_path / "other", "Someone else's authority")
    for pinned in (str(other.cert_file), ""):  # another authority pinned; the system's
        api = DeskApi(serving.url, "1001", lambda: "secret", pinned)
        with pytest.raises(DeskError, match="is not trusted"):
            api.sign_in()
        api.close()
    assert serving.bodies == []


def test_an_expired_certificate_is_said_in_one_sentence(tmp_path: Path, authority: Authority) -> None:
    stand_in = TlsStandIn(issue_server(tmp_path / "old", authority, expired=True))
    try:
        api = DeskApi(stand_in.url, "1001", lambda: "secret", str(authority.cert_file))
        with pytest.raises(DeskError) as refused:
            api.sign_in()
        api.close()
    finally:
        stand_in.close()
    message = str(refused.value)
    assert "has expired or is not valid yet" in message and "Traceback" not in message and "\n" not in message


def test_a_missing_authority_file_is_named(serving: TlsStandIn, tmp_path: Path) -> None:
    api = DeskApi(serving.url, "1001", lambda: "secret", str(tmp_path / "nowhere.pem"))
    with pytest.raises(DeskError, match=r"nowhere\.pem does not exist"):
        api.sign_in()
    api.close()
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    api = DeskApi(serving.url, "1001", lambda: "secret", str(not_pem))
    with pytest.raises(DeskError, match="holds no PEM certificate"):
        api.sign_in()
    api.close()
