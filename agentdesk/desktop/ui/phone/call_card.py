"""One call on screen: who, which queue, its state and timer, its controls."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...phone.model import CallSnapshot, CallState, Direction
from ...phone.qualitytrack import QualityReport
from ..common.flow import FlowLayout
from ..common.icons import icon
from ..common.numbers import display_number
from ..common.text import clean_text, format_duration, isolate, plain_label, plain_tooltip
from ..common.ticking import ClockLabel
from .dialer import DialPad
from .quality_label import QualityLabel


def call_state_text(call: CallSnapshot) -> str:
    translate = QCoreApplication.translate
    if call.state is CallState.ACTIVE:
        if call.held:
            return translate("CallCard", "On hold")
        if call.remote_held:
            return translate("CallCard", "Held by the other party")
        return translate("CallCard", "Connected")
    texts = {
        CallState.DIALING: translate("CallCard", "Calling…"),
        CallState.RINGING_OUT: translate("CallCard", "Ringing…"),
        CallState.RINGING_IN: translate("CallCard", "Incoming call"),
        CallState.CONNECTING: translate("CallCard", "Connecting…"),
        CallState.ENDED: translate("CallCard", "Call ended"),
    }
    return texts[call.state]


def call_detail(call: CallSnapshot) -> str:
    """The line under the name: direction and number, or what the call is for."""
    translate = QCoreApplication.translate
    if call.conference:
        return translate("CallCard", "Conference: hang up to leave, the others stay connected")
    arrow = "↙" if call.direction is Direction.INCOMING else "↗"
    text = f"{arrow} {isolate(display_number(call.remote_number))}"
    if call.consult_for:
        text += " · " + translate("CallCard", "consulting; hang up to go back to the caller")
    return text


def caller_title(call: CallSnapshot) -> str:
    return (clean_text(call.remote_name) or display_number(call.remote_number)
            or QCoreApplication.translate("CallCard", "Unknown caller"))


class CallCard(QFrame):
    answerClicked = Signal(int)
    declineClicked = Signal(int)
    hangupClicked = Signal(int)
    holdClicked = Signal(int)
    muteClicked = Signal(int)
    switchClicked = Signal(int)
    keypadPressed = Signal(int, str)
    transferClicked = Signal(int)
    completeClicked = Signal(int)
    conferenceClicked = Signal(int)
    surveyClicked = Signal(int)  # transfer the caller to the satisfaction survey

    def __init__(self, call: CallSnapshot, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CallCard")
        self.call = call
        self.title = plain_label("", "CallerName")
        self.title.setWordWrap(True)
        self.detail = plain_label("", "CallerDetail")
        self.queue = plain_label("", "QueueBadge")
        self.state = plain_label("", "CallState")
        self.quality = QualityLabel(self)
        self.timer = ClockLabel("CallTimer", self)
        self.banner = plain_label("", "SupervisionBanner")  # a team lead listening in, coaching or joined
        self.banner.setWordWrap(True)
        self.banner.hide()
        self._build_buttons()
        self.pad = DialPad(self)
        self.pad.hide()
        self.pad.keyPressed.connect(lambda key: self.keypadPressed.emit(self.call.call_id, key))
        self._layout()
        self.show_call(call)

    def _button(self, icon_name: str, text: str, name: str, color: str = "#3c4043") -> QPushButton:
        button = QPushButton(icon(icon_name, color), text, self)
        button.setObjectName(name)
        return button

    def _build_buttons(self) -> None:
        def cid() -> int:  # the card's snapshot changes over time
            return self.call.call_id

        self.answer_button = self._button("phone", self.tr("Answer"), "AnswerButton", "#ffffff")
        self.answer_button.setToolTip(self.tr("Answer (F5)"))
        self.answer_button.clicked.connect(lambda: self.answerClicked.emit(cid()))
        self.decline_button = self._button("hangup", self.tr("Decline"), "DeclineButton", "#ffffff")
        self.decline_button.setToolTip(self.tr("Decline (F6)"))
        self.decline_button.clicked.connect(lambda: self.declineClicked.emit(cid()))
        self.hold_button = self._button("hold", self.tr("Hold"), "CallControl")
        self.hold_button.setCheckable(True)
        self.hold_button.setToolTip(self.tr("Hold / resume (F8)"))
        self.hold_button.clicked.connect(lambda: self.holdClicked.emit(cid()))
        self.mute_button = self._button("mute", self.tr("Mute"), "CallControl")
        self.mute_button.setCheckable(True)
        self.mute_button.setToolTip(self.tr("Mute the microphone (F9)"))
        self.mute_button.clicked.connect(lambda: self.muteClicked.emit(cid()))
        self.switch_button = self._button("swap", self.tr("Switch here"), "CallControl")
        self.switch_button.setToolTip(self.tr("Talk on this call; the other goes on hold (F7)"))
        self.switch_button.clicked.connect(lambda: self.switchClicked.emit(cid()))
        self.transfer_button = self._button("outgoing", self.tr("Transfer"), "CallControl")
        self.transfer_button.setToolTip(self.tr("Transfer the call, or talk to someone first (F10)"))
        self.transfer_button.clicked.connect(lambda: self.transferClicked.emit(cid()))
        self.complete_button = self._button("swap", self.tr("Complete transfer"), "CallControl")
        self.complete_button.setToolTip(self.tr("Join this caller with your other call and drop out (F11)"))
        self.complete_button.clicked.connect(lambda: self.completeClicked.emit(cid()))
        self.complete_button.hide()
        self.conference_button = self._button("conference", self.tr("Conference"), "CallControl")
        self.conference_button.setToolTip(self.tr("Talk with this caller and your other call together (F12)"))
        self.conference_button.clicked.connect(lambda: self.conferenceClicked.emit(cid()))
        self.conference_button.hide()
        self.survey_button = self._button("outgoing", self.tr("Survey"), "CallControl")
        self.survey_button.setToolTip(self.tr("Transfer the caller to the satisfaction survey (Ctrl+F10)"))
        self.survey_button.clicked.connect(lambda: self.surveyClicked.emit(cid()))
        self.keypad_button = self._button("dialpad", self.tr("Keypad"), "CallControl")
        self.keypad_button.setCheckable(True)
        self.keypad_button.toggled.connect(lambda on: self.pad.setVisible(on))
        self.hangup_button = self._button("hangup", self.tr("Hang up"), "HangupButton", "#ffffff")
        self.hangup_button.setToolTip(self.tr("Hang up (F4)"))
        self.hangup_button.clicked.connect(lambda: self.hangupClicked.emit(cid()))

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.timer)
        middle = FlowLayout()  # the state goes to a row of its own in a narrow pane
        middle.addWidget(self.detail)
        middle.addWidget(self.queue)
        middle.addWidget(self.state)
        middle.addWidget(self.quality)
        controls = FlowLayout()
        for button in (self.answer_button, self.decline_button, self.switch_button, self.complete_button,
                       self.conference_button, self.hold_button, self.mute_button, self.transfer_button,
                       self.survey_button, self.keypad_button):
            controls.addWidget(button)
        # The controls wrap to more rows in a narrow pane; Hang up keeps its place at the end.
        buttons = QHBoxLayout()
        buttons.addLayout(controls, 1)
        buttons.addWidget(self.hangup_button, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 10, 12, 10)
        column.addLayout(top)
        column.addWidget(self.banner)
        column.addLayout(middle)
        column.addLayout(buttons)
        column.addWidget(self.pad)

    def show_call(self, call: CallSnapshot) -> None:
        self.call = call
        self.title.setText(caller_title(call))
        self.detail.setText(call_detail(call))
        self.queue.setText(clean_text(call.queue))
        self.queue.setVisible(bool(call.queue))
        self.queue.setToolTip(plain_tooltip(self.tr("Call from the %1 queue").replace("%1", call.queue)))
        self.state.setText(call_state_text(call))
        ringing = call.state is CallState.RINGING_IN
        active = call.state is CallState.ACTIVE
        self.answer_button.setVisible(ringing)
        self.decline_button.setVisible(ringing)
        self.hangup_button.setVisible(not ringing)
        for button in (self.hold_button, self.mute_button, self.keypad_button):
            button.setVisible(active)
        self.switch_button.setVisible(active and call.held)
        self.transfer_button.setVisible(active and not call.held)
        self.survey_button.setVisible(active and not call.held and bool(call.queue))
        self.hold_button.setChecked(call.held)
        self.hold_button.setText(self.tr("Resume") if call.held else self.tr("Hold"))
        self.mute_button.setChecked(call.muted)
        self.mute_button.setText(self.tr("Unmute") if call.muted else self.tr("Mute"))
        self._set_property("ringing", ringing)
        self._set_property("focused", active and not call.held)
        self.tick()

    def show_banner(self, text: str) -> None:
        """Who supervises the call ('' nobody)."""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def show_quality(self, report: QualityReport) -> None:
        """How the call sounds now (every few seconds while it is connected)."""
        self.quality.show_report(report)

    def _set_property(self, name: str, value: bool) -> None:
        if self.property(name) != value:
            self.setProperty(name, value)
            self.style().unpolish(self)
            self.style().polish(self)

    def tick(self) -> None:
        """Refresh the timer: talk time once answered, else time since start."""
        since = self.call.connected_at or self.call.started_at
        self.timer.setText(format_duration(time.time() - since) if since else "")
