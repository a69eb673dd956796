"""The queue panel: callers in position order, formatted numbers, waits that
tick from the service's clock, plain text, right-to-left, translation."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from agentdesk.contract.queues import AgentState, DayStats, QueueMember, QueueSummary, WaitingCaller
from agentdesk.contract.states import AgentActivity
from agentdesk.desktop.ui.queues.queue_panel import QueuePanel

FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"  # around a name; around a number; the end
NOW = 1_800_000_000.0


def member(agent: str, activity: AgentActivity) -> QueueMember:
    return QueueMember(agent, f"Agent {agent}", activity, "", NOW - 100)


def support_queue(*callers: WaitingCaller, level: float | None = 0.92) -> QueueSummary:
    members = (member("1001", AgentActivity.READY), member("1002", AgentActivity.ON_CALL),
               member("1003", AgentActivity.RINGING), member("1004", AgentActivity.PAUSED),
               member("1005", AgentActivity.UNAVAILABLE))
    return QueueSummary("support", "Support", "rrmemory", callers, members, DayStats(44, 41, 3, level, 20))


CALLERS = (
    WaitingCaller("u3", "anonymous", "", 3, NOW - 5, False),
    WaitingCaller("u1", "+982155550102", "Reza Hosseini", 1, NOW - 161, True),
    WaitingCaller("u2", "+74951234567", "", 2, NOW - 42, False),
)


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def panel(qtbot: Any) -> Iterator[QueuePanel]:
    widget = QueuePanel(clock=FakeClock(NOW))
    qtbot.addWidget(widget)
    widget.show()
    yield widget


def rows(panel: QueuePanel, queue: str = "support") -> list[tuple[str, str, str, str, bool]]:
    card = panel.cards[queue]
    return [(r.position.text(), r.name.text(), r.number.text(), r.wait.text(), r.vip.isVisibleTo(card))
            for r in card.rows if r.isVisibleTo(card)]


def test_callers_are_listed_in_position_order_with_readable_numbers(panel: QueuePanel) -> None:
    panel.show_queues([support_queue(*CALLERS)], clock_offset=0.0)
    assert rows(panel) == [
        ("1.", "Reza Hosseini", f"{LRI}+98 21 5555 0102{PDI}", "02:41", True),
        ("2.", f"{LRI}+7 495 123-45-67{PDI}", "", "00:42", False),
        ("3.", f"{FSI}anonymous{PDI}", "", "00:05", False),
    ]


def test_queue_figures_at_a_glance(panel: QueuePanel) -> None:
    panel.show_queues([support_queue(*CALLERS)], clock_offset=0.0)
    card = panel.cards["support"]
    tiles = [card.waiting.text(), card.longest.text(), card.free.text(), card.on_call.text(), card.paused.text()]
    assert tiles == ["3", "02:41", "1", "2", "1"]  # ringing counts as busy
    assert card.agents.text() == "Agents logged in: 5 · phone unavailable: 1"
    assert card.today.text() == "Today: 41 answered · 3 abandoned"
    assert card.level.text() == "SL 92%"
    assert card.longest.property("wait") == "late"  # over twice the 20 s target
    panel.show_queues([support_queue(level=None)], clock_offset=0.0)
    card = panel.cards["support"]
    assert (card.level.text(), card.longest.text(), card.no_callers.isVisibleTo(card)) == ("SL —", "—", True)


def test_waits_tick_every_second_on_the_service_clock(qtbot: Any) -> None:
    panel = QueuePanel()  # the real clock and timer
    qtbot.addWidget(panel)
    now = time.time()
    offset = 3600.0  # the service's clock is an hour ahead of this desktop's
    caller = WaitingCaller("u1", "+982155550101", "Demo Customer", 1, now + offset - 65, False)
    panel.show_queues([support_queue(caller)], clock_offset=offset)
    card = panel.cards["support"]
    assert card.rows[0].wait.text() in ("01:05", "01:06")
    first = card.rows[0].wait.text()
    qtbot.waitUntil(lambda: card.rows[0].wait.text() != first, timeout=2500)
    assert card.rows[0].wait.text() in ("01:06", "01:07")
    assert card.longest.text() == card.rows[0].wait.text()


def test_without_a_waiting_caller_the_panel_does_not_tick(qtbot: Any) -> None:
    """No time to show, no wake-up every second (an idle desktop sleeps)."""
    panel = QueuePanel()
    qtbot.addWidget(panel)
    panel.show_queues([support_queue()], clock_offset=0.0)
    assert not panel._timer.isActive()
    caller = WaitingCaller("u1", "+982155550101", "Demo Customer", 1, time.time() - 5, False)
    panel.update_queue(support_queue(caller))
    assert panel._timer.isActive()
    panel.update_queue(support_queue())
    assert not panel._timer.isActive()


def test_caller_names_are_shown_literally(panel: QueuePanel) -> None:
    caller = WaitingCaller("u1", "1004", "<b>x</b>", 1, NOW - 5, False)
    panel.show_queues([support_queue(caller)], clock_offset=0.0)
    name = panel.cards["support"].rows[0].name
    assert name.text() == "<b>x</b>"
    assert name.textFormat() is Qt.TextFormat.PlainText
    for label in panel.findChildren(QLabel):
        assert label.textFormat() is Qt.TextFormat.PlainText, label.objectName()


def test_update_queue_changes_one_queue_and_adds_new_ones(panel: QueuePanel) -> None:
    sales = QueueSummary("sales", "Sales", "ringall", (), (), DayStats(0, 0, 0, None, 30))
    panel.show_queues([support_queue(*CALLERS), sales], clock_offset=0.0)
    support_card = panel.cards["support"]
    panel.update_queue(support_queue(CALLERS[0]))
    assert panel.cards["support"] is support_card and rows(panel)[0][1] == f"{FSI}anonymous{PDI}"
    assert len(rows(panel)) == 1
    panel.update_queue(QueueSummary("billing", "Billing", "", (), (), DayStats(0, 0, 0, None, 30)))
    assert list(panel.cards) == ["support", "sales", "billing"]
    panel.show_queues([], clock_offset=0.0)
    assert panel.cards == {} and panel.placeholder.isVisibleTo(panel)


def test_queues_the_agent_may_not_join_are_marked_view_only(panel: QueuePanel) -> None:
    sales = QueueSummary("sales", "Sales", "ringall", (), (), DayStats(0, 0, 0, None, 30))
    me = AgentState("1001", "Nina", "agent", "1001", {"support": True, "sales": False, "billing": False},
                    AgentActivity.READY, "", NOW, ("support",))
    panel.show_agent(me)
    panel.show_queues([support_queue(*CALLERS), sales], clock_offset=0.0)
    panel.update_queue(QueueSummary("billing", "Billing", "", (), (), DayStats(0, 0, 0, None, 30)))
    marked = {name: card.view_only.isVisibleTo(card) for name, card in panel.cards.items()}
    assert marked == {"support": False, "sales": True, "billing": True}
    assert "not join it" in panel.cards["sales"].view_only.toolTip()
    assert len(rows(panel)) == 3  # a queue of one's own shows its callers as ever
    panel.show_agent(dataclasses.replace(me, joinable=None))  # an older service does not say: no marks
    assert not any(card.view_only.isVisibleTo(card) for card in panel.cards.values())


def test_many_callers_are_summarised(panel: QueuePanel) -> None:
    many = [WaitingCaller(f"u{n}", f"+98215555{n:04d}", "", n, NOW - 300 + n, False) for n in range(1, 13)]
    panel.show_queues([support_queue(*many)], clock_offset=0.0)
    card = panel.cards["support"]
    assert len(rows(panel)) == 8 and card.more.text() == "4 more waiting"


def test_lost_connection_is_shown_and_greys_the_figures(panel: QueuePanel) -> None:
    panel.show_queues([support_queue(*CALLERS)], clock_offset=0.0)
    panel.set_connection_state("Reconnecting to the desk service…")
    assert panel.banner.isVisibleTo(panel) and not panel.cards["support"].isEnabled()
    panel.update_queue(QueueSummary("sales", "Sales", "", (), (), DayStats(0, 0, 0, None, 30)))
    assert not panel.cards["sales"].isEnabled()
    panel.set_connection_state("")
    assert not panel.banner.isVisibleTo(panel) and all(card.isEnabled() for card in panel.cards.values())


def test_the_panel_mirrors_right_to_left(qtbot: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    order = {}
    try:
        for direction in (Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft):
            app.setLayoutDirection(direction)
            panel = QueuePanel(clock=FakeClock(NOW))
            qtbot.addWidget(panel)
            panel.resize(380, 500)
            panel.show_queues([support_queue(*CALLERS)], clock_offset=0.0)
            panel.show()
            qtbot.waitExposed(panel)
            card = panel.cards["support"]
            x = {name: w.mapTo(panel, QPoint(0, 0)).x() for name, w in
                 (("waiting", card.waiting), ("paused", card.paused), ("title", card.title), ("level", card.level),
                  ("position", card.rows[0].position), ("wait", card.rows[0].wait))}
            order[direction] = (x["waiting"] < x["paused"], x["title"] < x["level"], x["position"] < x["wait"])
    finally:
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    assert order[Qt.LayoutDirection.LeftToRight] == (True, True, True)
    assert order[Qt.LayoutDirection.RightToLeft] == (False, False, False)


class Bracketing(QTranslator):
    """Translates every string to ⟦string⟧, to see which ones went through Qt."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        return f"⟦{source}⟧"

    def isEmpty(self) -> bool:
        return False


