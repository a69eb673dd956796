"""`pbx/run install` and `pbx/run uninstall`: the PBX as a server's services.

Why a command run from a checkout (or an unpacked release) and not a
server .deb: the server's two big parts come from registries a .deb
should not fetch from in its maintainer scripts, Asterisk 22's Debian sid
root filesystem (debootstrap, about 500 MB) and the server part's Python
libraries (PyPI, into /opt/agentdesk-server, never PySide6); a package
would have to carry both, built for each architecture, or download them
in postinst. Run again, the command is an upgrade: it changes only what
is the product's (the environment, templates, units) and keeps the site's
settings, secrets, store and logs. What goes where: install_files.py.

Started at boot by systemd, each part under its own unprivileged user:
agentdesk-pbx-config (root, one-shot, no network) makes the configuration
from /etc/agentdesk before each start of Asterisk (install_config.py);
agentdesk-asterisk runs Asterisk as the root filesystem's asterisk user
(the host's agentdesk-asterisk has its ids) with systemd itself entering
the root filesystem and mounting into it (RootDirectory=, BindPaths=);
agentdesk-desk runs the desk service as agentdesk.

Only the standard library: on a fresh server pbx/run runs this with
Debian's Python, and this makes the server part's environment.
`--root DIR` installs into another Debian system (a test's, an image's):
the installer runs again inside it, through chroot.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import asteriskuser, rootfs
from . import install_files as files
from .layout import INSTALLED, Layout, Network, PbxError

SOURCE = Path(__file__).resolve().parents[2]  # the checkout or unpacked release
SYSTEMD_TEMPLATES = "pbx/systemd"
MANAGED_BY_SYSTEMD = ("start", "stop", "desk", "provision")
PYTHONS = ((3, 11), (3, 12))  # what pyproject.toml's requires-python allows
_ENTER = """set -e
root=$1; shift
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
exec chroot "$root" "$@"
"""


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    install = commands.add_parser(
        "install", help="install the PBX server: systemd services under their own users, started at boot",
        description="Install (or upgrade) the PBX server on this Debian system: settings in /etc/agentdesk, "
        "state in /var/lib/agentdesk, logs in /var/log/agentdesk, the server part in /opt/agentdesk-server, "
        "units agentdesk-asterisk and agentdesk-desk. Run from a checkout or an unpacked release, as root.")
    install.add_argument("--root", type=Path, help="install into the Debian system at ROOT instead (through chroot)")
    install.add_argument(
        "--asterisk-rootfs", type=Path, metavar="DIR",
        help="copy this provisioned Asterisk root filesystem (e.g. ~/.cache/agentdesk/pbx/rootfs, made by "
        "pbx/run provision) instead of downloading one")
    uninstall = commands.add_parser(
        "uninstall", help="remove the PBX server's services and environment (keeps settings, state and logs)")
    uninstall.add_argument("--root", type=Path, help="uninstall from the Debian system at ROOT instead")
    uninstall.add_argument("--purge", action="store_true",
                           help="also delete /etc/agentdesk, /var/lib/agentdesk, /var/log/agentdesk and the users")
    commands.add_parser(
        "configure", help="make an installed server's configuration (run by agentdesk-pbx-config.service)")


def check_command(command: str) -> None:
    """An installed server is root's to manage, and systemd's to start."""
    if not INSTALLED:
        return
    if os.geteuid() != 0:
        raise PbxError("this PBX server is installed as services and managed by root: sudo agentdesk-pbx ...")
    if command in MANAGED_BY_SYSTEMD:
        units = " ".join(name.removesuffix(".service") for name in files.SERVICES)
        raise PbxError(f"this server runs the PBX as systemd services (pbx/run install): "
                       f"systemctl start|stop|restart|status {units}")


def run(args: argparse.Namespace) -> int:
    # The server's root filesystem is its own, never one shared with test PBXes.
    os.environ.pop("AGENTDESK_PBX_ROOTFS", None)
    if os.geteuid() != 0:
        raise PbxError(f"{args.command} needs root (it makes system users and systemd units)")
    if args.command == "configure":
        raise PbxError("configure is run by the installed server's own agentdesk-pbx")
    if args.root is not None and args.root.resolve() != Path("/"):
        return _in_root(args.root.resolve(), args)
    if args.command == "install":
        install(getattr(args, "asterisk_rootfs", None))
    else:
        uninstall(args.purge)
    return 0


def install(rootfs_from: Path | None) -> None:
    _check_source()
    python = _server_python()
    desk = files.system_user(files.DESK_USER, "AgentDesk desk service")
    print(f"Server part: {files.PREFIX} (Python {python})", flush=True)
    _install_server_part(python)
    files.install_share(SOURCE)
    _provide_rootfs(Layout(files.HOME, Network()), rootfs_from)
    asterisk = _asterisk_user()
    made = files.install_settings(SOURCE / "pbx", SOURCE / SYSTEMD_TEMPLATES, desk[1])
    print(f"Settings: {files.ETC}" + (f" (new: {', '.join(made)})" if made else " (kept as they were)"))
    files.install_units(SOURCE / SYSTEMD_TEMPLATES)
    _first_secrets()
    print(f"Users: {files.DESK_USER} ({desk[0]}) runs the desk service, {files.ASTERISK_USER} ({asterisk[0]}) "
          "Asterisk")
    _enable()


def _check_source() -> None:
    if not (SOURCE / "pyproject.toml").exists() or not (SOURCE / SYSTEMD_TEMPLATES).is_dir():
        raise PbxError("install from a checkout or an unpacked release of AgentDesk: pbx/run install")
    if not Path("/etc/debian_version").exists():
        raise PbxError("the PBX server installs on Debian (12 or newer) or Ubuntu")


def _server_python() -> str:
    """Debian's Python, checked to make virtual environments AgentDesk runs in."""
    python = shutil.which("python3") or "/usr/bin/python3"
    probe = subprocess.run([python, "-c", "import sys, ensurepip, venv; print(*sys.version_info[:2])"],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    if probe.returncode != 0:
        raise PbxError("Python's venv module is missing: apt-get install python3 python3-venv")
    version = tuple(int(part) for part in probe.stdout.split())
    if version not in PYTHONS:
        raise PbxError(f"the server part needs Python 3.11 or 3.12; this system's python3 is "
                       f"{'.'.join(map(str, version))}")
    return python


def _install_server_part(python: str) -> None:
    """The server part alone ('.[server]': no Qt, no pjsua2) in its own
    environment, built from a copy of the source (the checkout gets no
    build folders); the old version goes first, so an upgrade of the same
    version number still takes the new code."""
    if not (files.PREFIX / "bin" / "python").exists():
        _checked([python, "-m", "venv", str(files.PREFIX)], "making the environment")
    pip = [str(files.PREFIX / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    with tempfile.TemporaryDirectory(prefix="agentdesk-install-") as folder:
        staged = Path(folder)
        shutil.copytree(SOURCE / "agentdesk", staged / "agentdesk",
                        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(SOURCE / name, staged / name)
        _checked([*pip, "uninstall", "--yes", "agentdesk"], "removing the old server part")
        _checked([*pip, "install", f"{staged}[server]"], "installing the server part (pip)")
    files.COMMAND_LINK.parent.mkdir(parents=True, exist_ok=True)
    files.COMMAND_LINK.unlink(missing_ok=True)
    files.COMMAND_LINK.symlink_to(files.PREFIX / "bin" / "agentdesk-pbx")


def _provide_rootfs(layout: Layout, rootfs_from: Path | None) -> None:
    """Asterisk's root filesystem, as `pbx/run start` makes it (debootstrap),
    or copied from one made already; kept at upgrades."""
    if rootfs.is_ready(layout):
        return
    if rootfs_from is None:
        rootfs.provision(layout)
        return
    if not (rootfs_from / rootfs.READY_MARK).exists():
        raise PbxError(f"{rootfs_from} is not a provisioned Asterisk root filesystem (pbx/run provision makes one)")
    partial = layout.rootfs.with_name("rootfs.partial")
    shutil.rmtree(partial, ignore_errors=True)
    layout.rootfs.parent.mkdir(parents=True, exist_ok=True)
    print(f"Asterisk: copying the root filesystem {rootfs_from}", flush=True)
    _checked(["cp", "-a", "--reflink=auto", f"{rootfs_from}/.", f"{partial}/"], "copying the root filesystem")
    partial.rename(layout.rootfs)


def _asterisk_user() -> tuple[int, int]:
    """The host's agentdesk-asterisk and the root filesystem's asterisk user
    share ids, which no other host user or group has (asteriskuser.py)."""
    try:
        entry = pwd.getpwnam(files.ASTERISK_USER)
        own: tuple[int, int] | None = (entry.pw_uid, entry.pw_gid)
    except KeyError:
        own = None
    ids = asteriskuser.ensure_own_ids(
        files.ROOTFS,
        uid_taken=lambda n: asteriskuser.host_has_uid(n) and (own is None or n != own[0]),
        gid_taken=lambda n: asteriskuser.host_has_gid(n) and (own is None or n != own[1]),
    )
    return files.system_user(files.ASTERISK_USER, "AgentDesk PBX (Asterisk)", ids)


def _first_secrets() -> None:
    """A new server starts with random SIP passwords and PINs, never the
    README's demo ones."""
    if (files.STATE / "secrets.json").exists():
        return
    tool = files.PREFIX / "bin" / "agentdesk-pbx"
    _checked([str(tool), "secrets", "--generate"], "making the secrets")
    print(f"Secrets: random ones in {files.STATE}/secrets.json (agentdesk-pbx secrets --show)")


def _systemd_runs() -> bool:
    return Path("/run/systemd/system").is_dir()


def _enable() -> None:
    units = " ".join(name.removesuffix(".service") for name in files.SERVICES)
    if shutil.which("systemctl") is None:
        print(f"systemd is not installed here: the units are in {files.UNIT_DIR}, not enabled.")
        return
    if _systemd_runs():
        _checked(["systemctl", "daemon-reload"], "reloading systemd")
    _checked(["systemctl", "enable", "--quiet", *files.SERVICES], "enabling the services")
    if _systemd_runs():
        _checked(["systemctl", "try-restart", *files.SERVICES], "restarting the running services")
        print(f"Enabled: {units} start at boot. Start them now: systemctl start {units}")
    else:
        print(f"Enabled: {units} start at boot. systemd is not running here (a container or chroot), "
              f"so nothing was started; the units are in {files.UNIT_DIR}.")
    print(f"Next: edit {files.ENV_FILE} (addresses, ports) and {files.ETC}/directory.csv (people); "
          "agentdesk-pbx secrets --show hands out the passwords; agentdesk-pbx status")


def uninstall(purge: bool) -> None:
    if shutil.which("systemctl") is not None:
        stop = ["--now"] if _systemd_runs() else []
        subprocess.run(["systemctl", "disable", "--quiet", *stop, *files.SERVICES], capture_output=True, check=False)
    for path in (*(files.UNIT_DIR / unit for unit in files.UNITS), files.LOGROTATE, files.COMMAND_LINK):
        path.unlink(missing_ok=True)
    shutil.rmtree(files.PREFIX, ignore_errors=True)
    if _systemd_runs():
        subprocess.run(["systemctl", "daemon-reload"], capture_output=True, check=False)
    if not purge:
        print(f"Removed the services and {files.PREFIX}; kept {files.ETC}, {files.HOME}, {files.LOGS} and the "
              f"users {files.DESK_USER} and {files.ASTERISK_USER} (pbx/run uninstall --purge deletes them).")
        return
    for folder in (files.ETC, files.HOME, files.LOGS):
        shutil.rmtree(folder, ignore_errors=True)
    for user in (files.DESK_USER, files.ASTERISK_USER):
        files.remove_user(user)
    print(f"Removed the PBX server: services, {files.PREFIX}, {files.ETC}, {files.HOME}, {files.LOGS}, users.")


def _in_root(root: Path, args: argparse.Namespace) -> int:
    """Run this command again inside the Debian system at `root` (with a
    copy of the source there), as if on that server."""
    if not (root / "etc" / "debian_version").exists():
        raise PbxError(f"{root} is not a Debian system (no etc/debian_version)")
    rootfs_from = getattr(args, "asterisk_rootfs", None)
    if rootfs_from is not None:
        _provide_rootfs(Layout(root / files.HOME.relative_to("/"), Network()), rootfs_from)
    staged = Path(tempfile.mkdtemp(prefix="agentdesk-install-", dir=root / "tmp"))
    try:
        shutil.copytree(SOURCE / "agentdesk", staged / "agentdesk", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(SOURCE / "pbx", staged / "pbx")
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(SOURCE / name, staged / name)
        inside = f"/{staged.relative_to(root)}"
        command = ["python3", "-m", "agentdesk.pbxtool.install", args.command]
        if getattr(args, "purge", False):
            command.append("--purge")
        environment = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
                       "LANG": "C.UTF-8", "PYTHONPATH": inside,
                       **{k: v for k, v in os.environ.items() if k.startswith(("PIP_", "AGENTDESK_DEBIAN_"))}}
        enter = ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", _ENTER, "agentdesk-install"]
        return subprocess.run([*enter, str(root), *command], env=environment, stdin=subprocess.DEVNULL,
                              check=False).returncode
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def _checked(command: list[str], what: str) -> None:
    # Without the PYTHONPATH pbx/run gave this installer: the installed
    # tools must import the installed AgentDesk, not this source.
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
                          env=environment)
    if done.returncode != 0:
        raise PbxError(f"{what} failed ({' '.join(command[:3])} ...):\n{(done.stdout + done.stderr).strip()[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pbx/run", description="Install the AgentDesk PBX server.")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return run(args)
    except PbxError as error:
        print(f"pbx/run: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
