"""The bundled Asterisk, as the tests see it: started once per session
through pbx/run (a failure there fails the tests; nothing is skipped), on
its own SIP port and state folder so it never collides with a demo PBX."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from tests.helpers.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
RUN = REPO / "pbx" / "run"
# Ports of the test PBX; AGENTDESK_TEST_PORT_OFFSET (a multiple of 10) moves
# them all so two test runs can share a machine.
PORT_OFFSET = int(os.environ.get("AGENTDESK_TEST_PORT_OFFSET", "0"))
SIP_PORT = 5160 + PORT_OFFSET
AMI_PORT = 5161 + PORT_OFFSET
TLS_PORT = 5162 + PORT_OFFSET  # SIP over TLS
DESK_PORT = 8490 + PORT_OFFSET
DESK_PBX_PORT = 8491 + PORT_OFFSET  # the desk service's PBX-only listener (pbx/run: DESK_PORT + 1)
RTP_START = 31000 + 100 * PORT_OFFSET  # offsets are multiples of 10: 1000 ports each, in two halves
SERVER = f"127.0.0.1:{SIP_PORT}"
# The desk service serves HTTPS with the certificate pbx/run makes at start
# (agentdesk/pbxtool/tls.py), issued by the PBX's own authority.
DESK_URL = f"https://127.0.0.1:{DESK_PORT}"
DESK_PBX_URL = f"http://127.0.0.1:{DESK_PBX_PORT}"
TEST_DESK_MODULE = "tests.helpers.testdesk"


def _cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "agentdesk"


PBX_HOME = Path(os.environ.get("AGENTDESK_TEST_PBX_HOME", str(_cache() / f"pbx-test{PORT_OFFSET or ''}")))
DESK_CA_FILE = PBX_HOME / "state" / "tls" / "ca.pem"  # the authority desktops pin (pbx/run tls-ca)


def pbx_env() -> dict[str, str]:
    cache = _cache()
    return {
        **os.environ,
        "AGENTDESK_PBX_HOME": str(PBX_HOME),
        "AGENTDESK_PBX_ROOTFS": os.environ.get("AGENTDESK_PBX_ROOTFS", str(cache / "pbx" / "rootfs")),
        "AGENTDESK_SIP_PORT": str(SIP_PORT),
        "AGENTDESK_SIP_TLS_PORT": str(TLS_PORT),
        "AGENTDESK_RTP_PORTS": f"{RTP_START}-{RTP_START + 499}",
        "AGENTDESK_AMI_PORT": str(AMI_PORT),
        "AGENTDESK_DESK_PORT": str(DESK_PORT),
        # pbx/run starts the tests' own build of the desk service: a movable
        # clock, callbacks and wrap-up off until a test switches them on.
        "AGENTDESK_DESK_MODULE": TEST_DESK_MODULE,
    }


# A second test PBX (its own pbx/ folder and state folder) on the upper
# half of this run's port block: SIP, AMI and desk ports +5, RTP +500.
SECOND_SIP_PORT = SIP_PORT + 5
SECOND_SERVER = f"127.0.0.1:{SECOND_SIP_PORT}"


def second_pbx_env(home: Path, pbx_dir: Path) -> dict[str, str]:
    """pbx/run's environment for a PBX made from the pbx/ folder `pbx_dir`,
    kept in `home`, next to the session's test PBX."""
    return {
        **pbx_env(),
        "AGENTDESK_PBX_DIR": str(pbx_dir),
        "AGENTDESK_PBX_HOME": str(home),
        "AGENTDESK_SIP_PORT": str(SECOND_SIP_PORT),
        "AGENTDESK_SIP_TLS_PORT": str(TLS_PORT + 5),
        "AGENTDESK_RTP_PORTS": f"{RTP_START + 500}-{RTP_START + 999}",
        "AGENTDESK_AMI_PORT": str(AMI_PORT + 5),
        "AGENTDESK_DESK_PORT": str(DESK_PORT + 5),
    }


class Pbx:
    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.env = env or pbx_env()
        self.home = Path(self.env["AGENTDESK_PBX_HOME"])

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(RUN), *args], env=self.env, capture_output=True, text=True, timeout=timeout)

    def start(self, *options: str) -> None:
        result = self.run("start", *options)
        if result.returncode != 0:
            raise RuntimeError(f"pbx/run start failed:\n{result.stdout}\n{result.stderr}")

    def forget_desk_data(self) -> None:
        """A fresh desk database for the session: earlier sessions' calls
        would make every caller a repeat caller."""
        self.run("stop", timeout=60)
        for path in (self.home / "state" / "desk").glob("desk.sqlite3*"):
            path.unlink()

    def stop(self) -> None:
        self.run("stop", timeout=60)

    def cli(self, command: str) -> str:
        result = self.run("cli", command, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"Asterisk CLI {command!r} failed: {result.stderr}")
        return result.stdout

    def contacts(self) -> str:
        return self.cli("pjsip show contacts")

    def is_registered(self, user: str) -> bool:
        return re.search(rf"Contact:\s+{re.escape(user)}/sip:", self.contacts()) is not None

    def wait_registered(self, user: str, present: bool = True, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.is_registered(user) != present:
            if time.monotonic() > deadline:
                raise AssertionError(f"{user} {'not ' if present else 'still '}registered:\n{self.contacts()}")
            time.sleep(0.2)

    def channel_up(self, endpoint: str) -> bool:
        """A call of this endpoint is answered (state Up) in Asterisk."""
        lines = self.cli("core show channels concise").splitlines()
        return any(line.startswith(f"PJSIP/{endpoint}-") and "!Up!" in line for line in lines)

    def wait_channel_up(self, endpoint: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.channel_up(endpoint):
            if time.monotonic() > deadline:
                raise AssertionError(f"no answered call of {endpoint}:\n{self.cli('core show channels')}")
            time.sleep(0.2)

    def db_get(self, family: str, key: str) -> str | None:
        output = self.cli(f"database get {family} {key}")
        match = re.search(r"Value:\s*(\S*)", output)
        return match.group(1) if match else None

    def db_del(self, family: str, key: str) -> None:
        self.cli(f"database del {family} {key}")

    def kill_desk(self) -> None:
        """SIGKILL the desk service, as on a crash, and wait until it is gone
        (`pbx.run("desk", "start")` brings it back)."""
        pid = int((self.home / "state" / "desk.pid").read_text().strip())
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not Path(f"/proc/{pid}").exists(), 10, "the desk service to die")

    def log_dir(self) -> Path:
        return self.home / "state" / "log"

    def desk_log(self) -> LogTail:
        """The desk service's log from now on."""
        return LogTail(self.home / "state" / "desk" / "desk.log")


class LogTail:
    """What a log file gains after this object is made (a file rotated or
    made anew in between is read from its start)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def read(self) -> str:
        if not self.path.exists():
            return ""
        with self.path.open("rb") as handle:
            if self.path.stat().st_size >= self.offset:
                handle.seek(self.offset)
            return handle.read().decode("utf-8", errors="replace")

    def errors_since(self) -> list[str]:
        """Lines logged at ERROR or worse (a traceback counts with its first line)."""
        return [line for line in self.read().splitlines() if " ERROR " in line or " CRITICAL " in line]
