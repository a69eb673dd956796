"""The desk service's own system user, when pbx/run runs as root.

The desk service needs no privilege: it listens on unprivileged ports,
talks to Asterisk over AMI and keeps its database and log in a folder of its
own (<state>/desk). Started by root, it runs as the system user `agentdesk`
(made on first use, no login, no home), with Asterisk's group as a
supplementary group only to pass through the PBX home and the state
folder, which are closed to everyone else. Its config and the directory's
secrets are root's files it may read (group `agentdesk`, 0640); its own
folder is its alone (0700).

When that user cannot run the service's Python (a checkout in a home
folder only root may enter, say), the service runs as root as before and
pbx/run says so and what to change.
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from typing import TypedDict

from . import engine as engines
from .layout import Layout, PbxError

log = logging.getLogger("agentdesk.pbxtool")

USER = "agentdesk"
OLD_FILES = ("desk.sqlite3", "desk.sqlite3-wal", "desk.sqlite3-shm", "desk.sqlite3-journal")


@dataclass(frozen=True)
class DeskUser:
    uid: int
    gid: int
    passage_gid: int  # Asterisk's group: the PBX home and state folder let it through


def prepare(layout: Layout) -> DeskUser | None:
    """The desk service's folder, made and owned right; the user to run the
    service as, or None when it runs as whoever runs pbx/run."""
    desk = layout.desk_dir
    desk.mkdir(mode=0o700, exist_ok=True)
    _move_old_database(layout)
    user = _desk_user(layout)
    if user is None:
        desk.chmod(0o700)
        return None
    for path in [desk, *desk.rglob("*")]:
        os.chown(path, user.uid, user.gid, follow_symlinks=False)
    desk.chmod(0o700)
    for readable in (layout.desk_config_file, layout.secrets_file):
        if readable.exists():
            os.chown(readable, 0, user.gid)
            readable.chmod(0o640)
    # The home folder: Asterisk's group may pass through (not list it), as
    # the state folder already lets it in (engine.prepare_state).
    os.chown(layout.home, 0, user.passage_gid)
    layout.home.chmod(0o710)
    return user


def _desk_user(layout: Layout) -> DeskUser | None:
    if os.geteuid() != 0:
        return None
    engine = engines.load(layout)
    asterisk = engine.run_as(layout) if engine is not None else None
    if asterisk is None:
        return None
    entry = _system_user()
    return DeskUser(entry.pw_uid, entry.pw_gid, asterisk[1])


def _system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    made = subprocess.run(
        [useradd, "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
         "--shell", "/usr/sbin/nologin", "--comment", "AgentDesk desk service", USER],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
    )
    if made.returncode != 0:
        raise PbxError(f"cannot make the desk service's system user {USER!r}: {made.stderr.strip()[:300]}")
    log.info("made the system user %s for the desk service", USER)
    return pwd.getpwnam(USER)


def _move_old_database(layout: Layout) -> None:
    """Earlier versions kept the database in the state folder itself."""
    for name in OLD_FILES:
        old = layout.state / name
        if old.exists() and not (layout.desk_dir / name).exists():
            old.rename(layout.desk_dir / name)


class ProcessIds(TypedDict, total=False):
    """Popen's arguments that start a process as another user."""

    user: int
    group: int
    extra_groups: list[int]


def process_ids(user: DeskUser | None) -> ProcessIds:
    """Popen's arguments that start a process as `user` (none for None)."""
    if user is None:
        return {}
    return {"user": user.uid, "group": user.gid, "extra_groups": [user.passage_gid]}

