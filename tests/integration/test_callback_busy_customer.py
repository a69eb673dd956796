"""A customer who waits in a queue is not called back meanwhile, whichever
queue their callback is for: they are on the phone with us already, and an
agent rung for them would call a busy line. Once they hang up, their
callback goes ahead."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tests.helpers.callbackflow import Lead, customer_waits, is_waiting
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import Pbx

pytestmark = pytest.mark.pbx

NUMBER = "09121110005"


@pytest.fixture
def agent() -> Iterator[DeskUser]:
    user = DeskUser("1002")
    yield user
    user.call("PUT", "/api/v1/agents/1002/queues/support", {"logged_in": False})


def test_a_customer_waiting_in_another_queue_is_not_called_back_until_they_hang_up(
    pbx: Pbx, make_party: Callable[..., SipParty], lead: Lead, agent: DeskUser
) -> None:
    phone = make_party("1002")
    customer = make_party(NUMBER)
    # The customer calls sales (where nobody is logged in) and waits there.
    customer_waits(customer, pbx, NUMBER, queue_number="7002", queue="sales")
    reply = lead.call("POST", "/api/v1/callbacks", {"queue": "support", "number": NUMBER, "topic": "Refund"})
    assert reply.status_code == 201, reply.text
    task = reply.json()
    agent.join("support")  # a free support agent: without the rule, the callback would ring them now
    time.sleep(4)  # several of the dispatcher's rounds
    assert lead.task(task["id"])["state"] == "waiting"
    assert is_waiting(pbx, NUMBER, "sales")
    assert phone.seen("incoming") == []
    customer.send("hangup")
    ring = phone.wait("incoming", timeout=20)
    assert ring["headers"].get("x-agentdesk-callback") == task["id"]
    phone.send("hangup")
