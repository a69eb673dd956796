"""A clean Debian system for tests that install AgentDesk as an
administrator would: the PBX server's `pbx/run install`, the desktop's .deb.

`pristine(packages)` builds, once per machine and package list, a Debian
root filesystem with debootstrap (minbase plus `packages`) and keeps it as
a tarball under ~/.cache/agentdesk/; `fresh_root(target, packages)` unpacks
a copy of it for one test. `run(root, *cmd)` runs a command inside such a
root through chroot, with /proc, /dev and /sys (and any `binds`) mounted in
a private mount namespace: the mounts vanish with the command, so nothing
stays mounted on the host whatever happens to the test. `popen` does the
same for a command that keeps running (a service); its namespace lives as
long as it does.

Needs root, debootstrap and the Debian archive keyring (CI has all three).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

SUITE = "bookworm"  # Debian 12, what servers and CI run
MIRROR = os.environ.get("AGENTDESK_DEBIAN_MIRROR", "http://deb.debian.org/debian")
KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
BUILD_TIMEOUT = 1800.0
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"  # where Debian keeps its authorities

# Mounted before anything else; `binds` are (host path, path inside, read-only).
# A file's mount point is an empty file, which stays in the root afterwards.
_ENTER = """set -e
root=$1; shift
# The root is a mount point, as / is on a real system (unshare inside needs one).
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
while [ "$1" != -- ]; do
  if [ -d "$1" ]; then mkdir -p "$root$2"; else mkdir -p "$(dirname "$root$2")"; touch "$root$2"; fi
  mount --bind "$1" "$root$2"
  if [ "$3" = ro ]; then mount -o remount,bind,ro "$root$2"; fi
  shift 3
done
shift
exec chroot "$root" "$@"
"""

Bind = tuple[Path, str, bool]


def _cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "agentdesk"


def tarball_for(packages: Sequence[str], suite: str = SUITE) -> Path:
    """Where the root with these packages is kept (one per package list)."""
    key = hashlib.sha256(" ".join([suite, *sorted(set(packages))]).encode()).hexdigest()[:12]
    return _cache() / f"debroot-{suite}-{key}.tar.gz"


def pristine(packages: Sequence[str], suite: str = SUITE) -> Path:
    """The tarball of a Debian `suite` minbase root with `packages`, built
    the first time it is asked for (under a lock: parallel runs build it
    once) and kept."""
    tarball = tarball_for(packages, suite)
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with (tarball.parent / (tarball.name + ".lock")).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not tarball.exists():
            _build(tarball, packages, suite)
    return tarball


def _build(tarball: Path, packages: Sequence[str], suite: str) -> None:
    missing = [tool for tool in ("debootstrap", "tar") if shutil.which(tool) is None]
    if missing or not KEYRING.exists() or os.geteuid() != 0:
        raise RuntimeError(f"a Debian root for the tests needs root, debootstrap and {KEYRING} "
                           "(apt-get install debootstrap debian-archive-keyring)")
    with tempfile.TemporaryDirectory(prefix="agentdesk-debroot-", dir="/var/tmp") as folder:
        target = Path(folder) / "root"
        command = ["debootstrap", "--variant=minbase", f"--keyring={KEYRING}"]
        if packages:
            command.append("--include=" + ",".join(sorted(set(packages))))
        built = subprocess.run([*command, suite, str(target), MIRROR], capture_output=True, text=True,
                               timeout=BUILD_TIMEOUT, stdin=subprocess.DEVNULL)
        if built.returncode != 0:
            raise RuntimeError(f"debootstrap failed:\n{(built.stdout + built.stderr)[-3000:]}")
        subprocess.run(["chroot", str(target), "apt-get", "clean"], check=True, capture_output=True)
        partial = tarball.with_name(tarball.name + ".partial")
        subprocess.run(["tar", "--numeric-owner", "-czf", str(partial), "-C", str(target), "."],
                       check=True, timeout=BUILD_TIMEOUT)
        partial.rename(tarball)  # only a complete tarball is ever used


def fresh_root(target: Path, packages: Sequence[str], suite: str = SUITE) -> Path:
    """A fresh copy of the pristine root in `target` (made), ready for
    `run`. It reaches the network as the host does: the host's name
    resolution, and the host's certificate authorities in CA_BUNDLE (a
    network whose proxy has an authority of its own needs it; pip inside
    is pointed at it with PIP_CERT)."""
    tarball = pristine(packages, suite)
    target.mkdir(parents=True)
    subprocess.run(["tar", "--numeric-owner", "-xzf", str(tarball), "-C", str(target)], check=True, timeout=600)
    shutil.copy("/etc/resolv.conf", target / "etc" / "resolv.conf")
    if Path(CA_BUNDLE).exists():
        (target / CA_BUNDLE.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CA_BUNDLE, target / CA_BUNDLE.lstrip("/"))
    return target


def _command(root: Path, command: Sequence[str], binds: Sequence[Bind]) -> list[str]:
    mounts = [part for source, inside, ro in binds for part in (str(source), inside, "ro" if ro else "rw")]
    return ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", _ENTER, "debroot",
            str(root), *mounts, "--", *command]


def _environment(env: Mapping[str, str] | None) -> dict[str, str]:
    """A clean, Debian-like environment: the tests' own (their venv, their
    CA bundle) means nothing inside the root."""
    base = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
            "HOME": "/root"}
    return {**base, **(env or {})}


def run(root: Path, *command: str, binds: Sequence[Bind] = (), env: Mapping[str, str] | None = None,
        timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `command` inside `root`; its output is returned (and shown when
    it fails under `check`)."""
    done = subprocess.run(_command(root, command, binds), env=_environment(env), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({done.returncode}) inside {root}:\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def popen(root: Path, *command: str, binds: Sequence[Bind] = (), env: Mapping[str, str] | None = None,
          **options: Any) -> subprocess.Popen[bytes]:
    """Start `command` inside `root` in a session of its own (stop it with
    `stop`)."""
    return subprocess.Popen(_command(root, command, binds), env=_environment(env), stdin=subprocess.DEVNULL,
                            start_new_session=True, **options)


def stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """End `process` and everything in its session."""
    if process.poll() is None:
        for signal_number in (15, 9):
            try:
                os.killpg(process.pid, signal_number)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout)
                break
            except subprocess.TimeoutExpired:
                continue


def remove(root: Path) -> None:
    """Delete a root made by fresh_root (nothing is mounted in it outside
    the namespaces of run and popen, which are gone with their commands)."""
    shutil.rmtree(root, ignore_errors=True)
