"""The whole main window as the composition root builds it (phone column,
agent bar, screen-pop, callback preview, wrap-up panel, queue and callback
docks), driven through the main states of an agent's day with the shared
fakes; and what of its controls an agent cannot see or reach.

`python -m tests.helpers.layout FOLDER` saves screenshots of the states."""

from __future__ import annotations

import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QPoint, QRect, Qt, QTranslator
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTextEdit,
    QWidget,
)

from agentdesk.contract.callbacks import CallbackTaskDetail
from agentdesk.contract.queues import (
    AgentState,
    DayStats,
    DeskSnapshot,
    PastCall,
    QueueCallInfo,
    QueueMember,
    QueueSummary,
    WaitingCaller,
)
from agentdesk.contract.states import AgentActivity
from agentdesk.contract.wrapups import WrapUpView
from agentdesk.desktop.crm.lookup import CrmLookup, CrmRecord
from agentdesk.desktop.history import HistoryEntry, Outcome
from agentdesk.desktop.link.connection import DeskConnection
from agentdesk.desktop.link.wrapup_outbox import WrapUpOutbox
from agentdesk.desktop.link.wrapups import WrapUpFiles
from agentdesk.desktop.phone.model import AccountSnapshot, CallSnapshot, CallState, Direction, RegState
from agentdesk.desktop.resources import resource
from agentdesk.desktop.tasks import TaskRunner
from agentdesk.desktop.ui.callbacks.controller import CallbackDesk
from agentdesk.desktop.ui.common.style import STYLE_SHEET
from agentdesk.desktop.ui.phone.main_window import MainWindow
from agentdesk.desktop.ui.phone.transfer_picker import TransferPicker
from agentdesk.desktop.ui.queues.controller import DeskView
from agentdesk.desktop.ui.wrapup.controller import WrapUpDesk
from tests.helpers.fakes import FakeDesk, FakeEngine, FakeWrapUpDesk, task

QUEUE_CALL = "1800000000.7"
CALLER = CallSnapshot(7, Direction.INCOMING, CallState.RINGING_IN, "+982155550102", "Reza Hosseini",
                      queue="support", queue_call=QUEUE_CALL)
TASK = task(topic="Invoice question: the March invoice was charged twice and the customer wants the second "
                  "charge refunded to the same card", notes="Prefers to be called after 10; speaks Persian "
                  "and English; ask for the order number first", attempts=1, last_outcome="busy")
OFFER = CallSnapshot(9, Direction.INCOMING, CallState.RINGING_IN, "09121110001", "Reza Hosseini", queue="support",
                     queue_call="1800000000.9", callback_task=TASK.task_id, autodial_seconds=0)
LONG_NOTICE = ("The microphone 'USB Headset (Plantronics Blackwire 3220 Series)' is not available; calls are "
               "answered without sound until it is plugged in again or another one is chosen in Settings.")
STATES = ("idle", "ringing", "call", "callback", "wrapup", "transfer")
INPUTS = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit, QAbstractSlider)


class QuietLink(DeskConnection):
    """A desk link that is never started: the test hands the screen-pop
    the service's record itself (call_info_ready) instead of a failure."""

    def fetch_call_info(self, uniqueid: str, queue: str = "") -> None:
        pass


