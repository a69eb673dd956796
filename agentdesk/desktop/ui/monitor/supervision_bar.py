"""The bar over the board while the lead supervises a call: whose call,
how (Listen / Whisper / Barge, switchable without ringing again) and Leave.

Signals `mode_requested(str)` and `leave_requested()`; `show_session`
shows a session (None or an ended one hides the bar).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QFrame, QHBoxLayout, QPushButton, QWidget

from agentdesk.contract.leads import BARGE, LISTEN, MODES, SESSION_ENDED, SESSION_FAILED, SESSION_RINGING, WHISPER
from agentdesk.contract.leads import Supervision as Session

from ..common.text import isolate, plain_label


class SupervisionBar(QFrame):
    mode_requested = Signal(str)
    leave_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SupervisionBar")
        self.setStyleSheet("#SupervisionBar { background: #e8f0fe; border: 1px solid #1a73e8; border-radius: 8px; }")
        self.session: Session | None = None
        self.label = plain_label("", "SupervisionText", self)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        texts = {LISTEN: (self.tr("Listen"), self.tr("You hear both; nobody hears you")),
                 WHISPER: (self.tr("Whisper"), self.tr("Only the agent hears you")),
                 BARGE: (self.tr("Barge"), self.tr("The agent and the caller hear you"))}
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        row.addWidget(self.label, 1)
        for mode in MODES:
            button = QPushButton(texts[mode][0], self)
            button.setCheckable(True)
            button.setToolTip(texts[mode][1])
            button.clicked.connect(lambda _checked=False, m=mode: self._choose(m))
            self.group.addButton(button)
            self.buttons[mode] = button
            row.addWidget(button)
        self.leave_button = QPushButton(self.tr("Leave"), self)
        self.leave_button.clicked.connect(self.leave_requested)
        row.addWidget(self.leave_button)
        self.hide()

    def show_session(self, session: Session | None) -> None:
        if session is None or session.state in (SESSION_ENDED, SESSION_FAILED):
            self.session = None
            self.hide()
            return
        self.session = session
        who = isolate(session.agent_name or session.agent)
        text = (self.tr("Ringing your phone to supervise %1…") if session.state == SESSION_RINGING
                else self.tr("Supervising %1's call"))
        self.label.setText(text.replace("%1", who))
        if session.mode in self.buttons:
            self.buttons[session.mode].setChecked(True)
        self.show()

    def _choose(self, mode: str) -> None:
        if self.session is not None and mode != self.session.mode:
            self.mode_requested.emit(mode)
