"""The screen-pop: at once from the INVITE, then filled in by the desk
service and the CRM (the real demo CRM, slowed down), each failing on its
own; plain text, safe links, Persian dates, right-to-left, translation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt, QTranslator, QUrl
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from agentdesk.contract.queues import PastCall, QueueCallInfo
from agentdesk.desktop.crm.demo import DemoCrm
from agentdesk.desktop.crm.lookup import CrmConfig, CrmLookup, CrmRecord
from agentdesk.desktop.tasks import TaskRunner
from agentdesk.desktop.ui.queues.screen_pop import ScreenPopCard

FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"  # around a name; around a number; the end
NOW = 1_800_000_000.0
DAY = 86400.0
RECORD = CrmRecord("C0002", "Reza Hosseini", "Pars Logistics", "gold", "reza.hosseini@example.com", "Tehran",
                   "", "http://127.0.0.1:8470/customers/C0002")


def call_info(**changes: Any) -> QueueCallInfo:
    history = (PastCall(NOW - 9 * DAY, "1003", "Omid Rezaei", "sales", "abandoned", 0),
               PastCall(NOW - 2 * DAY, "1002", "Sara Ahmadi", "support", "answered", 185))
    values: dict[str, Any] = {"uniqueid": "1800000000.7", "queue": "support", "number": "+982155550102",
                              "name": "REZA H", "joined_at": NOW - 161, "position": 2, "vip": True,
                              "repeat": True, "history": history}
    return QueueCallInfo(**{**values, **changes})


@pytest.fixture
def card(qtbot: Any) -> Iterator[ScreenPopCard]:
    widget = ScreenPopCard(open_urls=False, clock=lambda: NOW)
    qtbot.addWidget(widget)
    yield widget


def cell(card: ScreenPopCard, row: int, column: int) -> str:
    item = card.history.item(row, column)
    assert item is not None
    return item.text()


def table(card: ScreenPopCard) -> list[list[str]]:
    history = card.history
    return [[cell(card, row, column) for column in range(history.columnCount())] for row in range(history.rowCount())]


def test_the_pop_fills_in_as_answers_arrive(card: ScreenPopCard, qtbot: Any) -> None:
    card.show_ringing("+982155550102", "REZA H", "support")
    assert card.isVisible()
    assert (card.title.text(), card.number.text()) == ("REZA H", f"{LRI}+98 21 5555 0102{PDI}")
    assert card.heading.text() == "Incoming call from the support queue"
    assert not card.open_button.isEnabled() and not card.vip.isVisibleTo(card)
    card.show_crm_loading()
    assert card.crm_status.text() == "Looking up the customer…"
    card.show_call_info(call_info(), clock_offset=0.0)
    assert card.queue_line.text() == "Waited 02:41 · position 2 on entry"
    assert card.vip.isVisibleTo(card) and card.repeat.isVisibleTo(card)
    rows = table(card)
    assert [row[1:] for row in rows] == [  # newest first
        [f"{FSI}Sara Ahmadi{PDI}", f"{FSI}support{PDI}", f"{FSI}Answered (03:05){PDI}"],
        [f"{FSI}Omid Rezaei{PDI}", f"{FSI}sales{PDI}", f"{FSI}Hung up waiting{PDI}"]]
    card.show_crm_record(RECORD)
    assert card.title.text() == "Reza Hosseini"  # the CRM knows the customer's name best
    assert card.number.text() == f"{LRI}+98 21 5555 0102{PDI}"
    assert not card.crm_status.isVisibleTo(card)
    assert {key: label.text() for key, label in card.fields.items() if label.isVisibleTo(card)} == {
        "company": "Pars Logistics", "tier": "gold", "email": "reza.hosseini@example.com", "city": "Tehran",
        "id": "C0002"}
    assert card.open_button.isEnabled()
    with qtbot.waitSignal(card.open_in_crm) as opened:
        qtbot.mouseClick(card.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [QUrl(RECORD.open_url)]
    card.activateWindow()  # window shortcuts need the window active
    qtbot.waitUntil(lambda: QApplication.activeWindow() is card)
    with qtbot.waitSignal(card.open_in_crm):
        qtbot.keyClick(card, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)


def test_each_source_fails_on_its_own(card: ScreenPopCard) -> None:
    card.show_ringing("+982155550102", "", "support")
    assert card.title.text() == f"{LRI}+98 21 5555 0102{PDI}" and not card.number.isVisibleTo(card)
    card.show_crm_loading()
    card.show_desk_problem("The desk service is not answering: no queue details")
    card.show_crm_problem("CRM did not answer within 2 s")
    assert card.desk_problem.isVisibleTo(card) and card.crm_status.text() == "CRM did not answer within 2 s"
    assert card.crm_status.objectName() == "Problem"
    assert card.title.text() == f"{LRI}+98 21 5555 0102{PDI}"  # what the INVITE said is still there
    card.show_call_info(call_info(history=(), repeat=False, vip=False), clock_offset=0.0)
    assert card.title.text() == "REZA H"  # the desk service knew a name the INVITE did not carry
    assert not card.history.isVisibleTo(card) and not card.repeat.isVisibleTo(card)


def test_an_unknown_customer(card: ScreenPopCard) -> None:
    card.show_ringing("1004", "Agent 1004", "")
    card.show_crm_record(None)
    assert card.crm_status.text() == "Not a known customer" and not card.open_button.isEnabled()
    assert card.heading.text() == "Incoming call" and card.number.text() == f"{LRI}1004{PDI}"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "file:///etc/passwd", "http://", "not a url", ""])
def test_only_web_links_can_be_opened(card: ScreenPopCard, qtbot: Any, link: str) -> None:
    card.show_ringing("+982155550102", "", "support")
    card.show_crm_record(CrmRecord("C1", "X", open_url=link))
    assert not card.open_button.isEnabled()
    with qtbot.assertNotEmitted(card.open_in_crm):
        card.open_record()


def test_caller_and_crm_texts_are_plain(card: ScreenPopCard) -> None:
    card.show_ringing("<b>1</b>", "<img src=x onerror=alert(1)>", "<i>q</i>")
    card.show_call_info(call_info(history=(PastCall(NOW, "1", "<b>agent</b>", "q", "<u>odd</u>", 0),)), 0.0)
    card.show_crm_record(CrmRecord("1", "<h1>big</h1>", notes="<a href='x'>link</a>"))
    assert card.title.text() == "<h1>big</h1>" and card.fields["notes"].text() == "<a href='x'>link</a>"
    assert table(card)[0][1:] == [f"{FSI}<b>agent</b>{PDI}", f"{FSI}q{PDI}", f"{FSI}<u>odd</u>{PDI}"]
    for label in card.findChildren(QLabel):
        assert label.textFormat() is Qt.TextFormat.PlainText, label.objectName()


def test_clear_forgets_the_call(card: ScreenPopCard) -> None:
    card.show_ringing("+982155550102", "REZA H", "support")
    card.show_call_info(call_info(), 0.0)
    card.show_crm_record(RECORD)
    card.clear()
    assert not card.isVisible() and card.title.text() == "" and card.history.rowCount() == 0
    assert not card.open_button.isEnabled()
    card.show_ringing("+74951234567", "", "sales")
    assert not any(label.isVisibleTo(card) for label in card.fields.values())
    assert not card.vip.isVisibleTo(card) and not card.queue_line.isVisibleTo(card)


def test_the_real_crm_fills_the_pop_after_a_visible_wait(card: ScreenPopCard, qtbot: Any) -> None:
    """What the composition root will do: ring, look up, show loading, show the answer."""
    crm = DemoCrm(port=0, delay_ms=600).start()
    tasks = TaskRunner()
    lookup = CrmLookup(tasks, CrmConfig(crm.lookup_template, crm.open_template, timeout=2.0))
    current: dict[str, int] = {}
    lookup.found.connect(lambda request, record: card.show_crm_record(record)
                         if request == current.get("id") else None)
    lookup.failed.connect(lambda request, text: card.show_crm_problem(text) if request == current.get("id") else None)
    try:
        card.show_ringing("+74951234567", "", "sales")
        current["id"] = lookup.lookup("+74951234567", queue="sales")
        card.show_crm_loading()
        qtbot.wait(100)
        assert card.crm_status.text() == "Looking up the customer…" and card.isVisible()
        qtbot.waitUntil(lambda: card.title.text() == "Olga Smirnova", timeout=3000)
        assert card.open_button.isEnabled() and card.fields["company"].text() == "Volga Trading"
        crm.set_delay_ms(3000)
        card.show_ringing("+79161234567", "", "sales")
        started = time.monotonic()
        current["id"] = lookup.lookup("+79161234567")
        card.show_crm_loading()
        qtbot.waitUntil(lambda: card.crm_status.text() == "CRM did not answer within 2 s", timeout=4000)
        assert time.monotonic() - started < 2.8
    finally:
        crm.stop()
        lookup.close()
        tasks.shutdown()


def test_the_pop_mirrors_right_to_left(qtbot: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    order = {}
    try:
        for direction in (Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft):
            app.setLayoutDirection(direction)
            widget = ScreenPopCard(open_urls=False, clock=lambda: NOW)
            qtbot.addWidget(widget)
            widget.resize(460, 400)
            widget.show_ringing("+982155550102", "Reza", "support")
            widget.show_call_info(call_info(), 0.0)
            widget.show_crm_record(RECORD)
            qtbot.waitExposed(widget)
            x = {name: w.mapTo(widget, QPoint(0, 0)).x() for name, w in
                 (("title", widget.title), ("vip", widget.vip), ("open", widget.open_button),
                  ("company", widget.fields["company"]))}
            order[direction] = (x["title"] < x["vip"], x["company"] < x["open"])
    finally:
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    assert order[Qt.LayoutDirection.LeftToRight] == (True, True)
    assert order[Qt.LayoutDirection.RightToLeft] == (False, False)


class Bracketing(QTranslator):
    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        return f"⟦{source}⟧"

    def isEmpty(self) -> bool:
        return False


def visible_texts(root: QWidget) -> list[str]:
    return [w.text() for w in root.findChildren(QLabel) if w.isVisibleTo(root) and w.text().strip()]


def test_every_string_goes_through_qt_translation(qtbot: Any) -> None:
    translator = Bracketing()
    QCoreApplication.installTranslator(translator)
    try:
        widget = ScreenPopCard(open_urls=False, clock=lambda: NOW)
        qtbot.addWidget(widget)
        widget.show_ringing("+982155550102", "REZA H", "support")
        widget.show_call_info(call_info(), 0.0)
        widget.show_crm_record(RECORD)
        data = {"Reza Hosseini", f"{LRI}+98 21 5555 0102{PDI}", *(v for v in vars(RECORD).values() if v)}
        assert [t for t in visible_texts(widget) if "⟦" not in t and t not in data] == []
        assert widget.open_button.text().startswith("⟦")
        headers = [widget.history.horizontalHeaderItem(c) for c in range(widget.history.columnCount())]
        assert all(h is not None and h.text().startswith("⟦") for h in headers)
        assert all("⟦" in row[3] for row in table(widget))
    finally:
        QCoreApplication.removeTranslator(translator)
