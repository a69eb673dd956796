"""Settings declared once, stored per user; passwords only in the keyring;
the command line IT uses to configure a desk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agentdesk.desktop import credentials
from agentdesk.desktop.cli import main
from agentdesk.desktop.settings import SETTINGS, SettingError, Settings


def test_every_setting_has_a_valid_default_and_a_title() -> None:
    for setting in SETTINGS:
        assert setting.title
        assert setting.validate(setting.default) == setting.default


def test_values_are_checked_and_unknown_keys_survive(user_folders: Path) -> None:
    settings = Settings()
    with pytest.raises(SettingError, match="host:port"):
        settings.set("server", "not a host")
    with pytest.raises(SettingError, match="one of"):
        settings.set("transport", "carrier-pigeon")
    with pytest.raises(SettingError, match="no setting"):
        settings.set("colour", "blue")
    settings.set("server", "pbx.example.com:5070")
    settings.save()
    data = json.loads(settings.path.read_text())
    data["added_by_a_newer_version"] = 1
    settings.path.write_text(json.dumps(data))
    again = Settings()
    assert again.get("server") == "pbx.example.com:5070"
    again.save()
    assert json.loads(settings.path.read_text())["added_by_a_newer_version"] == 1


def test_a_corrupt_settings_file_falls_back_to_defaults(user_folders: Path, error_log: Any) -> None:
    error_log.allowed = True  # the unreadable file is logged as an error
    settings = Settings()
    settings.path.parent.mkdir(parents=True)
    settings.path.write_text("{ half a file")
    assert Settings().get("transport") == "udp"


def test_account_add_keeps_the_password_only_in_the_keyring(
    user_folders: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin("s3cret-Pa55\n"))
    assert main(["account", "add", "--server", "pbx:5060", "--user", "1001", "--password-stdin"]) == 0
    assert credentials.load_password("1001", "pbx:5060") == "s3cret-Pa55"
    assert main(["account", "show"]) == 0
    shown = capsys.readouterr().out
    assert "stored in the keyring" in shown and "s3cret" not in shown
    config = Path(os.environ["AGENTDESK_CONFIG_DIR"])
    assert all("s3cret-Pa55" not in f.read_text() for f in config.rglob("*") if f.is_file())
    assert main(["account", "remove"]) == 0
    assert credentials.load_password("1001", "pbx:5060") is None


def test_config_set_get_and_bad_values(user_folders: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "set", "auto_answer", "true"]) == 0
    assert main(["config", "get", "auto_answer"]) == 0
    assert capsys.readouterr().out.strip() == "True"
    assert main(["config", "set", "register_seconds", "five"]) == 2
    assert "register_seconds must be a whole number, not 'five'" in capsys.readouterr().err
    assert main(["config", "set", "nonsense", "1"]) == 2


def test_no_keyring_backend_gives_a_clear_message(user_folders: Path) -> None:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = subprocess.run(
        [sys.executable, "-m", "agentdesk.desktop", "account", "add", "--server", "pbx", "--user", "1001",
         "--password-stdin"], input="pw\n", capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 2
    assert "No password store (keyring) is available" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_keyring_is_refused_unless_chosen_on_purpose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    monkeypatch.setattr(keyring, "get_keyring", lambda: PlaintextKeyring())
    with pytest.raises(credentials.CredentialStoreError, match="No password store"):
        credentials.save_password("1001", "pbx", "pw")


def test_without_a_display_the_desktop_says_so(user_folders: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    command = [sys.executable, "-m", "agentdesk.desktop"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "no graphical session" in result.stderr and "Traceback" not in result.stderr


class _Stdin:
    def __init__(self, text: str) -> None:
        self.text = text

    def readline(self) -> str:
        return self.text


def test_crm_token_is_kept_per_crm_host_in_the_keyring(
    user_folders: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin("tok-123\n"))
    assert main(["crm-token", "set", "--stdin"]) == 2
    assert "crm_lookup_url first" in capsys.readouterr().err
    assert main(["config", "set", "crm_lookup_url", "https://crm.example.com/api?phone={number}"]) == 0
    monkeypatch.setattr(sys, "stdin", _Stdin("tok-123\n"))
    assert main(["crm-token", "set", "--stdin"]) == 0
    assert credentials.load_crm_token("crm.example.com") == "tok-123"
    config = Path(os.environ["AGENTDESK_CONFIG_DIR"])
    assert all("tok-123" not in f.read_text() for f in config.rglob("*") if f.is_file())
    assert main(["crm-token", "remove"]) == 0
    assert credentials.load_crm_token("crm.example.com") is None
