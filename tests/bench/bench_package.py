#!/usr/bin/env python3
"""The desktop's Debian package in figures: the .deb's size and installed
size, and start-up (launch to registered with the PBX) of the installed
package in a clean Debian 12 root, next to the checkout's .venv start on
this machine. Each start is cold where the page cache can be dropped
(/proc/sys/vm/drop_caches); otherwise the report says "warm".

Both desktops run offscreen, without a sound device, registering as the
same agent; the packaged one as an unprivileged user with gnome-keyring in
a D-Bus session, the checkout's with a file keyring. The clock starts when
the desktop's process is started (the root's: the moment its user
session execs `agentdesk`) and stops when the desktop logs the PBX's 200 OK.

Run: .venv/bin/python tests/bench/bench_package.py   (alone on the machine)
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import REPO, LineWatcher, median, record
from tests.helpers import debroot
from tests.helpers.pbx import DESK_CA_FILE, SERVER, Pbx
from tests.installers.test_package import AGENT, Apt, desktop_pid, end_processes_in, field

LAUNCHES = int(os.environ.get("BENCH_PACKAGE_LAUNCHES", "3"))
REGISTERED = r"registration: 200 OK"
PAINTED = r"window painted"
CONFIGURE = """set -e
export XDG_RUNTIME_DIR="$(mktemp -d)"
exec dbus-run-session -- sh -ec '
  printf %s test-login | gnome-keyring-daemon --unlock --components=secrets > /dev/null
  printf "%s\\n" "demo-$AGENT" | agentdesk account add --server "$SERVER" --user "$AGENT" --password-stdin
  agentdesk config set tls_ca_file "$HOME/pbx-ca.pem"
'
"""
LAUNCH = """set -e
export XDG_RUNTIME_DIR="$(mktemp -d)"
exec dbus-run-session -- sh -ec '
  printf %s test-login | gnome-keyring-daemon --unlock --components=secrets > /dev/null
  echo "launch at $(date +%s.%N)"
  exec agentdesk --log-level DEBUG
'
"""


def drop_page_cache() -> bool:
    """Whether the kernel's page cache could be dropped (root, not in a
    container that forbids it)."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def build(folder: Path) -> Path:
    subprocess.run([str(REPO / "installers" / "dev.sh"), "package", "--out", str(folder / "dist"),
                    "--work", str(folder / "work")], check=True, stdout=subprocess.DEVNULL)
    (deb,) = (folder / "dist").glob("agentdesk_*.deb")
    return deb


def user_env() -> list[str]:
    env = {"HOME": "/home/agent", "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen", "SERVER": SERVER,
           "AGENT": AGENT}
    return [f"{key}={value}" for key, value in env.items()]


def install(root: Path, deb: Path) -> None:
    debroot.run(root, "useradd", "--create-home", "--shell", "/bin/sh", "agent")
    shutil.copy(DESK_CA_FILE, root / "home" / "agent" / "pbx-ca.pem")
    shutil.copy(deb, root / "tmp")
    apt = Apt(root)
    apt("update")
    apt("install", "-y", f"/tmp/{deb.name}")
    debroot.run(root, "runuser", "-u", "agent", "--", "env", *user_env(), "sh", "-c", CONFIGURE)


def launch_in_root(root: Path, pbx: Pbx) -> float:
    process = debroot.popen(root, "runuser", "-u", "agent", "--", "env", *user_env(), "sh", "-c", LAUNCH,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output = LineWatcher(_text(process))
        _, launched = output.wait_for(r"launch at ([0-9.]+)")
        registered, _ = output.wait_for(REGISTERED, timeout=60)
        output.wait_for(PAINTED, timeout=60)  # SIGTERM is handled from then on
        return registered - float(launched.group(1))
    finally:
        os.kill(desktop_pid(root), signal.SIGTERM)  # it unregisters, then its session ends
        process.wait(timeout=30)
        debroot.stop(process)
        end_processes_in(root)
        pbx.wait_registered(AGENT, present=False, timeout=20)


def launch_checkout(folder: Path, pbx: Pbx) -> float:
    env = {**os.environ, "AGENTDESK_CONFIG_DIR": str(folder / "config"), "AGENTDESK_DATA_DIR": str(folder / "data"),
           "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(folder / "xdg"),
           "QT_QPA_PLATFORM": "offscreen", "JACK_DEFAULT_SERVER": "no-such-server",
           "PULSE_SERVER": f"unix:{folder}/no-such-socket"}
    agentdesk = [sys.executable, "-m", "agentdesk.desktop"]
    if not (folder / "config").exists():
        subprocess.run([*agentdesk, "account", "add", "--server", SERVER, "--user", AGENT, "--password-stdin"],
                       input=f"demo-{AGENT}\n", env=env, check=True, capture_output=True, text=True)
    started = time.time()
    process = subprocess.Popen([*agentdesk, "--log-level", "DEBUG"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        output = LineWatcher(process.stdout)
        registered, _ = output.wait_for(REGISTERED, timeout=60)
        output.wait_for(PAINTED, timeout=60)
        return registered - started
    finally:
        process.terminate()
        process.wait(timeout=30)
        pbx.wait_registered(AGENT, present=False, timeout=20)


def _text(process: subprocess.Popen[bytes]) -> IO[str]:
    assert process.stdout is not None
    return io.TextIOWrapper(process.stdout, encoding="utf-8", errors="replace")


def starts(launch: Callable[[], float], cold: bool) -> list[float]:
    seconds = []
    for _ in range(LAUNCHES):
        if cold:
            drop_page_cache()
        seconds.append(launch())
    return seconds


def main() -> int:
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    cold = drop_page_cache()
    kind = "cold (page cache dropped before each start)" if cold else "warm (the page cache could not be dropped)"
    pbx = Pbx()
    pbx.start()
    with tempfile.TemporaryDirectory(prefix="bench-package-", dir="/var/tmp") as scratch:
        folder = Path(scratch)
        deb = build(folder)
        installed_mb = int(field(deb, "Installed-Size")) / 1024
        print(f".deb: {deb.name}, {deb.stat().st_size / 1e6:.1f} MB; installed: {installed_mb:.0f} MiB")
        record("package", ".deb size", deb.stat().st_size / 1e6, "MB", "", None)
        record("package", "installed size", installed_mb, "MiB", "", None)
        root = debroot.fresh_root(folder / "root", [])
        try:
            install(root, deb)
            packaged = starts(lambda: launch_in_root(root, pbx), cold)
            checkout = starts(lambda: launch_checkout(folder / "checkout", pbx), cold)
        finally:
            end_processes_in(root)
            debroot.remove(root)
    pbx.stop()
    print(f"launch to registered, {kind}, median of {LAUNCHES}:")
    print(f"  installed package (Debian 12 root): {median(packaged):.3f} s  {[round(s, 3) for s in packaged]}")
    print(f"  checkout's .venv:                   {median(checkout):.3f} s  {[round(s, 3) for s in checkout]}")
    record("package", f"launch to registered, package, {'cold' if cold else 'warm'}", median(packaged), "s", "",
           None, peer=median(checkout))
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
