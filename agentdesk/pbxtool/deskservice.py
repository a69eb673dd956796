"""The desk service next to the bundled PBX: started, checked and stopped by
pbx/run, so the PBX comes up complete.

It runs as `<python> -m agentdesk.server --config <state>/desk-service.json`,
detached in a session of its own, output in <state>/log/desk-console.log and
its pid in <state>/desk.pid; as its own system user when pbx/run is root
(deskuser.py). The Python is $AGENTDESK_DESK_PYTHON, else the
one running this tool (the server part installs both); the module is
$AGENTDESK_DESK_MODULE, else agentdesk.server (the tests run their own
build of the service this way). Like Asterisk, it is stopped only by that
pid, and only while that pid is really this PBX's desk service (its command
line names the module and this state folder's config). With the PBX's
certificate in its config (service.desk_config) it serves desktops over
HTTPS, and pbx/run checks its health that way.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import deskuser
from .deskuser import DeskUser, process_ids
from .layout import (
    DIRECTORY_FILE,
    PBX_DIR,
    Layout,
    Network,
    PbxError,
)

REPO = PBX_DIR.parent
DEFAULT_MODULE = "agentdesk.server"
_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
HEALTH_PATH = "/api/v1/health"
HEALTH_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
def module() -> str:
    """The module that runs the desk service."""
    name = os.environ.get("AGENTDESK_DESK_MODULE") or DEFAULT_MODULE
    if not _MODULE_NAME.fullmatch(name):
        raise PbxError(f"AGENTDESK_DESK_MODULE must be a Python module name, not {name[:60]!r}")
    return name


def _module_check(name: str) -> str:
    """A script that exits 0 when this Python can run `-m name` (a folder
    without __main__ cannot)."""
    return (
        "import importlib.util as u, sys\n"
        f"s = u.find_spec({name!r})\n"
        "ok = s is not None and (\n"
        f"    s.submodule_search_locations is None or u.find_spec({name + '.__main__'!r}) is not None)\n"
        "sys.exit(0 if ok else 1)\n"
    )


class DeskUnavailableError(Exception):
    """No Python that can run the desk service: not an error for the PBX."""


def console_log(layout: Layout) -> Path:
    return layout.log_dir / "desk-console.log"


def choose_python() -> str:
    """The Python that runs the service, checked to have the module."""
    python = os.environ.get("AGENTDESK_DESK_PYTHON") or sys.executable
    try:
        found = _runs_module(python, None)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DeskUnavailableError(f"{python} cannot be run ({error})") from None
    if not found:
        raise DeskUnavailableError(f"{python} has no {module()} module (pip install -e '.[server]')")
    return python


def _runs_module(python: str, user: DeskUser | None, reads: tuple[Path, ...] = ()) -> bool:
    """Can `user` run the module with `python`, and open each of `reads`?"""
    opens = "".join(f"open({str(path)!r}, 'rb').close()\n" for path in reads)
    return subprocess.run(
        [python, "-c", opens + _module_check(module())], cwd=_workdir(), capture_output=True, timeout=30,
        stdin=subprocess.DEVNULL, **process_ids(user),
    ).returncode == 0


def choose_user(layout: Layout, python: str) -> DeskUser | None:
    """Who runs the service: its own system user when pbx/run is root and
    that user can run `python` and read its files, else pbx/run's user (and
    a warning when that is root)."""
    user = deskuser.prepare(layout)
    if user is None:
        return None
    tls = [path for path in (layout.server_cert_file, layout.server_key_file, layout.ca_cert_file) if path.exists()]
    reads = (layout.desk_config_file, layout.secrets_file, DIRECTORY_FILE, *tls)
    try:
        if _runs_module(python, user, reads):
            return user
    except (OSError, subprocess.TimeoutExpired):
        pass
    print(f"  Warning: the desk service runs as root: the system user {deskuser.USER!r} cannot run {python} "
          f"-m {module()} or cannot reach {layout.home} or {PBX_DIR} (a folder only root may enter, such as "
          "/root, is on the way). Install the server part and the PBX home where that user can reach them, "
          "e.g. under /opt and /var/lib.")
    return None


def _workdir() -> Path:
    """The checkout when run from one (its own package is the one imported),
    else the root folder (a service holds no other folder busy, and its own
    user may not be allowed into the one pbx/run was started in)."""
    return REPO if (REPO / "agentdesk").is_dir() else Path("/")


def url(network: Network, https: bool = False) -> str:
    """Where the service answers on this machine."""
    scheme = "https" if https else "http"
    host = ipaddress.ip_address(network.bind)
    if host.is_unspecified:
        return f"{scheme}://127.0.0.1:{network.desk_port}"
    return f"{scheme}://{host if host.version == 4 else f'[{host}]'}:{network.desk_port}"


def serves_https(layout: Layout) -> bool:
    """Was the service configured with a certificate (desk-service.json's "tls")?"""
    try:
        return "tls" in json.loads(layout.desk_config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def health_context(layout: Layout) -> ssl.SSLContext:
    """How pbx/run checks the service's HTTPS: the chain must verify (the
    system's authorities and the PBX's own), the name need not: the probe
    asks this machine's own port and sends nothing, and which names the
    certificate carries is for desktops to check (an administrator's own
    certificate may well not name 127.0.0.1)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    if layout.ca_cert_file.exists():
        context.load_verify_locations(layout.ca_cert_file)
    return context


def running_pid(layout: Layout) -> int | None:
    """PID of this PBX's desk service if it is alive, else None."""
    try:
        pid = int(layout.desk_pid_file.read_text().strip())
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
        return None  # exited, not yet reaped
    ours = module().encode() in cmdline and str(layout.desk_config_file).encode() in cmdline
    return pid if ours else None


def start(layout: Layout, network: Network) -> int:
    """Start the service (if it is not running) and wait until it is
    healthy; its pid. DeskUnavailableError when there is nothing to run it with."""
    pid = running_pid(layout)
    if pid is not None:
        return pid
    if not layout.desk_config_file.exists():
        raise PbxError(f"{layout.desk_config_file} is missing; start the PBX first: pbx/run start")
    https = serves_https(layout)
    health = url(network, https) + HEALTH_PATH
    context = health_context(layout) if https else None
    if is_healthy(health, context):
        raise PbxError(f"another program already answers at {health}; set AGENTDESK_DESK_PORT to a free port")
    python = choose_python()
    user = choose_user(layout, python)
    command = [python, "-m", module(), "--config", str(layout.desk_config_file)]
    layout.log_dir.mkdir(parents=True, exist_ok=True)
    with console_log(layout).open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            command, cwd=_workdir(), stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True, **process_ids(user),
        )
    layout.desk_pid_file.write_text(f"{process.pid}\n")
    try:
        _wait_healthy(layout, process, health, context)
    except PbxError:
        stop(layout)
        raise
    return process.pid


def _wait_healthy(layout: Layout, process: subprocess.Popen[bytes], health: str,
                  context: ssl.SSLContext | None) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PbxError(f"the desk service exited ({process.returncode}) while starting.\n{log_tail(layout)}")
        if is_healthy(health, context):
            return
        time.sleep(0.2)
    raise PbxError(f"the desk service did not answer {health} in {HEALTH_TIMEOUT:.0f} s.\n{log_tail(layout)}")


def is_healthy(health: str, context: ssl.SSLContext | None = None) -> bool:
    """Does the service answer `health`? A certificate that does not verify
    is said at once (PbxError), not waited out."""
    try:
        with urllib.request.urlopen(health, timeout=1, context=context) as reply:
            return bool(reply.status == 200)
    except urllib.error.URLError as error:
        if isinstance(error.reason, ssl.SSLCertVerificationError):
            raise PbxError(f"the desk service's certificate does not verify at {health}: "
                           f"{error.reason.verify_message}") from None
        return False
    except (OSError, ValueError):
        return False


def log_tail(layout: Layout, lines: int = 20) -> str:
    path = console_log(layout)
    if not path.exists():
        return f"({path} is empty)"
    tail = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return "\n".join([f"--- {path}", *tail])


def stop(layout: Layout) -> bool:
    """Stop the service; False when it was not running."""
    pid = running_pid(layout)
    if pid is None:
        layout.desk_pid_file.unlink(missing_ok=True)
        return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        os.kill(pid, sig)
        if _wait_gone(layout, pid):
            break
    layout.desk_pid_file.unlink(missing_ok=True)
    return True


def _wait_gone(layout: Layout, pid: int) -> bool:
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        if running_pid(layout) != pid:
            return True
        time.sleep(0.05)
    return False
