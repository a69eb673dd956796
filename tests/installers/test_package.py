"""The desktop's Debian package (`installers/dev.sh package`): what it holds
and declares, and an install into a clean Debian 12 root as IT would do
it: every library found, the desktop registering as an unprivileged user
with the real OS keyring and answering a queue call, and a purge that
leaves nothing behind."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import marshal
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import debroot
from tests.helpers.pbx import DESK_CA_FILE, DESK_URL, SERVER, Pbx
from tests.helpers.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
PREFIX = "/usr/lib/agentdesk"
PYTHON_MINOR = f"{sys.version_info.major}.{sys.version_info.minor}"
AGENT = "1011"
# Never in the package: the server side, development and test tools, the
# server's libraries.
FORBIDDEN = ("agentdesk/server/", "agentdesk/pbxtool/", "/pip/", "/setuptools/", "/pytest/", "/mypy/", "/ruff",
             "/aiohttp/", "/psycopg", "/numpy/", "/keyrings/alt/", "/phonenumbers/geodata/", "/PySide6/Qt/qml/")
# Not AgentDesk's: package-manager bookkeeping, logs, and what users and
# the test itself write (homes, temporary and run-time folders).
NOT_COMPARED = ("proc", "dev", "sys", "tmp", "run", "home", "root", "var/log", "var/lib/dpkg", "var/lib/apt",
                "var/cache/apt", "var/cache/debconf", "var/cache/ldconfig", "var/tmp")


@dataclass(frozen=True)
class Built:
    deb: Path
    stage: Path  # the staging tree the .deb was packed from
    output: str  # what the build printed


# What the package is made of. A build of the same inputs on the same day is
# reused (kept under ~/.cache/agentdesk/package-test/), so the fast tier and
# the PBX tier of one test run build it once.
BUILD_INPUTS = ("agentdesk", "resources/icons", "resources/translations", "installers/package",
                "installers/pjsua2", "installers/dev.sh", "pyproject.toml")


def build_key() -> str:
    digest = hashlib.sha256(time.strftime("%Y-%m-%d").encode())
    for name in BUILD_INPUTS:
        top = REPO / name
        for path in sorted(top.rglob("*")) if top.is_dir() else [top]:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".so":
                digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="module")
def built() -> Built:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "agentdesk" / "package-test"
    cache.mkdir(parents=True, exist_ok=True)
    folder = cache / build_key()
    with (cache / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "build.out").exists():
            for old in cache.iterdir():  # only the newest build is kept
                if old.is_dir():
                    shutil.rmtree(old)
            done = subprocess.run([str(REPO / "installers" / "dev.sh"), "package", "--out", str(folder / "dist"),
                                   "--work", str(folder / "work")], capture_output=True, text=True, timeout=1800)
            assert done.returncode == 0, f"the build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            (folder / "build.out").write_text(done.stdout)  # last: a half-made build is never taken
    (deb,) = (folder / "dist").glob("agentdesk_*.deb")
    return Built(deb, folder / "work" / "root", (folder / "build.out").read_text())


def field(deb: Path, name: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True, check=True).stdout.strip()


def test_the_package_is_named_and_pinned_for_this_distribution(built: Built) -> None:
    architecture = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    assert re.fullmatch(rf"agentdesk_\d+\.\d+\.\d+-1~deb12_{architecture}\.deb", built.deb.name)
    depends = [entry.strip() for entry in field(built.deb, "Depends").split(",")]
    minor = int(PYTHON_MINOR.split(".")[1])
    # native modules are built for one Python: a release upgrade must not leave it broken
    assert f"python3 (>= {PYTHON_MINOR}~)" in depends and f"python3 (<< 3.{minor + 1}~)" in depends
    assert f"python{PYTHON_MINOR}" in depends
    for needed in ("libxcb-cursor0", "libportaudio2", "python3-cryptography", "ca-certificates"):
        assert any(entry.startswith(needed) for entry in depends), needed
    assert any(re.fullmatch(r"libssl3 \(>= [^)]+\) \| libssl3t64 \(>= [^)]+\)", entry) for entry in depends)
    # SRTP is pjsua2's own libsrtp2 on that OpenSSL: neither Debian's libsrtp2 nor the NSS it runs on
    assert not [entry for entry in depends if entry.startswith(("libsrtp2", "libnss3", "libnspr4"))], depends
    assert field(built.deb, "Recommends") == "gnome-keyring"


def test_the_package_holds_the_desktop_and_nothing_else(built: Built) -> None:
    listing = subprocess.run(["dpkg-deb", "-c", str(built.deb)], capture_output=True, text=True, check=True).stdout
    paths = [line.split(" ./", 1)[1].split(" -> ")[0] for line in listing.splitlines()]
    for expected in ("usr/bin/agentdesk", "usr/share/applications/agentdesk.desktop",
                     "usr/share/icons/hicolor/scalable/apps/agentdesk.svg", f"{PREFIX[1:]}/bin/python",
                     f"{PREFIX[1:]}/lib/python{PYTHON_MINOR}/site-packages/agentdesk/desktop/_resources/icons/phone.svg",
                     f"{PREFIX[1:]}/lib/python{PYTHON_MINOR}/site-packages/PySide6/Qt/translations/qtbase_fa.qm"):
        assert expected in paths, expected
    assert not [path for path in paths if any(part in "/" + path for part in FORBIDDEN)]
    shims = {path for path in paths if path.startswith(f"{PREFIX[1:]}/bin/") and not path.endswith("/")}
    assert shims == {f"{PREFIX[1:]}/bin/{name}" for name in ("python", "python3", f"python{PYTHON_MINOR}")}


def test_no_file_names_the_staging_tree_or_the_checkout(built: Built, tmp_path: Path) -> None:
    unpacked = tmp_path / "unpacked"
    subprocess.run(["dpkg-deb", "-x", str(built.deb), str(unpacked)], check=True)
    for prefix in (str(built.stage.parent), str(REPO)):
        found = subprocess.run(["grep", "-rlaF", prefix, str(unpacked)], capture_output=True, text=True)
        assert found.stdout == "", f"files naming {prefix}:\n{found.stdout}"


def test_byte_code_is_compiled_for_the_installed_path(built: Built) -> None:
    site = built.stage / PREFIX[1:] / "lib" / f"python{PYTHON_MINOR}" / "site-packages"
    sources = list(site.rglob("*.py"))
    tag = sys.implementation.cache_tag
    missing = [path for path in sources if not (path.parent / "__pycache__" / f"{path.stem}.{tag}.pyc").exists()]
    assert missing == []
    cached = site / "agentdesk" / "desktop" / "__pycache__" / f"handoff.{tag}.pyc"
    code = marshal.loads(cached.read_bytes()[16:])
    assert code.co_filename == f"{PREFIX}/lib/python{PYTHON_MINOR}/site-packages/agentdesk/desktop/handoff.py"


def test_the_launcher_starts_the_staged_desktop(built: Built) -> None:
    launcher = (built.stage / "usr" / "bin" / "agentdesk").read_text()
    assert f"exec {PREFIX}/bin/python -I -B -m agentdesk.desktop" in launcher
    staged = launcher.replace(PREFIX, str(built.stage / PREFIX[1:]))
    done = subprocess.run(["sh", "-c", staged, "agentdesk", "--version"], capture_output=True, text=True,
                          timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(built.stage)})
    assert done.returncode == 0, done.stderr
    assert re.search(r"^TLS: OpenSSL 3\.", done.stdout, re.M), done.stdout  # the system's libssl3
    assert f"Python {PYTHON_MINOR}." in done.stdout and "not loadable" not in done.stdout
    assert done.stdout in built.output  # the build checked the same


def test_the_menu_entry_handles_tel_and_sip_links(built: Built) -> None:
    entry = (built.stage / "usr" / "share" / "applications" / "agentdesk.desktop").read_text()
    assert "Exec=agentdesk dial %u\n" in entry
    assert "MimeType=x-scheme-handler/tel;x-scheme-handler/sip;x-scheme-handler/sips;\n" in entry
    assert "Icon=agentdesk\n" in entry


# -- the real install ------------------------------------------------------------------------


def elf_count(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file() and not path.is_symlink()
               and path.read_bytes()[:4] == b"\x7fELF")


def file_list(root: Path) -> set[str]:
    """Every path in `root` but those NOT_COMPARED."""
    found: set[str] = set()
    for directory, folders, names in os.walk(root):
        relative = Path(directory).relative_to(root)
        folders[:] = [name for name in folders if str(relative / name) not in NOT_COMPARED]
        found.update(str(relative / name) for name in [*folders, *names])
    return found


def processes_in(root: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "root") == str(root):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def end_processes_in(root: Path) -> None:
    for pid in processes_in(root):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not processes_in(root), 10, "the root's processes to end")


@pytest.fixture
def clean_root(tmp_path: Path) -> Iterator[Path]:
    """A fresh Debian 12 minbase root (tests/helpers/debroot.py) with a user."""
    root = debroot.fresh_root(tmp_path / "root", [])
    yield root
    end_processes_in(root)
    debroot.remove(root)


class Apt:
    """apt-get inside the root, non-interactive, with the downloaded
    packages kept on this machine between tests (the root's own cache
    folder is bind-mounted from there)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.archives = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "agentdesk" / "debroot-apt"
        (self.archives / "partial").mkdir(parents=True, exist_ok=True)

    def __call__(self, *args: str) -> str:
        binds = [(self.archives, "/var/cache/apt/archives", False)]
        return debroot.run(self.root, "apt-get", *args, binds=binds, env={"DEBIAN_FRONTEND": "noninteractive"},
                           timeout=1200).stdout


