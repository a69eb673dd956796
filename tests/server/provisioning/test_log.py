"""Nothing a link could be redeemed with reaches the desk service's log:
the real service (its own process, its log file, no Asterisk) makes
enrollments, redeems one, refuses it again, shows another's page and is
guessed at, and afterwards neither any code nor the secret it handed out
is in its log or on its console, while the log does say who enrolled."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.helpers.desk import sign_in
from tests.helpers.offline import REPO, write_config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(url: str, service: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert service.poll() is None, "the desk service exited while starting"
        try:
            if requests.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("the desk service did not answer within 30 s")


def test_no_code_and_no_secret_reach_the_services_log(tmp_path: Path) -> None:
    port, pbx_port = free_port(), free_port()
    log = tmp_path / "desk.log"
    config = write_config(tmp_path, http={"host": "127.0.0.1", "port": port}, log=str(log),
                          pbx_listener={"host": "127.0.0.1", "port": pbx_port})
    url = f"http://127.0.0.1:{port}"
    service = subprocess.Popen([sys.executable, "-m", "agentdesk.server", "--config", str(config)], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_healthy(url, service)
        lead = {"Authorization": f"Bearer {sign_in(url, '1901', 'demo-1901')}"}
        made = requests.post(f"{url}/api/v1/enrollments", json={"agents": ["1001", "1002"]}, headers=lead,
                             timeout=10).json()["enrollments"]
        links = [m["link"] for m in made]
        answer = requests.post(links[0], timeout=10)
        assert answer.status_code == 200 and answer.json()["sip"]["secret"] == "demo-1001"
        assert requests.post(links[0], timeout=10).status_code == 410
        assert requests.get(links[1], timeout=10).status_code == 200
        assert requests.post(f"{url}/enroll/{'Z' * 43}", timeout=10).status_code == 404
    finally:
        service.terminate()
        console, _ = service.communicate(timeout=30)
    written = log.read_text(encoding="utf-8")
    assert "agent 1001 enrolled a desktop from 127.0.0.1" in written
    for secret in ("demo-1001", *(link.rsplit("/", 1)[1] for link in links), "Z" * 43):
        assert secret not in written and secret not in console
