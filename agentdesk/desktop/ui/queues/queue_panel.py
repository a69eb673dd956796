"""The queues at a glance (a wallboard for a side dock): for each queue the
callers waiting, the longest wait, the agents and today's figures.

Waits tick every second from the service's `joined_at` corrected by
`clock_offset` (service time minus local time), so a desktop with a wrong
clock still shows true waits. Caller names and numbers are plain text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from agentdesk.contract.queues import AgentState, DayStats, QueueSummary, WaitingCaller
from agentdesk.contract.states import AgentActivity

from ..common.numbers import display_number
from ..common.style import (
    ACCENT,
    BAD,
    MUTED,
    WARN,
)
from ..common.text import clean_text, format_duration, isolate, plain_label, plain_tooltip
from ..common.ticking import ClockLabel

MAX_CALLERS_SHOWN = 8
Clock = Callable[[], float]

# Local rules (the app's STYLE_SHEET covers the rest); candidates for style.py.
PANEL_STYLE = f"""
#QueueCard {{ background: #ffffff; border: 1px solid #dadce0; border-radius: 10px; }}
#QueueTitle {{ font-size: 11pt; font-weight: 600; color: #202124; }}
#LevelPill {{ border-radius: 8px; padding: 1px 8px; background: #e8f0fe; color: {ACCENT}; font-weight: 600; }}
#LevelPill[level="none"] {{ background: #f1f3f4; color: {MUTED}; }}
#ViewOnlyMark {{ border: 1px solid #dadce0; border-radius: 8px; padding: 0 6px; color: {MUTED}; }}
#TileValue {{ font-size: 15pt; font-weight: 600; color: #202124; }}
#TileValue[wait="late"], #WaitingWait[wait="late"] {{ color: {BAD}; }}
#TileValue[wait="warn"], #WaitingWait[wait="warn"] {{ color: {WARN}; }}
#TileCaption {{ color: {MUTED}; font-size: 8pt; text-transform: uppercase; }}
#QueueDetail, #WaitingNumber, #WaitingPosition {{ color: {MUTED}; }}
#WaitingName {{ font-weight: 600; color: #202124; }}
#WaitingWait {{ font-family: monospace; color: #202124; }}
#CallbackMark {{ background: #e6f4ea; color: #0d652d; border-radius: 6px; padding: 0 4px; font-size: 8pt;
                 font-weight: 700; }}
#VipMark {{ background: #fef7e0; color: #8a5300; border-radius: 6px; padding: 0 4px; font-size: 8pt;
            font-weight: 700; }}
#ConnectionBanner {{ background: #fef7e0; color: #8a5300; border: 1px solid #f9dc8c; border-radius: 8px;
                     padding: 4px 8px; }}
"""


def wait_level(seconds: float, target: int) -> str:
    """'ok', 'warn' past the service-level target, 'late' past twice it."""
    if target <= 0 or seconds <= target:
        return "ok"
    return "late" if seconds > 2 * target else "warn"


def set_style_property(widget: QWidget, name: str, value: str) -> None:
    if widget.property(name) != value:
        widget.setProperty(name, value)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def level_text(share: float | None) -> str:
    if share is None:
        return "—"
    return QCoreApplication.translate("QueuePanel", "%1%").replace("%1", str(round(share * 100)))


class CallerRow(QWidget):
    """One waiting caller: position, VIP mark, name over number, wait."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caller: WaitingCaller | None = None
        self.position = plain_label("", "WaitingPosition")
        self.position.setMinimumWidth(self.fontMetrics().horizontalAdvance("00."))
        self.vip = plain_label(self.tr("VIP"), "VipMark")
        self.callback = plain_label(self.tr("Callback"), "CallbackMark")
        self.callback.setToolTip(self.tr("A callback keeping the customer's place in line"))
        self.name = plain_label("", "WaitingName")
        self.number = plain_label("", "WaitingNumber")
        self.wait = ClockLabel("WaitingWait", self)
        who = QVBoxLayout()
        who.setSpacing(0)
        who.addWidget(self.name)
        who.addWidget(self.number)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        row.addWidget(self.position)
        row.addLayout(who, 1)
        row.addWidget(self.callback, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.vip, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.wait)

    def show_caller(self, caller: WaitingCaller) -> None:
        self.caller = caller
        self.position.setText(f"{caller.position}.")
        number = isolate(display_number(caller.number))
        self.name.setText(clean_text(caller.name) or number)
        self.number.setText(number if caller.name else "")
        self.number.setVisible(bool(caller.name))
        self.vip.setVisible(caller.vip)
        self.callback.setVisible(bool(caller.callback_task))
        self.vip.setToolTip(self.tr("VIP caller"))

    def tick(self, now: float, target: int) -> None:
        if self.caller is not None:
            waited = now - self.caller.joined_at
            self.wait.setText(format_duration(waited))
            set_style_property(self.wait, "wait", wait_level(waited, target))


