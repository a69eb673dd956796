"""Callbacks end to end on the real PBX and desk service: customers are SIP
phones of the directory (role customer, e.g. 09121110001) that call the
support queue and press keys (RFC 4733); other callers are the PBX's
simulated customers; agents are SIP phones driven through the desk API.

A caller who presses 1 keeps their place; a scheduled callback waits for
its time (the desk service's clock is moved forward); tasks from the web
and from abandoned calls; one agent per task; the desk service killed
while a caller presses 1."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.helpers.callbackflow import (
    Lead,
    confirm_own_number,
    customer_waits,
    press_1_to_leave,
)
from tests.helpers.callbackstub import waiting_channels
from tests.helpers.callers import (
    customers_ended,
    place_callers,
    place_in_order,
    wait_waiting,
)
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import DESK_URL, SERVER, Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

MakeParty = Callable[..., SipParty]
AGENT_TONE = 700
CUSTOMER_TONE = 1100


@pytest.fixture
def agent_desk() -> Iterator[Callable[[str], DeskUser]]:
    """Agents signed in to the desk service; logged out of every queue after."""
    users: list[DeskUser] = []

    def make(agent: str) -> DeskUser:
        user = DeskUser(agent)
        users.append(user)
        return user

    yield make
    for user in users:
        for queue in ("support", "sales"):
            user.call("PUT", f"/api/v1/agents/{user.agent}/queues/{queue}", {"logged_in": False})
        user.call("PUT", f"/api/v1/agents/{user.agent}/pause", {"paused": False})


def callback_incoming(party: SipParty, timeout: float = 20.0) -> dict[str, Any]:
    return party.wait("incoming", timeout=timeout)


def talk_both_ways(agent: SipParty, customer: SipParty) -> None:
    """Agent and customer hear each other's tone."""
    agent.send("tone", freq=AGENT_TONE)
    customer.send("tone", freq=CUSTOMER_TONE)
    heard_by_customer = customer.hear([AGENT_TONE, CUSTOMER_TONE], 1.0)
    heard_by_agent = agent.hear([AGENT_TONE, CUSTOMER_TONE], 1.0)
    assert heard_by_customer[str(AGENT_TONE)] > 0.4, heard_by_customer
    assert heard_by_agent[str(CUSTOMER_TONE)] > 0.4, heard_by_agent


def test_a_caller_who_presses_1_keeps_their_place_and_an_agent_calls_them_back(
    pbx: Pbx, make_party: MakeParty, lead: Lead, agent_desk: Callable[[str], DeskUser]
) -> None:
    number = "09121110001"
    agent = make_party("1001")
    desk = agent_desk("1001")
    desk.join("support")
    desk.pause("Break")
    customer = make_party(number)
    with customers_ended(pbx):
        first, second = place_in_order(pbx, "support", 2, patience=180, talk=2)
        customer_waits(customer, pbx, number)
        assert len(waiting_channels(pbx)) == 3  # third in line
        last = place_callers("support", patience=180, talk=2)[0]
        wait_waiting(pbx, "support", 4)
        press_1_to_leave(pbx, customer, number)
        confirm_own_number(customer)
        customer.wait_state("DISCONNECTED", timeout=30)  # thanked; the PBX hangs up

        task = lead.wait_task(lambda t: t["number"] == number and t["state"] == "offered")
        assert task["origin"] == "inqueue" and task["queue"] == "support"
        events = lead.task(task["id"])["events"]
        assert [e["kind"] for e in events][:1] == ["requested"]
        line = waiting_channels(pbx)
        assert len(line) == 4 and f"Local/{task['id']}@callback-line-" in line[2], line

        customer.send("auto_answer", on=True)
        agent.send("auto_answer", on=True)
        desk.unpause()
        order = [callback_incoming(agent)["remote"] for _ in range(3)]
        assert first.number in order[0] and second.number in order[1], order
        assert number in order[2], order
        customer.wait("incoming", timeout=20)
        customer.wait_state("CONFIRMED", timeout=10)
        talk_both_ways(agent, customer)
        customer.send("hangup")
        assert last.number in callback_incoming(agent, 30)["remote"]

    claimed = lead.wait_state(task["id"], "claimed")
    assert claimed["agent"] == "1001" and "ANSWER" in [e["detail"] for e in lead.task(task["id"])["events"]]
    done = desk.ok("POST", f"/api/v1/callbacks/{task['id']}/outcome", {"outcome": "reached"})
    assert done["state"] == "done" and done["attempts"] == 1


