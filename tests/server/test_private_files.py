"""What the desk service writes is its own: the SQLite file (and its WAL)
0600 whatever the umask, the log folder it makes 0700 and its log 0600;
and a libpq-style database string given to it never shows its password,
on the console or in the log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agentdesk.server.store import open_store
from tests.helpers.offline import REPO, write_config

PASSWORD = "Hunter2-Secret"


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_new_sqlite_database_is_private_whatever_the_umask(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        with open_store(f"sqlite://{tmp_path}/desk.sqlite3") as store:
            store.calls.set_vip("09121234567", "a note")
            assert mode(tmp_path / "desk.sqlite3") == 0o600
            assert mode(tmp_path / "desk.sqlite3-wal") == 0o600
    finally:
        os.umask(before)


def test_a_libpq_string_never_echoes_its_password_and_the_log_is_private(tmp_path: Path) -> None:
    log = tmp_path / "new" / "logs" / "desk.log"
    config = write_config(tmp_path, log=str(log))
    database = f"host=db.example.com port=5432 user=desk password={PASSWORD} dbname=desk"
    command = [sys.executable, "-m", "agentdesk.server", "--config", str(config), "--database", database]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "cannot open the database: unsupported database URL" in result.stderr
    assert "password=***" in result.stderr
    assert PASSWORD not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    written = log.read_text(encoding="utf-8")
    assert "cannot open the database" in written and PASSWORD not in written
    assert mode(log) == 0o600
    assert mode(log.parent) == 0o700 and mode(log.parent.parent) == 0o700
    assert json.loads(config.read_text())["log"] == str(log)
