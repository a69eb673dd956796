"""The desktop's log, call history, wrap-up drafts and outbox, and settings
are readable by the agent alone: folders 0700, files 0600, from their
creation on (a permissive umask notwithstanding), and files or folders an
earlier version left readable are tightened when they are opened again."""

from __future__ import annotations

import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.desktop.history import CallHistory, HistoryEntry, Outcome
from agentdesk.desktop.link.wrapups import WrapUpDraft, WrapUpFiles
from agentdesk.desktop.logs import setup_logging
from agentdesk.desktop.phone.model import Direction
from agentdesk.desktop.settings import Settings, config_dir, data_dir

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes do not apply on Windows")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def everything_under(root: Path) -> list[Path]:
    return [root, *root.rglob("*")]


def assert_private(root: Path) -> None:
    loose = {str(p.relative_to(root.parent)): oct(mode(p)) for p in everything_under(root)
             if mode(p) != (0o700 if p.is_dir() else 0o600)}
    assert loose == {}


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """What many desktops have: new files readable by everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_the_log_and_its_rotations_are_private(root_logger: logging.Logger) -> None:
    path = setup_logging("info", data_dir())
    logging.getLogger("agentdesk.desktop").info("a caller 09121110001 rang")
    handler = next(h for h in root_logger.handlers if isinstance(h, logging.handlers.RotatingFileHandler))
    handler.doRollover()  # the fresh file after a rotation too
    logging.getLogger("agentdesk.desktop").info("after the rotation")
    assert path.with_name("agentdesk.log.1").exists() and "after the rotation" in path.read_text()
    assert_private(data_dir())


def test_the_call_history_is_private() -> None:
    history = CallHistory(data_dir() / "history.sqlite3")
    history.add(HistoryEntry(Direction.INCOMING, "09121110001", "Reza", "support", 1.0, 2.0, 60.0,
                             Outcome.ANSWERED, ""))
    assert [e.number for e in history.recent()] == ["09121110001"]
    assert_private(data_dir())


def test_wrapup_drafts_and_the_outbox_are_private() -> None:
    files = WrapUpFiles(data_dir() / "wrapups")
    files.save_draft(WrapUpDraft("1001", "1800000000.1", notes="customer is angry about invoice 4411"))
    files.submit(WrapUpDraft("1001", "1800000000.2", notes="sent"), keep_draft=True)
    assert len(list((data_dir() / "wrapups").rglob("*.json"))) == 2
    assert_private(data_dir())


def test_the_settings_are_private() -> None:
    settings = Settings()
    settings.set("user", "1001")
    settings.save()
    assert (config_dir() / "settings.json").exists()
    assert_private(config_dir())


def test_what_an_earlier_version_left_readable_is_tightened(root_logger: logging.Logger) -> None:
    folder = data_dir()
    folder.mkdir(parents=True, mode=0o755)
    for name in ("history.sqlite3", "agentdesk.log"):
        (folder / name).touch(mode=0o644)
        os.chmod(folder / name, 0o644)
    os.chmod(folder, 0o755)
    CallHistory(folder / "history.sqlite3")
    setup_logging("info", folder)
    assert_private(folder)
