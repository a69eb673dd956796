"""The screen-pop: who is calling from the queue, shown the moment the phone
rings and filled in as the desk service and the CRM answer.

Three sources, each may be late or fail on its own: the SIP INVITE (number,
name, queue: at once), the desk service (wait, position, VIP, repeat caller,
earlier calls) and the CRM (the customer record). Everything they send is
plain text. A slow or failing source says so in its own place and never
hides what the others said.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agentdesk.contract.queues import PastCall, QueueCallInfo

from ...crm.lookup import CrmRecord
from ..common.numbers import display_number
from ..common.style import ACCENT, MUTED
from ..common.text import (
    clean_text,
    format_duration,
    isolate,
    plain_label,
    plain_tooltip,
)
from ..common.when import moment_text
from .queue_panel import Clock

MAX_PAST_CALLS = 10

POP_STYLE = f"""
#ScreenPop {{ background: #ffffff; border: 2px solid {ACCENT}; border-radius: 12px; }}
#PopHeading {{ color: {MUTED}; font-weight: 600; }}
#PopTitle {{ font-size: 14pt; font-weight: 600; color: #202124; }}
#PopNumber {{ font-size: 11pt; color: #3c4043; }}
#VipBadge {{ background: #fef7e0; color: #8a5300; border-radius: 8px; padding: 1px 8px; font-weight: 700; }}
#RepeatBadge {{ background: #fce8e6; color: #b3261e; border-radius: 8px; padding: 1px 8px; font-weight: 600; }}
#FieldName {{ color: {MUTED}; }}
#FieldValue {{ color: #202124; }}
QTableWidget#PastCalls {{ border: 1px solid #dadce0; border-radius: 6px; gridline-color: #f1f3f4; }}
"""


def outcome_text(call: PastCall) -> str:
    translate = QCoreApplication.translate
    texts = {
        "answered": translate("ScreenPop", "Answered"),
        "abandoned": translate("ScreenPop", "Hung up waiting"),
        "timeout": translate("ScreenPop", "Queue timed out"),
        "full": translate("ScreenPop", "Queue full"),
        "transferred": translate("ScreenPop", "Transferred"),
    }
    text = texts.get(call.outcome, call.outcome)
    return f"{text} ({format_duration(call.talk_seconds)})" if call.talk_seconds else text


def wrapup_text(call: PastCall) -> str:
    """The agent's disposition, and whether it was resolved on first contact."""
    if call.first_contact_resolved:
        resolved = QCoreApplication.translate("ScreenPop", "resolved on first contact")
        return f"{call.disposition} · {resolved}" if call.disposition else resolved
    return call.disposition


def survey_text(call: PastCall) -> str:
    return "" if call.survey_score is None else f"{call.survey_score}/5"


