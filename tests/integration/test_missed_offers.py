"""An agent who does not answer is paused ("not responding"): real Asterisk,
a real caller placed into the support queue, agents' phones as separate
SIP processes, the real desk service. After the queue's number of missed
offers in a row the agent is paused with the reason "missed call" (the team
lead sees the reason), the caller is not offered to them again and goes to
a colleague who is ready (the agent who missed it is told, by the call's
X-AgentDesk-Call id), and the day's count of missed offers grows.

The tests' own build of the desk service starts with the pause switched
off (tests/helpers/testdesk.py); each test sets the count for every queue."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agentdesk.contract.states import MISSED_CALL_REASON
from tests.helpers.callers import place_callers
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

AWAY, THERE = "1016", "1017"
RING_SECONDS = 15  # ring_seconds of pbx/queues.ini
RETRY_SECONDS = 3  # retry_seconds: a re-offer would come this soon after a miss


@pytest.fixture
def lead(pbx: Pbx) -> Iterator[DeskUser]:
    user = DeskUser("1901")
    yield user
    user.call("PUT", "/api/v1/test/missed-offers", {"pause_after": 0})
    user.close()


@pytest.fixture
def desks(pbx: Pbx) -> Iterator[list[DeskUser]]:
    """Agents appended here leave the queue and are made ready afterwards,
    and every call still up is hung up, so the next test starts empty."""
    users: list[DeskUser] = []
    yield users
    for user in users:
        user.call("PUT", f"/api/v1/agents/{user.agent}/queues/support", {"logged_in": False})
        user.call("PUT", f"/api/v1/agents/{user.agent}/pause", {"paused": False})
        user.close()
    pbx.cli("channel request hangup all")
    wait_until(lambda: "0 active channels" in pbx.cli("core show channels count"), what="no calls left")


def me(user: DeskUser) -> dict[str, Any]:
    return dict(user.snapshot()["me"])


def missed_today(user: DeskUser, agent: str) -> int:
    return int(user.ok("GET", f"/api/v1/stats/missed-offers?agent={agent}")["agents"][agent])


def seen_by_lead(lead: DeskUser, agent: str) -> dict[str, Any]:
    return next(m for m in lead.queue("support")["members"] if m["agent"] == agent)


def test_an_agent_who_lets_a_call_ring_out_is_paused_and_a_colleague_gets_the_caller(
    pbx: Pbx, make_party: Callable[..., SipParty], lead: DeskUser, desks: list[DeskUser]
) -> None:
    lead.ok("PUT", "/api/v1/test/missed-offers", {"pause_after": 1})
    away_phone, there_phone = make_party(AWAY), make_party(THERE)
    away, there = DeskUser(AWAY), DeskUser(THERE)
    desks += [away, there]
    there.pause("Break")  # the colleague comes back later: first only AWAY is offered the caller
    away.join("support")
    there.join("support")
    away.listen()
    before = missed_today(lead, AWAY)

    place_callers("support", count=1, patience=120, talk=5)
    offered = away_phone.wait("incoming", timeout=15)  # and nobody answers it
    queue_call = {k.lower(): v for k, v in offered["headers"].items()}["x-agentdesk-call"]
    wait_until(lambda: me(away)["paused_reason"] == MISSED_CALL_REASON, timeout=RING_SECONDS + 10,
               what=f"{AWAY} paused for the missed call")
    assert me(away)["activity"] == "paused"
    member = seen_by_lead(lead, AWAY)
    assert (member["activity"], member["paused_reason"]) == ("paused", MISSED_CALL_REASON)
    assert missed_today(lead, AWAY) == before + 1
    assert missed_today(away, AWAY) == before + 1

    time.sleep(RETRY_SECONDS + 3)  # a re-offer to AWAY would have come by now
    assert len(away_phone.seen("incoming")) == 1
    there.unpause()
    there_phone.wait("incoming", timeout=15)
    there_phone.answer()
    there_phone.wait_state("CONFIRMED")
    assert len(away_phone.seen("incoming")) == 1
    assert me(away)["paused_reason"] == MISSED_CALL_REASON  # paused until they say they are back
    # AWAY's desktop hears that the call it missed was answered (its history says so).
    taken = away.wait_event(lambda name, data: name == "offer_taken")
    assert (taken["uniqueid"], taken["agent"], taken["agent_name"]) == (queue_call, THERE, "Farhad Kazemi")

    away.unpause()  # the agent's Ready works as usual
    wait_until(lambda: me(away)["activity"] == "ready", what=f"{AWAY} ready again")


def test_with_a_count_of_two_one_miss_does_not_pause_and_the_second_does(
    pbx: Pbx, make_party: Callable[..., SipParty], lead: DeskUser, desks: list[DeskUser]
) -> None:
    lead.ok("PUT", "/api/v1/test/missed-offers", {"pause_after": 2})
    away_phone = make_party(AWAY)
    away = DeskUser(AWAY)
    desks.append(away)
    away.join("support")
    before = missed_today(lead, AWAY)

    place_callers("support", count=1, patience=120, talk=5)
    away_phone.wait("incoming", timeout=15)
    wait_until(lambda: missed_today(lead, AWAY) == before + 1, timeout=RING_SECONDS + 10, what="the first miss")
    assert me(away)["activity"] != "paused"
    wait_until(lambda: len(away_phone.seen("incoming")) == 2, timeout=RETRY_SECONDS + 10,
               what="the caller offered to the agent again")
    wait_until(lambda: me(away)["paused_reason"] == MISSED_CALL_REASON, timeout=RING_SECONDS + 10,
               what=f"{AWAY} paused after the second miss")
    assert missed_today(lead, AWAY) == before + 2
    time.sleep(RETRY_SECONDS + 3)
    assert len(away_phone.seen("incoming")) == 2  # no third offer
