"""The live calls, one card each, with a once-a-second timer refresh."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from agentdesk.contract.leads import Supervision

from ...phone.model import CallSnapshot, CallState
from ...phone.qualitytrack import QualityReport
from ..common.text import plain_label
from ..queues.lead_notices import supervision_text
from .call_card import CallCard


class CallsPanel(QWidget):
    """Re-emits the cards' signals with the call id."""

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
    surveyClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards: dict[int, CallCard] = {}
        self.placeholder = plain_label(self.tr("No calls. Type a number above, or wait for the queue."), "Placeholder")
        self.placeholder.setWordWrap(True)
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(12, 4, 12, 4)
        self._column.addWidget(self.placeholder)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        self._supervision = ""  # a team lead supervising the agent's call, in words ('' nobody)

    def show_call(self, call: CallSnapshot) -> None:
        card = self.cards.get(call.call_id)
        if not call.is_live:
            if card is not None:
                del self.cards[call.call_id]
                card.hide()
                card.deleteLater()
        elif card is None:
            card = CallCard(call, self)
            card.show_banner(self._supervision)
            self._connect(card)
            self.cards[call.call_id] = card
            self._column.addWidget(card)
        else:
            card.show_call(call)
        self.placeholder.setVisible(not self.cards)
        if not self.cards:
            self._supervision = ""
        self._offer_completion()
        if self.cards and not self._clock.isActive():
            self._clock.start()
        elif not self.cards:
            self._clock.stop()

    def show_supervision(self, session: Supervision) -> None:
        """A team lead began, changed or ended supervising this agent's call: said on the call's card."""
        self._supervision = supervision_text(session)
        for card in self.cards.values():
            card.show_banner(self._supervision)

    def show_quality(self, report: QualityReport) -> None:
        card = self.cards.get(report.call_id)
        if card is not None:
            card.show_quality(report)

    def _connect(self, card: CallCard) -> None:
        card.answerClicked.connect(self.answerClicked)
        card.declineClicked.connect(self.declineClicked)
        card.hangupClicked.connect(self.hangupClicked)
        card.holdClicked.connect(self.holdClicked)
        card.muteClicked.connect(self.muteClicked)
        card.switchClicked.connect(self.switchClicked)
        card.keypadPressed.connect(self.keypadPressed)
        card.transferClicked.connect(self.transferClicked)
        card.completeClicked.connect(self.completeClicked)
        card.conferenceClicked.connect(self.conferenceClicked)
        card.surveyClicked.connect(self.surveyClicked)

    def _offer_completion(self) -> None:
        """With two connected calls, the held one can be joined to the other,
        or both to the agent in a conference."""
        both_up = len(self.cards) == 2 and all(c.call.state is CallState.ACTIVE for c in self.cards.values())
        for card in self.cards.values():
            card.complete_button.setVisible(both_up and card.call.held)
            card.conference_button.setVisible(both_up and card.call.held)

    def _tick(self) -> None:
        for card in self.cards.values():
            card.tick()
