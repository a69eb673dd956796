"""Start a systemd service the way systemd would, where systemd itself
cannot run (a chroot in a test): from its unit file, as its own user.

What is carried out: User=, Group=, SupplementaryGroups=, EnvironmentFile=,
Environment=, UMask=, WorkingDirectory=, RootDirectory= with
BindPaths=/BindReadOnlyPaths= and MountAPIVFS= (mounts in a private mount
namespace, then chroot), NoNewPrivileges=, an empty capability bounding
set, ExecStart= and ExecStartPost= (with $MAINPID). What is not: the other
sandboxing (ProtectSystem=, seccomp filters, address families...), which
`systemd-analyze verify` and `security` check instead.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from tests.helpers import debroot

Unit = dict[str, dict[str, list[str]]]


def read_unit(path: Path) -> Unit:
    """Sections of key = values (a key may repeat; an empty value resets it)."""
    unit: Unit = {}
    section: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = unit.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        values = section.setdefault(key.strip(), [])
        if value.strip():
            values.append(value.strip())
        else:
            values.clear()
    return unit


def service(unit: Unit, key: str) -> list[str]:
    return unit.get("Service", {}).get(key, [])


def _privileges(unit: Unit) -> str:
    """setpriv's part: the unit's user, groups, no new privileges, no capabilities."""
    user = service(unit, "User")
    if not user:
        return ""
    options = ['--reuid="$uid"', '--regid="$gid"',
               '--groups="$groups"' if service(unit, "SupplementaryGroups") else "--clear-groups"]
    if service(unit, "NoNewPrivileges") == ["yes"]:
        options.append("--no-new-privs")
    if "CapabilityBoundingSet" in unit.get("Service", {}) and not service(unit, "CapabilityBoundingSet"):
        options += ["--inh-caps=-all", "--bounding-set=-all"]
    return "setpriv " + " ".join(options) + " -- "


def _prelude(unit: Unit) -> list[str]:
    lines = ["set -e"]
    user = service(unit, "User")
    if user:
        group = (service(unit, "Group") or user)[-1]
        names = " ".join(name for entry in service(unit, "SupplementaryGroups") for name in entry.split())
        lines += [f"uid=$(id -u {shlex.quote(user[-1])})", f"gid=$(getent group {shlex.quote(group)} | cut -d: -f3)"]
        if names:
            lines.append(f'groups=$(for g in {names}; do getent group "$g" | cut -d: -f3; done | paste -sd, -)')
    for path in service(unit, "EnvironmentFile"):
        lines.append(f"set -a; . {shlex.quote(path.lstrip('-'))}; set +a")
    for entry in service(unit, "Environment"):
        lines += [f"export {assignment}" for assignment in shlex.split(entry)]
    for mask in service(unit, "UMask"):
        lines.append(f"umask {mask}")
    return lines


def _enter_root(unit: Unit) -> list[str]:
    root = service(unit, "RootDirectory")
    if not root:
        return [f"cd {shlex.quote((service(unit, 'WorkingDirectory') or ['/'])[-1])}"]
    lines = [f"R={shlex.quote(root[-1])}"]
    for key, read_only in (("BindReadOnlyPaths", True), ("BindPaths", False)):
        for entry in (path for line in service(unit, key) for path in line.split()):
            source, _, inside = entry.partition(":")
            target = shlex.quote(inside or source)
            lines += [f'mkdir -p "$R"{target}', f'mount --bind {shlex.quote(source)} "$R"{target}']
            if read_only:
                lines.append(f'mount -o remount,bind,ro "$R"{target}')
    if service(unit, "MountAPIVFS") == ["yes"]:
        lines += ['mount -t proc proc "$R/proc"', 'mount --rbind /dev "$R/dev"']
    return lines


def _script(unit: Unit, command: str) -> str:
    chroot = 'chroot "$R" ' if service(unit, "RootDirectory") else ""
    return "\n".join([*_prelude(unit), *_enter_root(unit), f"exec {chroot}{_privileges(unit)}{command}"])


def start(root: Path, unit: Unit, output: Path) -> subprocess.Popen[bytes]:
    """ExecStart= inside `root`, in the background (its output to `output`),
    then each ExecStartPost=. The process is the service's main process."""
    with output.open("wb") as log:
        main = debroot.popen(root, "/bin/sh", "-c", _script(unit, service(unit, "ExecStart")[-1]),
                             stdout=log, stderr=subprocess.STDOUT)
    for command in service(unit, "ExecStartPost"):
        debroot.run(root, "/bin/sh", "-c", _script(unit, command), env={"MAINPID": str(main.pid)})
    return main


def run_oneshot(root: Path, unit: Unit) -> subprocess.CompletedProcess[str]:
    """A Type=oneshot unit's ExecStart=, to its end."""
    return debroot.run(root, "/bin/sh", "-c", _script(unit, service(unit, "ExecStart")[-1]), check=False)