class QueueCard(QFrame):
    """One queue: title and service level, figure tiles, agents and today's
    counts, and the callers waiting in position order. A queue the agent may
    not join is marked "View only"."""

    def __init__(self, queue: QueueSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QueueCard")
        self.queue = queue
        self.title = plain_label("", "QueueTitle")
        self.level = plain_label("", "LevelPill")
        self.view_only = plain_label(self.tr("View only"), "ViewOnlyMark")
        self.view_only.setToolTip(self.tr("The directory does not list this queue for you: you can follow it "
                                          "here, but not join it. A team lead can change that."))
        self.view_only.hide()
        self.waiting = self._tile(self.tr("Waiting"))
        self.longest = self._tile(self.tr("Longest"))
        self.free = self._tile(self.tr("Free"))
        self.on_call = self._tile(self.tr("On call"))
        self.paused = self._tile(self.tr("Paused"))
        self.agents = plain_label("", "QueueDetail")
        self.agents.setWordWrap(True)
        self.today = plain_label("", "QueueDetail")
        self.today.setWordWrap(True)
        self.no_callers = plain_label(self.tr("No callers waiting"), "Placeholder")
        self.more = plain_label("", "QueueDetail")
        self.rows: list[CallerRow] = []
        self._layout()
        self.show_queue(queue)

    def _tile(self, caption: str) -> QLabel:
        value = plain_label("", "TileValue")
        value.setAccessibleDescription(caption)
        value.setProperty("caption", caption)
        return value

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.view_only)
        top.addWidget(self.level)
        tiles = QGridLayout()
        tiles.setHorizontalSpacing(10)
        tiles.setVerticalSpacing(0)
        for column, value in enumerate((self.waiting, self.longest, self.free, self.on_call, self.paused)):
            tiles.addWidget(value, 0, column)
            caption = plain_label(str(value.property("caption")), "TileCaption")
            caption.setWordWrap(True)  # a long caption takes two lines, not a wider dock
            tiles.addWidget(caption, 1, column, Qt.AlignmentFlag.AlignTop)
            tiles.setColumnStretch(column, 1)
        self.callers = QVBoxLayout()
        self.callers.setSpacing(0)
        self.callers.addWidget(self.no_callers)
        card = QVBoxLayout(self)
        card.setContentsMargins(12, 8, 12, 8)
        card.setSpacing(4)
        card.addLayout(top)
        card.addLayout(tiles)
        card.addWidget(self.agents)
        card.addWidget(self.today)
        card.addLayout(self.callers)
        card.addWidget(self.more)

    def show_queue(self, queue: QueueSummary) -> None:
        self.queue = queue
        self.title.setText(clean_text(queue.title))
        self.title.setToolTip(plain_tooltip(self.tr("Queue %1").replace("%1", queue.name)))
        self._show_figures(queue)
        callers = sorted(queue.callers, key=lambda caller: caller.position)
        while len(self.rows) < min(len(callers), MAX_CALLERS_SHOWN):
            row = CallerRow(self)
            self.rows.append(row)
            self.callers.addWidget(row)
        for index, row in enumerate(self.rows):
            if index < len(callers):
                row.show_caller(callers[index])
            row.setVisible(index < len(callers))
        hidden = len(callers) - MAX_CALLERS_SHOWN
        self.more.setText(self.tr("%1 more waiting").replace("%1", str(hidden)) if hidden > 0 else "")
        self.more.setVisible(hidden > 0)
        self.no_callers.setVisible(not callers)

    def _show_figures(self, queue: QueueSummary) -> None:
        today = queue.today
        self.waiting.setText(str(len(queue.callers)))
        self.free.setText(str(queue.count(AgentActivity.READY)))
        self.on_call.setText(str(queue.count(AgentActivity.ON_CALL) + queue.count(AgentActivity.RINGING)))
        self.paused.setText(str(queue.count(AgentActivity.PAUSED)))
        logged_in = sum(1 for member in queue.members if member.activity is not AgentActivity.LOGGED_OUT)
        unavailable = queue.count(AgentActivity.UNAVAILABLE)
        agents = self.tr("Agents logged in: %1").replace("%1", str(logged_in))
        if unavailable:
            agents += " · " + self.tr("phone unavailable: %1").replace("%1", str(unavailable))
        self.agents.setText(agents)
        figures = (self.tr("Today: %1 answered · %2 abandoned")
                   .replace("%1", str(today.answered)).replace("%2", str(today.abandoned)))
        if today.callbacks_attempted or today.callbacks_reached:
            figures += " · " + self.tr("%1 called back").replace("%1", str(today.callbacks_reached))
        self.today.setText(figures)
        self.today.setToolTip(self.figures_rules(today))
        self.level.setText(self.tr("SL %1").replace("%1", level_text(today.service_level)))
        self.level.setToolTip(self.figures_rules(today))
        set_style_property(self.level, "level", "none" if today.service_level is None else "known")

    def figures_rules(self, today: DayStats) -> str:
        """What today's figures count, in the words of the panel's tooltip."""
        return "\n".join([
            self.tr("Answered and abandoned: customers who called this queue today; a returning caller "
                    "rung straight to their last agent counts too."),
            self.tr("Service level: the share of those answered or abandoned that were answered within %1 s "
                    "(— before the first such call).").replace("%1", str(today.service_level_seconds)),
            self.tr("Callbacks are counted apart: %1 tried today, %2 reached (closed as reached) today; "
                    "they are not in the answered figure.")
            .replace("%1", str(today.callbacks_attempted)).replace("%2", str(today.callbacks_reached)),
        ])

    def set_view_only(self, view_only: bool) -> None:
        self.view_only.setVisible(view_only)

    def tick(self, now: float) -> None:
        target = self.queue.today.service_level_seconds
        since = self.queue.longest_wait_since
        self.longest.setText("—" if since is None else format_duration(now - since))
        set_style_property(self.longest, "wait", "ok" if since is None else wait_level(now - since, target))
        for row in self.rows:
            if row.isVisibleTo(self):
                row.tick(now, target)


