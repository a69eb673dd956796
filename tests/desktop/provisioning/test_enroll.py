"""Setting a desktop up from a one-time link, against a stand-in desk
service over HTTPS with an authority of its own: the whole configuration
arrives, the secret only in the keyring; a link made for another service,
a used link or a missing keyring are refused with a sentence, and the
code is not spent when the desktop can tell beforehand that it would fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentdesk.desktop import credentials
from agentdesk.desktop.cli import main
from agentdesk.desktop.provisioning.enroll import enroll
from agentdesk.desktop.provisioning.link import ProvisioningError
from agentdesk.desktop.settings import Origin, Settings
from tests.desktop.provisioning.standin import SECRET, StandInDesk, fingerprint
from tests.helpers.deskcerts import make_authority


def files_holding(folder: Path, text: str) -> list[Path]:
    return [f for f in folder.rglob("*") if f.is_file() and text.encode() in f.read_bytes()]


def test_a_link_sets_up_the_account_the_authority_and_the_administrators_settings(
        desk: StandInDesk, user_folders: Path) -> None:
    settings = Settings()
    enrollment = enroll(desk.new_link(), settings)
    assert enrollment.agent == "1001" and SECRET not in repr(enrollment)
    assert credentials.load_password("1001", "127.0.0.1:5061") == SECRET
    ca_file = Path(settings.get("tls_ca_file"))
    assert ca_file.is_absolute() and ca_file.read_bytes() == desk.authority.cert_file.read_bytes()
    again = Settings()  # what the next start reads
    assert [again.get(k) for k in ("server", "user", "transport", "desk_url", "display_name")] == [
        "127.0.0.1:5061", "1001", "tls", desk.url, "Alice Example"]
    assert again.get("auto_answer") is True and again.origin("auto_answer") is Origin.LOCKED
    assert again.get("register_seconds") == 300 and again.origin("register_seconds") is Origin.PROVISIONED
    stored = json.loads(again.provisioned_path.read_text())
    assert stored["version"] == 1 and stored["locked"] == ["auto_answer"]
    for folder in ("config", "data"):
        assert files_holding(user_folders / folder, SECRET) == []


def test_a_set_up_without_its_authority_pins_the_one_the_link_vouched_for(desk: StandInDesk) -> None:
    desk.profile["tls_ca_pem"] = None
    settings = Settings()
    enroll(desk.new_link(), settings)
    assert Path(settings.get("tls_ca_file")).read_bytes() == desk.authority.cert_file.read_bytes()


def test_a_link_made_for_another_service_is_refused_before_its_code_is_sent(
        desk: StandInDesk, tmp_path: Path) -> None:
    impostor = make_authority(tmp_path / "other", "Another authority")
    with pytest.raises(ProvisioningError) as refused:
        enroll(desk.new_link(fingerprint(impostor)), Settings())
    assert str(refused.value) == (f"The desk service at 127.0.0.1:{desk.url.rsplit(':', 1)[1]} is not the one this "
                                  "link was made for: its certificate authority does not match.")
    assert desk.codes_sent == 0
    assert Settings().get("server") == "" and not Settings().provisioned_path.exists()


def test_a_service_without_a_private_authority_says_why(desk: StandInDesk) -> None:
    desk.authority.cert_file.unlink()  # the stand-in then answers as the real one does: a sentence
    with pytest.raises(ProvisioningError, match=r"did not hand out its certificate authority: this desk service's "
                                                r"certificate is from a publicly trusted authority\.$"):
        enroll(desk.new_link(), Settings())
    assert desk.codes_sent == 0


def test_a_used_link_is_refused_with_the_services_sentence(desk: StandInDesk) -> None:
    link = desk.new_link()
    enroll(link, Settings())
    with pytest.raises(ProvisioningError, match=r"^this set-up link was used already or has expired: ask for a new"):
        enroll(link, Settings())


def test_a_link_without_a_fingerprint_trusts_only_the_systems_authorities(desk: StandInDesk) -> None:
    link = desk.new_link().split("#")[0]
    with pytest.raises(ProvisioningError, match="is not trusted: no authority this computer trusts issued its "
                                                "certificate; a set-up link for it ends in #ca-sha256="):
        enroll(link, Settings())
    assert desk.requests == []  # the connection was refused before the code crossed it


def test_without_a_password_store_the_code_is_not_spent(desk: StandInDesk, user_folders: Path) -> None:
    link = desk.new_link()
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = subprocess.run([sys.executable, "-m", "agentdesk.desktop", "provision", link], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "No password store (keyring) is available" in result.stderr
    assert desk.requests == []
    enroll(link, Settings())  # the link still works once a keyring is there


def test_the_command_line_says_what_was_set_up_and_never_the_secret(
        desk: StandInDesk, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(desk.new_link() + "\n"))
    assert main(["provision", "-"]) == 0
    shown = capsys.readouterr().out
    assert "Set up agent 1001 (Alice Example): extension 1001 on 127.0.0.1:5061 over TLS." in shown
    assert "locked: auto_answer." in shown and "yours to change: language, register_seconds." in shown
    assert SECRET not in shown
    assert main(["config", "set", "auto_answer", "false"]) == 2
    assert capsys.readouterr().err == ("agentdesk: auto_answer is set by your administrator and cannot be changed "
                                       "on this computer\n")
    assert main(["config", "set", "register_seconds", "60"]) == 0  # provisioned, not locked: the agent's to change
    assert main(["config", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert "auto_answer = True  (set by your administrator, locked)" in listed
    assert "language = 'fa'  (set by your administrator)" in listed
    assert "register_seconds = 60" in listed


def test_refresh_signs_in_with_the_stored_secret_and_takes_the_administrators_changes(
        desk: StandInDesk, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provision", "--refresh"]) == 2
    assert "No account is set up" in capsys.readouterr().err
    enroll(desk.new_link(), Settings())
    desk.profile["settings"] = {"auto_answer": False, "tone_zone": "eu", "not_known_here": 1}
    desk.profile["locked"] = ["tone_zone"]
    assert main(["provision", "--refresh"]) == 0
    assert "changed: auto_answer, language, register_seconds, tone_zone." in capsys.readouterr().out
    settings = Settings()
    assert settings.get("auto_answer") is False and settings.origin("auto_answer") is Origin.PROVISIONED
    assert settings.is_locked("tone_zone") and settings.get("tone_zone") == "eu"
    desk.status_for_provisioning = 403
    desk.profile = {"error": "agents of another site cannot read these settings"}
    assert main(["provision", "--refresh"]) == 2
    assert "agentdesk: agents of another site cannot read these settings" in capsys.readouterr().err


def test_only_one_of_a_link_and_refresh(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provision"]) == 2
    assert "give either a set-up link or --refresh" in capsys.readouterr().err


class _Stdin:
    def __init__(self, text: str) -> None:
        self.text = text

    def readline(self) -> str:
        return self.text