class Longer(QTranslator):
    """A pseudo-translation: each word of three letters or more grows by
    about 40 % (as Russian runs against English), so every text is longer
    but still has its spaces, placeholders and mnemonics."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        return re.sub(r"[A-Za-z]{3,}", lambda m: m[0] + m[0][-math.ceil(len(m[0]) * 0.4):], source)

    def isEmpty(self) -> bool:
        return False


@dataclass(frozen=True)
class Language:
    """How a test run looks: English; a longer (Russian-length) text;
    Persian's right-to-left layout with its locale and longer text; the
    shipped Persian translation (`catalog`, a .qm of resources/translations)."""

    name: str
    longer: bool = False
    locale: str = "en_US"
    direction: Qt.LayoutDirection = Qt.LayoutDirection.LeftToRight
    catalog: str = ""


ENGLISH = Language("english")
LONGER = Language("longer", longer=True, locale="ru_RU")
RTL = Language("rtl", longer=True, locale="fa_IR", direction=Qt.LayoutDirection.RightToLeft)
PERSIAN = Language("persian", locale="fa_IR", direction=Qt.LayoutDirection.RightToLeft, catalog="agentdesk_fa.qm")


def _translator(choice: Language) -> QTranslator | None:
    if choice.longer:
        return Longer()
    if not choice.catalog:
        return None
    translator = QTranslator()
    if not translator.load(str(resource("translations", choice.catalog))):
        raise FileNotFoundError(f"the translation {choice.catalog} is missing from resources/translations")
    return translator


@contextmanager
def language(choice: Language) -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translator = _translator(choice)
    if translator is not None:
        QCoreApplication.installTranslator(translator)
    QLocale.setDefault(QLocale(choice.locale))
    app.setLayoutDirection(choice.direction)
    app.setStyleSheet(STYLE_SHEET)
    try:
        yield
    finally:
        if translator is not None:
            QCoreApplication.removeTranslator(translator)
        QLocale.setDefault(QLocale("en_US"))
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        app.setStyleSheet("")


def queues(now: float) -> tuple[QueueSummary, ...]:
    members = (QueueMember("1001", "Nina Karimi", AgentActivity.READY, "", now - 600),
               QueueMember("1002", "Sara Ahmadi", AgentActivity.ON_CALL, "", now - 90),
               QueueMember("1003", "Omid Rezaei", AgentActivity.PAUSED, "lunch", now - 1200))
    callers = (WaitingCaller("1800000000.3", "+982155550101", "Dmitri Volkov", 1, now - 161, True),
               WaitingCaller("1800000000.4", "09121110002", "Olga Smirnova", 2, now - 40, False))
    return (QueueSummary("support", "Support", "rrmemory", callers, members, DayStats(41, 37, 4, 0.86, 20), "7001"),
            QueueSummary("sales", "Sales and new contracts", "rrmemory", callers[1:], members[:2],
                         DayStats(12, 11, 1, 0.91, 30), "7002"),
            QueueSummary("billing", "Billing", "rrmemory", (), members[1:], DayStats(0, 0, 0, None, 20), "7003"))


@dataclass
class MainScreen:
    """The composed window and its parts; `show_state(name)` walks it to
    one of STATES from idle."""

    window: MainWindow
    engine: FakeEngine
    link: DeskConnection
    desk: DeskView
    callbacks: CallbackDesk
    callback_desk: FakeDesk
    wrapups: WrapUpDesk
    stop: Callable[[], None]
    now: float = field(default_factory=time.time)
    picker: TransferPicker | None = None

    @classmethod
    def build(cls, folder: Path) -> MainScreen:
        """What Desktop (desktop/app.py) builds, with fakes for the phone, the desk service and the CRM."""
        engine = FakeEngine()
        link = QuietLink()
        runner = TaskRunner(workers=1)
        disk = TaskRunner(workers=1)
        desk = DeskView(link, CrmLookup(runner))
        window = MainWindow(engine, desk.transfer_targets)
        window.add_desk(desk.agent_bar, desk.screen_pop, desk.queue_panel)
        outbox = WrapUpOutbox(WrapUpFiles(folder), FakeWrapUpDesk().send, disk)
        wrapups = WrapUpDesk(outbox, disk, time.time, window.show_problem)
        callback_desk = FakeDesk()
        callbacks = CallbackDesk(callback_desk, engine, window, lambda: "pbx.example", time.time,
                                 window.show_problem, outcome_host=wrapups)
        window.add_callbacks(callbacks.panel, callbacks.preview)  # in the order Desktop adds them
        window.add_wrapup(wrapups.panel)
        engine.callChanged.connect(lambda call: window.show_call(callbacks.describe(call)))
        engine.incomingCall.connect(desk.call_ringing)
        engine.callChanged.connect(desk.call_changed)
        engine.incomingCall.connect(callbacks.call_ringing)
        engine.callChanged.connect(callbacks.call_changed)
        link.snapshot_received.connect(callbacks.snapshot)
        link.snapshot_received.connect(wrapups.snapshot)
        wrapups.showing.connect(lambda shown: desk.agent_bar.set_queue_keys_enabled(not shown))

        def stop() -> None:
            engine.calls.clear()  # or closing the window would ask about the live call
            window.incoming.close()
            window.close()
            outbox.stop()
            disk.shutdown()
            runner.shutdown()

        return cls(window, engine, link, desk, callbacks, callback_desk, wrapups, stop)

    def windows(self) -> list[QWidget]:
        """The screen's windows an agent sees now."""
        windows: list[QWidget | None] = [self.window, self.window.incoming, self.picker]
        return [window for window in windows if window is not None and window.isVisible()]

    def idle(self) -> None:
        now = self.now
        me = AgentState("1001", "Nina Karimi", "agent", "1001", {"support": True, "sales": True, "billing": False},
                        AgentActivity.READY, "", now - 600)
        self.window.display_name = "Nina Karimi"
        self.window.show_account(AccountSnapshot(RegState.REGISTERED, "1001", "pbx.example:5060"))
        self.window.set_notice("audio", LONG_NOTICE)
        self.link.snapshot_received.emit(DeskSnapshot(now, me, queues(now), ("lunch", "training", "coaching")))
        self.callbacks.show_tasks([TASK, task("0a1b2c3d4e60", name="Sara Ahmadi", number="09121110003")])
        self.window.set_history([
            HistoryEntry(Direction.INCOMING, "+982155550101", "Dmitri Volkov", "support", now - 3600, now - 3590,
                         now - 3400, Outcome.ANSWERED, "", disposition="Complaint"),
            HistoryEntry(Direction.OUTGOING, "09121110002", "Olga Smirnova", "", now - 1800, 0, now - 1790,
                         Outcome.MISSED, "Busy Here")])

    def ringing(self) -> None:
        self.engine.show(CALLER.with_changes(started_at=self.now))

    def call(self) -> None:
        self.ringing()
        self.engine.show(CALLER.with_changes(state=CallState.ACTIVE, started_at=self.now, connected_at=self.now,
                                             has_audio=True))
        history = (PastCall(self.now - 9 * 86400, "1003", "Omid Rezaei", "sales", "abandoned", 0),
                   PastCall(self.now - 2 * 86400, "1002", "Sara Ahmadi", "support", "answered", 185, "Complaint",
                            "Wants the second charge of the March invoice refunded to the card it came from"))
        info = QueueCallInfo(QUEUE_CALL, "support", CALLER.remote_number, CALLER.remote_name, self.now - 161, 2,
                             True, True, history)
        self.link.call_info_ready.emit(QUEUE_CALL, info)
        record = CrmRecord("C0002", "Reza Hosseini", "Pars Logistics and Warehousing Company", "gold",
                           "reza.hosseini@pars-logistics.example.com", "Tehran", "",
                           "http://127.0.0.1:8470/customers/C0002")
        self.desk.screen_pop.show_crm_record(record)

    def callback(self) -> None:
        self.engine.show(OFFER.with_changes(started_at=self.now))
        self.callback_desk.last("details").succeed(CallbackTaskDetail(TASK))

    def wrapup(self) -> None:
        self.call()
        self.engine.show(CALLER.with_changes(state=CallState.ENDED, started_at=self.now, connected_at=self.now))
        self.wrapups.wrapup_changed(WrapUpView(
            "1001", QUEUE_CALL, queue="support", queue_title="Support", number=CALLER.remote_number,
            name=CALLER.remote_name, started_at=self.now, deadline_at=self.now + 60, warning_at=self.now + 45,
            limit_seconds=60, disposition_required=True, now=self.now,
            dispositions=("Sale", "Information", "Complaint", "Refund requested", "Wrong number",
                          "Escalated to the team lead")))

    def transfer(self) -> None:
        self.call()
        self.window.open_transfer(CALLER.call_id)
        pickers = self.window.findChildren(TransferPicker)
        assert pickers, "the transfer picker did not open"
        self.picker = pickers[-1]

    def show_state(self, name: str) -> None:
        self.idle()
        if name != "idle":
            getattr(self, name)()


