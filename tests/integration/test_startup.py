"""Start-up as the agent meets it: the phone registers before the window is
built (desktop/phonestart.py), and what went wrong on the way shows in the
window once it is up."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QApplication

from agentdesk.desktop import credentials
from agentdesk.desktop.app import Desktop
from agentdesk.desktop.phone.engine import PhoneEngine
from agentdesk.desktop.phone.model import PhoneError, RegState
from agentdesk.desktop.phonestart import StartedPhone, start_phone
from agentdesk.desktop.settings import Settings
from tests.helpers.agent import DEFAULT_SETTINGS, Agent
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.soundserver import SoundServer

pytestmark = pytest.mark.pbx


@pytest.fixture
def agents(pbx: Pbx, sound: SoundServer) -> Iterator[list[Agent]]:
    started: list[Agent] = []
    yield started
    for agent in started:
        agent.close()


def settings_for(user: str) -> Settings:
    settings = Settings()
    for key, value in {"server": SERVER, "user": user, **DEFAULT_SETTINGS}.items():
        settings.set(key, value)
    settings.save()
    return settings


def desktop_for(qtbot: Any, agents: list[Agent], settings: Settings, phone: StartedPhone) -> Agent:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    desktop = Desktop(app, settings, phone)
    agent = Agent(qtbot, desktop, str(settings.get("user")))
    agents.append(agent)
    desktop.start()
    return agent


def test_the_phone_is_registered_before_the_window_exists_and_the_window_shows_it(
        qtbot: Any, agents: list[Agent]) -> None:
    settings = settings_for("1001")
    credentials.save_password("1001", SERVER, "demo-1001")
    phone = start_phone(settings)
    seen: list[RegState] = []
    phone.engine.registrationChanged.connect(lambda account: seen.append(account.state))
    try:
        qtbot.waitUntil(lambda: RegState.REGISTERED in seen, timeout=10000)  # no window yet
    finally:
        agent = desktop_for(qtbot, agents, settings, phone)  # closes the phone after the test
    assert agent.state is RegState.REGISTERED
    assert agent.window.header.state.text() == "Phone online"


def test_without_a_stored_password_the_window_says_so_and_the_phone_stays_offline(
        qtbot: Any, agents: list[Agent]) -> None:
    settings = settings_for("1001")
    agent = desktop_for(qtbot, agents, settings, start_phone(settings))
    assert "No password is stored for this account" in agent.window.notice.text()
    qtbot.wait(500)
    assert agent.state is RegState.OFFLINE


def test_a_password_store_that_fails_is_named_in_the_window(qtbot: Any, agents: list[Agent]) -> None:
    settings = settings_for("1001")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        phone = start_phone(settings)
    finally:
        keyring.set_keyring(previous)
    agent = desktop_for(qtbot, agents, settings, phone)
    assert agent.window.notice.text() == credentials.NO_BACKEND
    assert agent.state is RegState.OFFLINE


def test_a_sip_stack_that_cannot_start_still_gets_a_window_that_says_why(
        qtbot: Any, agents: list[Agent], monkeypatch: Any, error_log: Any) -> None:
    error_log.allowed = True  # the failed start is logged as an error
    def refuse(self: PhoneEngine, server_hint: str = "", transport_hint: str = "udp",
               tls_ca_file: str = "") -> None:
        raise PhoneError("The SIP stack did not start: no free port")

    monkeypatch.setattr(PhoneEngine, "start", refuse)
    settings = settings_for("1001")
    credentials.save_password("1001", SERVER, "demo-1001")
    agent = desktop_for(qtbot, agents, settings, start_phone(settings))
    assert agent.window.isVisible()
    assert "The SIP stack did not start: no free port" in agent.window.notice.text()


def test_an_audio_problem_reported_before_the_window_exists_still_reaches_it(
        qtbot: Any, agents: list[Agent]) -> None:
    phone = StartedPhone(settings_for("1001"))  # audio open, the SIP stack not started
    try:
        problem = "The microphone or speaker could not be opened: device busy"
        worker = threading.Thread(target=lambda: phone._audio_reported.emit(problem))
        worker.start()
        worker.join()  # reported on another thread before anyone listens, as the audio worker would
        heard: list[str] = []
        phone.audio_problem.connect(heard.append)
        qtbot.waitUntil(lambda: heard == [problem], timeout=2000)
    finally:
        phone.engine.shutdown()  # never started: it only lets its wake-up socket go
        phone.audio.close()
