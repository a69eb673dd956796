"""After-call work after a callback call, on the real PBX and desk service:
an agent's SIP phone answers a due task's placeholder, the PBX calls the
customer (a number no other test uses: the PBX's simulated customer of
[outside] answers, so the per-number request limit other tests count on is
not touched), they talk, the agent hangs up.
The agent is then paused "wrap-up" (Asterisk's `queue show`) under the
task's queue's policy, and the next due callback does not ring them until
the outcome is saved; with a short limit they are ready at the limit and
an outcome saved later is still stored.

Callbacks and wrap-up start switched off in the tests' service; the
fixtures switch them on (wrap-up with the limit each test needs)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers.callbackflow import Lead, callbacks_on
from tests.helpers.callbackstub import waiting_channels
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

MakeParty = Callable[..., SipParty]
AGENT = "1006"


@pytest.fixture
def lead(pbx: Pbx) -> Iterator[Lead]:
    lead = Lead()
    with callbacks_on(lead):
        yield lead
    lead.call("PUT", "/api/v1/test/wrapup", {"enabled": False})
    lead.close()


@pytest.fixture
def agent(pbx: Pbx, make_party: MakeParty) -> Iterator[tuple[DeskUser, SipParty]]:
    """Agent 1006 in support, paused ("Break") until the test makes them ready."""
    phone = make_party(AGENT)
    desk = DeskUser(AGENT)
    desk.join("support")
    desk.pause("Break")
    yield desk, phone
    desk.call("PUT", f"/api/v1/agents/{AGENT}/queues/support", {"logged_in": False})
    desk.call("PUT", f"/api/v1/agents/{AGENT}/pause", {"paused": False})
    desk.close()


def member_line(pbx: Pbx) -> str:
    output = pbx.cli("queue show support")
    return next((line for line in output.splitlines() if f"(PJSIP/{AGENT})" in line), "")


def paused_for_wrapup(pbx: Pbx) -> bool:
    return "(paused:wrap-up" in member_line(pbx)


def ready(pbx: Pbx) -> bool:
    line = member_line(pbx)
    return bool(line) and "paused" not in line


def a_number() -> str:
    return f"0935{random.randrange(10**6, 10**7)}"


def due_task(lead: Lead, pbx: Pbx, number: str) -> str:
    """A callback of support due now, its placeholder in the queue: its ID."""
    created = lead.call("POST", "/api/v1/callbacks", {"queue": "support", "number": number, "same_agent": False})
    assert created.status_code == 201, created.text
    task_id = str(created.json()["id"])
    wait_until(lambda: any(f"Local/{task_id}@callback-line-" in c for c in waiting_channels(pbx)), 15,
               f"the placeholder of {task_id} in support")
    return task_id


def a_callback_call(lead: Lead, phone: SipParty, task_id: str) -> None:
    """The placeholder of `task_id` rings the agent, who answers; the PBX calls
    the customer, who answers; the agent hangs up after a moment."""
    ring = phone.wait("incoming", timeout=20)
    assert ring["headers"].get("x-agentdesk-callback") == task_id, ring
    phone.answer()
    phone.wait_state("CONFIRMED")
    wait_until(lambda: "ANSWER" in [e["detail"] for e in lead.task(task_id)["events"]], 15, "the customer answers")
    time.sleep(1)
    phone.send("hangup")
    phone.wait_state("DISCONNECTED", timeout=10)


def wrapup_of(desk: DeskUser, task_id: str, timeout: float = 10.0) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def started() -> bool:
        view = desk.snapshot()["wrapup"]
        found[:] = [view] if view and view["uniqueid"].startswith(f"cb{task_id}-") else []
        return bool(found)

    wait_until(started, timeout, "the wrap-up of the callback call")
    return found[0]


def test_after_a_callback_call_the_next_callback_waits_for_the_outcome(
    pbx: Pbx, make_party: MakeParty, lead: Lead, agent: tuple[DeskUser, SipParty]
) -> None:
    desk, phone = agent
    lead.ok("PUT", "/api/v1/test/wrapup", {"enabled": True, "limit_seconds": 120})
    first = a_number()
    task = due_task(lead, pbx, first)
    next_task = due_task(lead, pbx, a_number())
    desk.unpause()
    a_callback_call(lead, phone, task)

    view = wrapup_of(desk, task)
    assert view["state"] == "active" and view["queue"] == "support" and view["number"] == first
    wait_until(lambda: paused_for_wrapup(pbx), 5, "paused with reason wrap-up in Asterisk")
    me = desk.snapshot()["me"]
    assert me["activity"] == "paused" and me["paused_reason"] == "wrap-up"
    rings = len(phone.seen("incoming"))
    time.sleep(8)  # the next callback waits at the front of the line, a placeholder of a free queue
    assert len(phone.seen("incoming")) == rings, "a callback rang the agent during the wrap-up"
    assert paused_for_wrapup(pbx)
    assert lead.task(next_task)["state"] == "offered"

    done = desk.ok("POST", f"/api/v1/callbacks/{task}/outcome", {"outcome": "reached"})
    assert done["state"] == "done"
    ring = phone.wait("incoming", timeout=20)  # now the next one
    assert ring["headers"].get("x-agentdesk-callback") == next_task
    assert desk.snapshot()["wrapup"] is None or not desk.snapshot()["wrapup"]["uniqueid"].startswith(f"cb{task}-")
    phone.send("hangup")
    phone.wait_state("DISCONNECTED", timeout=10)


def test_at_the_limit_the_agent_is_ready_and_a_late_outcome_is_still_stored(
    pbx: Pbx, make_party: MakeParty, lead: Lead, agent: tuple[DeskUser, SipParty]
) -> None:
    desk, phone = agent
    lead.ok("PUT", "/api/v1/test/wrapup", {"enabled": True, "limit_seconds": 6, "warning_seconds": 2})
    task = due_task(lead, pbx, a_number())
    desk.unpause()
    a_callback_call(lead, phone, task)

    view = wrapup_of(desk, task)
    assert view["limit_seconds"] == 6 and view["then"] == "ready"
    wait_until(lambda: paused_for_wrapup(pbx), 5, "paused for the wrap-up")
    wait_until(lambda: ready(pbx), view["deadline_at"] - time.time() + 5, "ready at the limit")
    assert time.time() >= view["deadline_at"] - 0.5
    assert desk.snapshot()["wrapup"] is None
    assert lead.task(task)["state"] == "claimed"  # the outcome is still the agent's to give

    late = desk.ok("POST", f"/api/v1/callbacks/{task}/outcome", {"outcome": "wrong_number", "note": "late"})
    assert late["state"] != "claimed"
    stored = lead.task(task)
    assert stored["last_outcome"] == "wrong_number" and "late" in stored["notes"]
    assert ready(pbx)
