"""How Asterisk is launched: an installed Asterisk, or the one in the
provisioned root filesystem.

In the root filesystem, Asterisk runs under `unshare --mount` with the
project's config and the state folder bind-mounted: the mounts exist only in
that private namespace and vanish with the process, so nothing is left
mounted on the host whatever happens to Asterisk. As root it also drops to
the root filesystem's `asterisk` user; as a normal user it runs in a user
namespace (rootless).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from . import asteriskuser, rootfs
from .layout import (
    CONFIG_DIR,
    CONFIG_MOUNT,
    PRIVATE_CONFIG_FILES,
    STATE_MOUNT,
    Layout,
    PbxError,
)

ROOTFS_ASTERISK = "/usr/sbin/asterisk"
WRITABLE_FOLDERS = ("log", "run", "lib", "spool")

_MOUNT_SCRIPT = f"""set -e
root=$1; conf=$2; state=$3; devices=$4; shift 4
mount --bind "$conf" "$root{CONFIG_MOUNT}"
mount -o remount,bind,ro "$root{CONFIG_MOUNT}"
mount --bind "$state" "$root{STATE_MOUNT}"
for device in $devices; do mount --bind "/dev/$device" "$root/dev/$device"; done
exec chroot "$root" "$@"
"""


@dataclass(frozen=True)
class Engine:
    """One way of running Asterisk; saved at start so stop/cli use the same."""

    kind: str  # "rootfs" (as root), "rootless", or "system"
    binary: str
    base: str  # the state folder as Asterisk sees it
    config_root: str  # the project config folder as Asterisk sees it

    def conf_path(self) -> str:
        return f"{self.base}/etc/asterisk.conf"

    def command(self, layout: Layout, *args: str) -> list[str]:
        asterisk = [self.binary, "-C", self.conf_path(), *args]
        if self.kind == "system":
            return asterisk
        prefix = ["unshare", "--mount", "--propagation", "private"]
        devices = ""
        if self.kind == "rootless":
            prefix[1:1] = ["--user", "--map-root-user"]
            devices = " ".join(rootfs.DEVICES)
        return [
            *prefix, "/bin/sh", "-c", _MOUNT_SCRIPT, "agentdesk-pbx",
            str(layout.rootfs), str(CONFIG_DIR), str(layout.state), devices, *asterisk,
        ]

    def server_args(self, layout: Layout) -> list[str]:
        """Arguments that make Asterisk run in the foreground as a daemon."""
        args = ["-f"]
        if self.run_as(layout) is not None:
            args += ["-U", "asterisk", "-G", "asterisk"]
        return args

    def run_as(self, layout: Layout) -> tuple[int, int] | None:
        """The uid/gid Asterisk drops to, when it does."""
        if os.geteuid() != 0:
            return None
        if self.kind == "rootfs":
            return _passwd_ids(layout.rootfs / "etc" / "passwd", "asterisk")
        try:
            entry = pwd.getpwnam("asterisk")
        except KeyError:
            return None
        return entry.pw_uid, entry.pw_gid


def _passwd_ids(passwd: Path, user: str) -> tuple[int, int] | None:
    for line in passwd.read_text(encoding="utf-8").splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return int(fields[2]), int(fields[3])
    return None


def installed_asterisk() -> str | None:
    return shutil.which("asterisk") or next(
        (p for p in ("/usr/sbin/asterisk", "/usr/local/sbin/asterisk") if os.access(p, os.X_OK)), None
    )


def choose(layout: Layout) -> Engine:
    """Pick how to run Asterisk, provisioning the root filesystem if needed."""
    installed = installed_asterisk() if layout.engine in ("auto", "system") else None
    if installed:
        return Engine("system", installed, str(layout.state), str(CONFIG_DIR))
    if layout.engine == "system":
        raise PbxError("AGENTDESK_PBX_ENGINE=system but no installed asterisk was found on PATH")
    _check_platform()
    rootfs.provision(layout)
    kind = "rootfs" if os.geteuid() == 0 else "rootless"
    if kind == "rootless":
        rootfs.check_user_namespaces()
    else:
        asteriskuser.ensure_own_ids(layout.rootfs)  # Asterisk drops to this user
    return Engine(kind, ROOTFS_ASTERISK, STATE_MOUNT, CONFIG_MOUNT)


def _check_platform() -> None:
    if not Path("/etc/debian_version").exists():
        raise PbxError(
            "no installed Asterisk, and automatic provisioning needs Debian or Ubuntu.\n"
            "Install Asterisk 22 with your package manager and run pbx/run start again."
        )
    if not shutil.which("unshare"):
        raise PbxError("the unshare command (package util-linux) is needed to run the provisioned Asterisk")


def prepare_state(layout: Layout, engine: Engine) -> None:
    """Give the Asterisk user its writable folders and read access to secrets."""
    ids = engine.run_as(layout)
    if ids is None:
        return
    uid, gid = ids
    # The home and state folders are private (0700 when made): Asterisk's
    # group may enter the state folder, nobody else. An installed Asterisk
    # reaches it through the home folder; the root filesystem's, through a
    # bind mount of the state folder alone.
    entered = [layout.home, layout.state] if reaches_state_through_home(engine) else [layout.state]
    for private_folder in entered:
        os.chown(private_folder, 0, gid)
        private_folder.chmod(0o750)
    for folder in WRITABLE_FOLDERS:
        for path in [layout.state / folder, *(layout.state / folder).rglob("*")]:
            os.chown(path, uid, gid, follow_symlinks=False)
    for private in PRIVATE_CONFIG_FILES:
        os.chown(layout.state / "etc" / private, 0, gid)
    # Asterisk reads the server's key; the authority's key stays pbx/run's.
    os.chown(layout.tls_dir, 0, gid)
    layout.tls_dir.chmod(0o750)
    os.chown(layout.server_key_file, 0, gid)


def reaches_state_through_home(engine: Engine) -> bool:
    """Does this Asterisk reach the state folder through the home folder?"""
    return engine.kind == "system"


def save(layout: Layout, engine: Engine) -> None:
    (layout.state / "engine.json").write_text(json.dumps(asdict(engine)), encoding="utf-8")


def load(layout: Layout) -> Engine | None:
    path = layout.state / "engine.json"
    if not path.exists():
        return None
    return Engine(**json.loads(path.read_text(encoding="utf-8")))
