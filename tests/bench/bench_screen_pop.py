#!/usr/bin/env python3
"""Screen-pop timing: from the INVITE arriving at the agent's phone to the
screen-pop card being complete.

A real AgentDesk desktop (in this process, offscreen, no sound device) is
agent 1019, logged into the support queue through the desk service; the
demo CRM answers look-ups after 50 ms. BENCH_CALLS generated customers
(default 20), one at a time, call the queue with numbers the CRM knows. For
each call, measured from the INVITE (the CallSnapshot's `started_at`, taken
on the SIP thread as the INVITE is processed):

- card visible: the card shows what the INVITE says (number, name, queue);
- desk info shown: the desk service's record of the call is on the card;
- CRM record shown: the customer's CRM record is on the card;
- card complete: both of the above.

Each stamp is taken in a slot connected after the desktop was built: Qt
calls slots in connection order, so it runs right after the view updated
the card. The agent answers and hangs up at once; the next customer rings
after the queue's wrap-up time. Sticky routing (a returning caller rings
their last agent directly, without the queue) is off for the run: those
calls have no queue record for the desk part of the card.

Run: .venv/bin/python tests/bench/bench_screen_pop.py (AGENTDESK_TEST_PORT_OFFSET
moves the test PBX's ports).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QMessageLogContext, QObject, QTimer, QtMsgType, Slot, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from agentdesk.contract.queues import QueueCallInfo
from agentdesk.desktop.crm.demo import DemoCrm, load_customers
from agentdesk.desktop.crm.lookup import CrmRecord
from agentdesk.desktop.phone.model import CallSnapshot, CallState, RegState
from agentdesk.desktop.resources import resource
from tests.bench.common import REPO, desktop_home, median, percentile, record
from tests.helpers.callers import dialplan_global, place_callers
from tests.helpers.pbx import DESK_CA_FILE, DESK_URL, SERVER, Pbx

if TYPE_CHECKING:
    from agentdesk.desktop.app import Desktop

CALLS = int(os.environ.get("BENCH_CALLS", "20"))
AGENT = "1019"
QUEUE = "support"
CRM_DELAY_MS = 50
PARTS = ("card visible", "desk info shown", "CRM record shown", "card complete")


class PopStamps(QObject):
    """When each part of the current call's screen-pop was on the card
    (time.time(), like the INVITE's stamp); failures are counted."""

    def __init__(self, desktop: Desktop) -> None:
        super().__init__()
        self.pop = desktop.desk.screen_pop
        self.call: CallSnapshot | None = None
        self.stamps: dict[str, float] = {}
        self.failures: list[str] = []
        desktop.engine.incomingCall.connect(self.rang)
        desktop.desk_link.call_info_ready.connect(self.desk_shown)
        desktop.desk_link.call_info_failed.connect(self.desk_failed)
        desktop.crm.found.connect(self.crm_shown)
        desktop.crm.failed.connect(self.crm_failed)

    def expect(self) -> None:
        self.call, self.stamps = None, {}

    @Slot(object)
    def rang(self, call: CallSnapshot) -> None:
        if not call.queue or self.call is not None:
            return
        self.call = call
        if self.pop.isVisible() and self.pop.title.text():
            self.stamps["card visible"] = time.time()

    @Slot(str, object)
    def desk_shown(self, uniqueid: str, info: QueueCallInfo) -> None:
        if self.call is not None and uniqueid == self.call.queue_call and self.pop.queue_line.isVisible():
            self.stamps.setdefault("desk info shown", time.time())

    @Slot(str, str)
    def desk_failed(self, uniqueid: str, message: str) -> None:
        self.failures.append(f"desk service: {message}")

    @Slot(int, object)
    def crm_shown(self, request_id: int, record: CrmRecord | None) -> None:
        # The view drops answers for an older call, so the card shows this
        # record only if it is the current call's.
        if self.call is not None and record is not None and self.pop.fields["id"].text() == record.id:
            self.stamps.setdefault("CRM record shown", time.time())

    @Slot(int, str)
    def crm_failed(self, request_id: int, message: str) -> None:
        self.failures.append(f"CRM: {message}")

    def complete(self) -> bool:
        return "desk info shown" in self.stamps and "CRM record shown" in self.stamps

    def delays_ms(self) -> dict[str, float]:
        """Each part's time after the INVITE, in milliseconds."""
        assert self.call is not None
        invite = self.call.started_at
        delays = {part: (stamp - invite) * 1000 for part, stamp in self.stamps.items()}
        delays["card complete"] = max(delays["desk info shown"], delays["CRM record shown"])
        return delays


def spin_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Run the Qt event loop until `condition` holds. A QEventLoop wakes up
    for every posted event at once, so the measured slots run on time."""
    loop, poll = QEventLoop(), QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    poll.start()
    if not condition():
        loop.exec()
    poll.stop()
    if not condition():
        raise TimeoutError(f"no {what} within {timeout} s")


def in_queue(pbx: Pbx) -> bool:
    return re.search(rf"^\s+{AGENT} \(", pbx.cli(f"queue show {QUEUE}"), re.M) is not None


def build_desktop(app: QApplication, crm: DemoCrm) -> Desktop:
    from agentdesk.desktop import credentials
    from agentdesk.desktop.app import Desktop
    from agentdesk.desktop.phonestart import start_phone
    from agentdesk.desktop.settings import Settings

    settings = Settings()
    for key, value in {"server": SERVER, "user": AGENT, "auto_answer": False, "desk_url": DESK_URL,
                       "tls_ca_file": str(DESK_CA_FILE), "crm_lookup_url": crm.lookup_template,
                       "crm_open_url": crm.open_template}.items():
        settings.set(key, value)
    settings.save()
    credentials.save_password(AGENT, SERVER, f"demo-{AGENT}")
    desktop = Desktop(app, settings, start_phone(settings))
    desktop.start()
    spin_until(lambda: desktop.engine.account.state is RegState.REGISTERED, 15, "registration")
    spin_until(lambda: QUEUE in desktop.desk.agent_bar.toggles and desktop.crm.configured, 15,
               "desk service link and CRM set-up")
    return desktop


def one_call(desktop: Desktop, stamps: PopStamps, number: str) -> dict[str, float]:
    """Place a customer, wait until the card is complete, answer and hang up."""
    stamps.expect()
    placing = threading.Thread(target=place_callers, kwargs={"queue": QUEUE, "patience": 30, "talk": 1,
                                                             "number": number}, daemon=True)
    placing.start()  # on a thread: the GUI thread must be free when the call rings
    spin_until(lambda: stamps.call is not None, 40, "ringing queue call")
    spin_until(stamps.complete, 10, "complete screen-pop")
    assert stamps.call is not None
    call_id = stamps.call.call_id
    engine = desktop.engine
    engine.answer(call_id)
    spin_until(lambda: any(c.call_id == call_id and c.state is CallState.ACTIVE for c in engine.live_calls()), 10,
               "answered call")
    engine.hangup(call_id)
    spin_until(lambda: not engine.live_calls(), 10, "hang-up")
    placing.join(timeout=30)
    return stamps.delays_ms()


def measure(app: QApplication, pbx: Pbx, crm: DemoCrm) -> tuple[list[dict[str, float]], list[str]]:
    desktop = build_desktop(app, crm)
    stamps = PopStamps(desktop)
    numbers = list(load_customers(resource("demo", "customers.csv")))
    results: list[dict[str, float]] = []
    try:
        desktop.desk_link.set_queue(QUEUE, True)
        spin_until(lambda: in_queue(pbx), 15, f"agent {AGENT} in the {QUEUE} queue")
        with dialplan_global(pbx, f"QUEUE_STICKY_RING_{QUEUE}", "0"):
            for index in range(CALLS):
                results.append(one_call(desktop, stamps, numbers[index % len(numbers)]))
                print(f"  call {index + 1}/{CALLS}: card complete after {results[-1]['card complete']:.1f} ms",
                      flush=True)
    finally:
        desktop.desk_link.set_queue(QUEUE, False)
        spin_until(lambda: not in_queue(pbx), 15, f"agent {AGENT} out of the {QUEUE} queue")
        finished = threading.Event()
        desktop.finished.connect(finished.set)
        desktop.quit()
        spin_until(finished.is_set, 20, "desktop shutdown")
    return results, stamps.failures


def report(results: list[dict[str, float]], failures: list[str], load: str) -> None:
    print(f"\nScreen-pop after the INVITE: {len(results)} queue calls, demo CRM answering in {CRM_DELAY_MS} ms; "
          f"load average {load}")
    print(f"{'':20}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'calls':>7}")
    for part in PARTS:
        values = [r[part] for r in results if part in r]
        print(f"{part:20}{median(values):>9.1f}{percentile(values, 0.95):>9.1f}"
              f"{max(values, default=float('nan')):>9.1f}{len(values):>7}")
        if part == "card complete":  # no target stated: the figures alone
            record("screen_pop", f"{part} p50", median(values), "ms", "", None)
            record("screen_pop", f"{part} p95", percentile(values, 0.95), "ms", "", None)
    if failures:
        print(f"failures: {len(failures)}: " + "; ".join(sorted(set(failures))))


def quiet_offscreen(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's messages, without the offscreen platform's notes on every window
    it cannot raise or resize (one per call, they would bury the figures)."""
    if not message.startswith("This plugin does not support"):
        print(message, file=sys.stderr)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    qInstallMessageHandler(quiet_offscreen)
    pbx = Pbx()
    pbx.start()
    crm = DemoCrm(port=0, delay_ms=CRM_DELAY_MS).start()
    load_before = load_average()
    try:
        with tempfile.TemporaryDirectory() as folder:
            desktop_home(Path(folder))
            app = QApplication([])
            results, failures = measure(app, pbx, crm)
    finally:
        crm.stop()
        pbx.stop()
    report(results, failures, f"{load_before} before, {load_average()} after")
    return 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
