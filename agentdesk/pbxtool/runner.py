"""Start, stop and talk to the bundled Asterisk.

`start` returns only once Asterisk reports itself fully booted; `stop` ends
exactly the process it started (by PID, checked against its command line).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from agentdesk.server.directory import Person, Secrets

from . import confgen, directory, install_files, numbering, queues, tls
from . import engine as engines
from .layout import DIRECTORY_FILE, INSTALLED, Layout, Network, PbxError

BOOT_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def running_pid(layout: Layout) -> int | None:
    """PID of our Asterisk if it is alive, else None."""
    try:
        pid = int(layout.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _is_our_asterisk(pid, layout) else None


def _is_our_asterisk(pid: int, layout: Layout) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
        return False  # exited, not yet reaped
    saved = engines.load(layout)
    return saved is not None and saved.conf_path().encode() in cmdline and any(
        arg.endswith(b"asterisk") for arg in cmdline
    )


def cli(layout: Layout, command: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    engine = engines.load(layout)
    if engine is None:
        raise PbxError("the PBX has never been started here; run: pbx/run start")
    argv = engine.command(layout, "-rx", command)
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def start(layout: Layout) -> None:
    pid = running_pid(layout)
    if pid is not None:
        print(f"Asterisk is already running (pid {pid}).")
        print_summary(layout, pid)
        return
    engine = engines.choose(layout)
    prepare(layout, engine)
    pid = _spawn(layout, engine)
    _wait_booted(layout, pid)
    print_summary(layout, pid)


def prepare(layout: Layout, engine: engines.Engine) -> None:
    """Everything Asterisk starts with, made from the site's settings: the
    secrets, the TLS files, the generated config and the state folder.
    `pbx/run start` and an installed server's configure step both run it."""
    users, queue_list, secrets = load_setup(layout)
    check_exposure(layout.network, secrets)
    directory.save_secrets(layout.secrets_file, secrets)
    tls.ensure(layout, tls.default_names(layout.network.bind, layout.tls_names), layout.tls_given)
    confgen.assemble(layout, engine.base, engine.config_root, users, secrets, queue_list)
    engines.prepare_state(layout, engine)
    engines.save(layout, engine)


def check_exposure(network: Network, value: Secrets) -> None:
    """The demo secrets are known to everyone who has read the README: they
    never go beyond this machine."""
    if value.demo and not network.is_loopback:
        raise PbxError(
            f"refusing to listen on {network.bind}: the demo secrets are in use (1001's SIP password is "
            "demo-1001, a team lead's demo-1901), and anyone who can reach that address could sign in "
            "with them.\nMake real ones first: pbx/run secrets --generate   (then hand them out: "
            "pbx/run secrets --show)")


def load_setup(layout: Layout) -> tuple[list[Person], list[queues.QueueSettings], Secrets]:
    """The people, the queues and the secrets (queue mailbox PINs included),
    all checked."""
    users = directory.read_people(DIRECTORY_FILE)
    numbering.check_people(users)
    queue_list = queues.read_queues()
    queues.check_against_users(queue_list, (u.extension for u in users))
    secrets = directory.load_secrets(layout.secrets_file, users)
    return users, queue_list, directory.add_mailbox_pins(secrets, (q.extension for q in queue_list))


def _spawn(layout: Layout, engine: engines.Engine) -> int:
    argv = engine.command(layout, *engine.server_args(layout))
    output = (layout.log_dir / "asterisk.out").open("w")
    with output:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    layout.pid_file.write_text(f"{process.pid}\n")
    return process.pid


def _exited(pid: int) -> bool:
    """Whether our child `pid` has ended. Asked of the kernel, not read from
    /proc: its command line is briefly empty while the start-up chain
    (unshare, sh, chroot, asterisk) execs, which once read as "stopped"."""
    try:
        ended, _status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return not Path(f"/proc/{pid}").exists()
    return ended == pid


