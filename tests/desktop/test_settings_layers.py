"""Settings in layers (an administrator's locked value, the agent's own
choice, an administrator's value, the default) and settings.json
versions: an older file is brought up to date, a newer one is not harmed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentdesk.contract.provisioning import PROVISIONABLE
from agentdesk.desktop.settings import (
    BY_KEY,
    SCHEMA_VERSION,
    Origin,
    SettingError,
    Settings,
    upgrade,
)


def test_every_provisionable_setting_is_a_desktop_setting_of_the_same_kind() -> None:
    assert {key: BY_KEY[key].kind for key in PROVISIONABLE} == PROVISIONABLE


def test_locked_beats_the_agent_who_beats_the_administrator_who_beats_the_default(user_folders: Path) -> None:
    settings = Settings()
    settings.set("tone_zone", "ir")
    settings.set("auto_answer", False)
    changed = settings.provision({"tone_zone": "eu", "auto_answer": True, "language": "fa"}, ["auto_answer"])
    assert changed == {"auto_answer", "language"}  # tone_zone stays the agent's own "ir"
    assert (settings.get("tone_zone"), settings.origin("tone_zone")) == ("ir", Origin.USER)
    assert (settings.get("auto_answer"), settings.origin("auto_answer")) == (True, Origin.LOCKED)
    assert (settings.get("language"), settings.origin("language")) == ("fa", Origin.PROVISIONED)
    assert (settings.get("crm_timeout_ms"), settings.origin("crm_timeout_ms")) == (2000, Origin.DEFAULT)
    with pytest.raises(SettingError, match=r"^auto_answer is set by your administrator"):
        settings.set("auto_answer", False)
    settings.reset("tone_zone")
    assert settings.get("tone_zone") == "eu"
    settings.save()
    again = Settings()  # both stores survive a restart
    assert again.get("auto_answer") is True and again.get("tone_zone") == "eu" and again.is_locked("auto_answer")
    assert json.loads(again.path.read_text())["auto_answer"] is False  # the agent's own, outranked by the lock


def test_a_lock_without_a_value_keeps_the_default(user_folders: Path) -> None:
    settings = Settings()
    settings.set("register_seconds", 60)
    settings.provision({}, ["register_seconds"])
    assert settings.get("register_seconds") == 120 and settings.origin("register_seconds") is Origin.LOCKED


def test_what_this_desktop_cannot_take_is_left_out_and_the_rest_applies(user_folders: Path) -> None:
    settings = Settings()
    changed = settings.provision({"register_seconds": 5, "from_a_newer_service": "x", "tone_zone": "ru"},
                                 ["from_a_newer_service", "tone_zone"])
    assert changed == {"tone_zone"}
    assert settings.get("register_seconds") == 120 and settings.is_locked("tone_zone")
    with pytest.raises(SettingError, match="not an object"):
        settings.provision(["tone_zone"], [])


def test_a_version_1_file_is_upgraded_and_what_it_did_not_choose_yields_to_the_administrator(
        user_folders: Path) -> None:
    # Version 1 stored every setting at each save of the dialog, defaults included.
    folder = user_folders / "config"
    folder.mkdir(parents=True)
    (folder / "settings.json").write_text(json.dumps({
        "version": 1, "server": "pbx:5060", "auto_answer": False, "tone_zone": "us", "language": "",
        "register_seconds": 300, "a_key_of_a_newer_version": [1, 2]}))
    settings = Settings()
    assert settings.notice == ""
    settings.provision({"auto_answer": True, "tone_zone": "eu", "register_seconds": 600}, [])
    assert settings.get("auto_answer") is True and settings.get("tone_zone") == "eu"
    assert settings.get("register_seconds") == 300  # not a default: the agent chose it
    settings.save()
    stored = json.loads((folder / "settings.json").read_text())
    assert stored == {"version": SCHEMA_VERSION, "server": "pbx:5060", "register_seconds": 300,
                      "a_key_of_a_newer_version": [1, 2]}


def test_a_file_from_a_newer_agentdesk_is_read_kept_and_said(user_folders: Path, caplog: Any) -> None:
    folder = user_folders / "config"
    folder.mkdir(parents=True)
    newer = {"version": SCHEMA_VERSION + 1, "server": "pbx:5060", "auto_answer": False,
             "audio": {"microphone": "Headset"}, "tone_zone": {"moved": "elsewhere"}}
    (folder / "settings.json").write_text(json.dumps(newer))
    settings = Settings()
    assert f"written by a newer AgentDesk (settings version {SCHEMA_VERSION + 1}" in settings.notice
    assert settings.notice in caplog.text
    assert settings.get("server") == "pbx:5060" and settings.get("tone_zone") == "us"  # unreadable: the default
    settings.set("language", "fa")
    settings.save()
    assert json.loads((folder / "settings.json").read_text()) == {**newer, "language": "fa"}


def test_upgrade_runs_each_step_in_order() -> None:
    steps = {1: lambda v: {**v, "a": 1}, 2: lambda v: {**v, "b": v["a"] + 1}}
    assert upgrade({"x": 0}, steps, 3) == ({"x": 0, "a": 1, "b": 2, "version": 3}, "")
    assert upgrade({"version": 2, "a": 5}, steps, 3) == ({"version": 3, "a": 5, "b": 6}, "")
    assert upgrade({"version": 3}, steps, 3) == ({"version": 3}, "")