def test_the_offer_is_whispered_and_the_caller_stays_in_line(
    pbx: Pbx, make_party: MakeParty, lead: Lead
) -> None:
    """Nobody is logged in (the expected wait is long): the desk service
    whispers the offer to the waiting caller, who is still in line after it."""
    number = "09121110002"
    customer = make_party(number)
    customer_waits(customer, pbx, number)
    wait_until(lambda: "Local/offer@callback-whisper" in pbx.cli("core show channels concise"), 15,
               "the desk service's offer")
    # What the caller hears then: tests/pbx/test_callback_calls.py (the prompt over the music).
    wait_until(lambda: "callback-whisper" not in pbx.cli("core show channels concise"), 30, "the offer's end")
    assert any(c.startswith(f"PJSIP/{number}-") for c in waiting_channels(pbx))
    customer.send("hangup")


def test_a_scheduled_callback_waits_for_its_time_and_rings_the_agent_who_booked_it(
    pbx: Pbx, make_party: MakeParty, lead: Lead, agent_desk: Callable[[str], DeskUser]
) -> None:
    number = "09121110003"
    agent = make_party("1002")
    other = make_party("1003")
    desk = agent_desk("1002")
    desk.join("support")
    agent_desk("1003").join("support")
    customer = make_party(number)
    customer.send("auto_answer", on=True)
    due = time.time() + 3 * 3600
    reply = desk.call("POST", "/api/v1/callbacks", {"queue": "support", "number": number, "due_at": due,
                                                    "topic": "Invoice <b>42</b>", "same_agent": True})
    assert reply.status_code == 201, reply.text
    task = reply.json()
    assert task["origin"] == "scheduled" and task["preferred_agent"] == "1002"
    time.sleep(2.5)  # ticks go by: not due yet
    assert lead.task(task["id"])["state"] == "waiting"
    lead.advance_clock(3 * 3600 + 5)
    ring = callback_incoming(agent)
    assert ring["headers"].get("x-agentdesk-callback") == task["id"]
    agent.answer()
    customer.wait("incoming", timeout=20)
    customer.wait_state("CONFIRMED", timeout=10)
    agent.wait_state("CONFIRMED")
    talk_both_ways(agent, customer)
    assert other.seen("incoming") == []
    customer.send("hangup")
    desk.ok("POST", f"/api/v1/callbacks/{task['id']}/outcome", {"outcome": "reached"})
    assert lead.task(task["id"])["state"] == "done"


def test_web_requests_are_checked_limited_and_become_tasks(lead: Lead) -> None:
    url = f"{DESK_URL}/public/v1/callbacks"
    good = requests.post(url, json={"number": "0912 111 0004", "topic": "Billing", "name": "Zahra <i>"}, timeout=5)
    assert good.status_code == 201, good.text
    task = lead.wait_task(lambda t: t["number"] == "09121110004" and t["origin"] == "web")
    assert task["name"] == "Zahra <i>" and task["topic"].startswith("Billing")
    again = requests.post(url, json={"number": "09121110004", "topic": "Billing"}, timeout=5)
    assert again.status_code == 201  # merged into the open task, worded like a new one
    assert len([t for t in lead.tasks() if t["number"] == "09121110004"]) == 1
    bad = requests.post(url, json={"number": "12ab", "topic": "Billing"}, timeout=5)
    assert bad.status_code == 400 and "number" in bad.json()["error"]
    statuses = [requests.post(url, json={"number": "09121110005", "topic": "x"}, timeout=5).status_code
                for _ in range(12)]
    assert 429 in statuses, statuses
    form = requests.get(f"{DESK_URL}/callback", timeout=5)
    assert form.status_code == 200 and "<form" in form.text


