"""The call history list; double-click or Enter calls the number back."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ..history import HistoryEntry, Outcome
from ..phone.model import Direction
from .icons import icon
from .text import format_duration, isolate, plain_tooltip

MAX_SHOWN = 200


def outcome_text(entry: HistoryEntry) -> str:
    tr = QCoreApplication.translate
    if entry.outcome is Outcome.ANSWERED:
        return format_duration(entry.duration)
    texts = {
        Outcome.MISSED: tr("History", "Missed"),
        Outcome.DECLINED: tr("History", "Declined"),
        Outcome.UNANSWERED: tr("History", "No answer"),
        Outcome.FAILED: tr("History", "Failed"),
    }
    return texts[entry.outcome]


def when_text(stamp: float) -> str:
    """'15:31' today, '22 Nov 15:31' before, in the user's language."""
    moment = QDateTime.fromSecsSinceEpoch(int(stamp))
    locale = QLocale()
    if moment.date() == QDateTime.currentDateTime().date():
        return locale.toString(moment.time(), QLocale.FormatType.ShortFormat)
    return locale.toString(moment, "d MMM HH:mm")


def icon_name(entry: HistoryEntry) -> str:
    if entry.outcome in (Outcome.MISSED, Outcome.DECLINED):
        return "missed"
    return "incoming" if entry.direction is Direction.INCOMING else "outgoing"


class HistoryList(QListWidget):
    callBackRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("History")
        self.setUniformItemSizes(True)
        self.itemActivated.connect(self._activated)

    def set_entries(self, entries: list[HistoryEntry]) -> None:
        self.clear()
        for entry in entries[:MAX_SHOWN]:
            self.addItem(self._item(entry))

    def add_entry(self, entry: HistoryEntry) -> None:
        self.insertItem(0, self._item(entry))
        while self.count() > MAX_SHOWN:
            self.takeItem(self.count() - 1)

    def _item(self, entry: HistoryEntry) -> QListWidgetItem:
        who = entry.name or entry.number
        queue = f"  [{isolate(entry.queue)}]" if entry.queue else ""
        details = " · ".join(isolate(part) for part in (entry.number, when_text(entry.started_at), outcome_text(entry)))
        # QListWidgetItem text is never interpreted as rich text.
        item = QListWidgetItem(icon(icon_name(entry)), f"{isolate(who)}{queue}\n{details}")
        item.setData(Qt.ItemDataRole.UserRole, entry.number)
        item.setToolTip(plain_tooltip(entry.reason))
        return item

    def _activated(self, item: QListWidgetItem) -> None:
        number = item.data(Qt.ItemDataRole.UserRole)
        if number:
            self.callBackRequested.emit(str(number))