RUNTIME_DIR = "/tmp/agent-runtime"  # the session's, as systemd's /run/user/UID would be
SESSION = """set -e
mkdir -m 700 "$XDG_RUNTIME_DIR"
exec dbus-run-session -- sh -ec '
  printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets > /dev/null
  printf "%s\\n" "$SIP_PASSWORD" | agentdesk account add --server "$SERVER" --user "$AGENT" --password-stdin
  agentdesk config set auto_answer true
  agentdesk config set desk_url "$DESK_URL"
  agentdesk config set tls_ca_file "$HOME/pbx-ca.pem"
  exec agentdesk --log-level DEBUG
'
"""


AGENT_ENV = {"HOME": "/home/agent", "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen",
             "XDG_RUNTIME_DIR": RUNTIME_DIR}


def start_session(root: Path, log: Path) -> subprocess.Popen[bytes]:
    """The agent's session in the root: a D-Bus session with the real
    gnome-keyring (unlocked, as a login would), the account added the way
    IT does it, then the desktop on the offscreen platform."""
    env = {**AGENT_ENV, "KEYRING_PASSWORD": "test-login", "SERVER": SERVER, "SIP_PASSWORD": f"demo-{AGENT}",
           "AGENT": AGENT, "DESK_URL": DESK_URL}
    with log.open("w") as output:
        return debroot.popen(root, "runuser", "-u", "agent", "--", "env", *(f"{k}={v}" for k, v in env.items()),
                             "sh", "-c", SESSION, stdout=output, stderr=subprocess.STDOUT)


