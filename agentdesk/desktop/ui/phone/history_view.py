"""The call history list; double-click or Enter calls the number back.
A queue call shows the agent's disposition and the caller's survey score
once they are known; a call whose sound was measured, its quality.

One row per queue call: a waiting caller offered to the agent again and
again is one row ("offered 3 times"), not a row per ring. A queue call the
agent missed and a colleague then answered stays in the list, saying
"Answered by a colleague" instead of "Missed": the agent learns the
customer rang and was served, so it is neither lost nor something to call
back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ...history import HistoryEntry, Outcome, fold, one_row_per_queue_call
from ...phone.model import Direction
from ..common.icons import icon
from ..common.numbers import display_number
from ..common.text import format_duration, isolate, plain_tooltip
from ..common.when import moment_text
from .quality_label import level_word

MAX_SHOWN = 200
KEEP_TAKEN = 200  # colleagues' answers remembered for rings that end after the news
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


def outcome_text(entry: HistoryEntry) -> str:
    translate = QCoreApplication.translate
    if entry.outcome is Outcome.ANSWERED:
        return format_duration(entry.duration)
    if entry.taken_by_colleague:
        return translate("History", "Answered by a colleague (%1)").replace("%1", isolate(entry.answered_by))
    texts = {
        Outcome.MISSED: translate("History", "Missed"),
        Outcome.DECLINED: translate("History", "Declined"),
        Outcome.UNANSWERED: translate("History", "No answer"),
        Outcome.FAILED: translate("History", "Failed"),
    }
    return texts[entry.outcome]


def after_call_text(entry: HistoryEntry) -> str:
    """'Sale · survey 4/5': what came after a queue call ('' nothing yet)."""
    parts = [entry.disposition] if entry.disposition else []
    if entry.survey_score is not None:
        parts.append(QCoreApplication.translate("History", "survey %1/5").replace("%1", str(entry.survey_score)))
    return " · ".join(isolate(part) for part in parts)


def quality_text(entry: HistoryEntry) -> str:
    """'quality: Good, MOS 4.4' for a call whose sound was measured ('' else)."""
    if not entry.quality or entry.mos is None:
        return ""
    return (QCoreApplication.translate("History", "quality: %1, MOS %2")
            .replace("%1", level_word(entry.quality)).replace("%2", f"{entry.mos:.1f}"))


def icon_name(entry: HistoryEntry) -> str:
    if entry.outcome in (Outcome.MISSED, Outcome.DECLINED) and not entry.taken_by_colleague:
        return "missed"
    return "incoming" if entry.direction is Direction.INCOMING else "outgoing"


class HistoryList(QListWidget):
    callBackRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None, clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self._clock = clock
        self.setObjectName("History")
        # A long name or detail wraps in a narrow pane rather than scrolling sideways.
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._taken: dict[str, str] = {}  # queue call -> the colleague who answered it
        self.itemActivated.connect(self._activated)

    def set_entries(self, entries: list[HistoryEntry]) -> None:
        self.clear()
        for entry in one_row_per_queue_call(entries)[:MAX_SHOWN]:
            self.addItem(self._item(entry))

    def add_entry(self, entry: HistoryEntry) -> HistoryEntry:
        """A call ended: on top; another offer of a queue call already listed
        joins its row (which moves to the top). Returns the call as it is to
        be kept: a ring cancelled because a colleague answered (strategy
        ringall: the news may come first) as answered by them."""
        if entry.outcome is Outcome.MISSED and entry.queue_call in self._taken:
            entry = replace(entry, answered_by=self._taken[entry.queue_call])
        kept = entry
        for row in range(self.count()):
            listed = self.entry(row)
            if entry.queue_call and listed is not None and listed.queue_call == entry.queue_call:
                self.takeItem(row)
                entry = fold(entry, listed)
                break
        self.insertItem(0, self._item(entry))
        while self.count() > MAX_SHOWN:
            self.takeItem(self.count() - 1)
        return kept

    def _item(self, entry: HistoryEntry) -> QListWidgetItem:
        who = entry.name or display_number(entry.number)
        queue = f"  [{isolate(entry.queue)}]" if entry.queue else ""
        when = moment_text(entry.started_at, self._clock())
        details = " · ".join(isolate(part) for part in (display_number(entry.number), when, outcome_text(entry)))
        if entry.offers > 1:
            offered = QCoreApplication.translate("History", "offered %1 times").replace("%1", str(entry.offers))
            details += f" · {offered}"
        after = after_call_text(entry)
        details += f" · {after}" if after else ""
        quality = quality_text(entry)
        details += f" · {quality}" if quality else ""
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

    def show_taken(self, queue_call: str, colleague: str) -> None:
        """A colleague answered a queue call that rang this agent: its row
        says so (and one that ends later will)."""
        if not queue_call:
            return
        self._taken[queue_call] = colleague
        while len(self._taken) > KEEP_TAKEN:
            del self._taken[next(iter(self._taken))]
        for row in range(self.count()):
            entry = self.entry(row)
            if entry is None or not queue_call or entry.queue_call != queue_call or entry.outcome is not Outcome.MISSED:
                continue
            entry = replace(entry, answered_by=colleague)
            fresh = self._item(entry)
            self.item(row).setText(fresh.text())
            self.item(row).setIcon(fresh.icon())
            self.item(row).setData(ENTRY_ROLE, entry)

    def reformat(self) -> None:
        """Write every row again (the numbers' region became known or changed)."""
        for row in range(self.count()):
            entry = self.entry(row)
            if entry is not None:
                self.item(row).setText(self._item(entry).text())

    def entry(self, row: int) -> HistoryEntry | None:
        entry = self.item(row).data(ENTRY_ROLE)
        return entry if isinstance(entry, HistoryEntry) else None

    def _activated(self, item: QListWidgetItem) -> None:
        number = item.data(Qt.ItemDataRole.UserRole)
        if number:
            self.callBackRequested.emit(str(number))
