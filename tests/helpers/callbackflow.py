"""Shared steps of the callback tests against the real desk service:
callers waiting and pressing keys, tasks seen through the API, the test
set-up's switches (callbacks on, the clock)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tests.helpers.callbackstub import uniqueid, waiting_channels
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.waiting import wait_until

TEAM_LEAD = "1901"


def customer_waits(party: SipParty, pbx: Pbx, number: str, queue_number: str = "7001",
                   queue: str = "support") -> str:
    """The customer's phone calls the queue and waits there; its UNIQUEID."""
    party.call(f"sip:{queue_number}@{SERVER}")
    party.wait_state("CONFIRMED")
    wait_until(lambda: is_waiting(pbx, number, queue), 10, f"{number} waits in {queue}")
    return uniqueid(pbx, f"PJSIP/{number}-")


def is_waiting(pbx: Pbx, number: str, queue: str = "support") -> bool:
    return any(c.startswith(f"PJSIP/{number}-") for c in waiting_channels(pbx, queue))


def press_1_to_leave(pbx: Pbx, party: SipParty, number: str, queue: str = "support") -> None:
    """Presses 1 until the caller has left the queue for the callback menu
    (a key pressed while app_queue announces the position only cuts the
    announcement short, Asterisk 22)."""
    for _ in range(6):
        party.send("dtmf", digits="1")
        deadline = time.monotonic() + 1.5
        while is_waiting(pbx, number, queue) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not is_waiting(pbx, number, queue):
            return
    raise AssertionError(f"{number} still waits in {queue} after pressing 1")


def confirm_own_number(party: SipParty) -> None:
    """"We will call you back on ... If that is right press 1": 1, once the
    desk service has answered the number check and the prompt began."""
    time.sleep(1.5)
    party.send("dtmf", digits="1")


class Lead(DeskUser):
    """The team lead of the tests: sees every task and runs the switches."""

    def __init__(self) -> None:
        super().__init__(TEAM_LEAD)

    def tasks(self, state: str = "open") -> list[dict[str, Any]]:
        return list(self.ok("GET", f"/api/v1/callbacks?state={state}")["tasks"])

    def task(self, task_id: str) -> dict[str, Any]:
        return dict(self.ok("GET", f"/api/v1/callbacks/{task_id}"))

    def wait_task(self, check: Callable[[dict[str, Any]], bool], timeout: float = 15.0,
                  state: str = "open") -> dict[str, Any]:
        found: list[dict[str, Any]] = []

        def seen() -> bool:
            found[:] = [t for t in self.tasks(state) if check(t)]
            return bool(found)

        wait_until(seen, timeout, "a matching callback task")
        return found[0]

    def wait_state(self, task_id: str, state: str, timeout: float = 15.0) -> dict[str, Any]:
        wait_until(lambda: self.task(task_id)["state"] == state, timeout, f"task {task_id} {state}")
        return self.task(task_id)

    def switch(self, enabled: bool) -> None:
        self.ok("PUT", "/api/v1/test/callbacks", {"enabled": enabled})

    def advance_clock(self, seconds: float) -> None:
        self.ok("PUT", "/api/v1/test/clock", {"advance_seconds": seconds})

    def reset_clock(self) -> None:
        self.ok("PUT", "/api/v1/test/clock", {"reset": True})

    def cancel_open(self) -> None:
        for task in self.tasks():
            self.call("POST", f"/api/v1/callbacks/{task['id']}/cancel", {"reason": "test over"})


@contextmanager
def callbacks_on(lead: Lead) -> Iterator[Lead]:
    """Callbacks work (offers, missed calls) for the block; afterwards no
    task is left open and the clock is right again, so other tests see none."""
    lead.switch(True)
    try:
        yield lead
    finally:
        lead.switch(False)
        lead.cancel_open()
        lead.reset_clock()