def _visible_rect(widget: QWidget, window: QWidget) -> QRect:
    """The part of `widget` that its ancestors (up to `window`) let show, in window coordinates."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        rect = rect.intersected(QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return rect.intersected(window.rect())


def _cut_at_the_side(widget: QWidget, window: QWidget) -> bool:
    """Some of `widget` lies beyond the left or right edge of a parent (a
    text below a scroll area's fold is not cut off: it is scrolled to)."""
    left = widget.mapTo(window, QPoint(0, 0)).x()
    right = left + widget.width()
    node = widget.parentWidget()
    while node is not None:
        start = node.mapTo(window, QPoint(0, 0)).x() if node is not window else 0
        if left < start or right > start + node.width():
            return True
        if node is window:
            break
        node = node.parentWidget()
    return False


def _name(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, QAbstractButton | QLabel):
        text = widget.text()
    elif isinstance(widget, QLineEdit):
        text = widget.placeholderText() or widget.text()
    chain: list[str] = []
    node: QWidget | None = widget
    while node is not None and len(chain) < 3:
        chain.append(node.objectName() or type(node).__name__)
        node = node.parentWidget()
    return f"{type(widget).__name__} {text[:40]!r} in {'<'.join(chain[1:])}"


def _behind_a_tab(widget: QWidget, window: QWidget) -> bool:
    """In a dock that is not the current tab of its group (Qt parks it outside the window)."""
    node: QWidget | None = widget
    while node is not None and node is not window:
        if isinstance(node, QDockWidget) and not QRect(node.mapTo(window, QPoint(0, 0)),
                                                       node.size()).intersects(window.rect()):
            return True
        node = node.parentWidget()
    return False


def unreachable(window: QWidget) -> list[str]:
    """What of `window` an agent cannot fully see: input controls cut off
    by a parent, the window's edge or a scroll area's viewport (or squeezed
    narrower than their text), labels cut off at the side, and scroll
    areas that scroll sideways."""
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window or _behind_a_tab(widget, window):
            continue
        whole = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        seen = _visible_rect(widget, window)
        if isinstance(widget, INPUTS) and not isinstance(widget, QScrollBar):
            if whole.isEmpty() or seen != whole:
                found.append(f"{_name(widget)}: {whole.getRect()} shows only {seen.getRect()}")
            elif isinstance(widget, QAbstractButton) and widget.width() < widget.minimumSizeHint().width():
                found.append(f"{_name(widget)}: {widget.width()} px wide, its text needs "
                             f"{widget.minimumSizeHint().width()}")
        elif isinstance(widget, QLabel) and widget.text() and _cut_at_the_side(widget, window):
            found.append(f"{_name(widget)}: {whole.getRect()} is cut off at the side")
        elif isinstance(widget, QAbstractScrollArea) and widget.horizontalScrollBar().isVisible():
            found.append(f"{_name(widget)} scrolls sideways")
    return found


def save_screenshots(folder: Path) -> list[Path]:
    """PNGs of the main states at 1280×800, in English and in Persian; an
    open dialog is drawn over the window where the window manager would
    centre it."""
    saved = []
    folder.mkdir(parents=True, exist_ok=True)
    for choice, suffix in ((ENGLISH, "en"), (PERSIAN, "fa")):
        for state in STATES:
            with tempfile.TemporaryDirectory() as scratch, language(choice):
                screen = MainScreen.build(Path(scratch))
                screen.window.resize(1280, 800)
                screen.window.show()
                screen.show_state(state)
                for _ in range(5):
                    QApplication.processEvents()
                picture = screen.window.grab()
                if screen.picker is not None:
                    dialog = screen.picker.grab()
                    painter = QPainter(picture)
                    painter.drawPixmap((picture.width() - dialog.width()) // 2,
                                       (picture.height() - dialog.height()) // 3, dialog)
                    painter.end()
                saved.append(save_screenshot(picture, folder / f"{state}-{suffix}.png"))
                screen.stop()
    return saved


def save_screenshot(picture: QPixmap, path: Path) -> Path:
    # 256 colours without dithering: the flat look survives and the file stays small.
    flags = Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither
    picture.toImage().convertToFormat(QImage.Format.Format_Indexed8, flags).save(str(path), None, 0)
    return path


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication(argv[:1])
    for path in save_screenshots(Path(argv[1])):
        print(path)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
