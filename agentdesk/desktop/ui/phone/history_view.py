"""The call history list; double-click or Enter calls the number back.
A queue call shows the agent's disposition and the caller's survey score
once they are known."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ...history import HistoryEntry, Outcome
from ...phone.model import Direction
from ..common.icons import icon
from ..common.text import format_duration, isolate, plain_tooltip

MAX_SHOWN = 200
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


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


def after_call_text(entry: HistoryEntry) -> str:
    """'Sale · survey 4/5': what came after a queue call ('' nothing yet)."""
    parts = [entry.disposition] if entry.disposition else []
    if entry.survey_score is not None:
        parts.append(QCoreApplication.translate("History", "survey %1/5").replace("%1", str(entry.survey_score)))
    return " · ".join(isolate(part) for part in parts)


def icon_name(entry: HistoryEntry) -> str:
    if entry.outcome in (Outcome.MISSED, Outcome.DECLINED):
        return "missed"
    return "incoming" if entry.direction is Direction.INCOMING else "outgoing"


class HistoryList(QListWidget):
    callBackRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("History")
        # A long name or detail wraps in a narrow pane rather than scrolling sideways.
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
        after = after_call_text(entry)
        details += f" · {after}" if after else ""
        # QListWidgetItem text is never interpreted as rich text.
        item = QListWidgetItem(icon(icon_name(entry)), f"{isolate(who)}{queue}\n{details}")
        item.setData(Qt.ItemDataRole.UserRole, entry.number)
        item.setData(ENTRY_ROLE, entry)
        item.setToolTip(plain_tooltip(entry.reason))
        return item

    def show_after_call(self, queue_call: str, disposition: str | None = None, score: int | None = None) -> None:
        """A queue call's disposition or survey score arrived: its rows show it."""
        for row in range(self.count()):
            entry = self.item(row).data(ENTRY_ROLE)
            if not isinstance(entry, HistoryEntry) or not queue_call or entry.queue_call != queue_call:
                continue
            entry = replace(entry, disposition=entry.disposition if disposition is None else disposition,
                            survey_score=entry.survey_score if score is None else score)
            fresh = self._item(entry)
            self.item(row).setText(fresh.text())
            self.item(row).setData(ENTRY_ROLE, entry)

    def entry(self, row: int) -> HistoryEntry | None:
        entry = self.item(row).data(ENTRY_ROLE)
        return entry if isinstance(entry, HistoryEntry) else None

    def _activated(self, item: QListWidgetItem) -> None:
        number = item.data(Qt.ItemDataRole.UserRole)
        if number:
            self.callBackRequested.emit(str(number))
