"""Wrap-up on a real desktop with the real PBX and desk service: after a
queue call the wrap-up panel opens; a disposition saved while the desk
service is down (killed) reaches it exactly once when it is back (one
stored record, one follow-up task); a desktop killed (SIGKILL) in the
middle of the wrap-up offers the typed draft again when it starts again."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from agentdesk.desktop.phone.model import CallState
from tests.helpers.agent import Agent
from tests.helpers.callbackflow import TEAM_LEAD
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import DESK_CA_FILE, DESK_URL, SERVER, Pbx
from tests.helpers.soundserver import DEVICE, SoundServer
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

CTRL = Qt.KeyboardModifier.ControlModifier
NOTES = "Wants the <b>invoice</b> again — فاکتور"


class Lead(DeskUser):
    """The team lead: switches wrap-up on for the test and reads the results."""

    def __init__(self) -> None:
        super().__init__(TEAM_LEAD)

    def switch(self, enabled: bool) -> None:
        self.ok("PUT", "/api/v1/test/wrapup", {"enabled": enabled, "limit_seconds": 300})

    def calls_of(self, agent: str) -> list[dict[str, Any]]:
        return list(self.ok("GET", f"/api/v1/agents/{agent}/calls?day={date.today().isoformat()}")["calls"])

    def call_of(self, agent: str, uniqueid: str, disposition: str) -> dict[str, Any]:
        """The agent's call once the service shows the record (it may lag the acknowledgement by a moment)."""
        found: list[dict[str, Any]] = []

        def shown() -> bool:
            found[:] = [c for c in self.calls_of(agent) if c["uniqueid"] == uniqueid]
            return bool(found) and found[0]["disposition"] == disposition

        wait_until(shown, 5, f"the record of {uniqueid} in {agent}'s calls")
        return found[0]

    def follow_ups(self, number: str) -> list[dict[str, Any]]:
        tasks = self.ok("GET", "/api/v1/callbacks?state=open")["tasks"]
        return [t for t in tasks if t["number"] == number]

    def cancel_follow_ups(self, number: str) -> None:
        for task in self.follow_ups(number):
            self.call("POST", f"/api/v1/callbacks/{task['id']}/cancel", {"reason": "test over"})


@pytest.fixture
def wrapup_on(pbx: Pbx) -> Iterator[Callable[[], Lead]]:
    """Wrap-up switched on; `lead()` signs in again (after a desk restart)."""
    leads = [Lead()]
    leads[0].switch(True)

    def lead() -> Lead:
        leads.append(Lead())
        return leads[-1]

    yield lead
    desk_running(pbx)
    last = Lead()
    last.switch(False)
    for number in ("09121110004", "09121110005"):
        last.cancel_follow_ups(number)


def desk_running(pbx: Pbx) -> None:
    """The desk service up again after a test that stopped it failed midway:
    the tests after it need it (and 1019 out of the queue)."""
    if not desk_back():
        pbx.run("desk", "start", timeout=120)
        wait_until(desk_back, 30, "the desk service back")


def leave_queue(agent: str) -> None:
    desk = DeskUser(agent)
    desk.leave("support")
    desk.unpause()


def desk_back() -> bool:
    try:
        return bool(requests.get(f"{DESK_URL}/api/v1/health", timeout=2).json()["pbx_connected"])
    except requests.RequestException:
        return False


def customer_calls(make_party: Callable[..., SipParty], number: str) -> SipParty:
    customer = make_party(number)
    customer.call(f"sip:7001@{SERVER}")
    customer.wait_state("CONFIRMED", timeout=15)
    return customer


def wrapups_folder(agent: str) -> Path:
    return Path(os.environ["AGENTDESK_DATA_DIR"]) / "wrapups" / agent


def stored(agent: str, kind: str) -> list[dict[str, Any]]:
    folder = wrapups_folder(agent) / kind
    return [json.loads(path.read_text()) for path in folder.glob("*.json")] if folder.is_dir() else []


# -- (a) the desk service is down while the agent saves ------------------------------------------
@pytest.fixture
def agent_in_support(qtbot: Any, make_agent: Callable[..., Agent], pbx: Pbx) -> Iterator[Agent]:
    agent = make_agent("1019")
    bar = agent.desktop.desk.agent_bar
    qtbot.waitUntil(lambda: "support" in bar.toggles, timeout=10000)
    qtbot.mouseClick(bar.toggles["support"], Qt.MouseButton.LeftButton)
    wait_until(lambda: re.search(r"^\s+1019 \(", pbx.cli("queue show support"), re.M) is not None,
               what="1019 in support")
    yield agent
    desk_running(pbx)
    leave_queue("1019")


