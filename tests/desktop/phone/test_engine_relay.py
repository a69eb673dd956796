"""What the SIP thread reports reaches the GUI thread through the engine:
mirrored first, then announced, and heard by receivers connected before
the event loop first ran (the window is built while the phone registers)."""

from __future__ import annotations

import threading
from typing import Any

from agentdesk.desktop.phone.engine import PhoneEngine
from agentdesk.desktop.phone.model import AccountSnapshot, CallSnapshot, CallState, Direction, RegState


def ringing(call_id: int) -> CallSnapshot:
    return CallSnapshot(call_id, Direction.INCOMING, CallState.RINGING_IN, "1002", "", "sip:1002@pbx")


def test_reports_from_another_thread_are_mirrored_before_receivers_hear_them(qtbot: Any) -> None:
    engine = PhoneEngine(None, "test")
    heard: list[tuple[str, object]] = []

    def from_the_sip_thread() -> None:
        engine._sip_registration.emit(AccountSnapshot(RegState.REGISTERED))
        engine._sip_incoming.emit(ringing(7))
        engine._sip_call.emit(ringing(7))

    thread = threading.Thread(target=from_the_sip_thread)
    thread.start()
    thread.join()  # all three are queued: nobody is connected yet
    engine.registrationChanged.connect(lambda account: heard.append(("account", engine.account.state)))
    engine.incomingCall.connect(lambda call: heard.append(("incoming", [c.call_id for c in engine.live_calls()])))
    engine.callChanged.connect(lambda call: heard.append(("call", call.call_id)))
    qtbot.waitUntil(lambda: len(heard) == 3, timeout=2000)
    assert heard == [("account", RegState.REGISTERED), ("incoming", [7]), ("call", 7)]
