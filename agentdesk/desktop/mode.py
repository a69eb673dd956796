"""Team lead monitor mode, built only for a team lead: the first snapshot
whose signed-in person has the role teamlead imports and builds the
monitor (its link, models and windows), adds a "Monitor" button to the
header, Ctrl+M (the monitor window) and Ctrl+Shift+W (the wallboard). An
agent's desktop never imports any of it.

It also answers the supervision call that rings the lead's own phone —
but only one carrying (in its X-AgentDesk-Supervise header, the call's
`supervision`) a session this desktop asked for within the last
EXPECT_SECONDS; any other call with that header rings like any call.
The ring can overtake the service's answer to the request: such a ring
waits, and is answered when the answer names its session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QToolButton

from agentdesk.contract.queues import DeskSnapshot

from .link.connection import DeskConnection
from .phone.model import CallSnapshot, CallState
from .phone.protocol import Phone
from .ui.phone.main_window import MainWindow

if TYPE_CHECKING:  # imported when built, not before: an agent's desktop pays nothing for monitor mode
    from .ui.monitor.controller import MonitorDesk

TEAMLEAD = "teamlead"
EXPECT_SECONDS = 20.0


class MonitorMode(QObject):
    """`desk` is None until a team lead signs in (and stays None for an agent)."""

    def __init__(self, link: DeskConnection, engine: Phone, window: MainWindow,
                 monotonic: Callable[[], float] = time.monotonic, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._link = link
        self._engine = engine
        self._window = window
        self._monotonic = monotonic
        self.desk: MonitorDesk | None = None
        self.button: QToolButton | None = None
        self._requested: dict[str, float] = {}  # session -> when this desktop asked for it
        self._ringing: dict[str, int] = {}  # session -> a ringing call that came before the answer
        link.snapshot_received.connect(self._snapshot)
        engine.incomingCall.connect(self._incoming)
        engine.callChanged.connect(self._call_changed)

    def _snapshot(self, snapshot: DeskSnapshot) -> None:
        if snapshot.me.role == TEAMLEAD and self.desk is None:
            self._build()
        if self.desk is not None:
            self.desk.link.desk_connected(snapshot)

    def _build(self) -> None:
        from .link.monitor_link import MonitorLink
        from .ui.monitor.controller import MonitorDesk

        link = MonitorLink(self._link, self)
        self.desk = MonitorDesk(link, self._window.show_problem, monotonic=self._monotonic, parent=self)
        self.desk.session_requested.connect(self.session_requested)
        self.button = QToolButton(self._window.header)
        self.button.setText(self.tr("Monitor"))
        self.button.setToolTip(self.tr("The floor: agents, queues, live calls (Ctrl+M)"))
        self.button.clicked.connect(self.show_monitor)
        self._window.header.add_button(self.button)
        for keys, action in (("Ctrl+M", self.show_monitor), ("Ctrl+Shift+W", self.desk.show_wallboard)):
            shortcut = QShortcut(QKeySequence(keys), self._window)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(action)

    def show_monitor(self) -> None:
        if self.desk is not None:
            window = self.desk.window
            window.show()
            window.raise_()
            window.activateWindow()

    # -- the supervision call on the lead's own phone ------------------------------------
    def session_requested(self, session: str, sent_at: float) -> None:
        self._requested[session] = sent_at
        call_id = self._ringing.pop(session, None)
        call = self._engine.calls.get(call_id) if call_id is not None else None
        if call is not None and call.state is CallState.RINGING_IN and self.expects(call):
            self._engine.answer(call.call_id)

    def expects(self, call: CallSnapshot) -> bool:
        """A supervision call for a session this desktop asked for within EXPECT_SECONDS."""
        sent_at = self._requested.get(call.supervision)
        return sent_at is not None and self._monotonic() - sent_at <= EXPECT_SECONDS

    def _incoming(self, call: CallSnapshot) -> None:
        session = call.supervision
        if not session:
            return
        if self.expects(call):
            self._engine.answer(call.call_id)
        elif self.desk is not None:
            self._ringing[session] = call.call_id

    def _call_changed(self, call: CallSnapshot) -> None:
        if call.state is not CallState.RINGING_IN:
            self._ringing = {s: c for s, c in self._ringing.items() if c != call.call_id}

    def shutdown(self) -> None:
        if self.desk is not None:
            self.desk.link.stop()
            self.desk.close()