def visible_label_texts(root: QWidget) -> list[str]:
    return [label.text() for label in root.findChildren(QLabel)
            if label.isVisibleTo(root) and label.text().strip()]


def test_every_string_goes_through_qt_translation(qtbot: Any) -> None:
    translator = Bracketing()
    QCoreApplication.installTranslator(translator)
    try:
        panel = QueuePanel(clock=FakeClock(NOW))
        qtbot.addWidget(panel)
        panel.show_queues([support_queue(*CALLERS)], clock_offset=0.0)
        panel.set_connection_state("⟦from the caller⟧")
        data = {"Support", "Reza Hosseini", f"{LRI}+98 21 5555 0102{PDI}", f"{LRI}+7 495 123-45-67{PDI}",
                f"{FSI}anonymous{PDI}", "1.", "2.", "3.", "02:41", "00:42", "00:05", "3", "1", "2", "5"}
        untranslated = [t for t in visible_label_texts(panel) if "⟦" not in t and t not in data]
        assert untranslated == []
    finally:
        QCoreApplication.removeTranslator(translator)


def test_callbacks_are_counted_apart_and_the_tooltip_says_what_counts(panel: QueuePanel) -> None:
    """An agent who worked only callbacks today sees them, not "0 answered"
    alone; the rules of every figure are one hover away."""
    today = DayStats(2, 0, 2, 0.0, 20, callbacks_attempted=4, callbacks_reached=3)
    panel.show_queues([QueueSummary("support", "Support", "rrmemory", (), (), today)], clock_offset=0.0)
    card = panel.cards["support"]
    assert card.today.text() == "Today: 0 answered · 2 abandoned · 3 called back"
    rules = card.level.toolTip()
    assert rules == card.today.toolTip()
    assert "within 20 s" in rules and "4 tried today, 3 reached" in rules
    assert "returning caller rung straight to their last agent" in rules
    panel.show_queues([support_queue()], clock_offset=0.0)  # no callbacks today: the figure stays short
    assert panel.cards["support"].today.text() == "Today: 41 answered · 3 abandoned"
