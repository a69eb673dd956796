"""The window's header: who is logged in, the registration state, settings."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from ...phone.model import AccountSnapshot, RegState
from ..common.icons import icon
from ..common.text import clean_text, plain_label, plain_tooltip


def state_text(state: RegState) -> str:
    texts = {
        RegState.OFFLINE: QCoreApplication.translate("Header", "Offline"),
        RegState.REGISTERING: QCoreApplication.translate("Header", "Connecting…"),
        RegState.REGISTERED: QCoreApplication.translate("Header", "Phone online"),
        RegState.FAILED: QCoreApplication.translate("Header", "Login failed"),
        RegState.UNREACHABLE: QCoreApplication.translate("Header", "PBX unreachable"),
    }
    return texts[state]


class Header(QFrame):
    settingsRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Header")
        self.name = plain_label("", "AgentName")
        self.detail = plain_label("", "CallerDetail")
        self.state = plain_label("", "StatePill", self)
        self.settings_button = QToolButton(self)
        self.settings_button.setIcon(icon("settings"))
        self.settings_button.setToolTip(self.tr("Settings (Ctrl+,)"))
        self.settings_button.setAutoRaise(True)
        self.settings_button.clicked.connect(self.settingsRequested)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.name)
        names.addWidget(self.detail)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        logo = QLabel(self)
        logo.setPixmap(icon("agentdesk", size=32).pixmap(32, 32))
        row.addWidget(logo)
        row.addLayout(names, 1)
        row.addWidget(self.state)
        row.addWidget(self.settings_button)
        self._row = row
        self.show_account(AccountSnapshot(RegState.OFFLINE), "")

    def add_button(self, button: QWidget) -> None:
        """A button of an optional part (a team lead's Monitor), before Settings."""
        self._row.insertWidget(self._row.indexOf(self.settings_button), button)

    def show_account(self, snapshot: AccountSnapshot, display_name: str) -> None:
        self.name.setText(clean_text(display_name or snapshot.user) or self.tr("No account"))
        detail = (clean_text(f"{snapshot.user} · {snapshot.server}") if snapshot.user
                  else self.tr("Open settings to log in"))
        self.detail.setText(detail)
        self.state.setText(state_text(snapshot.state))
        self.state.setProperty("state", snapshot.state.value)
        self.state.setToolTip(plain_tooltip(snapshot.reason))
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)
