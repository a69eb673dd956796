"""An AgentDesk desktop under test: the real Desktop (settings, keyring,
engine, audio bridge, main window) in this process, driven with pytest-qt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QApplication

from agentdesk.desktop import credentials
from agentdesk.desktop.app import Desktop
from agentdesk.desktop.phone.model import CallSnapshot, CallState, RegState
from agentdesk.desktop.phonestart import start_phone
from agentdesk.desktop.settings import Settings
from agentdesk.desktop.ui.common.style import STYLE_SHEET
from tests.helpers.soundserver import DEVICE

DEFAULT_SETTINGS = {"microphone": DEVICE, "speaker": DEVICE, "ring_device": DEVICE}


class Agent:
    def __init__(self, qtbot: Any, desktop: Desktop, user: str = "") -> None:
        self.qtbot = qtbot
        self.user = user
        self.desktop = desktop
        self.window = desktop.window
        self.engine = desktop.engine
        self.calls_seen: list[CallSnapshot] = []
        self.closed = False
        self.engine.callChanged.connect(self.calls_seen.append)

    @classmethod
    def create(cls, qtbot: Any, user: str, password: str, server: str, overrides: dict[str, Any]) -> Agent:
        settings = Settings()
        for key, value in {"server": server, "user": user, **DEFAULT_SETTINGS, **overrides}.items():
            settings.set(key, value)
        settings.save()
        credentials.save_password(user, server, password)
        return cls.start(qtbot, settings, user)

    @classmethod
    def start(cls, qtbot: Any, settings: Settings, user: str) -> Agent:
        """The desktop as `agentdesk` starts it, with these settings."""
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.setStyleSheet(STYLE_SHEET)
        desktop = Desktop(app, settings, start_phone(settings))
        desktop.start()
        return cls(qtbot, desktop, user)

    @property
    def state(self) -> RegState:
        return self.engine.account.state

    def wait_registered(self, state: RegState = RegState.REGISTERED, timeout: float = 10.0) -> None:
        self.qtbot.waitUntil(lambda: self.state is state, timeout=int(timeout * 1000))

    def live(self) -> list[CallSnapshot]:
        return sorted(self.engine.live_calls(), key=lambda c: c.call_id)

    def wait_call(self, check: Callable[[CallSnapshot], bool], timeout: float = 10.0) -> CallSnapshot:
        found: list[CallSnapshot] = []

        def match() -> bool:
            found[:] = [c for c in self.live() if check(c)]
            return bool(found)

        self.qtbot.waitUntil(match, timeout=int(timeout * 1000))
        return found[0]

    def wait_state(self, state: CallState, timeout: float = 10.0) -> CallSnapshot:
        return self.wait_call(lambda c: c.state is state, timeout)

    def wait_no_calls(self, timeout: float = 10.0) -> None:
        self.qtbot.waitUntil(lambda: not self.live(), timeout=int(timeout * 1000))

    def wait_ended(self, timeout: float = 10.0) -> CallSnapshot:
        self.qtbot.waitUntil(lambda: any(c.state is CallState.ENDED for c in self.calls_seen),
                             timeout=int(timeout * 1000))
        return next(c for c in reversed(self.calls_seen) if c.state is CallState.ENDED)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with self.qtbot.waitSignal(self.desktop.finished, timeout=15000):
            self.desktop.quit()
        self.window.close()
        self.window.incoming.close()
        self.window.deleteLater()