def test_an_abandoned_caller_becomes_a_task_unless_they_called_again_and_were_served(
    pbx: Pbx, make_party: MakeParty, lead: Lead, agent_desk: Callable[[str], DeskUser]
) -> None:
    number = "09121110004"
    with customers_ended(pbx):
        place_callers("support", patience=22, talk=3, number=number)
        task = lead.wait_task(lambda t: t["number"] == number and t["origin"] == "missed", timeout=40)
    assert task["state"] in ("waiting", "offered")
    agent = make_party("1004")
    agent.send("auto_answer", on=True)
    with customers_ended(pbx):
        # The task is now in line too: it must not reach the agent first,
        # so the agent joins once the caller waits in front of it.
        place_callers("support", patience=60, talk=3, number=number)
        wait_waiting(pbx, "support", 1)
        agent_desk("1004").join("support")
        callback_incoming(agent, 20)
        lead.wait_state(task["id"], "cancelled", timeout=15)
    assert "served_inbound" in [e["kind"] for e in lead.task(task["id"])["events"]]


def test_two_agents_racing_for_one_task_never_both_call_the_customer(
    pbx: Pbx, make_party: MakeParty, lead: Lead, agent_desk: Callable[[str], DeskUser]
) -> None:
    number = "09121110005"
    customer = make_party(number)
    desks = [agent_desk("1005"), agent_desk("1006")]
    phones = {"1005": make_party("1005"), "1006": make_party("1006")}
    # In "sales", where both are logged in but paused: no agent gets it from the queue.
    for desk in desks:
        desk.join("sales")
        desk.pause("Break")
    created = desks[0].call("POST", "/api/v1/callbacks", {"queue": "sales", "number": number, "same_agent": False})
    task_id = created.json()["id"]
    replies: dict[str, requests.Response] = {}

    def claim(desk: DeskUser) -> None:
        replies[desk.agent] = desk.call("POST", f"/api/v1/callbacks/{task_id}/claim", {})

    racers = [threading.Thread(target=claim, args=(d,)) for d in desks]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    codes = sorted(r.status_code for r in replies.values())
    assert codes == [200, 409], {a: r.text for a, r in replies.items()}
    winner = next(a for a, r in replies.items() if r.status_code == 200)
    loser = next(a for a in replies if a != winner)
    assert "already calling this customer" in replies[loser].json()["error"]
    loser_desk = next(d for d in desks if d.agent == loser)
    assert loser_desk.call("POST", f"/api/v1/callbacks/{task_id}/outcome", {"outcome": "reached"}).status_code == 409
    assert loser_desk.call("POST", f"/api/v1/callbacks/{task_id}/skip", {"reason": "x"}).status_code == 409
    phones[loser].call(f"sip:cb{task_id}@{SERVER}")  # dialled anyway: the PBX asks the desk again
    phones[loser].wait_state("DISCONNECTED", timeout=15)
    assert customer.seen("incoming") == []
    phones[winner].call(f"sip:cb{task_id}@{SERVER}")
    customer.wait("incoming", timeout=20)
    customer.reject(486)
    retried = lead.wait_state(task_id, "waiting")
    assert retried["last_outcome"] == "busy" and retried["attempts"] == 1 and retried["due_at"] > time.time() + 60


