"""The monitor's smaller parts as a team lead uses them: the supervision
bar, the waiting callers' actions, the VIP list and the audit table."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from agentdesk.contract.leads import (
    BARGE,
    LISTEN,
    SESSION_ENDED,
    SESSION_LIVE,
    SESSION_RINGING,
    WHISPER,
    AuditEntry,
    Supervision,
)
from agentdesk.desktop.ui.monitor.audit_view import AuditView
from agentdesk.desktop.ui.monitor.lists_dialog import NumberListDialog
from agentdesk.desktop.ui.monitor.live_calls import LiveCallsModel, LiveCallsPanel, WaitingCallersModel
from agentdesk.desktop.ui.monitor.supervision_bar import SupervisionBar
from tests.helpers.fakes import NOW
from tests.helpers.floor import floor


def session(mode: str, state: str = SESSION_LIVE) -> Supervision:
    return Supervision("4f2a9c1e", "1901", "Parisa Rahimi", "1001", "Nina Karimi", "1700.1", mode, state, NOW)


def plain(text: str) -> str:
    return text.replace("\u2066", "").replace("\u2068", "").replace("\u2069", "")


def test_the_supervision_bar_switches_modes_and_leaves(qtbot: Any) -> None:
    bar = SupervisionBar()
    qtbot.addWidget(bar)
    assert bar.isHidden()
    bar.show_session(session(LISTEN, SESSION_RINGING))
    assert plain(bar.label.text()) == "Ringing your phone to supervise Nina Karimi…"
    bar.show_session(session(LISTEN))
    assert plain(bar.label.text()) == "Supervising Nina Karimi's call" and bar.buttons[LISTEN].isChecked()
    with qtbot.waitSignal(bar.mode_requested) as asked:
        bar.buttons[WHISPER].click()
    assert asked.args == [WHISPER]
    with qtbot.assertNotEmitted(bar.mode_requested):
        bar.show_session(session(BARGE))
        bar.buttons[BARGE].click()  # already the mode
    with qtbot.waitSignal(bar.leave_requested):
        bar.leave_button.click()
    bar.show_session(session(BARGE, SESSION_ENDED))
    assert bar.isHidden()


def test_a_waiting_caller_can_be_moved_or_sent_to_callback(qtbot: Any) -> None:
    waiting = WaitingCallersModel(lambda: NOW)
    panel = LiveCallsPanel(LiveCallsModel(lambda: NOW), waiting)
    qtbot.addWidget(panel)
    waiting.set_queues(list(floor(NOW).queues))
    assert not panel.move_button.isEnabled()
    assert [plain(waiting.text(row, 2)) for row in waiting.rows][:2] == ["Dmitri Volkov", "09121110002"]
    assert waiting.text(waiting.rows[0], 4) == "VIP" and waiting.text(waiting.rows[2], 4) == "callback"
    panel.waiting_view.selectRow(2)
    assert panel.selected_queue() == "support"
    with qtbot.waitSignal(panel.callback_requested) as sent:
        panel.callback_button.click()
    assert sent.args == ["1800000000.5"]
    with qtbot.waitSignal(panel.move_requested) as moved:
        panel.move_button.click()
    assert moved.args == ["1800000000.5"]


def test_a_chosen_waiting_caller_stays_chosen_while_the_queues_change(qtbot: Any) -> None:
    waiting = WaitingCallersModel(lambda: NOW)
    panel = LiveCallsPanel(LiveCallsModel(lambda: NOW), waiting)
    qtbot.addWidget(panel)
    queues = list(floor(NOW).queues)
    waiting.set_queues(queues)
    panel.waiting_view.selectRow(2)  # Olga Smirnova, third in support
    support, sales = queues[0], queues[1]
    newcomer = replace(support.callers[1], uniqueid="1800000000.9", number="09127770000", position=4)
    answered = replace(support, callers=(*(replace(c, position=c.position - 1) for c in support.callers[1:]),
                                         newcomer))  # the first was answered, another came
    waiting.set_queues([answered, replace(sales, callers=()), *queues[2:]])
    chosen = panel.selected_caller()
    assert chosen is not None and chosen.uniqueid == "1800000000.5" and chosen.position == 2
    assert panel.move_button.isEnabled()
    assert [plain(waiting.text(row, 2)) for row in waiting.rows] == ["09121110002", "Olga Smirnova", "09127770000"]


def test_live_calls_say_who_supervises(qtbot: Any) -> None:
    calls = LiveCallsModel(lambda: NOW)
    call = floor(NOW).calls[0]
    calls.replace([replace(call, supervised_by="1901", supervision_mode=WHISPER)])
    assert plain(calls.text(calls.rows[0], 6)) == "Whisper by 1901"
    assert calls.text(calls.rows[0], 4) == "03:12"


def test_the_vip_list_adds_and_removes_numbers(qtbot: Any) -> None:
    dialog = NumberListDialog(blocked=False)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "VIP callers"
    dialog.show_entries([("09121110001", "Gold customer"), ("+982155550101", "")])
    assert dialog.table.rowCount() == 2
    dialog.number.setText(" 09121110009 ")
    dialog.note.setText("Board member")
    with qtbot.waitSignal(dialog.add_requested) as added:
        dialog.add_button.click()
    assert added.args == ["09121110009", "Board member"] and dialog.number.text() == ""
    dialog.table.selectRow(1)
    with qtbot.waitSignal(dialog.remove_requested) as removed:
        dialog.remove_button.click()
    assert removed.args == ["+982155550101"]


def test_the_do_not_call_list_is_the_same_dialog_asking_for_a_reason(qtbot: Any) -> None:
    dialog = NumberListDialog(blocked=True)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Never call back"
    header = dialog.table.horizontalHeaderItem(1)
    assert header is not None and header.text() == "Reason" == dialog.note.placeholderText()
    dialog.show_entries([("09121110001", "<b>asked</b> not to be called")])
    reason = dialog.table.item(0, 1)
    assert reason is not None and reason.text() == "<b>asked</b> not to be called"  # as typed, never as markup


def test_the_audit_asks_for_a_day_and_an_agent_and_lists_newest_first(qtbot: Any) -> None:
    view = AuditView()
    qtbot.addWidget(view)
    view.agent.setText("1001")
    with qtbot.waitSignal(view.query_requested) as asked:
        view.refresh_button.click()
    assert asked.args[1] == "1001" and len(asked.args[0]) == 10
    view.show_entries([AuditEntry("a1", NOW, "1901", "pause", "1001", detail={"reason": "Lunch"}),
                       AuditEntry("a2", NOW + 60, "1901", "ready", "1001", result="the agent is not paused")])
    def cell(row: int, column: int) -> str:
        item = view.table.item(row, column)
        return "" if item is None else item.text()

    assert [cell(0, 2), cell(0, 5)] == ["ready", "the agent is not paused"]
    assert cell(1, 4) == "reason: Lunch"
