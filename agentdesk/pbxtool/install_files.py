"""Where an installed PBX server keeps things, and the files and users
`pbx/run install` puts in place (install.py runs the steps).

    /etc/agentdesk/             the site's settings (directory.csv, queues.ini,
                                callbacks.ini, monitor.ini, prompts.ini) and pbx.env
    /var/lib/agentdesk/         the PBX home: rootfs/ (Asterisk's Debian root
                                filesystem) and state/ (secrets, TLS, Asterisk's
                                generated config, AstDB, voicemail, desk/: the store)
    /var/log/agentdesk/         asterisk/ and desk/
    /opt/agentdesk-server/      the server part's own Python environment; its
                                share/agentdesk/ holds Asterisk's config templates
    /etc/systemd/system/        agentdesk-pbx-config, agentdesk-asterisk and
                                agentdesk-desk (.service)

Only the standard library here: install.py runs on Debian's own Python
before the server part's environment exists.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import subprocess
from pathlib import Path

from . import deskuser
from .layout import CONFIG_MOUNT, STATE_MOUNT, PbxError

ETC = Path("/etc/agentdesk")
ENV_FILE = ETC / "pbx.env"
HOME = Path("/var/lib/agentdesk")
STATE = HOME / "state"
ROOTFS = HOME / "rootfs"
LOGS = Path("/var/log/agentdesk")
ASTERISK_LOGS = LOGS / "asterisk"
DESK_LOGS = LOGS / "desk"
DESK_LOG = DESK_LOGS / "desk.log"
PREFIX = Path("/opt/agentdesk-server")
SHARE = PREFIX / "share" / "agentdesk"
TEMPLATES = SHARE / "asterisk"
UNIT_DIR = Path("/etc/systemd/system")
LOGROTATE = Path("/etc/logrotate.d/agentdesk")
COMMAND_LINK = Path("/usr/local/bin/agentdesk-pbx")

DESK_USER = deskuser.USER
ASTERISK_USER = "agentdesk-asterisk"  # on the host; the root filesystem's asterisk user has its ids
CONFIG_UNIT = "agentdesk-pbx-config.service"
SERVICES = ("agentdesk-asterisk.service", "agentdesk-desk.service")  # enabled: they start at boot
UNITS = (CONFIG_UNIT, *SERVICES)
_PLACEHOLDER = re.compile(r"@[A-Z_]+@")


def placeholders() -> dict[str, str]:
    """What the templates in pbx/systemd/ are filled with."""
    return {
        "@ETC@": str(ETC), "@HOME@": str(HOME), "@STATE@": str(STATE), "@ROOTFS@": str(ROOTFS),
        "@LOGS@": str(LOGS), "@PREFIX@": str(PREFIX), "@TEMPLATES@": str(TEMPLATES),
        "@CONFIG_MOUNT@": CONFIG_MOUNT, "@STATE_MOUNT@": STATE_MOUNT,
        "@ASTERISK_USER@": ASTERISK_USER, "@DESK_USER@": DESK_USER,
    }


def render(template: Path) -> str:
    text = template.read_text(encoding="utf-8")
    for key, value in placeholders().items():
        text = text.replace(key, value)
    left = _PLACEHOLDER.search(text)
    if left:
        raise PbxError(f"{template} names {left.group()}, which the installer does not know")
    return text


def write(path: Path, text: str, mode: int, owner: tuple[int, int] = (0, 0)) -> None:
    """Write `path` whole (aside, then moved in) with its mode and owner."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".agentdesk-new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chown(temporary, *owner)
    temporary.chmod(mode)
    os.replace(temporary, path)


def install_units(templates: Path) -> None:
    """The systemd units and the logrotate file: the product's, replaced at
    every install (local changes belong in drop-ins)."""
    for unit in UNITS:
        write(UNIT_DIR / unit, render(templates / unit), 0o644)
    write(LOGROTATE, render(templates / "agentdesk.logrotate"), 0o644)


def install_share(source: Path) -> None:
    """Asterisk's config templates and the README, replaced whole: they are
    the product's, not the site's."""
    partial = SHARE.with_name(SHARE.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(source / "pbx" / "asterisk", partial / "asterisk")
    shutil.copy(source / "README.md", partial / "README.md")
    shutil.rmtree(SHARE, ignore_errors=True)
    partial.rename(SHARE)


def install_settings(site: Path, templates: Path, desk_gid: int) -> list[str]:
    """The site's settings in /etc/agentdesk: made from the shipped ones
    when missing, never overwritten. Returns the names it made."""
    ETC.mkdir(mode=0o750, exist_ok=True)
    os.chown(ETC, 0, desk_gid)
    ETC.chmod(0o750)
    made = []
    for shipped in sorted(site.iterdir()):
        if shipped.suffix in (".csv", ".ini") and not (ETC / shipped.name).exists():
            write(ETC / shipped.name, shipped.read_text(encoding="utf-8"), 0o644)
            made.append(shipped.name)
    if not ENV_FILE.exists():
        write(ENV_FILE, render(templates / "pbx.env"), 0o640, (0, desk_gid))
        made.append(ENV_FILE.name)
    # It may hold the store's password: the desk service's group reads it, nobody else.
    os.chown(ENV_FILE, 0, desk_gid)
    ENV_FILE.chmod(0o640)
    return made


def system_user(name: str, comment: str, ids: tuple[int, int] | None = None) -> tuple[int, int]:
    """A system user with a group of its own, no login and no home: made if
    missing, moved to `ids` if it has others. Its uid and gid."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        entry = None
    if entry is None:
        if ids is None:
            _tool("useradd", "--system", "--user-group", *_no_login(comment), name)
        else:
            if _group_id(name) is None:
                _tool("groupadd", "--system", "--gid", str(ids[1]), name)
            _tool("useradd", "--system", "--uid", str(ids[0]), "--gid", name, *_no_login(comment), name)
    elif ids is not None and (entry.pw_uid, entry.pw_gid) != ids:
        _tool("groupmod", "--gid", str(ids[1]), name)
        _tool("usermod", "--uid", str(ids[0]), "--gid", str(ids[1]), name)
    entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def _no_login(comment: str) -> tuple[str, ...]:
    return ("--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--comment", comment)


def _group_id(name: str) -> int | None:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return None


def remove_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return
    _tool("userdel", name)
    if _group_id(name) is not None:
        _tool("groupdel", name)


def _tool(*command: str) -> None:
    found = shutil.which(command[0]) or f"/usr/sbin/{command[0]}"
    done = subprocess.run([found, *command[1:]], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise PbxError(f"{' '.join(command)} failed: {done.stderr.strip()[:300]}")
