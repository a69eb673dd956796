"""As root, the bundled Asterisk drops to the root filesystem's asterisk
user, whose ids no account of the host has (pbx/run moves them off any
the host gives to another service, such as PostgreSQL): its process and
its files are nobody else's on the host."""

from __future__ import annotations

import grp
import os
import pwd
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.pbx import Pbx

pytestmark = [
    pytest.mark.pbx,
    pytest.mark.skipif(os.geteuid() != 0, reason="only root drops Asterisk to its own user; as a normal user it "
                       "runs in a user namespace under that user's own uid"),
]


def process_ids(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    fields = {line.split(":")[0]: line.split()[1] for line in status.splitlines() if line.startswith(("Uid", "Gid"))}
    return int(fields["Uid"]), int(fields["Gid"])


def host_has(lookup: Callable[[int], object], number: int) -> bool:
    try:
        lookup(number)
    except KeyError:
        return False
    return True


def test_asterisk_and_its_files_belong_to_no_host_account(grown: Pbx) -> None:
    pid = int((grown.home / "state" / "asterisk.pid").read_text(encoding="utf-8"))
    uid, gid = process_ids(pid)
    assert uid != 0 and gid != 0  # it did drop root
    assert not host_has(pwd.getpwuid, uid), pwd.getpwuid(uid)
    assert not host_has(grp.getgrgid, gid), grp.getgrgid(gid)
    log = grown.log_dir() / "full.log"
    assert (log.stat().st_uid, log.stat().st_gid) == (uid, gid)
