"""The main window: header, agent bar and notices across the top; the
phone's pane (dialer, live calls, after-call work, history) beside the
customer's pane (callback offer, screen-pop); the queues in a dock.

Keyboard first: F2 number entry, Enter dials, F4 hang up, F5 answer, F6
decline, F7 switch calls, F8 hold/resume, F9 mute, F10 transfer (pick a
target: Enter transfers, Ctrl+Enter talks to them first), F11 complete the
transfer (join the held caller with the other call), F12 conference (the
held caller, the other call and the agent together), Ctrl+D dial pad,
Ctrl+, settings, Ctrl+Q quit. With a call up and the number entry not
focused, 0-9 * # send keypad tones. Callbacks (ui/callbacks/controller.py): Ctrl+L the
task list, Ctrl+B schedule a callback; Enter/Esc while an offer rings.
Ctrl+F10 transfers a queue caller to the satisfaction survey; after the
call, the wrap-up panel (ui/wrapup/) takes Ctrl+1..9, Ctrl+Return, Ctrl+S.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from ...history import HistoryEntry
from ...phone.dialing import KEYPAD
from ...phone.model import (
    AccountSnapshot,
    CallSnapshot,
    CallState,
    PhoneError,
)
from ...phone.protocol import Phone
from ..common.icons import icon
from ..common.pane import Pane
from ..common.text import clean_text, plain_label, plain_question
from .call_card import caller_title
from .calls_panel import CallsPanel
from .dialer import Dialer
from .header import Header
from .history_view import HistoryList
from .incoming import IncomingCallWindow
from .transfer_picker import TransferPicker, TransferTarget

SURVEY_EXTENSION = "*55"  # the survey in the PBX's [transfer] context
# A 1280×800 screen less a panel and a title bar holds the window whole; a
# larger screen does not make it sprawl. Below MINIMUM_HEIGHT a call with its
# screen-pop or its after-call work would have to be scrolled to.
OPENING_SIZE = QSize(1280, 760)
FRAME_ALLOWANCE = QSize(16, 40)
MINIMUM_HEIGHT = 700  # the window's body, under the title bar and above the status bar
# The after-call work panel grows taller the narrower it is: below this width it would not fit that height.
PHONE_PANE_WIDTH = 340


def section_title(text: str) -> QWidget:
    label = plain_label(text, "SectionTitle")
    label.setContentsMargins(12, 6, 12, 0)
    return label


class MainWindow(QMainWindow):
    """The phone's own window. It follows the phone's registration, ringing
    calls and problems itself; each change of a call reaches it through
    `show_call`, which the composition root feeds (so that a dialled callback
    shows as its customer). `transfer_targets` lists who can take a transfer
    now; `set_unsaved_work` says what quitting would lose."""

    settingsRequested = Signal()
    quitRequested = Signal()

    def __init__(self, engine: Phone, transfer_targets: Callable[[], list[TransferTarget]] = list,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self._transfer_targets = transfer_targets
        self.display_name = ""
        self.setWindowTitle("AgentDesk")
        self.setWindowIcon(icon("agentdesk", size=64))
        self.header = Header(self)
        self.dialer = Dialer(self)
        self.calls = CallsPanel(self)
        self.history = HistoryList(self)
        self.incoming = IncomingCallWindow()
        self.notice = plain_label("", "AudioWarning")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self._notices: dict[str, str] = {}
        self.queues_dock: QDockWidget | None = None
        # Work that quitting would lose ('' none), e.g. an unsaved callback outcome.
        self.unsaved_work = ""
        self._build()
        self._wire()
        self._shortcuts()
        self.resize(OPENING_SIZE)

    def _build(self) -> None:
        """The header, the agent bar and lasting notices across the top; below
        them the phone's pane (dialer, calls, after-call work, history) and,
        once the desk is added, the customer's pane (callback offer, screen-pop)
        side by side, each scrolling up and down, never sideways."""
        body = QWidget(self)
        top = self._top = QVBoxLayout(body)
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(6)
        top.addWidget(self.header)
        top.addWidget(self.notice)
        self.phone_pane = Pane("PhonePane", PHONE_PANE_WIDTH, body)
        column = self._column = self.phone_pane.column
        column.addWidget(self.dialer)
        column.addWidget(section_title(self.tr("Calls")))
        column.addWidget(self.calls)
        column.addWidget(section_title(self.tr("History")))
        column.addWidget(self.history, 1)
        self.customer_pane = Pane("CustomerPane", parent=body)
        self.customer_pane.column.addStretch(1)
        self.customer_pane.hide()  # until the desk's widgets arrive
        panes = QHBoxLayout()
        panes.setContentsMargins(0, 0, 0, 0)
        panes.setSpacing(6)
        panes.addWidget(self.phone_pane, 2)
        panes.addWidget(self.customer_pane, 3)
        top.addLayout(panes, 1)
        # On the body, not the window: a window with a minimum of its own would
        # no longer take its least width from what its panes need.
        body.setMinimumHeight(MINIMUM_HEIGHT)
        self.setCentralWidget(body)
        self.statusBar()  # there from the start: the window's least height counts it

    def opening_size(self, available: QRect) -> QSize:
        """The size to open at on a screen with `available` room (its size
        less panels): as much as fits of a comfortable size, never less than
        the window's minimum, leaving room for the window's title bar."""
        room = available.size() - FRAME_ALLOWANCE
        return OPENING_SIZE.boundedTo(room).expandedTo(self.minimumSizeHint())

    def add_desk(self, agent_bar: QWidget, screen_pop: QWidget, queue_panel: QWidget) -> None:
        """Place the contact-center widgets: agent state under the header,
        the screen-pop in the customer's pane, the live queues in a side dock."""
        self._top.insertWidget(1, agent_bar)
        self._add_to_customer_pane(screen_pop)
        dock = self.queues_dock = self._dock(self.tr("Queues"), "QueuesDock", queue_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)

    def add_callbacks(self, task_list: QWidget, preview: QWidget) -> QDockWidget:
        """The callback task list as a dock (a tab next to the queues) and
        the preview of an offered callback above the screen-pop."""
        self._add_to_customer_pane(preview, first=True)
        dock = self._dock(self.tr("Callbacks"), "CallbacksDock", task_list)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        if self.queues_dock is not None:
            self.tabifyDockWidget(self.queues_dock, dock)
            self.queues_dock.raise_()
        return dock

    def add_wrapup(self, panel: QWidget) -> None:
        """The after-call work panel, in the phone's pane under the calls."""
        column = self._column
        column.insertWidget(column.indexOf(self.calls) + 1, panel)

    def _add_to_customer_pane(self, widget: QWidget, first: bool = False) -> None:
        column = self.customer_pane.column
        column.insertWidget(0 if first else column.count() - 1, widget)
        self.customer_pane.show()

    def _dock(self, title: str, name: str, content: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(content)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        return dock

    def _wire(self) -> None:
        engine = self.engine
        engine.registrationChanged.connect(self.show_account)
        engine.incomingCall.connect(self.show_incoming)
        engine.problem.connect(self.show_problem)
        engine.callQuality.connect(self.calls.show_quality)
        self.header.settingsRequested.connect(self.settingsRequested)
        self.dialer.dialRequested.connect(self.dial)
        self.dialer.pad.keyPressed.connect(self._pad_key)
        self.history.callBackRequested.connect(self.dial)
        self.calls.answerClicked.connect(self._guard(engine.answer))
        self.calls.declineClicked.connect(self._guard(engine.reject))
        self.calls.hangupClicked.connect(self._guard(engine.hangup))
        self.calls.holdClicked.connect(self._guard(lambda call_id: self._toggle(call_id, "held", engine.hold)))
        self.calls.muteClicked.connect(self._guard(lambda call_id: self._toggle(call_id, "muted", engine.mute)))
        self.calls.switchClicked.connect(self._guard(engine.switch_to))
        self.calls.keypadPressed.connect(self._guard(self._send_tones))
        self.calls.transferClicked.connect(self._guard(self.open_transfer))
        self.calls.completeClicked.connect(self._guard(self.complete_transfer))
        self.calls.conferenceClicked.connect(self._guard(self.start_conference))
        self.calls.surveyClicked.connect(self._guard(self.transfer_to_survey))
        self.incoming.answerClicked.connect(self._guard(engine.answer))
        self.incoming.declineClicked.connect(self._guard(engine.reject))

    def _guard(self, command: Callable[..., object]) -> Callable[..., None]:
        def run(*args: Any) -> None:
            try:
                command(*args)
            except PhoneError as error:
                self.show_problem(str(error))

        return run

    def _shortcuts(self) -> None:
        keys: list[tuple[str, Callable[[], object]]] = [
            ("F2", lambda: self.dialer.entry.setFocus()),
            ("F4", lambda: self._on_focused_call(self.engine.hangup)),
            ("F5", lambda: self._on_ringing_call(self.engine.answer)),
            ("F6", lambda: self._on_ringing_call(self.engine.reject)),
            ("F7", self._switch_calls),
            ("F8", lambda: self._on_active_call(lambda c: self._toggle(c.call_id, "held", self.engine.hold))),
            ("F9", lambda: self._on_active_call(lambda c: self._toggle(c.call_id, "muted", self.engine.mute))),
            ("F10", lambda: self._on_active_call(lambda c: self.open_transfer(c.call_id))),
            ("F11", lambda: self._on_held_caller(self.complete_transfer)),
            ("F12", lambda: self._on_held_caller(self.start_conference)),
            ("Ctrl+F10", lambda: self._on_active_call(lambda c: self.transfer_to_survey(c.call_id))),
            ("Ctrl+D", self.dialer.pad_button.toggle),
            ("Ctrl+,", self.settingsRequested.emit),
            ("Ctrl+Q", self.close),
        ]
        for sequence, action in keys:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(self._guard(action))

    # -- what the agent does -------------------------------------------------------

    def open_transfer(self, call_id: int) -> None:
        call = next((c for c in self._live() if c.call_id == call_id), None)
        if call is None:
            return
        picker = TransferPicker(caller_title(call), self._transfer_targets(), self)
        picker.chosen.connect(lambda number, consult: self._transfer(call_id, number, consult))
        picker.open()

    def _transfer(self, call_id: int, number: str, consult: bool) -> None:
        if consult:
            self.engine.dial(number)  # the caller goes on hold while the agent talks to the target
        else:
            self.engine.transfer(call_id, number)

    def transfer_to_survey(self, call_id: int) -> None:
        """Blind-transfer a queue caller to the survey; the agent's part of the call ends."""
        call = self.engine.calls.get(call_id)
        if call is None or not call.queue:
            self.show_problem(self.tr("Only a queue call can go to the survey."))
            return
        self.engine.transfer(call_id, SURVEY_EXTENSION)

    def complete_transfer(self, call_id: int) -> None:
        other = self._other_connected(call_id)
        if other is not None:
            self.engine.complete_transfer(call_id, other.call_id)

    def start_conference(self, call_id: int) -> None:
        other = self._other_connected(call_id)
        if other is not None:
            self.engine.conference(call_id, other.call_id)

    def _other_connected(self, call_id: int) -> CallSnapshot | None:
        return next((c for c in self._live() if c.call_id != call_id and c.state is CallState.ACTIVE), None)

    def _on_held_caller(self, action: Callable[[int], None]) -> None:
        """F11/F12: act on the held caller when the agent has two calls up."""
        held = next((c for c in self._live() if c.state is CallState.ACTIVE and c.held), None)
        if held is not None and len(self._live()) == 2:
            action(held.call_id)

    def dial(self, text: str) -> None:
        try:
            self.engine.dial(text)
        except PhoneError as error:
            self.dialer.show_problem(str(error))
            return
        self.dialer.entry.clear()

    def _toggle(self, call_id: int, flag: str, command: Callable[[int, bool], None]) -> None:
        call = self.engine.calls.get(call_id)
        if call is not None:
            command(call_id, not getattr(call, flag))

    def _send_tones(self, call_id: int, keys: str) -> None:
        """Never on a supervision call: its mode changes go through the desk service, which audits them."""
        call = self.engine.calls.get(call_id)
        if call is not None and not call.supervision:
            self.engine.send_dtmf(call_id, keys)

    def _pad_key(self, key: str) -> None:
        active = self._active_call()
        if active is not None and not self.dialer.entry.hasFocus():
            self._guard(self._send_tones)(active.call_id, key)
        else:
            self.dialer.type_key(key)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        active = self._active_call()
        if active is not None and event.text() and event.text() in KEYPAD and not self.dialer.entry.hasFocus():
            self._guard(self._send_tones)(active.call_id, event.text())
            return
        super().keyPressEvent(event)

    def _live(self) -> list[CallSnapshot]:
        return sorted(self.engine.live_calls(), key=lambda c: c.call_id)

    def _active_call(self) -> CallSnapshot | None:
        return next((c for c in self._live() if c.state is CallState.ACTIVE and not c.held), None)

    def _on_ringing_call(self, command: Callable[[int], None]) -> None:
        ringing = [c for c in self._live() if c.state is CallState.RINGING_IN]
        if ringing:
            command(ringing[0].call_id)

    def _on_focused_call(self, command: Callable[[int], None]) -> None:
        active = self._active_call()
        target = active or next((c for c in self._live() if c.state is not CallState.RINGING_IN), None)
        if target is not None:
            command(target.call_id)

    def _on_active_call(self, command: Callable[[CallSnapshot], None]) -> None:
        target = self._active_call() or next((c for c in self._live() if c.state is CallState.ACTIVE), None)
        if target is not None:
            command(target)

    def _switch_calls(self) -> None:
        held = [c for c in self._live() if c.state is CallState.ACTIVE and c.held]
        if held:
            self.engine.switch_to(held[0].call_id)

    # -- what the phone reports -----------------------------------------------------

    def show_account(self, snapshot: AccountSnapshot) -> None:
        self.header.show_account(snapshot, self.display_name)

    def show_call(self, call: CallSnapshot) -> None:
        self.calls.show_call(call)
        ringing = [c for c in self._live() if c.state is CallState.RINGING_IN]
        if ringing:
            self.incoming.show_call(ringing[-1])
        else:
            self.incoming.hide()

    def show_incoming(self, call: CallSnapshot) -> None:
        self.incoming.show_call(call)
        QApplication.alert(self)

    def show_problem(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    def set_notice(self, kind: str, text: str) -> None:
        """A lasting notice (audio unavailable, no password...); '' clears it."""
        self._notices[kind] = text
        shown = "\n".join(t for t in self._notices.values() if t)
        self.notice.setText(shown)
        self.notice.setVisible(bool(shown))

    def set_history(self, entries: list[HistoryEntry]) -> None:
        self.history.set_entries(entries)

    def add_history(self, entry: HistoryEntry) -> HistoryEntry:
        """The ended call into the list; returns it as it is to be kept."""
        return self.history.add_entry(entry)

    def set_unsaved_work(self, text: str) -> None:
        """What quitting now would lose ('' nothing), asked before quitting."""
        self.unsaved_work = text

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.engine.live_calls() and not self._confirm_quit():
            event.ignore()
            return
        if self.unsaved_work and not self._confirm_losing(self.unsaved_work):
            event.ignore()
            return
        event.ignore()  # the application quits once the phone has hung up
        self.quitRequested.emit()

    def _confirm_quit(self) -> bool:
        return plain_question(self, self.tr("Quit AgentDesk"),
                              self.tr("You have a call. Quitting hangs it up. Quit anyway?"))

    def _confirm_losing(self, what: str) -> bool:
        return plain_question(self, self.tr("Quit AgentDesk"),
                              self.tr("%1 Quit anyway?").replace("%1", clean_text(what, lines=True)))
