"""The server part installs alone (`.[server]`, no desktop libraries), and
started by root, pbx/run runs the desk service as its own system user:
the service works (an agent signs in), its database and log are that
user's alone, and it cannot read what it does not need (the service
secrets Asterisk and pbx/run keep). Where that user cannot reach the
service's Python or files, the service runs as root and pbx/run says so.

The PBX home and the server part's installation (a venv of `.[server]`
alone, made from Debian's Python) are under /var/tmp here: the session's
test PBX and this checkout's Python may live under root's own home, which
no other user may enter."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.baresip import sip_secret
from tests.helpers.desk import sign_in_reply
from tests.helpers.pbx import DESK_PORT, REPO, Pbx, second_pbx_env

pytestmark = pytest.mark.pbx

DESK_USER = "agentdesk"
SECOND_DESK = f"https://127.0.0.1:{DESK_PORT + 5}"  # with the certificate pbx/run made in its home


@pytest.fixture(scope="module")
def place() -> Iterator[Path]:
    """A folder every user may pass through, with a copy of pbx/ and the
    server part installed in a venv of its own."""
    if os.geteuid() != 0:
        pytest.skip("these tests do not run as root: pbx/run runs the desk service as the user running it")
    folder = Path(tempfile.mkdtemp(prefix="agentdesk-desk-user-", dir="/var/tmp"))
    folder.chmod(0o711)
    try:
        source = folder / "src"
        shutil.copytree(REPO / "agentdesk", source / "agentdesk", ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(REPO / name, source / name)
        shutil.copytree(REPO / "pbx", folder / "pbx")
        subprocess.run(["/usr/bin/python3", "-m", "venv", str(folder / "venv")], check=True, timeout=120)
        # pip reaches the package index with the system's authorities, not the
        # test PBX's that the session's requests calls are pointed at.
        clean = {key: value for key, value in os.environ.items() if key != "REQUESTS_CA_BUNDLE"}
        installed = subprocess.run([str(folder / "venv" / "bin" / "pip"), "install", "-q", f"{source}[server]"],
                                   timeout=600, capture_output=True, text=True, env=clean)
        if installed.returncode != 0:
            pytest.fail(f"installing the server part failed:\n{installed.stderr[-3000:]}")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def ca_of(server: Pbx) -> str:
    """The authority that PBX's desk service is verified against."""
    return str(server.home / "state" / "tls" / "ca.pem")


def pbx_at(place: Path, python: Path) -> Pbx:
    """A second PBX kept in `place`, its desk service the production one, run by `python`."""
    home = place / "home"
    shutil.rmtree(home, ignore_errors=True)
    env = second_pbx_env(home, place / "pbx")
    return Pbx({**env, "AGENTDESK_DESK_PYTHON": str(python), "AGENTDESK_DESK_MODULE": "agentdesk.server"})


def as_desk_user(*command: str, groups: tuple[int, ...] = ()) -> int:
    entry = pwd.getpwnam(DESK_USER)
    return subprocess.run(list(command), user=entry.pw_uid, group=entry.pw_gid, extra_groups=list(groups),
                          capture_output=True, stdin=subprocess.DEVNULL, check=False).returncode


def groups_of(pid: int) -> tuple[int, ...]:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Groups:"):
            return tuple(int(gid) for gid in line.split()[1:])
    return ()


def owner_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for {pid}")


def test_the_server_part_installs_without_the_desktop_s_libraries(place: Path) -> None:
    found = subprocess.run(
        [str(place / "venv" / "bin" / "python"), "-c",
         "import importlib.util as u; print(*(m for m in ('PySide6', 'pjsua2', 'sounddevice', 'keyring', "
         "'aiohttp', 'psycopg') if u.find_spec(m)))"],
        capture_output=True, text=True, check=True, timeout=60).stdout.split()
    assert found == ["aiohttp", "psycopg"]


def test_root_runs_the_desk_service_as_its_own_user(place: Path) -> None:
    server = pbx_at(place, place / "venv" / "bin" / "python")
    started = server.run("start")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert "runs as root" not in started.stdout
        state = server.home / "state"
        pid = int((state / "desk.pid").read_text())
        desk = pwd.getpwnam(DESK_USER)
        assert owner_of(pid) == desk.pw_uid
        assert (state / "desk").stat().st_uid == desk.pw_uid and (state / "desk").stat().st_mode & 0o777 == 0o700
        assert (state / "desk" / "desk.sqlite3").stat().st_uid == desk.pw_uid
        reply = sign_in_reply(SECOND_DESK, "1001", sip_secret(server.home, "1001"), ca_of(server))
        assert reply.status_code == 200, reply.text
        assert "desk service listening" in (state / "desk" / "desk.log").read_text()
        # What the service does not need stays closed to it, with the very
        # groups it runs with; its own config is open to it.
        groups = groups_of(pid)
        assert 0 not in groups
        assert as_desk_user("/usr/bin/test", "-r", str(state / "desk-service.json"), groups=groups) == 0
        assert as_desk_user("/usr/bin/test", "-r", str(state / "service-secrets.json"), groups=groups) != 0
    finally:
        server.stop()


def test_root_says_so_when_the_desk_user_cannot_run_the_service(place: Path) -> None:
    hidden = Path(tempfile.mkdtemp(prefix="agentdesk-root-only-", dir="/var/tmp"))  # 0700: root's alone
    try:
        # The same venv, seen from a folder only root may enter.
        venv = place / "venv"
        (hidden / "bin").mkdir()
        (hidden / "bin" / "python").symlink_to(venv / "bin" / "python")
        (hidden / "lib").symlink_to(venv / "lib")
        shutil.copy(venv / "pyvenv.cfg", hidden / "pyvenv.cfg")
        server = pbx_at(place, hidden / "bin" / "python")
        started = server.run("start")
        try:
            assert started.returncode == 0, started.stdout + started.stderr
            assert "Warning: the desk service runs as root" in started.stdout
            assert owner_of(int((server.home / "state" / "desk.pid").read_text())) == 0
            reply = sign_in_reply(SECOND_DESK, "1001", sip_secret(server.home, "1001"), ca_of(server))
            assert reply.status_code == 200, reply.text
        finally:
            server.stop()
    finally:
        shutil.rmtree(hidden, ignore_errors=True)