def _wait_booted(layout: Layout, pid: int) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT
    while time.monotonic() < deadline:
        if _exited(pid):
            raise PbxError("Asterisk stopped while starting.\n" + _log_tail(layout))
        if cli(layout, "core waitfullybooted", timeout=BOOT_TIMEOUT).returncode == 0:
            return
        time.sleep(0.1)
    raise PbxError(f"Asterisk did not finish booting in {BOOT_TIMEOUT:.0f} s.\n" + _log_tail(layout))


def _log_tail(layout: Layout) -> str:
    lines: list[str] = []
    for name in ("asterisk.out", "messages.log"):
        path = layout.log_dir / name
        if path.exists():
            lines += [f"--- {path}", *path.read_text(errors="replace").splitlines()[-15:]]
    return "\n".join(lines)


def print_summary(layout: Layout, pid: int) -> None:
    network = confgen.read_network(layout) or layout.network
    engine = engines.load(layout)
    version = cli(layout, "core show version").stdout.split(" built")[0].strip()
    where = {"system": "installed", "rootfs": "Debian sid root filesystem", "rootless": "rootless"}
    print(f"{version} is running (pid {pid}, {where.get(engine.kind if engine else '', '?')}).")
    people = numbering.summary(directory.read_people(DIRECTORY_FILE))
    print(f"  SIP   udp/tcp {network.sip_address}  ({people}: {DIRECTORY_FILE})")
    certificate = tls.describe(layout.server_cert_file)
    names = ", ".join(certificate.names) if certificate else "no certificate"
    print(f"  SIP   tls     {network.tls_address}  (certificate for {names}; authority: pbx/run tls-ca)")
    # An installed server's Asterisk writes into /var/log/agentdesk (its unit binds it there).
    logs = install_files.ASTERISK_LOGS if INSTALLED else layout.log_dir
    print(f"  Logs  {logs}/  (messages.log, full.log, security.log, queue_log)")
    if directory.load_secrets(layout.secrets_file, []).demo:
        print("  DEMO secrets in use (SIP password of 1001: demo-1001). For real use: pbx/run secrets --generate")


def stop(layout: Layout) -> bool:
    """Stop our Asterisk; False when it was not running."""
    pid = running_pid(layout)
    if pid is None:
        layout.pid_file.unlink(missing_ok=True)
        return False
    with contextlib.suppress(subprocess.TimeoutExpired):
        cli(layout, "core stop now", timeout=STOP_TIMEOUT)
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            os.kill(pid, sig)
        if _wait_gone(layout, pid, STOP_TIMEOUT / 2):
            break
    layout.pid_file.unlink(missing_ok=True)
    return True


def _wait_gone(layout: Layout, pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _is_our_asterisk(pid, layout):
            return True
        time.sleep(0.05)
    return False


def place_demo_call(layout: Layout, extension: str, number: str, name: str) -> None:
    """Have the PBX call `extension` as a demo customer (a call file)."""
    if not extension.isdigit() or not is_plain_caller_id(number, name):
        raise PbxError("extension and number must be digits, and the name plain text")
    text = (
        f"Channel: PJSIP/{extension}\nCallerID: \"{name}\" <{number}>\nMaxRetries: 0\n"
        "WaitTime: 45\nContext: demo-caller\nExtension: s\nPriority: 1\n"
    )
    spool_call(layout, f"demo-{extension}", text)


def is_plain_caller_id(number: str, name: str) -> bool:
    """Safe to write into a call file: digits (a leading +), plain text."""
    return number.lstrip("+").isdigit() and len(number) <= 20 and not any(c in name for c in '"<>\n\r\\')


def spool_call(layout: Layout, stem: str, text: str) -> None:
    """Hand a call file to the running Asterisk (written aside, then moved in
    whole, as the spool expects)."""
    if running_pid(layout) is None:
        raise PbxError("Asterisk is not running; start it with: pbx/run start")
    spool = layout.state / "spool"
    staging = spool / "tmp" / f"{stem}-{time.time_ns()}.call"
    staging.write_text(text, encoding="utf-8")
    engine = engines.load(layout)
    ids = engine.run_as(layout) if engine else None
    if ids is not None:
        os.chown(staging, *ids)
    staging.rename(spool / "outgoing" / staging.name)