def test_a_disposition_saved_while_the_desk_is_down_arrives_once(
    qtbot: Any, agent_in_support: Agent, make_party: Callable[..., SipParty], pbx: Pbx,
    wrapup_on: Callable[[], Lead]
) -> None:
    agent, number = agent_in_support, "09121110005"
    customer = customer_calls(make_party, number)
    ringing = agent.wait_call(lambda c: c.state is CallState.RINGING_IN and bool(c.queue_call), timeout=20)
    agent.engine.answer(ringing.call_id)
    agent.wait_state(CallState.ACTIVE, timeout=10)
    pbx.wait_channel_up("1019")
    qtbot.wait(1000)  # a moment of talk: a call hung up within its first second can end without a Uniqueid
    agent.engine.hangup(ringing.call_id)  # the agent ends the call: wrap-up begins
    customer.wait_state("DISCONNECTED", timeout=10)
    wrapups = agent.desktop.wrapups
    qtbot.waitUntil(lambda: wrapups.panel.isVisible() and wrapups.current == ringing.queue_call, timeout=10000)
    assert wrapups.panel.stage() in ("running", "warning") and wrapups.panel.countdown.text()

    pbx.kill_desk()
    panel = wrapups.panel
    agent.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is agent.window)
    qtbot.keyClick(panel.notes, Qt.Key.Key_4, CTRL)  # the fourth code (the agent bar gives Ctrl+4 up)
    assert panel.disposition == panel.codes[3]
    typed, pasted = NOTES.split(" — ")
    qtbot.keyClicks(panel.notes, typed)  # QTest types Latin-1 only
    panel.notes.insertPlainText(f" — {pasted}")
    panel.follow_up.setChecked(True)
    panel.topic.setText("Send the invoice")
    qtbot.keyClick(panel.notes, Qt.Key.Key_Return, CTRL)  # Done
    assert not panel.isVisible()
    qtbot.waitUntil(lambda: [r["notes"] for r in stored("1019", "outbox")] == [NOTES], timeout=5000)
    # The draft goes once the record is safe in the outbox (the next file task).
    qtbot.waitUntil(lambda: stored("1019", "drafts") == [], timeout=5000)
    qtbot.wait(1500)  # the sender has tried and failed meanwhile; the record stays
    assert len(stored("1019", "outbox")) == 1

    assert pbx.run("desk", "start", timeout=120).returncode == 0
    wait_until(desk_back, 30, "the desk service back")
    qtbot.waitUntil(lambda: not stored("1019", "outbox"), timeout=40000)  # sent and acknowledged
    lead = wrapup_on()
    call = lead.call_of("1019", ringing.queue_call, panel.codes[3])
    assert (call["disposition"], call["notes"]) == (panel.codes[3], NOTES)
    follow_ups = lead.follow_ups(number)
    assert len(follow_ups) == 1 and follow_ups[0]["topic"] == "Send the invoice"
    with qtbot.assertNotEmitted(wrapups.outbox.sending, wait=1000):
        wrapups.outbox.retry_now()
        wrapups.outbox.resend_stored("1019")
    assert len(lead.follow_ups(number)) == 1
    assert not panel.isVisible()  # the service's wrap-up of the call ended with the record


# -- (b) the desktop is killed in the middle of the wrap-up ---------------------------------------
def run_child_desktop() -> None:
    """A desktop in its own process: once the wrap-up panel opens it picks
    the second code and types NOTES, like an agent, and waits to be killed."""
    from PySide6.QtCore import QTimer

    from agentdesk.desktop.app import Desktop
    from agentdesk.desktop.phonestart import start_phone
    from agentdesk.desktop.settings import Settings

    app = QApplication(sys.argv[:1])
    settings = Settings()
    desktop = Desktop(app, settings, start_phone(settings))
    desktop.start()

    def type_once() -> None:
        panel = desktop.wrapups.panel
        if panel.isVisible() and not panel.notes.toPlainText():
            panel.choose_index(1)
            panel.notes.setPlainText(NOTES)

    timer = QTimer()
    timer.timeout.connect(type_once)
    timer.start(100)
    app.exec()


def configure(user: str) -> None:
    def agentdesk(*args: str, stdin: str = "") -> None:
        result = subprocess.run([sys.executable, "-m", "agentdesk.desktop", *args], input=stdin, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0, result.stderr

    agentdesk("account", "add", "--server", SERVER, "--user", user, "--password-stdin", stdin=f"demo-{user}\n")
    for key, value in (("auto_answer", "true"), ("microphone", DEVICE), ("speaker", DEVICE),
                       ("ring_device", DEVICE), ("desk_url", DESK_URL), ("tls_ca_file", str(DESK_CA_FILE))):
        agentdesk("config", "set", key, value)


def test_a_desktop_killed_mid_wrapup_offers_the_draft_again(
    qtbot: Any, make_agent: Callable[..., Agent], make_party: Callable[..., SipParty], pbx: Pbx,
    sound: SoundServer, wrapup_on: Callable[[], Lead]
) -> None:
    configure("1013")
    DeskUser("1013").join("support")
    child = subprocess.Popen([sys.executable, "-c", "from tests.integration.test_wrapup_desktop import "
                              "run_child_desktop; run_child_desktop()"], cwd=Path(__file__).parents[2],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pbx.wait_registered("1013", timeout=20)
        customer = customer_calls(make_party, "09121110004")
        pbx.wait_channel_up("1013", timeout=15)  # the child desktop answered by itself
        time.sleep(1)  # a moment of talk
        customer.send("hangup")
        wait_until(lambda: [d["notes"] for d in stored("1013", "drafts")] == [NOTES], 20, "the typed draft on disk")
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    uniqueid = stored("1013", "drafts")[0]["uniqueid"]
    try:
        agent = make_agent("1013")
        wrapups = agent.desktop.wrapups
        qtbot.waitUntil(lambda: wrapups.panel.isVisible() and wrapups.current == uniqueid, timeout=15000)
        panel = wrapups.panel
        assert panel.notes.toPlainText() == NOTES and panel.disposition == panel.codes[1]
        with qtbot.waitSignal(wrapups.outbox.sent, timeout=20000, check_params_cb=lambda uid, _reply: uid == uniqueid):
            panel.done_button.click()
        assert not stored("1013", "outbox") and not stored("1013", "drafts")
        call = wrapup_on().call_of("1013", uniqueid, panel.codes[1])
        assert (call["disposition"], call["notes"]) == (panel.codes[1], NOTES), call
    finally:
        leave_queue("1013")
