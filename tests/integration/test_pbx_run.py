"""pbx/run: start/stop/status/cli/secrets of the bundled Asterisk, on a second
instance (own state folder and ports; the provisioned root filesystem is
shared) so the session's PBX is not disturbed."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.party import SipParty
from tests.helpers.pbx import (
    PORT_OFFSET,
    RUN,
    Pbx,
    pbx_env,
)

pytestmark = pytest.mark.pbx

PORT = 5260 + PORT_OFFSET


class SecondPbx:
    def __init__(self, home: Path) -> None:
        self.env = {**pbx_env(), "AGENTDESK_PBX_HOME": str(home), "AGENTDESK_SIP_PORT": str(PORT),
                    "AGENTDESK_RTP_PORTS": f"{38000 + 10 * PORT_OFFSET}-{38099 + 10 * PORT_OFFSET}",
                    "AGENTDESK_AMI_PORT": str(PORT + 1), "AGENTDESK_DESK_PORT": str(8590 + PORT_OFFSET)}
        self.home = home

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(RUN), *args], env=self.env, capture_output=True, text=True, timeout=300)

    def pid(self) -> int:
        return int((self.home / "state" / "asterisk.pid").read_text())


@pytest.fixture
def second(pbx: Pbx, tmp_path: Path) -> Iterator[SecondPbx]:
    """Depends on the session PBX so that the root filesystem exists."""
    instance = SecondPbx(tmp_path / "pbx")
    yield instance
    instance.run("stop")


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket bound to `port` (IPv4, UDP and TCP)."""
    found = set()
    for table in ("/proc/net/udp", "/proc/net/tcp"):
        for line in Path(table).read_text().splitlines()[1:]:
            local = line.split()[1]
            address, port_hex = local.split(":")
            if int(port_hex, 16) == port:
                found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_start_stop_status_and_cli(second: SecondPbx) -> None:
    assert second.run("status").returncode == 3
    started = time.monotonic()
    result = second.run("start")
    took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert took < 10, f"start with the root filesystem present took {took:.1f} s"
    assert f"udp/tcp 127.0.0.1:{PORT}" in result.stdout and "Logs" in result.stdout
    pid = second.pid()

    again = second.run("start")
    assert again.returncode == 0 and "already running" in again.stdout and second.pid() == pid

    assert listening_addresses(PORT) == {"127.0.0.1"}  # loopback only, by default
    assert str(second.home) not in Path("/proc/self/mountinfo").read_text()  # mounts stay private
    assert second.run("status").returncode == 0
    assert "1001/1001" in second.run("cli", "pjsip show endpoints").stdout

    stopped = second.run("stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    assert second.run("status").returncode == 3
    assert "not running" in second.run("stop").stdout
    cli = second.run("cli", "core show uptime")
    assert cli.returncode == 1 and "not running" in cli.stderr and "Traceback" not in cli.stderr


def test_generated_secrets_replace_the_demo_ones_at_once(second: SecondPbx) -> None:
    assert second.run("start").returncode == 0
    generated = second.run("secrets", "--generate", "--show")
    assert generated.returncode == 0, generated.stderr
    row = next(line for line in generated.stdout.splitlines() if line.startswith("1002,"))
    password = row.split(",")[3]
    assert password != "demo-1002" and len(password) >= 20
    secrets = second.home / "state" / "secrets.json"
    assert oct(secrets.stat().st_mode & 0o777) == "0o600"
    server = f"127.0.0.1:{PORT}"
    demo = SipParty("demo-password")
    try:
        demo.send("register", user="1002", password="demo-1002", server=server, name="")
        assert demo.wait("registered")["code"] in (401, 403)
    finally:
        demo.close()
    real = SipParty("new-password")
    try:
        real.register("1002", server, password=password)
    finally:
        real.close()


def test_demo_secrets_on_a_network_address_are_refused_with_the_command_that_fixes_it(second: SecondPbx) -> None:
    result = second.run("start", "--bind", "0.0.0.0")
    assert result.returncode == 1
    assert "refusing to listen on 0.0.0.0: the demo secrets are in use" in result.stderr
    assert "pbx/run secrets --generate" in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert listening_addresses(PORT) == set()  # nothing was started
    assert second.run("status").returncode == 3


def test_provisioning_that_cannot_work_says_why_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "AGENTDESK_PBX_HOME": str(tmp_path / "home"), "AGENTDESK_PBX_ENGINE": "rootfs",
           "AGENTDESK_PBX_ROOTFS": str(tmp_path / "rootfs"), "AGENTDESK_DEBIAN_MIRROR": "http://127.0.0.1:9/debian"}
    result = subprocess.run([str(RUN), "start"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "cannot reach the Debian registry at http://127.0.0.1:9/debian" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