class QueuePanel(QWidget):
    """The agent's queues, one card each, refreshed once a second.

    Fed by the composition root: `show_queues` with a snapshot,
    `update_queue` for one queue's change, `show_agent` with the agent's
    state (which queues they may join), `set_connection_state` with a
    reason while the desk service is unreachable (the figures are then
    greyed: they may be stale). No signals; nothing here talks to the network.
    """

    def __init__(self, parent: QWidget | None = None, clock: Clock = time.time) -> None:
        super().__init__(parent)
        self.setStyleSheet(PANEL_STYLE)
        self._clock = clock
        self._offset = 0.0
        self._agent: AgentState | None = None
        self.cards: dict[str, QueueCard] = {}
        self.banner = plain_label("", "ConnectionBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.placeholder = plain_label(self.tr("You are in no queue."), "Placeholder")
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(8, 8, 8, 8)
        self._column.setSpacing(8)
        self._column.addWidget(self.banner)
        self._column.addWidget(self.placeholder)
        self._cards = QVBoxLayout()
        self._cards.setSpacing(8)
        self._column.addLayout(self._cards)
        self._column.addStretch(1)
        # Ticks only while someone waits: an idle queue has no time to show.
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)

    def sizeHint(self) -> QSize:
        # The dock starts as narrow as the cards allow, leaving the call its room; the agent may widen it.
        return QSize(self.minimumSizeHint().width(), super().sizeHint().height())

    def show_queues(self, queues: Sequence[QueueSummary], clock_offset: float) -> None:
        """Replace everything with a snapshot's queues, in the order given."""
        self._offset = clock_offset
        for card in self.cards.values():
            card.hide()
            card.deleteLater()
        self.cards = {}
        for queue in queues:
            self._add(queue)
        self.placeholder.setVisible(not self.cards)
        self.tick()

    def update_queue(self, queue: QueueSummary) -> None:
        card = self.cards.get(queue.name)
        if card is None:
            self._add(queue)
        else:
            card.show_queue(queue)
        self.placeholder.setVisible(False)
        self.tick()

    def show_agent(self, state: AgentState) -> None:
        """Mark the queues the agent may not join (nor leave: they are not in them)."""
        self._agent = state
        for card in self.cards.values():
            self._mark(card)

    def _mark(self, card: QueueCard) -> None:
        card.set_view_only(self._agent is not None and not self._agent.may_toggle(card.queue.name))

    def set_connection_state(self, text: str) -> None:
        """'' when connected; else why not, shown above greyed figures."""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        for card in self.cards.values():
            card.setEnabled(not text)

    def _add(self, queue: QueueSummary) -> None:
        card = QueueCard(queue, self)
        card.setEnabled(not self.banner.text())
        self._mark(card)
        self.cards[queue.name] = card
        self._cards.addWidget(card)

    def tick(self) -> None:
        now = self._clock() + self._offset
        for card in self.cards.values():
            card.tick(now)
        waiting = any(card.queue.longest_wait_since is not None for card in self.cards.values())
        if not waiting:
            self._timer.stop()
        elif not self._timer.isActive():
            self._timer.start()
