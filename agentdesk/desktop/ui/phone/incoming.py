"""The incoming-call notification: a small always-on-top window that appears
without taking the keyboard from whatever the agent is typing in, so a call
is never missed while the main window is in the background or minimised."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QPaintEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...phone.model import CallSnapshot
from ..common.icons import icon
from ..common.numbers import display_number
from ..common.text import clean_text, isolate, plain_label
from .call_card import caller_title

log = logging.getLogger("agentdesk.desktop.ui.phone")


class IncomingCallWindow(QWidget):
    answerClicked = Signal(int)
    declineClicked = Signal(int)

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint
                         | Qt.WindowType.FramelessWindowHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setWindowTitle(self.tr("Incoming call"))
        self.call_id = 0
        self._painted_for = 0
        frame = QFrame(self)
        frame.setObjectName("IncomingWindow")
        self.heading = plain_label(self.tr("Incoming call"), "CallState")
        self.title = plain_label("", "CallerName")
        self.detail = plain_label("", "CallerDetail")
        self.queue = plain_label("", "QueueBadge")
        answer = QPushButton(icon("phone", "#ffffff"), self.tr("Answer"), frame)
        answer.setObjectName("AnswerButton")
        answer.clicked.connect(lambda: self.answerClicked.emit(self.call_id))
        decline = QPushButton(icon("hangup", "#ffffff"), self.tr("Decline"), frame)
        decline.setObjectName("DeclineButton")
        decline.clicked.connect(lambda: self.declineClicked.emit(self.call_id))
        self.answer_button, self.decline_button = answer, decline
        buttons = QHBoxLayout()
        buttons.addWidget(answer)
        buttons.addWidget(decline)
        column = QVBoxLayout(frame)
        for widget in (self.heading, self.title, self.detail, self.queue):
            column.addWidget(widget)
        column.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self.setMinimumWidth(300)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.call_id != self._painted_for:
            self._painted_for = self.call_id
            log.debug("incoming call %d visible at %.6f", self.call_id, time.time())

    def show_call(self, call: CallSnapshot) -> None:
        self.call_id = call.call_id
        self.heading.setText(self.tr("Callback: answer to call the customer") if call.callback_task
                             else self.tr("Incoming call"))
        self.title.setText(caller_title(call))
        self.detail.setText(isolate(display_number(call.remote_number)))
        self.queue.setText(self.tr("Queue: %1").replace("%1", clean_text(call.queue)))
        self.queue.setVisible(bool(call.queue))
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        margin = 16
        x = area.left() + margin if self.isRightToLeft() else area.right() - self.width() - margin
        self.move(x, area.bottom() - self.height() - margin)
