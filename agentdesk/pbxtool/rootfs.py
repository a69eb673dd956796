"""Provision, once, a Debian sid root filesystem that contains Asterisk.

As root: debootstrap into the cache folder. As a normal user: mmdebstrap in
unshare mode writes a tarball that is unpacked as that user (no subuid
ownership to fight with later); Asterisk then runs in a user namespace.
Either way the result is marked ready only when complete, so an interrupted
provisioning is redone, never half-used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .layout import (
    CONFIG_MOUNT,
    STATE_MOUNT,
    Layout,
    PbxError,
)

READY_MARK = ".agentdesk-rootfs-ready"
SUITE = "sid"
# Device nodes a rootless root filesystem gets bind-mounted from the host.
DEVICES = ("null", "zero", "random", "urandom")


def is_ready(layout: Layout) -> bool:
    return (layout.rootfs / READY_MARK).exists()


def provision(layout: Layout) -> None:
    if is_ready(layout):
        return
    check_mirror(layout.mirror)
    partial = layout.rootfs.with_name("rootfs.partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(layout.rootfs, ignore_errors=True)
    layout.rootfs.parent.mkdir(parents=True, exist_ok=True)
    print(f"Provisioning Asterisk: Debian {SUITE} root filesystem into {layout.rootfs}")
    print("This happens once and takes about a minute.", flush=True)
    started = time.monotonic()
    if os.geteuid() == 0:
        _debootstrap(layout, partial)
    else:
        _mmdebstrap_rootless(layout, partial)
    for folder in (CONFIG_MOUNT, STATE_MOUNT):
        (partial / folder.lstrip("/")).mkdir(parents=True, exist_ok=True)
    for device in DEVICES:
        node = partial / "dev" / device
        if not node.exists():
            node.touch()  # mount point for the host's device (rootless)
    partial.rename(layout.rootfs)
    (layout.rootfs / READY_MARK).write_text(SUITE + "\n", encoding="utf-8")
    print(f"Root filesystem ready in {time.monotonic() - started:.0f} s.", flush=True)


def check_mirror(mirror: str) -> None:
    url = f"{mirror.rstrip('/')}/dists/{SUITE}/InRelease"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=20):
            pass
    except (urllib.error.URLError, OSError) as error:
        raise PbxError(
            f"cannot reach the Debian registry at {mirror} ({error}).\n"
            "Asterisk is provisioned from it once. Check the network, set "
            "AGENTDESK_DEBIAN_MIRROR to a reachable Debian mirror, or install "
            "Asterisk 22 yourself (it is then used instead)."
        ) from None


def _keyring_args() -> list[str]:
    keyring = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
    if keyring.exists():
        return [f"--keyring={keyring}"]
    raise PbxError(
        "the Debian archive keyring is missing (needed to verify the packages).\n"
        "Install it: sudo apt-get install debian-archive-keyring"
    )


def _debootstrap(layout: Layout, target: Path) -> None:
    if not shutil.which("debootstrap"):
        raise PbxError(
            "debootstrap is not installed; it is needed once to provision Asterisk.\n"
            "Install it: apt-get install debootstrap debian-archive-keyring"
        )
    command = [
        "debootstrap", "--variant=minbase", "--include=asterisk", *_keyring_args(),
        SUITE, str(target), layout.mirror,
    ]
    _run_with_progress(command)


def _mmdebstrap_rootless(layout: Layout, target: Path) -> None:
    if not shutil.which("mmdebstrap"):
        raise PbxError(
            "as a normal user Asterisk is provisioned with mmdebstrap, which is not installed.\n"
            "Install it (sudo apt-get install mmdebstrap uidmap), run pbx/run as root, "
            "or install Asterisk 22 yourself."
        )
    check_user_namespaces()
    tarball = target.with_suffix(".tar")
    command = [
        "mmdebstrap", "--mode=unshare", "--variant=minbase", "--include=asterisk",
        # apt (unlike debootstrap) refuses a Release file past its Valid-Until,
        # which mirrors and snapshots serving an older sid can have.
        "--aptopt=Acquire::Check-Valid-Until false",
        *_keyring_args(), SUITE, str(tarball), layout.mirror,
    ]
    _run_with_progress(command)
    target.mkdir(parents=True)
    # Unpacked as this user: files become theirs; device nodes cannot be made.
    subprocess.run(["tar", "-xf", str(tarball), "-C", str(target), "--exclude=./dev/*"], check=True)
    tarball.unlink()


def check_user_namespaces() -> None:
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    if probe.returncode != 0:
        raise PbxError(
            "this system does not allow unprivileged user namespaces, which running "
            "Asterisk without root needs.\nRun pbx/run as root, or install Asterisk 22 yourself."
        )


def _run_with_progress(command: list[str]) -> None:
    """Run a provisioning tool, showing its progress compactly."""
    started = time.monotonic()
    retrieved = 0
    tail: list[str] = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip()
            tail = ([*tail, line])[-15:]
            if "Retrieving" in line or "Validating" in line:
                retrieved += 1
                if retrieved % 40:
                    continue
                line = f"I: {retrieved // 2} packages fetched"
            if line.startswith("I:"):
                print(f"  [{time.monotonic() - started:5.0f}s] {line[3:]}", flush=True)
    if process.returncode != 0:
        sys.stdout.write("\n".join(tail) + "\n")
        raise PbxError(f"provisioning failed ({command[0]} exited with {process.returncode}); its last output is above")
