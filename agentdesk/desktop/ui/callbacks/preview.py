"""The preview of a callback task offered to this agent: the phone rings
with a placeholder call (X-AgentDesk-Callback) and, next to the screen-pop
card (the customer and their history), this shows what the task is about
and how often the customer was tried, with "Call now" (answer: the PBX then
dials the customer) and "Skip…". When the queue auto-dials, a countdown
runs and the call is answered by itself at 0.

Caller-supplied text (topic, notes) is plain text.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from agentdesk.contract.callbacks import CallbackTaskView

from ..common.icons import icon
from ..common.style import GOOD
from ..common.text import clean_text, plain_label
from ..common.when import moment_text
from .text import origin_text, outcome_texts

PREVIEW_STYLE = f"""
#CallbackPreview {{ background: #f1f8f3; border: 2px solid {GOOD}; border-radius: 12px; }}
#PreviewTopic {{ font-size: 11pt; font-weight: 600; color: #202124; }}
#Countdown {{ font-weight: 600; color: {GOOD}; }}
"""


class CallbackPreview(QFrame):
    """One offered task at a time (`offer`, then `show_task` as details
    arrive, `answered` once the agent took it, `clear` when it is over).

    Signals: `call_now(int call_id)` (the button, Enter via the window, or
    the countdown reaching 0), `skip_requested(int call_id)`, and
    `offering_changed(bool)` (whether Enter/Esc belong to the offer now).
    Invariant: the countdown runs only while the offer rings unanswered and
    the agent is not busy skipping it."""

    call_now = Signal(int)
    skip_requested = Signal(int)
    offering_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CallbackPreview")
        self.setStyleSheet(PREVIEW_STYLE)
        self.call_id = 0
        self.task_id = ""
        self.seconds_left = 0
        self.offering = False  # ringing, and the agent can still decide
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self.tick)
        self._build()
        self.clear()

    def _build(self) -> None:
        self.heading = plain_label("", "PopHeading")
        self.topic = plain_label("", "PreviewTopic")
        self.topic.setWordWrap(True)
        self.notes = plain_label("", "FieldValue")
        self.notes.setWordWrap(True)
        self.attempts = plain_label("", "CallerDetail")
        self.origin = plain_label("", "CallerDetail")
        self.timer_label = plain_label("", "Countdown")
        self.problem = plain_label("", "Problem")
        self.problem.setWordWrap(True)
        self.call_button = QPushButton(icon("phone", "#ffffff"), self.tr("Call now"), self)
        self.call_button.setObjectName("AnswerButton")
        self.call_button.setToolTip(self.tr("Call the customer now (Enter)"))
        self.call_button.clicked.connect(self.accept_offer)
        self.skip_button = QPushButton(self.tr("Skip…"), self)
        self.skip_button.setObjectName("CallControl")
        self.skip_button.setToolTip(self.tr("Leave this callback to another agent, with a reason (Esc)"))
        self.skip_button.clicked.connect(self.request_skip)
        actions = QHBoxLayout()
        actions.addWidget(self.call_button)
        actions.addWidget(self.skip_button)
        actions.addStretch(1)
        actions.addWidget(self.timer_label)
        column = QVBoxLayout(self)
        column.setContentsMargins(14, 10, 14, 10)
        column.setSpacing(4)
        for widget in (self.heading, self.topic, self.notes, self.attempts, self.origin, self.problem):
            column.addWidget(widget)
        column.addLayout(actions)

    # -- the offer -------------------------------------------------------------------------
    def offer(self, call_id: int, task_id: str, queue: str, autodial_seconds: int) -> None:
        """A placeholder call rings: show the offer at once (details may follow)."""
        self.clear()
        self.call_id, self.task_id = call_id, task_id
        self.heading.setText(self.tr("Callback for the %1 queue").replace("%1", clean_text(queue)) if queue
                             else self.tr("Callback"))
        self.topic.setText(self.tr("Loading the task…"))
        self._set_actions(True)
        self.seconds_left = max(0, autodial_seconds)
        if self.seconds_left:
            self._show_countdown()
            self.countdown.start()
        self.show()

    def show_task(self, task: CallbackTaskView, now: float) -> None:
        if task.task_id != self.task_id:
            return
        self.topic.setText(clean_text(task.topic) or self.tr("No topic given"))
        self.notes.setText(clean_text(task.notes, lines=True))
        self.notes.setVisible(bool(task.notes))
        attempt = self.tr("Attempt %1").replace("%1", str(task.attempts + 1))
        if task.max_attempts:
            attempt = self.tr("Attempt %1 of %2").replace("%1", str(task.attempts + 1)).replace(
                "%2", str(task.max_attempts))
        if task.last_outcome:
            last = outcome_texts().get(task.last_outcome) or clean_text(task.last_outcome)
            attempt += " · " + self.tr("last time: %1").replace("%1", last)
        self.attempts.setText(attempt)
        self.origin.setText(self.tr("%1 · requested %2").replace("%1", origin_text(task.origin))
                            .replace("%2", moment_text(task.created_at or task.arrival_at, now)))

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def answered(self) -> None:
        """The agent took it: the task stays on screen for the call, the buttons go."""
        self.countdown.stop()
        self.timer_label.hide()
        self._set_actions(False)
        self.show_problem("")

    # -- the agent ---------------------------------------------------------------------------
    def accept_offer(self) -> None:
        if self.call_id:
            self.countdown.stop()
            self.call_now.emit(self.call_id)

    def request_skip(self) -> None:
        if self.call_id and self.skip_button.isEnabled():
            self.pause_countdown()
            self.skip_requested.emit(self.call_id)

    def pause_countdown(self) -> None:
        self.countdown.stop()

    def resume_countdown(self) -> None:
        if self.seconds_left > 0 and self.offering:
            self.countdown.start()

    def tick(self) -> None:
        self.seconds_left -= 1
        if self.seconds_left > 0:
            self._show_countdown()
            return
        self.countdown.stop()
        self.accept_offer()

    def _show_countdown(self) -> None:
        self.timer_label.setText(self.tr("Calling in %1 s").replace("%1", str(self.seconds_left)))
        self.timer_label.show()

    def _set_actions(self, shown: bool) -> None:
        if shown != self.offering:
            self.offering = shown
            self.offering_changed.emit(shown)
        self.call_button.setVisible(shown)
        self.skip_button.setVisible(shown)
        self.skip_button.setEnabled(shown)

    def clear(self) -> None:
        self.countdown.stop()
        self.call_id, self.task_id, self.seconds_left = 0, "", 0
        for label in (self.heading, self.topic, self.notes, self.attempts, self.origin, self.timer_label):
            label.setText("")
        self.notes.hide()
        self.timer_label.hide()
        self.show_problem("")
        self._set_actions(False)
        self.hide()
