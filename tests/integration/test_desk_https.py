"""The desk service over HTTPS, as `python -m agentdesk.server` runs it
(without Asterisk: AMI points at a closed port), with an authority and a
server certificate the test makes: a desktop that pins that authority
signs in and gets its snapshot; one that pins another, or uses a name the
certificate does not carry, or plain http on the HTTPS port, is refused
and the queue panel says why in one sentence; plain http to another
machine is refused before anything is sent. The service itself refuses
to listen beyond loopback without a certificate, and says what is wrong
with a certificate it cannot use; its PBX-only listener stays plain HTTP
on loopback."""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtWidgets import QVBoxLayout, QWidget

from agentdesk.contract.queues import DeskSnapshot
from agentdesk.desktop.crm.lookup import CrmLookup
from agentdesk.desktop.link.api import DeskApi, DeskError
from agentdesk.desktop.link.connection import DeskConnection
from agentdesk.desktop.tasks import TaskRunner
from agentdesk.desktop.ui.queues.controller import DeskView
from agentdesk.server.config import TlsFiles
from agentdesk.server.https import server_context
from tests.helpers.deskcerts import Authority, issue_server, make_authority
from tests.helpers.offline import REPO, write_config


def free_port() -> int:
    """A port with the next one free too (the PBX-only listener's)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        with socket.socket() as neighbour, contextlib.suppress(OSError):
            neighbour.bind(("127.0.0.1", port + 1))
            return port


def run_service(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "agentdesk.server", "--config", str(config)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@dataclass(frozen=True)
class Service:
    url: str
    port: int
    authority: Authority


@pytest.fixture
def authority(tmp_path: Path) -> Authority:
    return make_authority(tmp_path / "authority")


@pytest.fixture
def service(tmp_path: Path, authority: Authority) -> Iterator[Service]:
    files = issue_server(tmp_path / "server", authority, names=("127.0.0.1",))
    port = free_port()
    config = write_config(tmp_path, http={"host": "127.0.0.1", "port": port},
                          tls={"certificate": str(files.cert_file), "key": str(files.key_file)})
    process = run_service(config)
    url = f"https://127.0.0.1:{port}"
    try:
        wait_healthy(url, authority, process)
        yield Service(url, port, authority)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0, output
    assert " ERROR " not in output, output


def wait_healthy(url: str, authority: Authority, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(f"{url}/api/v1/health", verify=str(authority.cert_file), timeout=1).ok:
                return
        time.sleep(0.1)
    raise AssertionError(f"the desk service did not answer at {url}")


@dataclass
class Linked:
    """The queue side of a desktop and the snapshots its link received."""

    view: DeskView
    snapshots: list[DeskSnapshot]


@pytest.fixture
def desktop(qtbot: Any) -> Iterator[Callable[[str, str], Linked]]:
    """connect(url, ca_file): the queue side of a desktop linked as agent 1001."""
    opened: list[tuple[QWidget, DeskConnection]] = []

    def connect(url: str, ca_file: str) -> Linked:
        window = QWidget()
        qtbot.addWidget(window)
        link = DeskConnection()
        view = DeskView(link, CrmLookup(TaskRunner(parent=window)), window)
        QVBoxLayout(window).addWidget(view.queue_panel)
        opened.append((window, link))
        linked = Linked(view, [])
        link.snapshot_received.connect(linked.snapshots.append)
        link.start(url, "1001", "1001", lambda: "demo-1001", ca_file)
        return linked

    yield connect
    for window, link in opened:
        link.shutdown()
        window.close()


Connect = Callable[[str, str], Linked]


def test_a_desktop_that_pins_the_authority_signs_in_over_https(
    service: Service, qtbot: Any, desktop: Connect
) -> None:
    api = DeskApi(service.url, "1001", lambda: "demo-1001", str(service.authority.cert_file))
    assert api.snapshot()["me"]["agent"] == "1001"
    api.close()
    linked = desktop(service.url, str(service.authority.cert_file))
    qtbot.waitUntil(lambda: bool(linked.snapshots), timeout=10000)  # the event stream, over HTTPS too
    assert linked.snapshots[0].me.agent == "1001" and linked.view.queue_panel.banner.text() == ""


def test_another_authority_is_refused_and_the_agent_reads_why(
    service: Service, tmp_path: Path, qtbot: Any, desktop: Connect
) -> None:
    other = make_authority(tmp_path / "other", "Someone else's authority")
    view = desktop(service.url, str(other.cert_file)).view
    qtbot.waitUntil(lambda: bool(view.queue_panel.banner.text()), timeout=10000)
    expected = (f"The desk service at 127.0.0.1:{service.port} is not trusted: its certificate was not issued by "
                f"the authority in {other.cert_file}; ask your administrator for the PBX's authority file.")
    assert view.queue_panel.banner.text() == expected


def test_a_name_the_certificate_does_not_carry_is_refused(service: Service) -> None:
    api = DeskApi(f"https://localhost:{service.port}", "1001", lambda: "demo-1001", str(service.authority.cert_file))
    with pytest.raises(DeskError) as refused:
        api.snapshot()
    api.close()
    assert str(refused.value).startswith(f"The desk service's certificate is not issued for localhost:{service.port}")


def test_plain_http_to_the_https_port_says_to_use_https(service: Service) -> None:
    api = DeskApi(f"http://127.0.0.1:{service.port}", "1001", lambda: "demo-1001")
    with pytest.raises(DeskError, match="hung up on plain HTTP: if it serves HTTPS, use an https:// address"):
        api.snapshot()
    api.close()


def test_the_pbx_listener_stays_plain_http_on_loopback(service: Service) -> None:
    reply = requests.get(f"http://127.0.0.1:{service.port + 1}/pbx/v1/route?caller=1&queue=support", timeout=5)
    assert reply.status_code == 403  # it answered, in plain HTTP, and wants the PBX's token


def test_plain_http_to_another_machine_is_refused_before_anything_is_sent(qtbot: Any, desktop: Connect) -> None:
    view = desktop("http://192.0.2.7:8480", "").view
    qtbot.waitUntil(lambda: bool(view.queue_panel.banner.text()), timeout=2000)
    assert view.queue_panel.banner.text() == (
        "The desk service address http://192.0.2.7:8480 is plain HTTP to another machine (192.0.2.7): your sign-in "
        "token and work would cross the network unprotected; use https:// (Settings → Contact center → Desk "
        "service address).")


def test_the_service_listens_beyond_loopback_only_with_a_certificate(tmp_path: Path) -> None:
    config = write_config(tmp_path, http={"host": "0.0.0.0", "port": free_port()})
    process = run_service(config)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "would listen on 0.0.0.0 without a certificate; plain HTTP is only for loopback" in output
    assert "Traceback" not in output


def test_a_certificate_the_service_cannot_use_is_named(tmp_path: Path, authority: Authority) -> None:
    files = issue_server(tmp_path / "server", authority)
    other = issue_server(tmp_path / "other", authority)
    for certificate, key, complaint in (
        (files.cert_file, tmp_path / "missing.key", f"{tmp_path / 'missing.key'} does not exist"),
        (files.cert_file, other.key_file, "are not a PEM certificate and its unencrypted key"),
    ):
        config = write_config(tmp_path, http={"host": "127.0.0.1", "port": free_port()},
                              tls={"certificate": str(certificate), "key": str(key)})
        process = run_service(config)
        output, _ = process.communicate(timeout=30)
        assert process.returncode == 2 and "desk service: cannot serve HTTPS: " in output, output
        assert complaint in output and "Traceback" not in output



def test_the_service_speaks_tls_1_2_or_newer(tmp_path: Path, authority: Authority) -> None:
    files = issue_server(tmp_path / "server", authority)
    assert server_context(TlsFiles(files.cert_file, files.key_file)).minimum_version == ssl.TLSVersion.TLSv1_2
