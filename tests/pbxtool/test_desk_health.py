"""How pbx/run checks that the desk service is up when it serves HTTPS:
the chain must verify against the PBX's authority (or the system's), the
name need not (the probe asks this machine's own port; an administrator's
certificate may not name 127.0.0.1), and a certificate that does not
verify is said at once, not waited out as "did not answer"."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agentdesk.pbxtool import deskservice
from agentdesk.pbxtool.layout import Layout, Network, PbxError
from tests.helpers.deskcerts import Authority, ServerFiles, issue_server, make_authority


class _Healthy(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the refused handshake is the point of one test


@pytest.fixture
def authority(tmp_path: Path) -> Authority:
    return make_authority(tmp_path / "authority")


@pytest.fixture
def https_port(tmp_path: Path, authority: Authority) -> Iterator[int]:
    files: ServerFiles = issue_server(tmp_path / "server", authority, names=("pbx.example.com",))
    server = _Quiet(("127.0.0.1", 0), _Healthy)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files.cert_file, files.key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def layout_trusting(home: Path, authority: Authority, port: int) -> Layout:
    layout = Layout(home, Network(desk_port=port))
    layout.tls_dir.mkdir(parents=True)
    layout.ca_cert_file.write_bytes(authority.cert_file.read_bytes())
    layout.desk_config_file.write_text(json.dumps({"tls": {"certificate": "c", "key": "k"}}))
    return layout


def test_the_probe_verifies_the_chain_not_the_name(tmp_path: Path, authority: Authority, https_port: int) -> None:
    layout = layout_trusting(tmp_path / "home", authority, https_port)
    assert deskservice.serves_https(layout)
    health = deskservice.url(layout.network, https=True) + deskservice.HEALTH_PATH
    assert health.startswith(f"https://127.0.0.1:{https_port}/")
    assert deskservice.is_healthy(health, deskservice.health_context(layout))


def test_a_certificate_that_does_not_verify_is_said_at_once(tmp_path: Path, https_port: int) -> None:
    stranger = make_authority(tmp_path / "stranger", "Not the PBX's authority")
    layout = layout_trusting(tmp_path / "home", stranger, https_port)
    health = deskservice.url(layout.network, https=True) + deskservice.HEALTH_PATH
    with pytest.raises(PbxError, match=r"the desk service.s certificate does not verify at https://127\.0\.0\.1"):
        deskservice.is_healthy(health, deskservice.health_context(layout))


def test_without_a_certificate_in_its_config_the_service_is_plain_http_on_loopback(tmp_path: Path) -> None:
    layout = Layout(tmp_path, Network(desk_port=8480))
    layout.desk_config_file.parent.mkdir(parents=True)
    layout.desk_config_file.write_text(json.dumps({"http": {"host": "127.0.0.1", "port": 8480}}))
    assert not deskservice.serves_https(layout)
    assert deskservice.url(layout.network) == "http://127.0.0.1:8480"