class ScreenPopCard(QFrame):
    """The screen-pop for one ringing queue call.

    Calls, in any order after `show_ringing`: `show_call_info`,
    `show_desk_problem`, `show_crm_loading`, then one of `show_crm_record`
    (None: the CRM does not know the number) or `show_crm_problem`;
    `clear()` when the call is gone. The caller of these matches answers to
    the current call (CrmLookup request ids); the card shows what it is told.

    Signal: `open_in_crm(QUrl)` when the agent asks for the customer's CRM
    page (button or Ctrl+O). The card opens it with QDesktopServices too
    unless built with `open_urls=False` (tests; a host that opens it itself).
    Only http and https links are offered.
    """

    open_in_crm = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None, open_urls: bool = True, clock: Clock = time.time) -> None:
        super().__init__(parent)
        self.setObjectName("ScreenPop")
        self.setStyleSheet(POP_STYLE)
        self._open_urls = open_urls
        self._clock = clock
        self._url = QUrl()
        self._sip_name = ""
        self._build()
        QShortcut(QKeySequence("Ctrl+O"), self, self.open_record)
        self.clear()

    # -- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.heading = plain_label("", "PopHeading")
        self.heading.setWordWrap(True)
        self.vip = plain_label(self.tr("VIP"), "VipBadge")
        self.repeat = plain_label(self.tr("Called before"), "RepeatBadge")
        self.title = plain_label("", "PopTitle")
        self.title.setWordWrap(True)
        self.number = plain_label("", "PopNumber")
        self.queue_line = plain_label("", "CallerDetail")
        self.desk_problem = plain_label("", "Problem")
        self.desk_problem.setWordWrap(True)
        self.crm_status = plain_label("", "Placeholder")
        self.crm_status.setWordWrap(True)
        self.fields: dict[str, QLabel] = {}
        self.open_button = QPushButton(self.tr("Open in CRM"), self)
        self.open_button.setObjectName("CallControl")
        self.open_button.setToolTip(self.tr("Open the customer's page in the CRM (Ctrl+O)"))
        self.open_button.clicked.connect(self.open_record)
        self.history_title = plain_label(self.tr("Earlier calls"), "SectionTitle")
        self.history = self._history_table()
        column = QVBoxLayout(self)
        column.setContentsMargins(14, 10, 14, 12)
        column.setSpacing(6)
        column.addLayout(self._top_rows())
        column.addWidget(self.queue_line)
        column.addWidget(self.desk_problem)
        column.addLayout(self._customer_title())
        column.addWidget(self.crm_status)
        column.addLayout(self._record_form())
        column.addWidget(self.history_title)
        column.addWidget(self.history)

    def _top_rows(self) -> QVBoxLayout:
        who = QHBoxLayout()
        who.addWidget(self.title, 1)
        who.addWidget(self.repeat, 0, Qt.AlignmentFlag.AlignVCenter)
        who.addWidget(self.vip, 0, Qt.AlignmentFlag.AlignVCenter)
        rows = QVBoxLayout()
        rows.setSpacing(2)
        rows.addWidget(self.heading)
        rows.addLayout(who)
        rows.addWidget(self.number)
        return rows

    def _customer_title(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(plain_label(self.tr("Customer"), "SectionTitle"), 1, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.open_button)
        return row

    def _record_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(2)
        names = {"company": self.tr("Company"), "tier": self.tr("Tier"), "email": self.tr("E-mail"),
                 "city": self.tr("City"), "notes": self.tr("Notes"), "id": self.tr("Customer ID")}
        for key, name in names.items():
            value = plain_label("", "FieldValue")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(plain_label(name, "FieldName"), value)
            self.fields[key] = value
        self._form = form
        return form

    def _history_table(self) -> QTableWidget:
        table = QTableWidget(0, 4, self)
        table.setObjectName("PastCalls")
        table.setHorizontalHeaderLabels(self._column_titles(False))
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setShowGrid(False)
        table.setWordWrap(True)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.installEventFilter(self)  # the columns follow the table's width
        return table

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.history and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _column_titles(self, after_call: bool) -> list[str]:
        """The wrap-up and survey columns appear once an earlier call has either."""
        titles = [self.tr("Date"), self.tr("Agent"), self.tr("Queue"), self.tr("Outcome")]
        return [*titles, self.tr("Disposition"), self.tr("Survey")] if after_call else titles

    # -- what the call says ---------------------------------------------------------------

    def show_ringing(self, number: str, name: str, queue: str, callback: bool = False) -> None:
        """What the INVITE says: shown at once, before anyone else answers.
        `callback`: the call offers a callback to this customer, not a caller."""
        self.clear()
        self._sip_name = name
        if callback:
            self.heading.setText(self.tr("Callback to this customer"))
        else:
            self.heading.setText(self.tr("Incoming call from the %1 queue").replace("%1", clean_text(queue)) if queue
                                 else self.tr("Incoming call"))
        self._show_who(name, number)
        self.show()

    def _show_who(self, name: str, number: str) -> None:
        formatted = isolate(display_number(number)) if number else ""
        self.title.setText(clean_text(name) or formatted or self.tr("Unknown caller"))
        self.number.setText(formatted if name else "")
        self.number.setVisible(bool(name and formatted))
        self.number.setProperty("raw", number)

    def show_call_info(self, info: QueueCallInfo, clock_offset: float) -> None:
        """The desk service's knowledge of the call; the wait is as of now (the ring)."""
        waited = self._clock() + clock_offset - info.joined_at
        self.queue_line.setText(self.tr("Waited %1 · position %2 on entry")
                                .replace("%1", format_duration(waited)).replace("%2", str(info.position)))
        self.queue_line.show()
        self.vip.setVisible(info.vip)
        self.repeat.setVisible(info.repeat)
        if not self._sip_name and info.name and not self.fields["id"].text():
            self._show_who(info.name, info.number)
        self._show_history(info.history)

    def _show_history(self, calls: Sequence[PastCall]) -> None:
        shown = sorted(calls, key=lambda call: call.at, reverse=True)[:MAX_PAST_CALLS]
        after_call = any(wrapup_text(call) or survey_text(call) for call in shown)
        titles = self._column_titles(after_call)
        self.history.setColumnCount(len(titles))
        self.history.setHorizontalHeaderLabels(titles)
        self.history.setRowCount(len(shown))
        now = self._clock()
        for row, call in enumerate(shown):
            texts = (moment_text(call.at, now), call.agent_name or call.agent, call.queue, outcome_text(call),
                     wrapup_text(call), survey_text(call))[:len(titles)]
            for column, text in enumerate(texts):
                item = QTableWidgetItem(isolate(text))  # table items are never rich text
                if column == 4:
                    item.setToolTip(plain_tooltip(call.notes))  # the agent's notes, as typed
                self.history.setItem(row, column, item)
        self.history_title.setVisible(bool(shown))
        self.history.setVisible(bool(shown))
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Each column its title's (and, if there is room, its longest word's) width and a share of the rest in
        proportion to what its texts need unwrapped; rows as tall as their
        wrapped texts and the table as tall as its rows."""
        table = self.history
        header = table.horizontalHeader()
        columns = range(table.columnCount())
        metrics = table.fontMetrics()
        padding = 2 * table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 8

        def longest_word(column: int) -> int:
            items = (table.item(row, column) for row in range(table.rowCount()))
            words = [word for item in items if item is not None for word in item.text().split()]
            return max((metrics.horizontalAdvance(word) for word in words), default=0) + padding

        titles = [header.sectionSizeHint(c) for c in columns]
        table.setMinimumWidth(sum(titles) + 2 * table.frameWidth())
        room = table.width() - 2 * table.frameWidth()  # its viewport, even mid-resize
        words = [max(titles[c], longest_word(c)) for c in columns]
        least = words if sum(words) <= room else titles  # at the very least a word may break
        wanted = [max(table.sizeHintForColumn(c) - least[c], 0) for c in columns]
        spare = max(room - sum(least), 0)
        for column in columns:
            share = spare * wanted[column] // sum(wanted) if sum(wanted) else spare // max(len(least), 1)
            header.resizeSection(column, least[column] + share)
        table.resizeRowsToContents()
        height = table.horizontalHeader().height() + sum(table.rowHeight(r) for r in range(table.rowCount()))
        table.setFixedHeight(height + 2 * table.frameWidth())

    def show_desk_problem(self, text: str) -> None:
        self.desk_problem.setText(text)
        self.desk_problem.setVisible(bool(text))

    # -- what the CRM says ----------------------------------------------------------------

    def show_crm_loading(self) -> None:
        self._show_crm_status(self.tr("Looking up the customer…"), "Placeholder")

    def show_crm_problem(self, text: str) -> None:
        self._show_crm_status(text, "Problem")

    def show_crm_record(self, record: CrmRecord | None) -> None:
        """The customer, or None: the CRM does not know this number."""
        if record is None:
            self._show_crm_status(self.tr("Not a known customer"), "Placeholder")
            return
        self.crm_status.hide()
        values = {"company": record.company, "tier": record.tier, "email": record.email,
                  "city": record.city, "notes": record.notes, "id": record.id}
        for key, value in values.items():
            self.fields[key].setText(clean_text(value, lines=key == "notes"))
            self._form.setRowVisible(self.fields[key], bool(value))
        if record.name:
            self._show_who(record.name, str(self.number.property("raw") or ""))
        self._set_url(record.open_url)

    def _show_crm_status(self, text: str, name: str) -> None:
        self.crm_status.setObjectName(name)
        self.crm_status.style().unpolish(self.crm_status)
        self.crm_status.style().polish(self.crm_status)
        self.crm_status.setText(text)
        self.crm_status.setVisible(bool(text))

    def _set_url(self, link: str) -> None:
        url = QUrl(link)
        usable = url.isValid() and url.scheme() in ("http", "https") and bool(url.host())
        self._url = url if usable else QUrl()
        self.open_button.setEnabled(usable)

    def open_record(self) -> None:
        if self._url.isEmpty() or not self.isVisible():
            return
        self.open_in_crm.emit(self._url)
        if self._open_urls:
            QDesktopServices.openUrl(self._url)

    # -- between calls ----------------------------------------------------------------------

    def clear(self) -> None:
        self._sip_name = ""
        for label in (self.heading, self.title, self.number, self.queue_line):
            label.setText("")
        self.number.setProperty("raw", "")
        self.queue_line.hide()
        self.vip.hide()
        self.repeat.hide()
        self.show_desk_problem("")
        self._show_crm_status("", "Placeholder")
        for value in self.fields.values():
            value.setText("")
            self._form.setRowVisible(value, False)
        self._show_history(())
        self._set_url("")
        self.hide()