def test_a_request_made_while_the_desk_service_is_down_is_not_lost(
    pbx: Pbx, make_party: MakeParty, lead: Lead
) -> None:
    number = "09121110002"
    customer = make_party(number)
    customer_waits(customer, pbx, number)
    pbx.kill_desk()
    press_1_to_leave(pbx, customer, number)
    confirm_own_number(customer)
    time.sleep(3)  # the dialplan is retrying the desk service now
    assert pbx.run("desk", "start", timeout=120).returncode == 0
    lead.switch(True)
    task = lead.wait_task(lambda t: t["number"] == number, timeout=40)
    assert task["origin"] == "inqueue"
    customer.wait_state("DISCONNECTED", timeout=40)
    assert [t["id"] for t in lead.tasks() if t["number"] == number] == [task["id"]]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_tasks_survive_restarts_of_asterisk_and_the_desk_service(
    pbx: Pbx, make_party: MakeParty, lead: Lead, agent_desk: Callable[[str], DeskUser]
) -> None:
    """A task whose placeholder waits in the queue when Asterisk dies goes
    back into the line and into the new Asterisk's queue; the desk service
    killed and started again keeps it; in the end it still rings the agent."""
    number = "09121110003"
    desk = agent_desk("1009")
    desk.join("support")
    desk.pause("Break")
    created = desk.call("POST", "/api/v1/callbacks", {"queue": "support", "number": number, "same_agent": False})
    task_id = created.json()["id"]
    lead.wait_state(task_id, "offered")
    wait_until(lambda: any(f"Local/{task_id}@callback-line-" in c for c in waiting_channels(pbx)), what="placeholder")

    asterisk = int((pbx.home / "state" / "asterisk.pid").read_text().strip())
    os.kill(asterisk, signal.SIGKILL)
    wait_until(lambda: not _alive(asterisk), 10, "Asterisk gone")
    pbx.start()
    wait_until(lambda: any(f"Local/{task_id}@callback-line-" in c for c in waiting_channels(pbx)), 30,
               "the placeholder back in the new Asterisk's queue")
    assert lead.task(task_id)["state"] == "offered"

    pbx.kill_desk()
    assert pbx.run("desk", "start", timeout=120).returncode == 0
    lead.switch(True)
    wait_until(lambda: requests.get(f"{DESK_URL}/api/v1/health", timeout=5).json()["pbx_connected"], 20,
               what="desk service back")
    agent = make_party("1009")
    desk.unpause()
    ring = callback_incoming(agent, 20)
    assert ring["headers"].get("x-agentdesk-callback") == task_id
    agent.reject(486)  # not now: the task stays open, the queue offers it again
    assert lead.task(task_id)["state"] in ("offered", "waiting")


def test_a_caller_can_key_another_number_to_be_called_back_on(
    pbx: Pbx, make_party: MakeParty, lead: Lead
) -> None:
    caller, other = "09121110002", "09121110003"
    customer = make_party(caller)
    customer_waits(customer, pbx, caller)
    press_1_to_leave(pbx, customer, caller)
    time.sleep(1.5)  # the menu reads the caller's own number back
    customer.send("dtmf", digits="2")  # another number
    time.sleep(1.0)
    customer.send("dtmf", digits=f"{other}#")
    time.sleep(1.5)  # read back: "we will call you back on ..."
    customer.send("dtmf", digits="1")
    task = lead.wait_task(lambda t: t["number"] == other, timeout=20)
    assert task["origin"] == "inqueue" and not [t for t in lead.tasks() if t["number"] == caller]
    customer.wait_state("DISCONNECTED", timeout=30)


def test_an_agent_who_becomes_free_is_rung_at_once_and_can_skip(
    pbx: Pbx, make_party: MakeParty, lead: Lead, agent_desk: Callable[[str], DeskUser]
) -> None:
    """The callback waiting first in line rings an agent who becomes ready
    (directly: how fast is bench_callback_delivery.py's business), and the
    agent it rings can pass it on."""
    agent = make_party("1010")
    desk = agent_desk("1010")
    desk.join("support")
    desk.pause("Break")
    created = lead.call("POST", "/api/v1/callbacks", {"queue": "support", "number": "09121110004",
                                                      "same_agent": False})
    task_id = created.json()["id"]
    wait_until(lambda: any(f"Local/{task_id}@callback-line-" in c for c in waiting_channels(pbx)), what="placeholder")
    desk.unpause()
    ring = callback_incoming(agent, 10)
    assert ring["headers"].get("x-agentdesk-callback") == task_id
    skipped = desk.call("POST", f"/api/v1/callbacks/{task_id}/skip", {"reason": "language"})
    assert skipped.status_code == 200, skipped.text
    agent.wait_state("DISCONNECTED", timeout=10)  # the offer stops ringing
    assert lead.task(task_id)["state"] == "waiting"
