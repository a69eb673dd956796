"""A callback task reaches only those the REST API lets read it: the event
stream of an agent who is not in the task's queue never carries it (its
number, topic and notes), and that agent's phone cannot call it through the
dialplan's cb<task> question; the queue's agents and team leads get it."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers.desk import DeskUser
from tests.helpers.pbx import DESK_PBX_URL, Pbx

pytestmark = pytest.mark.pbx

TEAM_LEAD = "1901"
OUTSIDER = "1003"  # logged into support only
MEMBER = "1004"  # logged into sales


def ask_dial(pbx: Pbx, task_id: str, phone: str) -> str:
    """What the dialplan hears when `phone` dials cb<task_id>."""
    token = json.loads((pbx.home / "state" / "service-secrets.json").read_text())["pbx_token"]
    request = urllib.request.Request(f"{DESK_PBX_URL}/pbx/v1/callbacks/dial?task={task_id}&phone={phone}&from=list",
                                     headers={"X-PBX-Token": token})
    with urllib.request.urlopen(request, timeout=5) as reply:
        return str(reply.read().decode())


@pytest.fixture
def desks(pbx: Pbx) -> Iterator[dict[str, DeskUser]]:
    users = {agent: DeskUser(agent) for agent in (TEAM_LEAD, OUTSIDER, MEMBER)}
    users[OUTSIDER].join("support")
    users[MEMBER].join("sales")
    for user in users.values():
        user.listen()
    yield users
    for task in users[TEAM_LEAD].ok("GET", "/api/v1/callbacks?state=open")["tasks"]:
        if task["topic"].startswith("visibility test"):
            users[TEAM_LEAD].call("POST", f"/api/v1/callbacks/{task['id']}/cancel", {"reason": "test over"})
    users[OUTSIDER].leave("support")
    users[MEMBER].leave("sales")
    for user in users.values():
        user.close()


def schedule(lead: DeskUser, queue: str, number: str) -> dict[str, Any]:
    reply = lead.call("POST", "/api/v1/callbacks", {
        "queue": queue, "number": number, "due_at": time.time() + 7200, "same_agent": False,
        "topic": f"visibility test {queue}", "notes": "account 555-1234"})
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def callback_event(task_id: str) -> Any:
    return lambda name, data: name == "callback" and data["id"] == task_id


def test_a_task_of_another_queue_never_reaches_an_agent(pbx: Pbx, desks: dict[str, DeskUser]) -> None:
    lead, outsider, member = desks[TEAM_LEAD], desks[OUTSIDER], desks[MEMBER]
    sales = schedule(lead, "sales", "09121119901")
    support = schedule(lead, "support", "09121119902")  # after it: a barrier on the outsider's stream

    assert member.wait_event(callback_event(sales["id"]))["number"] == sales["number"]
    assert lead.wait_event(callback_event(sales["id"]))["topic"] == "visibility test sales"
    lead.wait_event(callback_event(support["id"]))
    outsider.wait_event(callback_event(support["id"]))  # events arrive in order: the sales one would be here
    seen = [data for name, data in outsider.events if name == "callback"]
    assert all(data["queue"] == "support" for data in seen), seen
    assert "09121119901" not in json.dumps(outsider.events)
    # What the REST API says, the stream agrees with.
    assert outsider.call("GET", f"/api/v1/callbacks/{sales['id']}").status_code == 403
    assert sales["id"] not in {t["id"] for t in outsider.ok("GET", "/api/v1/callbacks")["tasks"]}

    # The outsider's phone cannot call the customer with cb<task>; the member's can.
    assert ask_dial(pbx, sales["id"], OUTSIDER) == "closed,,"
    assert lead.ok("GET", f"/api/v1/callbacks/{sales['id']}")["state"] == "waiting"
    assert ask_dial(pbx, sales["id"], MEMBER).startswith("ok,09121119901,")
    claimed = lead.ok("GET", f"/api/v1/callbacks/{sales['id']}")
    assert (claimed["state"], claimed["agent"]) == ("claimed", MEMBER)
    # Its claim is pushed to the member and the lead, still not to the outsider.
    member.wait_event(lambda name, data: callback_event(sales["id"])(name, data) and data["state"] == "claimed")
    lead.wait_event(lambda name, data: callback_event(sales["id"])(name, data) and data["state"] == "claimed")
    outsider.ok("POST", f"/api/v1/callbacks/{support['id']}/claim")
    outsider.wait_event(lambda name, data: callback_event(support["id"])(name, data) and data["state"] == "claimed")
    assert all(data["queue"] == "support" for name, data in outsider.events if name == "callback")
