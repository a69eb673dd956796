"""Starting with the agent's session: the setting `autostart` writes the
user's XDG autostart entry, removes it again, and never touches an entry
someone else made."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from agentdesk.desktop.autostart import apply_autostart, autostart_file
from agentdesk.desktop.cli import main
from agentdesk.desktop.settings import Settings


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg config"  # a space, as in some user names
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def exec_line(path: Path) -> list[str]:
    line = next(text for text in path.read_text().splitlines() if text.startswith("Exec="))
    return shlex.split(line.removeprefix("Exec="))


def test_on_it_writes_an_entry_that_raises_or_starts_agentdesk(config_home: Path) -> None:
    apply_autostart(True)
    entry = config_home / "autostart" / "agentdesk.desktop"
    assert autostart_file() == entry
    assert "[Desktop Entry]\nType=Application\nName=AgentDesk\n" in entry.read_text()
    command = exec_line(entry)
    assert command[-1] == "dial" and Path(command[0]).exists()  # quoted: the path may hold spaces
    written = entry.stat().st_mtime_ns
    apply_autostart(True)
    assert entry.stat().st_mtime_ns == written  # nothing rewritten at every start


def test_off_it_removes_its_own_entry_only(config_home: Path) -> None:
    apply_autostart(True)
    apply_autostart(False)
    entry = config_home / "autostart" / "agentdesk.desktop"
    assert not entry.exists()
    entry.write_text("[Desktop Entry]\nType=Application\nName=AgentDesk\nExec=agentdesk --log-level DEBUG\n")
    apply_autostart(False)
    assert entry.exists()  # IT's or the user's own


def test_a_folder_it_cannot_write_is_logged_not_raised(config_home: Path) -> None:
    config_home.mkdir()
    (config_home / "autostart").write_text("not a folder")
    apply_autostart(True)  # no exception: the desktop still starts


def test_the_setting_is_one_it_can_set_and_provision(user_folders: Path) -> None:
    assert Settings().get("autostart") is False
    assert main(["config", "set", "autostart", "true"]) == 0
    assert Settings().get("autostart") is True
