"""The agent's own contact-center state and controls: activity with time in
state, queue log-in toggles, Pause (with a reason) and Ready.

Toggles are offered only for the queues the directory lets the agent join
(the service names them in the agent's state), plus any queue they are in
now, so that they can always leave it; the other queues stay visible in the
queue panel, with no way to join them here."""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QPoint, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from agentdesk.contract.leads import ControlNotice
from agentdesk.contract.queues import AgentState
from agentdesk.contract.states import MISSED_CALL_REASON, AgentActivity

from ..common.flow import FlowLayout
from ..common.style import (
    ACCENT,
    BAD,
    GOOD,
    MUTED,
    WARN,
)
from ..common.text import clean_text, format_duration, plain_label, plain_tooltip
from ..common.ticking import ClockLabel
from ..common.when import time_text
from .lead_notices import control_text
from .queue_panel import Clock, set_style_property

MAX_QUEUE_SHORTCUTS = 9

BAR_STYLE = f"""
#AgentBar {{ background: #ffffff; border: 1px solid #dadce0; border-radius: 10px; }}
#ActivityPill {{ border-radius: 10px; padding: 2px 10px; font-weight: 600; color: #ffffff; background: {MUTED}; }}
#ActivityPill[activity="ready"] {{ background: {GOOD}; }}
#ActivityPill[activity="ringing"], #ActivityPill[activity="on_call"] {{ background: {ACCENT}; }}
#ActivityPill[activity="paused"] {{ background: {WARN}; }}
#ActivityPill[activity="unavailable"] {{ background: {BAD}; }}
#ActivityTimer {{ font-family: monospace; font-size: 11pt; color: #202124; }}
#QueueToggle {{ border: 1px solid #dadce0; border-radius: 8px; background: #ffffff; padding: 3px 10px; }}
#QueueToggle:checked {{ background: #e6f4ea; border-color: {GOOD}; color: #0d652d; }}
#QueueToggle:focus, #CallControl:focus {{ border: 2px solid {ACCENT}; }}
"""


def mnemonic_safe(text: str) -> str:
    """Button and menu texts treat '&' as a shortcut marker; show it literally."""
    return clean_text(text).replace("&", "&&")


def activity_text(activity: AgentActivity, reason: str) -> str:
    translate = QCoreApplication.translate
    if activity is AgentActivity.PAUSED:
        shown = translate("AgentBar", "missed call") if reason == MISSED_CALL_REASON else clean_text(reason)
        return translate("AgentBar", "Paused: %1").replace("%1", shown) if shown else translate("AgentBar", "Paused")
    texts = {
        AgentActivity.READY: translate("AgentBar", "Ready"),
        AgentActivity.RINGING: translate("AgentBar", "Ringing"),
        AgentActivity.ON_CALL: translate("AgentBar", "On call"),
        AgentActivity.LOGGED_OUT: translate("AgentBar", "Logged out"),
        AgentActivity.UNAVAILABLE: translate("AgentBar", "Phone unavailable"),
    }
    return texts[activity]


