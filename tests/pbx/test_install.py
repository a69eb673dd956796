"""`pbx/run install` makes a clean Debian 12 system a PBX server: the
server part in /opt/agentdesk-server (no desktop libraries), settings in
/etc/agentdesk, state in /var/lib/agentdesk, logs in /var/log/agentdesk,
units systemd accepts and that start at boot. Started as systemd would
start them (systemd cannot run in the test's chroot: tests/helpers/
systemdunit.py), Asterisk and the desk service answer, each as its own
unprivileged user; no secret is readable by everyone; a backup restored
onto a wiped state folder brings the same server back; an upgrade keeps
the site's settings and an uninstall its data.

The Debian system is a fresh copy of a root made once per machine
(tests/helpers/debroot.py); Asterisk's root filesystem is copied from the
one the other PBX tests use, not downloaded again. Ports of its own:
SIP 5365 (then AMI, SIP over TLS), desk 8695, plus the run's offset."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.helpers import debroot, systemdunit
from tests.helpers.desk import sign_in
from tests.helpers.pbx import PORT_OFFSET, REPO, pbx_env
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

PACKAGES = ("systemd", "python3", "python3-venv", "logrotate")
ASTERISK_ROOTFS = Path(pbx_env()["AGENTDESK_PBX_ROOTFS"])  # the other PBX tests' own
SIP_PORT = 5365 + PORT_OFFSET
DESK_PORT = 8695 + PORT_OFFSET
PORTS = (f"AGENTDESK_SIP_PORT={SIP_PORT}\nAGENTDESK_AMI_PORT={SIP_PORT + 1}\n"
         f"AGENTDESK_SIP_TLS_PORT={SIP_PORT + 2}\nAGENTDESK_DESK_PORT={DESK_PORT}\n"
         f"AGENTDESK_RTP_PORTS={39500 + 10 * PORT_OFFSET}-{39599 + 10 * PORT_OFFSET}\n")
HEALTH = f"https://127.0.0.1:{DESK_PORT}/api/v1/health"
UNITS = ("agentdesk-pbx-config.service", "agentdesk-asterisk.service", "agentdesk-desk.service")
SECRET_FILES = ("etc/agentdesk/pbx.env", "var/lib/agentdesk/state/secrets.json",
                "var/lib/agentdesk/state/service-secrets.json", "var/lib/agentdesk/state/desk-service.json",
                "var/lib/agentdesk/state/tls/ca.key", "var/lib/agentdesk/state/tls/server.key",
                "var/lib/agentdesk/state/etc/pjsip_users.conf", "var/lib/agentdesk/state/etc/manager_users.conf",
                "var/lib/agentdesk/state/etc/voicemail_users.conf", "var/lib/agentdesk/state/desk/desk.sqlite3")


@dataclass
class Server:
    """The installed Debian system and the services started in it."""

    root: Path
    output: str
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def path(self, inside: str) -> Path:
        return self.root / inside.lstrip("/")

    def unit(self, name: str) -> systemdunit.Unit:
        return systemdunit.read_unit(self.path(f"/etc/systemd/system/{name}"))

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return debroot.run(self.root, *command, check=check)

    def tool(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """pbx/run from the checkout, on this system (--root)."""
        return subprocess.run([str(REPO / "pbx" / "run"), *arguments, "--root", str(self.root)],
                              capture_output=True, text=True, timeout=900, env=install_env())

    def start(self) -> None:
        """What `systemctl start agentdesk-asterisk agentdesk-desk` does."""
        configured = systemdunit.run_oneshot(self.root, self.unit(UNITS[0]))
        assert configured.returncode == 0, configured.stdout + configured.stderr
        asterisk = systemdunit.start(self.root, self.unit(UNITS[1]), self.root / "asterisk.out")
        self.running.append(asterisk)
        wait_until(lambda: self.cli("core waitfullybooted").returncode == 0, 60, "Asterisk booted")
        self.running.append(systemdunit.start(self.root, self.unit(UNITS[2]), self.root / "desk.out"))
        wait_until(lambda: healthy(self), 30, "the desk service answering")

    def stop(self) -> None:
        for process in reversed(self.running):
            debroot.stop(process)
        self.running.clear()

    def cli(self, line: str) -> subprocess.CompletedProcess[str]:
        return self.run("agentdesk-pbx", "cli", line, check=False)

    def ca(self) -> str:
        return str(self.path("/var/lib/agentdesk/state/tls/ca.pem"))

    def secret(self, agent: str) -> str:
        return str(json.loads(self.path("/var/lib/agentdesk/state/secrets.json").read_text())["sip"][agent])


def install_env() -> dict[str, str]:
    # pip inside reaches PyPI through the host's authorities (debroot copies them).
    return {**os.environ, "PIP_CERT": debroot.CA_BUNDLE}


def healthy(server: Server) -> bool:
    try:
        return requests.get(HEALTH, timeout=2, verify=server.ca()).status_code == 200
    except (requests.RequestException, OSError):
        return False


def ids_of(server: Server, user: str) -> tuple[int, int]:
    for line in server.path("/etc/passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return int(fields[2]), int(fields[3])
    raise AssertionError(f"no user {user} on the installed system")


def owner_of(pid: int) -> tuple[int, int]:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(status["Uid"].split()[1]), int(status["Gid"].split()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    if not (ASTERISK_ROOTFS / ".agentdesk-rootfs-ready").exists():
        pytest.fail(f"no provisioned Asterisk root filesystem at {ASTERISK_ROOTFS} (the pbx session makes it)")
    place = Path(tempfile.mkdtemp(prefix="agentdesk-install-", dir="/var/tmp"))
    root = debroot.fresh_root(place / "root", PACKAGES)
    try:
        installed = subprocess.run(
            [str(REPO / "pbx" / "run"), "install", "--root", str(root), "--asterisk-rootfs", str(ASTERISK_ROOTFS)],
            capture_output=True, text=True, timeout=900, env=install_env())
        assert installed.returncode == 0, installed.stdout + installed.stderr
        with (root / "etc/agentdesk/pbx.env").open("a", encoding="utf-8") as settings:
            settings.write(PORTS)
        server = Server(root, installed.stdout)
        yield server
        server.stop()
    finally:
        shutil.rmtree(place, ignore_errors=True)


@pytest.fixture(scope="module")
def running(server: Server) -> Server:
    server.start()
    return server


def test_the_install_lays_out_a_server_systemd_accepts(server: Server) -> None:
    assert "systemd is not running here" in server.output
    wants = server.path("/etc/systemd/system/multi-user.target.wants")
    assert {p.name for p in wants.iterdir()} >= {"agentdesk-asterisk.service", "agentdesk-desk.service"}
    # systemd-analyze looks for ExecStart's program outside RootDirectory=:
    # it is shown the root filesystem's Asterisk where it looks.
    asterisk = (ASTERISK_ROOTFS / "usr/sbin/asterisk", "/usr/sbin/asterisk", True)
    units = [f"/etc/systemd/system/{name}" for name in UNITS]
    verified = debroot.run(server.root, "systemd-analyze", "verify", *units, binds=[asterisk], check=False)
    assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr
    # Hardened: systemd's own exposure score stays in its "OK" band.
    exposure = debroot.run(server.root, "systemd-analyze", "security", "--offline=yes", "--threshold=25", *units,
                           check=False)
    assert exposure.returncode == 0, exposure.stdout[-3000:]
    assert server.run("logrotate", "--debug", "/etc/logrotate.d/agentdesk").returncode == 0
    found = server.run("/opt/agentdesk-server/bin/python", "-c",
                       "import importlib.util as u; print(*(m for m in ('PySide6', 'pjsua2', 'aiohttp') "
                       "if u.find_spec(m)))").stdout.split()
    assert found == ["aiohttp"]  # the server part, never the desktop's libraries
    assert server.run("sh", "-c", "command -v agentdesk-pbx").stdout.strip() == "/usr/local/bin/agentdesk-pbx"


def test_the_services_answer_each_as_its_own_user(running: Server) -> None:
    version = running.cli("core show version")
    assert version.returncode == 0 and "Asterisk 22" in version.stdout, version.stderr
    status = running.run("agentdesk-pbx", "status", check=False)
    assert status.returncode == 0 and "Desk  https://" in status.stdout, status.stdout + status.stderr
    asterisk_pid = int(running.path("/var/lib/agentdesk/state/asterisk.pid").read_text())
    desk_pid = int(running.path("/var/lib/agentdesk/state/desk.pid").read_text())
    assert owner_of(asterisk_pid) == ids_of(running, "agentdesk-asterisk")
    assert owner_of(desk_pid) == ids_of(running, "agentdesk")
    assert 0 not in ids_of(running, "agentdesk") + ids_of(running, "agentdesk-asterisk")
    token = sign_in(f"https://127.0.0.1:{DESK_PORT}", "1001", running.secret("1001"), running.ca())
    assert token
    assert running.run("agentdesk-pbx", "tls-ca", "--pem").stdout == Path(running.ca()).read_text()
    assert "desk service listening" in running.path("/var/log/agentdesk/desk/desk.log").read_text()
    assert running.path("/var/log/agentdesk/asterisk/messages.log").stat().st_uid == owner_of(asterisk_pid)[0]
    for name in SECRET_FILES:
        mode = running.path(name).stat().st_mode
        assert mode & 0o007 == 0, f"{name} is readable by everyone ({mode & 0o777:o})"
    assert running.secret("1001") != "demo-1001"  # a server starts with random secrets


def test_a_backup_restored_onto_a_wiped_state_folder_brings_the_server_back(running: Server) -> None:
    secret, authority = running.secret("1001"), Path(running.ca()).read_bytes()
    made = running.run("agentdesk-pbx", "backup", "/root/pbx.tar.gz", check=False)
    assert made.returncode == 0, made.stderr
    refused = running.run("agentdesk-pbx", "restore", "/root/pbx.tar.gz", check=False)
    assert "stop it first" in refused.stderr  # it finds the services systemd runs
    running.stop()
    shutil.rmtree(running.path("/var/lib/agentdesk/state"))
    restored = running.run("agentdesk-pbx", "restore", "/root/pbx.tar.gz", check=False)
    assert restored.returncode == 0, restored.stderr
    running.start()
    assert running.secret("1001") == secret
    assert Path(running.ca()).read_bytes() == authority
    assert sign_in(f"https://127.0.0.1:{DESK_PORT}", "1001", secret, running.ca())


def test_an_upgrade_keeps_the_site_s_settings_and_an_uninstall_its_data(running: Server) -> None:
    running.stop()
    directory = running.path("/etc/agentdesk/directory.csv")
    with directory.open("a", encoding="utf-8") as people:
        people.write("1050,Nadia Karimi,agent,support\n")
    secret = running.secret("1001")
    again = running.tool("install")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "kept as they were" in again.stdout
    assert "1050,Nadia Karimi" in directory.read_text() and running.secret("1001") == secret
    removed = running.tool("uninstall")
    assert removed.returncode == 0, removed.stderr
    assert not running.path("/opt/agentdesk-server").exists()
    assert not running.path("/etc/systemd/system/agentdesk-asterisk.service").exists()
    assert running.path("/etc/agentdesk/directory.csv").exists()
    assert running.path("/var/lib/agentdesk/state/secrets.json").exists()
    purged = running.tool("uninstall", "--purge")
    assert purged.returncode == 0, purged.stderr
    assert not running.path("/etc/agentdesk").exists() and not running.path("/var/lib/agentdesk").exists()
    assert "agentdesk:" not in running.path("/etc/passwd").read_text()
