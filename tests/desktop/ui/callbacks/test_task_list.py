"""The callback task list: columns and their texts, sorting (VIP first by
default), the text/state/queue filters, incremental updates (never a reset),
the keyboard and the menu, plain text, Persian dates, and calling a task
(claim, then dial cb<task>; a refusal shows the service's sentence)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QDateTime, QLocale, QPoint, Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from agentdesk.contract.queues import DayStats, QueueSummary, WaitingCaller
from agentdesk.desktop.phone.model import CallSnapshot, CallState, Direction
from agentdesk.desktop.ui.callbacks.controller import CallbackDesk
from agentdesk.desktop.ui.callbacks.filter import TaskState
from agentdesk.desktop.ui.callbacks.model import Column
from agentdesk.desktop.ui.callbacks.task_list import CallbackListPanel
from agentdesk.desktop.ui.queues.queue_panel import QueuePanel
from tests.helpers.fakes import (
    NOW,
    FakeDesk,
    FakeEngine,
    later,
    many_tasks,
    task,
)
from tests.helpers.outcomehost import ShelfHost

FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"  # around a name; around a number; the end
VIP = task("00000000000a", name="Vera VIP", vip=True, priority=10, due_at=NOW + 3600, origin="web")
EARLY = task("00000000000b", name="", number="09121110002", due_at=NOW - 3600, queue="sales", attempts=2,
             topic="Refund", notes="after 10\nbefore noon", origin="missed")
SOON = task("00000000000c", name="Sara Ahmadi", due_at=NOW + 600, topic="", origin="scheduled",
            state="claimed", agent="1002", agent_name="Omid")
MINE = task("00000000000d", name="Dmitri", due_at=NOW - 30, state="claimed", agent="1001", agent_name="Nina")


@pytest.fixture
def panel(qtbot: Any) -> Iterator[CallbackListPanel]:
    widget = CallbackListPanel(clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(1000, 500)
    widget.set_me("1001")
    widget.show_tasks([EARLY, SOON, VIP, MINE])
    widget.show()
    yield widget


def ids(panel: CallbackListPanel) -> list[str]:
    return [t.task_id for t in (panel.proxy.task_at(row) for row in range(panel.proxy.rowCount())) if t]


def cell(panel: CallbackListPanel, task_id: str, column: Column, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    row = panel.model.row_of(task_id)
    assert row is not None
    return panel.model.index(row, column).data(role)


def clock(stamp: float) -> str:
    return QLocale().toString(QDateTime.fromSecsSinceEpoch(int(stamp)).time(), QLocale.FormatType.ShortFormat)


def test_columns_read_as_an_agent_expects(panel: CallbackListPanel) -> None:
    titles = [panel.model.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert titles == ["Due", "Queue", "Priority", "Customer", "Origin", "Attempts", "Topic / notes", "Held by"]
    assert cell(panel, EARLY.task_id, Column.DUE).startswith("1 h overdue · ")
    assert cell(panel, SOON.task_id, Column.DUE).startswith("in 10 min · ")
    assert cell(panel, MINE.task_id, Column.DUE).startswith("due now · ")
    assert cell(panel, EARLY.task_id, Column.DUE).endswith(clock(EARLY.due_at))  # (with the date on another day)
    assert cell(panel, EARLY.task_id, Column.DUE, Qt.ItemDataRole.ForegroundRole) is not None  # overdue: red
    assert cell(panel, SOON.task_id, Column.DUE, Qt.ItemDataRole.ForegroundRole) is None
    assert [cell(panel, VIP.task_id, c) for c in (Column.QUEUE, Column.PRIORITY, Column.ORIGIN, Column.ATTEMPTS)] \
        == ["support", "VIP", "Web", "0/3"]
    assert cell(panel, VIP.task_id, Column.CUSTOMER) == f"{FSI}Vera VIP{PDI} · {LRI}09121110001{PDI}"
    assert cell(panel, EARLY.task_id, Column.CUSTOMER) == f"{LRI}09121110002{PDI}"
    assert cell(panel, EARLY.task_id, Column.TOPIC) == "Refund — after 10 before noon"
    assert cell(panel, EARLY.task_id, Column.ORIGIN) == "Missed"
    assert cell(panel, EARLY.task_id, Column.ATTEMPTS) == "2/3"
    assert cell(panel, SOON.task_id, Column.HOLDER) == f"{FSI}Omid{PDI}"
    assert cell(panel, MINE.task_id, Column.HOLDER) == "You" and cell(panel, VIP.task_id, Column.HOLDER) == ""
    assert panel.count.text() == "4 tasks"


def test_vip_first_then_by_due_and_any_column_sorts(panel: CallbackListPanel, qtbot: Any) -> None:
    assert ids(panel) == [VIP.task_id, EARLY.task_id, MINE.task_id, SOON.task_id]
    header = panel.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_section_point(panel, Column.DUE))
    assert header.sortIndicatorSection() == Column.DUE
    assert ids(panel) == [EARLY.task_id, MINE.task_id, SOON.task_id, VIP.task_id]
    panel.table.sortByColumn(Column.DUE, Qt.SortOrder.DescendingOrder)
    assert ids(panel) == [VIP.task_id, SOON.task_id, MINE.task_id, EARLY.task_id]
    panel.table.sortByColumn(Column.CUSTOMER, Qt.SortOrder.AscendingOrder)
    assert ids(panel) == [EARLY.task_id, MINE.task_id, SOON.task_id, VIP.task_id]  # 0912… before letters


def _section_point(panel: CallbackListPanel, column: Column) -> QPoint:
    header = panel.table.horizontalHeader()
    return QPoint(header.sectionViewportPosition(column) + 5, 5)


def test_text_filter_finds_numbers_names_topics_and_notes(panel: CallbackListPanel) -> None:
    cases = {"reza": [], "sara": [SOON.task_id], "REFUND": [EARLY.task_id],
             "before noon": [EARLY.task_id], "0912 111 0002": [EARLY.task_id], "۰۹۱۲۱۱۱۰۰۰۲": [EARLY.task_id],
             "0912-111": [EARLY.task_id, MINE.task_id, SOON.task_id, VIP.task_id], "nobody": []}
    for text, expected in cases.items():
        panel.filter.setText(text)
        assert sorted(ids(panel)) == sorted(expected), text
    panel.filter.setText("")
    assert len(ids(panel)) == 4


def test_state_and_queue_filters(panel: CallbackListPanel, qtbot: Any) -> None:
    expected = {TaskState.DUE: {EARLY.task_id, MINE.task_id}, TaskState.OVERDUE: {EARLY.task_id},
                TaskState.SCHEDULED: {SOON.task_id, VIP.task_id},
                TaskState.ALL: {EARLY.task_id, MINE.task_id, SOON.task_id, VIP.task_id}}
    for state, wanted in expected.items():
        panel.state.setCurrentIndex(panel.state.findData(state.value))
        assert set(ids(panel)) == wanted, state
    panel.state.setCurrentIndex(panel.state.findData(TaskState.DUE.value))
    panel.queue.setCurrentIndex(panel.queue.findData("sales"))
    assert ids(panel) == [EARLY.task_id]
    qtbot.waitUntil(lambda: panel.count.text() == "1 of 4 tasks")
    assert [panel.queue.itemText(i) for i in range(panel.queue.count())] == ["All queues", "sales", "support"]


def test_the_due_filter_follows_the_clock(qtbot: Any) -> None:
    now = [NOW]
    widget = CallbackListPanel(clock=lambda: now[0])
    qtbot.addWidget(widget)
    widget.show_tasks([SOON])
    widget.proxy.set_state(TaskState.DUE)
    assert ids(widget) == []
    now[0] = NOW + 601
    widget.refresh_times()
    assert ids(widget) == [SOON.task_id]


def test_changes_arrive_row_by_row_without_a_reset(panel: CallbackListPanel, qtbot: Any) -> None:
    panel.table.setCurrentIndex(panel.proxy.index(ids(panel).index(SOON.task_id), 0))
    new = task("00000000000e", name="Olga", due_at=NOW - 7200, priority=0)
    with qtbot.assertNotEmitted(panel.model.modelReset), qtbot.assertNotEmitted(panel.model.layoutChanged):
        with qtbot.waitSignal(panel.model.rowsInserted):
            panel.upsert(new)
        assert ids(panel) == [VIP.task_id, new.task_id, EARLY.task_id, MINE.task_id, SOON.task_id]
        panel.upsert(later(EARLY, due_at=NOW + 7200))  # rescheduled: moves down
        assert ids(panel) == [VIP.task_id, new.task_id, MINE.task_id, SOON.task_id, EARLY.task_id]
        panel.upsert(later(MINE, topic="Called, busy"))  # in place
        assert cell(panel, MINE.task_id, Column.TOPIC) == "Called, busy"
        panel.upsert(later(VIP, -50, name="An older copy"))  # overtaken: ignored
        assert cell(panel, VIP.task_id, Column.CUSTOMER).startswith(f"{FSI}Vera VIP")
        with qtbot.waitSignal(panel.model.rowsRemoved):
            panel.upsert(later(new, state="done"))
        panel.upsert(later(task("00000000000f"), state="cancelled"))  # closed and never seen: nothing
    assert ids(panel) == [VIP.task_id, MINE.task_id, SOON.task_id, EARLY.task_id]
    assert panel.selected_task() == SOON  # the agent's row stays selected through it all
    qtbot.waitUntil(lambda: panel.count.text() == "4 tasks")


def test_ten_thousand_tasks_need_no_widget_per_row(qtbot: Any) -> None:
    widget = CallbackListPanel(clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.show()
    before = len(widget.findChildren(QWidget))
    tasks = many_tasks(10_000)
    widget.show_tasks(tasks)
    assert widget.model.rowCount() == 10_000 and len(widget.findChildren(QWidget)) == before
    widget.upsert(later(tasks[17], vip=True, priority=10))
    assert widget.proxy.task_at(0) is not None and widget.proxy.task_at(0).task_id == tasks[17].task_id  # type: ignore[union-attr]
    keys = [(-t.vip, -t.priority, t.due_at) for t in widget.model.tasks()]
    assert keys == sorted(keys)


def test_the_list_is_worked_from_the_keyboard(panel: CallbackListPanel, qtbot: Any) -> None:
    panel.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel)
    qtbot.keyClick(panel, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert panel.filter.hasFocus()
    qtbot.keyClicks(panel.filter, "sara")
    qtbot.keyClick(panel.filter, Qt.Key.Key_Down)
    assert panel.table.hasFocus() and panel.selected_task() == SOON
    with qtbot.waitSignal(panel.call_requested) as call:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert call.args == [SOON.task_id]
    with qtbot.waitSignal(panel.reschedule_requested) as reschedule:
        qtbot.keyClick(panel.table, Qt.Key.Key_R)
    assert reschedule.args == [SOON.task_id]
    with qtbot.assertNotEmitted(panel.call_requested):
        qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
        qtbot.keyClick(panel.table, Qt.Key.Key_S)
    qtbot.keyClick(panel.table, Qt.Key.Key_Escape)
    assert panel.filter.hasFocus()
    qtbot.keyClick(panel.filter, Qt.Key.Key_Escape)
    assert panel.filter.text() == "" and len(ids(panel)) == 4
    qtbot.keyClick(panel.filter, Qt.Key.Key_Return)
    assert panel.table.hasFocus() and panel.selected_task() == SOON  # still the row the agent was on


def test_the_menu_offers_what_fits_the_task(panel: CallbackListPanel, qtbot: Any) -> None:
    def texts(task_id: str) -> list[str]:
        menu = panel.open_menu(task_id, panel.mapToGlobal(panel.rect().center()))
        assert menu is not None
        found = [a.text().split("\t")[0] for a in menu.actions() if not a.isSeparator()]
        menu.close()
        return found

    assert texts(SOON.task_id) == ["Call now", "Reschedule…", "Copy number"]
    assert texts(MINE.task_id) == ["Call now", "Reschedule…", "Release (I will not call now)", "Copy number"]
    menu = panel.open_menu(MINE.task_id, panel.mapToGlobal(panel.rect().center()))
    assert menu is not None
    with qtbot.waitSignal(panel.release_requested) as released:
        next(a for a in menu.actions() if a.text().startswith("Release")).trigger()
    assert released.args == [MINE.task_id]


def test_caller_text_stays_plain(panel: CallbackListPanel) -> None:
    evil = task("0000000000ff", name="<img src=x onerror=alert(1)>", topic="<b>bold</b>", notes="<a href=x>y</a>")
    panel.upsert(evil)
    assert cell(panel, evil.task_id, Column.CUSTOMER).startswith(f"{FSI}<img src=x")
    assert cell(panel, evil.task_id, Column.TOPIC) == "<b>bold</b> — <a href=x>y</a>"
    tip = cell(panel, evil.task_id, Column.TOPIC, Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;bold&lt;/b&gt;" in tip and "<b>" not in tip


def test_dates_of_other_days_use_the_persian_calendar_in_persian(qtbot: Any) -> None:
    try:
        QLocale.setDefault(QLocale("fa"))
        widget = CallbackListPanel(clock=lambda: NOW)
        qtbot.addWidget(widget)
        widget.show_tasks([task(due_at=NOW + 3 * 86400)])
        text = cell(widget, "0a1b2c3d4e5f", Column.DUE)
        assert "۱۴۰۵" in text or "۰۵" in text, text  # Jalali 1405, in Persian digits
        assert "2027" not in text
    finally:
        QLocale.setDefault(QLocale("en_US"))


# -- calling a task from the list ---------------------------------------------------------------

@pytest.fixture
def desk(qtbot: Any) -> Iterator[tuple[CallbackDesk, FakeDesk, FakeEngine, list[str]]]:
    window = QMainWindow()
    qtbot.addWidget(window)
    commands, phone, status = FakeDesk(), FakeEngine(), list[str]()
    callbacks = CallbackDesk(commands, phone, window, lambda: "pbx.example:5060", lambda: NOW, status.append,
                             ShelfHost(window))
    window.setCentralWidget(callbacks.panel)
    callbacks.panel.set_me("1001")
    callbacks.show_tasks([EARLY, SOON, VIP])
    yield callbacks, commands, phone, status


def test_call_now_claims_then_dials_the_task(desk: tuple[CallbackDesk, FakeDesk, FakeEngine, list[str]]) -> None:
    callbacks, commands, phone, _status = desk
    callbacks.panel.call_requested.emit(EARLY.task_id)
    callbacks.panel.call_requested.emit(EARLY.task_id)  # a second Enter while the claim is on its way
    assert commands.names() == ["claim"] and phone.dialled == []
    commands.last("claim").succeed(later(EARLY, state="claimed", agent="1001"))
    assert phone.dialled == ["sip:cb00000000000b@pbx.example:5060"]
    assert cell(callbacks.panel, EARLY.task_id, Column.HOLDER) == "You"
    dialled = CallSnapshot(3, Direction.OUTGOING, CallState.DIALING, "cb00000000000b", callback_task=EARLY.task_id)
    shown = callbacks.describe(dialled)
    assert (shown.remote_number, shown.remote_name) == ("09121110002", "")


def test_a_task_someone_else_has_says_who(desk: tuple[CallbackDesk, FakeDesk, FakeEngine, list[str]]) -> None:
    callbacks, commands, phone, status = desk
    callbacks.call_task(SOON.task_id)
    commands.last("claim").fail("Omid Rezaei (1002) is already calling this customer", 409)
    assert phone.dialled == []
    assert callbacks.panel.problem.text() == "Omid Rezaei (1002) is already calling this customer"
    assert status == ["Omid Rezaei (1002) is already calling this customer"]
    callbacks.call_task(SOON.task_id)  # the refusal ended the claim: trying again is possible
    assert commands.names() == ["claim", "claim"]


def test_no_callback_while_on_a_call_and_a_failed_dial_releases(
        desk: tuple[CallbackDesk, FakeDesk, FakeEngine, list[str]]) -> None:
    callbacks, commands, phone, _status = desk
    phone.put(CallSnapshot(1, Direction.INCOMING, CallState.ACTIVE, "1002"))
    callbacks.call_task(EARLY.task_id)
    assert commands.names() == [] and "Finish your call" in callbacks.panel.problem.text()
    phone.calls.clear()
    phone.refuse_dial = "Set up your account before calling."
    callbacks.call_task(EARLY.task_id)
    commands.last("claim").succeed(later(EARLY, state="claimed", agent="1001"))
    assert commands.names() == ["claim", "release"] and commands.last("release").args == (EARLY.task_id,)
    assert callbacks.panel.problem.text() == "Set up your account before calling."


def test_reschedule_from_the_list(desk: tuple[CallbackDesk, FakeDesk, FakeEngine, list[str]], qtbot: Any) -> None:
    callbacks, commands, _phone, _status = desk
    dialog = callbacks.open_reschedule(SOON.task_id)
    assert dialog is not None
    assert dialog.when.dateTime().toSecsSinceEpoch() == int(SOON.due_at)
    dialog.note.setText("customer asked")
    dialog.box.accepted.emit()
    pending = commands.last("reschedule")
    assert pending.args == (SOON.task_id, SOON.due_at, "customer asked")
    pending.fail("That time is outside the callback hours (08:00-20:00)", 400)
    assert dialog.isVisible() and dialog.problem.text().startswith("That time is outside")
    dialog.box.accepted.emit()
    with qtbot.waitSignal(dialog.finished):
        commands.last("reschedule").succeed(later(SOON, due_at=SOON.due_at))


def test_a_placeholder_in_the_queue_reads_as_a_callback(qtbot: Any) -> None:
    panel = QueuePanel(clock=lambda: NOW)
    qtbot.addWidget(panel)
    callers = (WaitingCaller("u1", "+982155550102", "Reza", 1, NOW - 60, False),
               WaitingCaller("u2", "09121110001", "Sara", 2, NOW - 900, False, callback_task="0a1b2c3d4e5f"))
    panel.show_queues([QueueSummary("support", "Support", "rrmemory", callers, (), DayStats(0, 0, 0, None, 20))], 0.0)
    rows = panel.cards["support"].rows
    assert [row.callback.isVisibleTo(panel) for row in rows] == [False, True]
