"""What team leads did, from the desk service's audit log: a table of a
day's entries, narrowed to one agent. Signal `query_requested(day, agent)`
(day as YYYY-MM-DD); `show_entries` fills the table."""

from __future__ import annotations

import json

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agentdesk.contract.leads import AuditEntry

from ..common.text import clean_text
from ..common.when import time_text


class AuditView(QWidget):
    query_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.day = QDateEdit(QDate.currentDate(), self)
        self.day.setCalendarPopup(True)
        self.agent = QLineEdit(self)
        self.agent.setPlaceholderText(self.tr("Agent (extension)"))
        self.agent.returnPressed.connect(self.refresh)
        self.refresh_button = QPushButton(self.tr("Show"), self)
        self.refresh_button.clicked.connect(self.refresh)
        self.table = QTableWidget(0, 6, self)
        self.table.setHorizontalHeaderLabels([self.tr("Time"), self.tr("Team lead"), self.tr("Action"),
                                              self.tr("Agent"), self.tr("Details"), self.tr("Result")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        top = QHBoxLayout()
        top.addWidget(self.day)
        top.addWidget(self.agent, 1)
        top.addWidget(self.refresh_button)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.table, 1)

    def refresh(self) -> None:
        self.query_requested.emit(self.day.date().toString("yyyy-MM-dd"), self.agent.text().strip())

    def show_entries(self, entries: list[AuditEntry]) -> None:
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(sorted(entries, key=lambda e: e.at, reverse=True)):
            detail = ", ".join(f"{k}: {v if isinstance(v, str) else json.dumps(v)}" for k, v in entry.detail.items())
            cells = (time_text(entry.at), entry.lead, entry.action, entry.agent, detail,
                     self.tr("ok") if entry.result == "ok" else entry.result)
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(clean_text(text)))