def as_agent(root: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """A command of the agent's, in their session's environment."""
    return debroot.run(root, "runuser", "-u", "agent", "--", "env", *(f"{k}={v}" for k, v in AGENT_ENV.items()),
                       *command, check=False)


def desktop_pid(root: Path) -> int:
    for pid in processes_in(root):
        with contextlib.suppress(OSError):
            if b"agentdesk.desktop" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
    raise AssertionError("the desktop is not running in the root")


def take_a_queue_call(pbx: Pbx, make_party: Any) -> None:
    pbx.cli(f"queue add member PJSIP/{AGENT} to support")
    try:
        caller = make_party("1002")
        caller.call(f"sip:7001@{SERVER}")
        pbx.wait_channel_up(AGENT, timeout=20)  # answered by itself (auto-answer)
    finally:
        pbx.cli(f"queue remove member PJSIP/{AGENT} from support")


@pytest.mark.pbx
@pytest.mark.slow
def test_installed_into_a_clean_debian_it_takes_a_call_and_purges_without_a_trace(
        built: Built, clean_root: Path, pbx: Pbx, make_party: Any, tmp_path: Path) -> None:
    root, apt = clean_root, Apt(clean_root)
    debroot.run(root, "useradd", "--create-home", "--shell", "/bin/sh", "agent")
    shutil.copy(DESK_CA_FILE, root / "home" / "agent" / "pbx-ca.pem")
    shutil.copy(REPO / "installers" / "package" / "elfcheck.py", root / "tmp")
    shutil.copy(built.deb, root / "tmp")
    deb = f"/tmp/{built.deb.name}"
    pristine = file_list(root)
    apt("update")
    apt("install", "-y", deb)  # its Depends and Recommends from Debian's archive
    libraries = debroot.run(root, "python3", "/tmp/elfcheck.py", PREFIX, check=False)
    assert libraries.returncode == 0, libraries.stdout  # ldd finds every library of every ELF file
    assert libraries.stdout.split()[0] == str(elf_count(built.stage / PREFIX[1:])), libraries.stdout
    version = as_agent(root, "agentdesk", "--version").stdout
    assert re.search(r"^TLS: OpenSSL 3\.", version, re.M), version
    apt("purge", "-y", "agentdesk")
    # What the purge left: the dependencies (installed for AgentDesk, and
    # kept, as apt does), and nothing of AgentDesk's own.
    assert [path for path in file_list(root) - pristine if "agentdesk" in path.lower()] == []
    before = file_list(root)

    apt("install", "-y", deb)
    assert {"usr/bin/agentdesk", "usr/lib/agentdesk/bin/python"} <= file_list(root) - before
    log = tmp_path / "session.log"
    session = start_session(root, log)
    try:
        pbx.wait_registered(AGENT, timeout=60)
        assert "its password is in the keyring (keyring.backends.SecretService" in log.read_text()
        take_a_queue_call(pbx, make_party)
        # A tel: link clicked in the agent's browser reaches this desktop (no second one starts).
        assert as_agent(root, "agentdesk", "dial", "tel:+1-201-555-0123").returncode == 0
        refused = as_agent(root, "agentdesk", "dial", "javascript:alert(1)")
        assert refused.returncode == 2 and "AgentDesk dials tel:, sip: and sips: links" in refused.stderr
        os.kill(desktop_pid(root), signal.SIGTERM)
        assert session.wait(timeout=30) == 0, log.read_text()[-3000:]  # hung up, unregistered, no abort
        pbx.wait_registered(AGENT, present=False)
    finally:
        debroot.stop(session)
    user_data = root / "home" / "agent" / ".local" / "share" / "agentdesk"
    desk_log = (user_data / "agentdesk.log").read_text()
    assert "Audio is unavailable" in desk_log  # no sound device, and the call was taken
    assert "a number was handed over for the dial box" in desk_log
    end_processes_in(root)

    apt("purge", "-y", "agentdesk")
    after = file_list(root)
    assert sorted(after - before) == [] and sorted(before - after) == []
    assert (root / "home" / "agent" / ".config" / "agentdesk" / "settings.json").exists()  # the user's own stays
