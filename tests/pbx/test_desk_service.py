"""pbx/run starts, reports and stops the desk service with the PBX."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.pbx import (
    DESK_CA_FILE,
    DESK_PBX_PORT,
    DESK_PBX_URL,
    DESK_URL,
    RUN,
    TEST_DESK_MODULE,
    Pbx,
    pbx_env,
)

pytestmark = pytest.mark.pbx


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RUN), *args], env={**pbx_env(), **env}, capture_output=True, text=True, timeout=60)


def healthy() -> bool:
    try:
        # Over HTTPS, verified against the test PBX's own authority.
        context = ssl.create_default_context(cafile=DESK_CA_FILE)
        with urllib.request.urlopen(DESK_URL + "/api/v1/health", timeout=2, context=context) as reply:
            return bool(reply.status == 200 and json.load(reply)["status"] == "ok")
    except OSError:
        return False


@pytest.fixture
def desk_stopped(pbx: Pbx) -> Iterator[None]:
    """The session's desk service is stopped for the test and runs again after it."""
    run("desk", "stop")
    yield
    result = run("desk", "start")
    assert result.returncode == 0, result.stderr


def test_desk_status_is_not_zero_without_the_service(tmp_path: Path) -> None:
    result = run("desk", "status", AGENTDESK_PBX_HOME=str(tmp_path))
    assert result.returncode == 3 and "not running" in result.stdout


def test_stop_never_ends_a_process_that_is_not_the_desk_service(tmp_path: Path) -> None:
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / "state").mkdir()
        (tmp_path / "state" / "desk.pid").write_text(f"{bystander.pid}\n")
        result = run("desk", "stop", AGENTDESK_PBX_HOME=str(tmp_path))
        assert result.returncode == 0 and "not running" in result.stdout
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_the_pbx_comes_up_with_the_desk_service(pbx: Pbx) -> None:
    status = run("status")
    assert status.returncode == 0 and f"Desk  {DESK_URL}" in status.stdout, status.stdout
    assert healthy()
    pid = int((pbx.home / "state" / "desk.pid").read_text())
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    config = pbx.home / "state" / "desk-service.json"
    assert cmdline[1:5] == [b"-m", TEST_DESK_MODULE.encode(), b"--config", str(config).encode()]
    assert json.loads(config.read_text())["queue_titles"] == {"support": "Support", "sales": "Sales"}


def test_desk_stop_start_and_what_a_failed_start_says(pbx: Pbx, desk_stopped: None, tmp_path: Path) -> None:
    assert run("desk", "status").returncode == 3 and not healthy()
    assert run("status").returncode == 0  # Asterisk still runs

    failing = tmp_path / "python"
    failing.write_text(f'#!/bin/sh\n[ "$1" = -c ] && exec {sys.executable} "$@"\necho "no database" >&2\nexit 4\n')
    failing.chmod(0o755)
    result = run("desk", "start", AGENTDESK_DESK_PYTHON=str(failing))
    assert result.returncode == 1 and "exited (4)" in result.stderr and "no database" in result.stderr
    assert "Traceback" not in result.stderr

    missing = run("start", AGENTDESK_DESK_PYTHON=str(tmp_path / "nothing"))
    assert missing.returncode == 0 and "Desk  not started:" in missing.stdout and "pbx/run desk start" in missing.stdout
    assert "Traceback" not in missing.stderr

    started = run("desk", "start")
    assert started.returncode == 0 and f"Desk  {DESK_URL}" in started.stdout and healthy()
    assert run("desk", "status").returncode == 0


def status_of(url: str, token: str = "") -> int:
    request = urllib.request.Request(url, headers={"X-PBX-Token": token} if token else {})
    context = ssl.create_default_context(cafile=DESK_CA_FILE) if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(request, timeout=5, context=context) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_the_dialplan_asks_a_loopback_listener_of_its_own(pbx: Pbx) -> None:
    globals_text = (pbx.home / "state" / "etc" / "extensions_globals.conf").read_text(encoding="utf-8")
    assert f"DESK_URL = {DESK_PBX_URL}\n" in globals_text
    token = json.loads((pbx.home / "state" / "service-secrets.json").read_text())["pbx_token"]
    route = "/pbx/v1/route?queue=support&number=09120000001"
    assert status_of(DESK_PBX_URL + route, token) == 200
    assert status_of(DESK_PBX_URL + route) == 403
    assert status_of(f"{DESK_PBX_URL}{route}&token={token}") == 403  # never read from the URL
    assert status_of(DESK_URL + route, token) == 404  # desktops' and the public form's listener
    assert status_of(DESK_PBX_URL + "/api/v1/health", token) == 404
    # Bound to loopback only: no other address of this machine reaches it.
    listening = Path("/proc/net/tcp").read_text().splitlines()[1:]
    local = [line.split()[1] for line in listening if line.split()[3] == "0A"]  # 0A: LISTEN
    assert f"0100007F:{DESK_PBX_PORT:04X}" in local
    assert not any(address.endswith(f":{DESK_PBX_PORT:04X}") and address != f"0100007F:{DESK_PBX_PORT:04X}"
                   for address in local)
