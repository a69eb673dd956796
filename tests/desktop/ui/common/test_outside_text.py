"""Text from outside (caller names and numbers, queue titles, callback
topics and notes, agent names, CRM fields, pause reasons) reaches the
agent's screen as plain text, with bidi overrides and control characters
taken out: each widget that shows such text is built for real, fed a
hostile name, and read back the way Qt draws it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from agentdesk.contract.queues import (
    AgentState,
    DayStats,
    PastCall,
    QueueCallInfo,
    QueueSummary,
    WaitingCaller,
)
from agentdesk.contract.states import AgentActivity
from agentdesk.contract.wrapups import WrapUpView
from agentdesk.desktop.crm.lookup import CrmRecord
from agentdesk.desktop.history import HistoryEntry, Outcome
from agentdesk.desktop.link.wrapups import WrapUpDraft
from agentdesk.desktop.phone.model import AccountSnapshot, CallSnapshot, CallState, Direction, RegState
from agentdesk.desktop.ui.callbacks.dialogs import RescheduleDialog
from agentdesk.desktop.ui.callbacks.outcome_picker import OutcomePicker
from agentdesk.desktop.ui.callbacks.preview import CallbackPreview
from agentdesk.desktop.ui.callbacks.task_list import CallbackListPanel
from agentdesk.desktop.ui.callbacks.text import customer_text
from agentdesk.desktop.ui.common.text import clean_text, isolate, plain_question, plain_tooltip
from agentdesk.desktop.ui.phone.call_card import CallCard
from agentdesk.desktop.ui.phone.header import Header
from agentdesk.desktop.ui.phone.history_view import HistoryList
from agentdesk.desktop.ui.phone.incoming import IncomingCallWindow
from agentdesk.desktop.ui.phone.transfer_picker import TransferPicker, TransferTarget
from agentdesk.desktop.ui.queues.agent_bar import AgentBar
from agentdesk.desktop.ui.queues.queue_panel import QueuePanel
from agentdesk.desktop.ui.queues.screen_pop import ScreenPopCard
from agentdesk.desktop.ui.wrapup.panel import WrapUpPanel
from tests.helpers.fakes import NOW, task
from tests.helpers.screen import on_screen, rendered

# Markup that Qt would render, a right-to-left override and a bell.
HOSTILE = "<b>x</b>\u202e<img src='file:///nowhere.png'>\x07"
SHOWN = "<b>x</b><img src='file:///nowhere.png'>"  # what the agent must read, literally
HIDDEN = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
ALLOWED_ISOLATES = ("\u2066", "\u2068", "\u2069")  # the widgets' own isolates around a number or a name


def assert_shown_safely(texts: list[str], hostile_parts: int = 1) -> None:
    """SHOWN is on screen literally (at least `hostile_parts` times) and no
    bidi control or control character is."""
    literal = [text for text in texts if SHOWN in text]
    assert len(literal) >= hostile_parts, texts
    for text in texts:
        stripped = text
        for isolate_mark in ALLOWED_ISOLATES:  # ours, balanced around each name
            stripped = stripped.replace(isolate_mark, "")
        assert not any(mark in stripped for mark in HIDDEN), repr(text)
        assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in text), repr(text)
        assert "x.png" not in text or SHOWN in text  # never half-rendered


def shown(qtbot: Any, widget: QWidget) -> list[str]:
    qtbot.addWidget(widget)
    widget.show()
    return on_screen(widget)


def call(**changes: Any) -> CallSnapshot:
    base = CallSnapshot(7, Direction.INCOMING, CallState.RINGING_IN, HOSTILE, HOSTILE, queue=HOSTILE,
                        started_at=time.time())
    return base.with_changes(**changes)


def test_clean_text_strips_bidi_controls_and_control_characters() -> None:
    assert clean_text("Reza\u202e 0912\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\x00\x1b[31m") == "Reza 0912[31m"
    assert clean_text("a\nb\tc\u2028d") == "a b c d"
    assert clean_text("line one\r\nline\u202e two\x07", lines=True) == "line one\nline two"
    assert clean_text("سلام Привет 你好 \u200f") == "سلام Привет 你好 \u200f"  # letters and marks stay
    assert isolate("\u202e") == ""
    assert isolate("0912") == "\u20660912\u2069"
    # A number is left to right even in a Persian line (its groups in order); a name keeps its own direction.
    assert isolate("+98 21 5555 0102") == "\u2066+98 21 5555 0102\u2069"
    assert isolate("رضا حسینی") == "\u2068رضا حسینی\u2069" and isolate("Reza 2") == "\u2068Reza 2\u2069"


def test_a_tooltip_shows_markup_literally_and_keeps_line_breaks() -> None:
    assert rendered(plain_tooltip("<b>bold</b>\nsecond line\u202e")) == "<b>bold</b>\nsecond line"
    assert plain_tooltip("\u202e\x07") == ""


def test_a_call_card_and_the_incoming_window(qtbot: Any) -> None:
    card = CallCard(call(state=CallState.ACTIVE, connected_at=time.time()))
    assert_shown_safely(shown(qtbot, card), hostile_parts=3)  # name, number, queue (and its tooltip)
    assert card.title.text() == SHOWN and card.title.textFormat() == Qt.TextFormat.PlainText
    incoming = IncomingCallWindow()
    incoming.show_call(call())
    assert_shown_safely(shown(qtbot, incoming), hostile_parts=3)
    incoming.close()


def test_the_header_history_and_transfer_picker(qtbot: Any) -> None:
    header = Header()
    header.show_account(AccountSnapshot(RegState.FAILED, HOSTILE, "pbx", reason=HOSTILE), HOSTILE)
    assert_shown_safely(shown(qtbot, header), hostile_parts=3)  # name, detail, the state's tooltip
    history = HistoryList()
    history.add_entry(HistoryEntry(Direction.INCOMING, HOSTILE, HOSTILE, HOSTILE, NOW, NOW, NOW + 60,
                                   Outcome.ANSWERED, HOSTILE))
    assert_shown_safely(shown(qtbot, history), hostile_parts=2)  # the entry and its tooltip
    picker = TransferPicker(HOSTILE, [TransferTarget("1003", HOSTILE, HOSTILE, True)])
    texts = shown(qtbot, picker)
    assert_shown_safely(texts, hostile_parts=2)  # the window title and the list entry
    assert picker.windowTitle().endswith(SHOWN)


def test_the_queue_panel_agent_bar_and_screen_pop(qtbot: Any) -> None:
    panel = QueuePanel(clock=lambda: NOW)
    caller = WaitingCaller("u1", "0912", HOSTILE, 1, NOW - 5, False)
    panel.update_queue(QueueSummary("support", HOSTILE, "rrmemory", (caller,), (), DayStats(1, 0, 0, None, 20)))
    assert_shown_safely(shown(qtbot, panel), hostile_parts=2)  # the queue's title and the caller
    bar = AgentBar(clock=lambda: NOW)
    bar.set_queues([("support", HOSTILE)])
    bar.show_state(AgentState("1001", HOSTILE, "agent", "1001", {"support": True}, AgentActivity.PAUSED,
                              HOSTILE, NOW), clock_offset=0.0)
    assert_shown_safely(shown(qtbot, bar), hostile_parts=3)  # the queue button, its tooltip, the pause reason
    pop = ScreenPopCard(open_urls=False, clock=lambda: NOW)
    pop.show_ringing("0912", "", HOSTILE)
    history = (PastCall(NOW - 900, "1002", HOSTILE, HOSTILE, "answered", 30, HOSTILE, HOSTILE),)
    pop.show_call_info(QueueCallInfo("u1", "support", "0912", HOSTILE, NOW - 30, 1, False, True, history), 0.0)
    pop.show_crm_record(CrmRecord("C1", HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE + "\n" + HOSTILE))
    texts = shown(qtbot, pop)
    assert_shown_safely(texts, hostile_parts=10)
    assert any(text == f"{SHOWN}\n{SHOWN}" for text in texts)  # the CRM's notes keep their lines


def test_the_callback_preview_list_and_dialogs(qtbot: Any) -> None:
    hostile_task = task(name=HOSTILE, topic=HOSTILE, notes=HOSTILE, queue=HOSTILE, origin=HOSTILE,
                        last_outcome=HOSTILE)
    preview = CallbackPreview()
    preview.offer(3, hostile_task.task_id, HOSTILE, 0)
    preview.show_task(hostile_task, NOW)
    assert_shown_safely(shown(qtbot, preview), hostile_parts=5)  # heading, topic, notes, last outcome, origin
    panel = CallbackListPanel(clock=lambda: NOW)
    panel.show_tasks([hostile_task])
    panel.set_queues([HOSTILE])
    # queue, customer, origin, topic/notes cells, their tooltips, the queue filter
    assert_shown_safely(shown(qtbot, panel), hostile_parts=9)
    outcome = OutcomePicker(hostile_task.task_id, customer_text(hostile_task))
    assert_shown_safely(shown(qtbot, outcome))
    reschedule = RescheduleDialog(customer_text(hostile_task), NOW + 3600)
    assert_shown_safely(shown(qtbot, reschedule))


def test_the_wrapup_panel(qtbot: Any) -> None:
    panel = WrapUpPanel(clock=lambda: NOW)
    view = WrapUpView(agent="1001", uniqueid="1800000000.7", queue="support", queue_title=HOSTILE, number="0912",
                      name=HOSTILE, started_at=NOW, deadline_at=NOW + 30, warning_at=NOW + 20, limit_seconds=30,
                      dispositions=(HOSTILE, "Sale"), now=NOW)
    panel.show_wrapup(view, WrapUpDraft("1001", view.uniqueid))
    assert_shown_safely(shown(qtbot, panel), hostile_parts=3)  # caller, queue title, disposition button
    panel.clear()


def answering(button: QMessageBox.StandardButton, seen: list[str]) -> Callable[[], None]:
    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.extend(on_screen(box))
        box.button(button).click()

    return answer


def test_a_question_quoting_a_customer_shows_the_name_literally(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[str] = []
    QTimer.singleShot(0, answering(QMessageBox.StandardButton.No, seen))
    assert plain_question(parent, "Quit", f"The outcome for {isolate(HOSTILE)} is not saved.") is False
    assert_shown_safely(seen)
    QTimer.singleShot(0, answering(QMessageBox.StandardButton.Yes, seen))
    assert plain_question(parent, "Quit", "Sure?") is True


@pytest.mark.parametrize("text", ["<b>x</b>", "<img src=x>", "<a href='https://example.com'>here</a>"])
def test_markup_is_never_taken_for_rich_text(qtbot: Any, text: str) -> None:
    card = CallCard(call(remote_name=text, remote_number="1", queue=""))
    qtbot.addWidget(card)
    assert rendered(card.title.text(), card.title.textFormat()) == text
