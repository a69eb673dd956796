"""Zero-touch provisioning against the real PBX and desk service: a team
lead makes a one-time link, the desktop is set up from it by
`agentdesk provision`, registers and takes a queue call; the link does
not work twice; a locked setting cannot be changed from the command line
or the Settings dialog; the team lead's later change reaches the running
desktop through the desk service's event; and afterwards no file of the
desktop's holds the SIP secret. A new desktop is set up from a link pasted
into the Settings dialog it opens with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import Qt

from agentdesk.contract.provisioning import AGENT_SETTINGS_PATH, ENROLLMENTS_PATH
from agentdesk.desktop import credentials
from agentdesk.desktop.cli import main
from agentdesk.desktop.phone.model import CallState
from agentdesk.desktop.settings import Origin, Settings
from agentdesk.desktop.ui.common.settings_dialog import SettingsDialog
from tests.helpers.agent import DEFAULT_SETTINGS, Agent
from tests.helpers.callbackflow import TEAM_LEAD
from tests.helpers.callers import place_callers
from tests.helpers.desk import DeskUser
from tests.helpers.pbx import DESK_CA_FILE, Pbx
from tests.helpers.soundserver import SoundServer
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

AGENT = "1013"  # agents no other test provisions
FIRST_RUN_AGENT = "1014"


@pytest.fixture
def lead(pbx: Pbx) -> Iterator[DeskUser]:
    """The team lead; the agents' provisioned settings, queues and calls are cleared afterwards."""
    lead = DeskUser(TEAM_LEAD)
    yield lead
    for user in (AGENT, FIRST_RUN_AGENT):
        lead.ok("PUT", AGENT_SETTINGS_PATH.format(agent=user), {"settings": {}, "locked": []})
    agent = DeskUser(AGENT)
    agent.leave("support")
    agent.unpause()
    pbx.cli("channel request hangup all")  # a caller left waiting must not reach the next test's agents
    wait_until(lambda: "0 active channels" in pbx.cli("core show channels count"), what="no calls left")


def new_link(lead: DeskUser, agent: str) -> str:
    return str(lead.ok("POST", ENROLLMENTS_PATH, {"agents": [agent], "hours": 1})["enrollments"][0]["link"])


def started_desktop(qtbot: Any, user: str = AGENT) -> Agent:
    """The desktop as `agentdesk` starts it, with what the link set up (and the tests' sound devices)."""
    settings = Settings()
    for key, value in DEFAULT_SETTINGS.items():
        settings.set(key, value)
    settings.save()
    return Agent.start(qtbot, settings, user)


def test_a_desktop_set_up_from_a_link_works_keeps_its_secret_and_follows_its_team_lead(
        qtbot: Any, pbx: Pbx, sound: SoundServer, lead: DeskUser, user_folders: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    lead.ok("PUT", AGENT_SETTINGS_PATH.format(agent=AGENT),
            {"settings": {"tone_zone": "eu", "auto_answer": False}, "locked": ["tone_zone"]})
    link = new_link(lead, AGENT)

    assert main(["provision", link]) == 0
    told = capsys.readouterr().out
    assert f"Set up agent {AGENT} (Hamid Sadeghi)" in told and "locked: tone_zone." in told
    assert main(["provision", link]) == 2
    assert capsys.readouterr().err.startswith("agentdesk: this enrollment link was used already")
    assert main(["config", "set", "tone_zone", "us"]) == 2
    assert capsys.readouterr().err == ("agentdesk: tone_zone is set by your administrator and cannot be changed "
                                       "on this computer\n")

    agent = started_desktop(qtbot)
    try:
        agent.wait_registered()
        pbx.wait_registered(AGENT)
        agent.desktop.open_settings()
        dialog = agent.window.findChild(SettingsDialog)
        assert dialog is not None and not dialog.editors["tone_zone"].isEnabled()
        assert dialog.editors["auto_answer"].isEnabled()
        dialog.reject()

        with qtbot.waitSignal(agent.desktop.provisioning.changed, timeout=10000) as changed:
            lead.ok("PUT", AGENT_SETTINGS_PATH.format(agent=AGENT),
                    {"settings": {"tone_zone": "eu", "auto_answer": True}, "locked": ["tone_zone", "auto_answer"]})
        assert changed.args == [frozenset({"auto_answer"})]

        DeskUser(AGENT).join("support")
        place_callers("support", count=1, patience=30, talk=5)
        call = agent.wait_call(lambda c: c.state is CallState.ACTIVE and c.has_audio, timeout=20)
        assert call.queue == "support"  # answered by the desktop itself: the team lead's auto_answer
        agent.wait_no_calls(timeout=15)
    finally:
        agent.close()

    server = Settings().get("server")
    secret = credentials.load_password(AGENT, server)
    assert secret, f"no secret in the keyring for {AGENT} on {server}"
    holding = [f for folder in ("config", "data") for f in (user_folders / folder).rglob("*")
               if f.is_file() and secret.encode() in f.read_bytes()]
    assert holding == []


def test_a_new_desktop_is_set_up_from_a_link_pasted_on_its_first_run(
        qtbot: Any, pbx: Pbx, sound: SoundServer, lead: DeskUser) -> None:
    lead.ok("PUT", AGENT_SETTINGS_PATH.format(agent=FIRST_RUN_AGENT), {"settings": {"language": "fa"}, "locked": []})
    used = new_link(lead, FIRST_RUN_AGENT)
    spent = requests.post(used.split("#")[0], timeout=10, verify=str(DESK_CA_FILE))  # on another computer
    assert spent.status_code == 200

    agent = started_desktop(qtbot, FIRST_RUN_AGENT)  # no account yet: Settings opens by itself
    try:
        dialog = agent.window.findChild(SettingsDialog)
        assert dialog is not None
        qtbot.waitUntil(dialog.isVisible)
        dialog.link.setText(used)
        qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.problem.isVisible(), timeout=10000)
        assert dialog.problem.text().startswith("this enrollment link was used already")
        dialog.link.setText(new_link(lead, FIRST_RUN_AGENT))
        qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
        agent.wait_registered()
        pbx.wait_registered(FIRST_RUN_AGENT)
        settings = agent.desktop.settings
        assert settings.get("language") == "fa" and settings.origin("language") is Origin.PROVISIONED
    finally:
        agent.close()