class AgentBar(QFrame):
    """The agent's state in the contact center and the commands to change it.

    Signals: `queue_login_requested(queue, logged_in)`,
    `pause_requested(reason)` ('' when the service offers no reasons),
    `unpause_requested()`. The bar shows what the service last said
    (`show_state`), which toggles to offer included (see the module
    docstring); while a command is on its way (`set_pending(True)`) the
    controls are disabled, and afterwards the toggles show the service's
    truth again, whatever the agent clicked.

    Keyboard: Ctrl+P opens the pause menu (then 1–9, or the arrows and
    Enter, pick the reason; Esc closes it), Ctrl+R is Ready (unpause),
    Ctrl+1 … Ctrl+9 log in to or out of the first nine queues offered.
    """

    queue_login_requested = Signal(str, bool)
    pause_requested = Signal(str)
    unpause_requested = Signal()

    def __init__(self, parent: QWidget | None = None, clock: Clock = time.time) -> None:
        super().__init__(parent)
        self.setObjectName("AgentBar")
        self.setStyleSheet(BAR_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._clock = clock
        self._offset = 0.0
        self._state: AgentState | None = None
        self._titles: list[tuple[str, str]] = []
        self._reasons: tuple[str, ...] = ()
        self._pending = False
        self.toggles: dict[str, QToolButton] = {}
        self._build()
        self._shortcuts()
        self.show_error("")
        # Ticks only while there is a state to time: an idle desktop without
        # the desk service has no reason to wake every second.
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)
        self._refresh()

    def _build(self) -> None:
        self.activity = plain_label(self.tr("Not connected"), "ActivityPill")
        self.timer = ClockLabel("ActivityTimer", self)
        self.ready_button = QPushButton(self.tr("Ready"), self)
        self.ready_button.setObjectName("CallControl")
        self.ready_button.setToolTip(self.tr("End the pause and take calls (Ctrl+R)"))
        self.ready_button.clicked.connect(self.request_unpause)
        self.pause_button = QPushButton(self.tr("Pause…"), self)
        self.pause_button.setObjectName("CallControl")
        self.pause_button.setToolTip(self.tr("Take no queue calls for a while (Ctrl+P)"))
        self.pause_button.clicked.connect(self.open_pause_menu)
        self.pause_menu = QMenu(self)
        self.pending = plain_label(self.tr("Sending…"), "Placeholder")
        # Why the service paused the agent by itself, in words: the pill alone is easy to miss.
        self.notice = plain_label(self.tr("Paused: you missed a call — press Ready when you are back"), "Problem")
        self.notice.setWordWrap(True)
        self.problem = plain_label("", "Problem")
        self.problem.setWordWrap(True)
        self.lead_notice = plain_label("", "LeadNotice")  # what a team lead last did to the agent
        self.lead_notice.setWordWrap(True)
        self.lead_notice.hide()
        self.no_queues = plain_label(self.tr("No queues"), "Placeholder")
        self._queue_grid = FlowLayout()  # as many queues to a row as fit
        top = QHBoxLayout()
        top.addWidget(self.activity)
        top.addWidget(self.timer)
        top.addWidget(self.pending)
        top.addStretch(1)
        top.addWidget(self.ready_button)
        top.addWidget(self.pause_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 8)
        column.setSpacing(6)
        column.addLayout(top)
        column.addWidget(self.notice)
        column.addWidget(self.lead_notice)
        column.addWidget(self.no_queues)
        column.addLayout(self._queue_grid)
        column.addWidget(self.problem)

    def _shortcuts(self) -> None:
        QShortcut(QKeySequence("Ctrl+P"), self, self.open_pause_menu)
        QShortcut(QKeySequence("Ctrl+R"), self, self.request_unpause)
        self._queue_keys = [
            QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self, lambda i=index: self._toggle_by_index(i))
            for index in range(MAX_QUEUE_SHORTCUTS)
        ]

    def set_queue_keys_enabled(self, enabled: bool) -> None:
        """Give up Ctrl+1..9 while another panel (the wrap-up's dispositions)
        uses them: a key with two owners would work for neither."""
        for shortcut in self._queue_keys:
            shortcut.setEnabled(enabled)

    # -- what the composition root tells the bar ------------------------------------------

    def set_queues(self, names_and_titles: Sequence[tuple[str, str]]) -> None:
        """The PBX's queues in display order, (name, title); the agent's state
        says which of them to offer."""
        self._titles = list(names_and_titles)
        self._rebuild_toggles()

    def set_pause_reasons(self, reasons: Sequence[str]) -> None:
        self._reasons = tuple(reasons)
        self.pause_menu.clear()
        for index, reason in enumerate(self._reasons):
            text = mnemonic_safe(reason)
            label = f"&{index + 1}  {text}" if index < MAX_QUEUE_SHORTCUTS else text
            action = self.pause_menu.addAction(label)
            action.triggered.connect(lambda _checked=False, r=reason: self._pause(r))

    def show_state(self, state: AgentState, clock_offset: float) -> None:
        self._state = state
        self._offset = clock_offset
        if [name for name, _title in self._offered()] != list(self.toggles):
            self._rebuild_toggles()
        self._refresh()

    def set_pending(self, pending: bool) -> None:
        """True while a command is on its way: the controls wait for its answer."""
        self._pending = pending
        if pending:
            self.show_error("")
        self._refresh()

    def show_error(self, text: str) -> None:
        """Why the last command failed ('' clears it)."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def show_control(self, notice: ControlNotice) -> None:
        """A team lead acted on the agent: "Parisa paused you: Meeting — team huddle" until the next one."""
        self.lead_notice.setText(control_text(notice))
        self.lead_notice.setToolTip(plain_tooltip(time_text(notice.at)))
        self.lead_notice.show()

    # -- what the agent does -------------------------------------------------------------

    def open_pause_menu(self) -> None:
        if not self.pause_button.isEnabled():
            return
        if not self._reasons:
            self._pause("")
            return
        self.pause_menu.popup(self._menu_position())
        if self.pause_menu.actions():
            self.pause_menu.setActiveAction(self.pause_menu.actions()[0])

    def _menu_position(self) -> QPoint:
        button = self.pause_button
        if self.isRightToLeft():
            corner = button.mapToGlobal(button.rect().bottomRight())
            return QPoint(corner.x() - self.pause_menu.sizeHint().width() + 1, corner.y())
        return button.mapToGlobal(button.rect().bottomLeft())

    def _pause(self, reason: str) -> None:
        if self.pause_button.isEnabled():
            self.pause_requested.emit(reason)

    def request_unpause(self) -> None:
        if self.ready_button.isEnabled():
            self.unpause_requested.emit()

    def _toggle_by_index(self, index: int) -> None:
        buttons = list(self.toggles.values())
        if index < len(buttons) and buttons[index].isEnabled():
            buttons[index].click()

    # -- drawing -----------------------------------------------------------------------

    def _offered(self) -> list[tuple[str, str]]:
        """(name, title) of the queues to show a toggle for, in display order."""
        titles = list(self._titles)
        state = self._state
        if state is None:
            return titles
        known = {name for name, _title in titles}
        titles += [(name, name) for name in state.queues if name not in known]
        return [(name, title) for name, title in titles if state.may_toggle(name)]

    def _rebuild_toggles(self) -> None:
        for button in self.toggles.values():
            self._queue_grid.removeWidget(button)
            button.hide()
            button.deleteLater()
        self.toggles = {}
        for index, (name, title) in enumerate(self._offered()):
            button = QToolButton(self)
            button.setObjectName("QueueToggle")
            button.setCheckable(True)
            button.setText(mnemonic_safe(title))
            button.setProperty("shortcut_text", f"Ctrl+{index + 1}" if index < MAX_QUEUE_SHORTCUTS else "")
            button.setProperty("title", title)
            button.setProperty("queue", name)
            button.clicked.connect(lambda checked, queue=name: self.queue_login_requested.emit(queue, checked))
            self.toggles[name] = button
            self._queue_grid.addWidget(button)
        self._refresh()

    def _refresh(self) -> None:
        state = self._state
        connected = state is not None and not self._pending
        for name, button in self.toggles.items():
            logged_in = state is not None and state.queues.get(name, False)
            button.setChecked(logged_in)
            # A check mark, so being logged in does not rest on colour alone.
            button.setText(("✓ " if logged_in else "") + mnemonic_safe(str(button.property("title"))))
            button.setEnabled(connected)
            button.setToolTip(self._toggle_tip(button, logged_in))
        self.no_queues.setText(self._no_queues_text())
        self.no_queues.setVisible(not self.toggles)
        self.pending.setVisible(self._pending)
        activity = state.activity if state is not None else None
        self.pause_button.setEnabled(connected and activity is not AgentActivity.LOGGED_OUT)
        self.ready_button.setEnabled(connected and activity is AgentActivity.PAUSED)
        if state is None:
            self.activity.setText(self.tr("Not connected"))
            set_style_property(self.activity, "activity", "")
        else:
            self.activity.setText(activity_text(state.activity, state.paused_reason))
            set_style_property(self.activity, "activity", state.activity.value)
        self.notice.setVisible(state is not None and state.activity is AgentActivity.PAUSED
                               and state.paused_reason == MISSED_CALL_REASON)
        if state is None:
            self._timer.stop()
        elif not self._timer.isActive():
            self._timer.start()
        self.tick()

    def _no_queues_text(self) -> str:
        if self._state is not None and self._titles:
            return self.tr("The directory lists no queue for you to join; a team lead can change that.")
        return self.tr("No queues")

    def _toggle_tip(self, button: QToolButton, logged_in: bool) -> str:
        title = str(button.property("title"))
        if self._state is not None and not self._state.may_join(str(button.property("queue"))):
            text = self.tr("Logged in to %1: click to log out (the directory does not list it for you, "
                           "so you cannot join it again)")
        elif logged_in:
            text = self.tr("Logged in to %1: click to log out")
        else:
            text = self.tr("Not in %1: click to log in")
        text = text.replace("%1", title)
        shortcut = str(button.property("shortcut_text"))
        return plain_tooltip(f"{text} ({shortcut})" if shortcut else text)

    def tick(self) -> None:
        """Refresh the time in the current state."""
        if self._state is None:
            self.timer.setText("")
            return
        self.timer.setText(format_duration(self._clock() + self._offset - self._state.since))
