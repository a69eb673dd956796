"""Asterisk's own user inside the root filesystem gets host ids nobody uses.

debootstrap gives the root filesystem's `asterisk` user the next free
system uid and gid *of the root filesystem* (often 101), which on the host
may well be another service's (PostgreSQL's, say): Asterisk, dropped to
that uid, could then read that service's files, and its own files would
show up on the host as that service's. Before each start as root,
`pbx/run` checks the ids against the host's users and groups and, when
another user or group has them, moves the root filesystem's asterisk user
and group to ids free on both sides, re-owning its files there.

The root filesystem may serve several PBX homes: the change is made under
a lock, and a home's state folder is re-owned at its own next start
(engine.prepare_state).
"""

from __future__ import annotations

import fcntl
import grp
import os
import pwd
from collections.abc import Callable
from pathlib import Path

from .layout import PbxError

USER = "asterisk"
# Searched from the top of the system range down: adduser hands out system
# ids from the bottom, so the two rarely meet.
CANDIDATES = range(999, 99, -1)
LOCK = ".agentdesk-ids.lock"

HostHasId = Callable[[int], bool]


def host_has_uid(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def host_has_gid(gid: int) -> bool:
    try:
        grp.getgrgid(gid)
    except KeyError:
        return False
    return True


def ensure_own_ids(
    root: Path, uid_taken: HostHasId = host_has_uid, gid_taken: HostHasId = host_has_gid
) -> tuple[int, int]:
    """The uid and gid of the root filesystem's asterisk user, moved first
    if the host gives either to somebody."""
    with (root / LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        passwd, group = root / "etc" / "passwd", root / "etc" / "group"
        uid, gid = _ids(passwd, 2), _ids(group, 2)
        if not uid_taken(uid) and not gid_taken(gid):
            return uid, gid
        used_uids, used_gids = _all_ids(passwd), _all_ids(group)
        free = next(
            (n for n in CANDIDATES
             if not (uid_taken(n) or gid_taken(n) or n in used_uids or n in used_gids)),
            None,
        )
        if free is None:
            raise PbxError("no user and group id from 100 to 999 is free on this host and in the Asterisk "
                           "root filesystem; Asterisk would share its user with another service")
        _rewrite(passwd, {2: free, 3: free})
        _rewrite(group, {2: free})
        _reown(root, uid, gid, free)
        return free, free


def _ids(table: Path, field: int) -> int:
    for line in table.read_text(encoding="utf-8").splitlines():
        fields = line.split(":")
        if fields[0] == USER:
            return int(fields[field])
    raise PbxError(f"the Asterisk root filesystem has no {USER} entry in {table}; provision it again")


def _all_ids(table: Path) -> set[int]:
    return {int(line.split(":")[2]) for line in table.read_text(encoding="utf-8").splitlines()
            if line.count(":") >= 2 and line.split(":")[2].isdigit()}


def _rewrite(table: Path, values: dict[int, int]) -> None:
    lines = []
    for line in table.read_text(encoding="utf-8").splitlines():
        fields = line.split(":")
        if fields[0] == USER:
            for index, value in values.items():
                fields[index] = str(value)
        lines.append(":".join(fields))
    temporary = table.with_name(table.name + ".agentdesk")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(temporary, table.stat().st_mode & 0o777)
    os.replace(temporary, table)


def _reown(root: Path, uid: int, gid: int, new: int) -> None:
    """Give the files of the old uid or gid in the root filesystem the new one."""
    for folder, names, files in os.walk(root):
        for name in (*names, *files):
            path = os.path.join(folder, name)
            status = os.lstat(path)
            if status.st_uid == uid or status.st_gid == gid:
                os.chown(path, new if status.st_uid == uid else status.st_uid,
                         new if status.st_gid == gid else status.st_gid, follow_symlinks=False)
        names[:] = [n for n in names if not os.path.ismount(os.path.join(folder, n))]
