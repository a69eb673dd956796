"""An agent's working day in one run, on the real PBX and desk service: the
agent's SIP phone and the desk API stand for the desktop. Queue calls
answered and wrapped up, a caller who waits while the agent does the
after-call work, a call the agent lets ring out, a pause of their own, and
Ready again. What a working agent would notice is checked on the way: no
call is offered during after-call work; one missed offer pauses the agent
("missed call") instead of a storm of re-offers; the day's count of missed
offers is one; the caller is served in the end."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agentdesk.contract.states import MISSED_CALL_REASON, WRAPUP_REASON
from tests.helpers.callbackflow import Lead
from tests.helpers.callers import customers_ended, place_callers
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

AGENT = "1008"
RETRY_SECONDS = 3  # retry_seconds of pbx/queues.ini: a re-offer would come this soon after a miss
RING_SECONDS = 15  # ring_seconds


@pytest.fixture
def lead(pbx: Pbx) -> Iterator[Lead]:
    lead = Lead()
    lead.ok("PUT", "/api/v1/test/wrapup", {"enabled": True, "limit_seconds": 120, "disposition_required": True})
    lead.ok("PUT", "/api/v1/test/missed-offers", {"pause_after": 1})
    yield lead
    lead.call("PUT", "/api/v1/test/wrapup", {"enabled": False})
    lead.call("PUT", "/api/v1/test/missed-offers", {"pause_after": 0})
    lead.close()


@pytest.fixture
def agent(pbx: Pbx, make_party: Callable[..., SipParty]) -> Iterator[tuple[DeskUser, SipParty]]:
    phone = make_party(AGENT)
    desk = DeskUser(AGENT)
    desk.join("support")
    yield desk, phone
    desk.call("PUT", f"/api/v1/agents/{AGENT}/queues/support", {"logged_in": False})
    desk.call("PUT", f"/api/v1/agents/{AGENT}/pause", {"paused": False})
    desk.close()


def me(desk: DeskUser) -> dict[str, Any]:
    return dict(desk.snapshot()["me"])


def a_number() -> str:
    """A number no earlier call used (a returning caller rings their last agent directly)."""
    return f"0912{random.randrange(10**6, 10**7)}"


def queue_call_of(offer: dict[str, Any]) -> str:
    return str({k.lower(): v for k, v in offer["headers"].items()}["x-agentdesk-call"])


def answer_and_talk(phone: SipParty) -> str:
    """The offered call answered; its queue call id. The customer hangs up after their talk."""
    offer = phone.wait("incoming", timeout=RING_SECONDS + 10)
    phone.answer()
    phone.wait_state("CONFIRMED")
    return queue_call_of(offer)


def wrap_up(desk: DeskUser, queue_call: str) -> None:
    """The after-call work: paused for it until the record is saved and the agent says done."""
    wait_until(lambda: me(desk)["paused_reason"] == WRAPUP_REASON, 30, "paused for the wrap-up")
    desk.ok("PUT", f"/api/v1/wrapups/{queue_call}", {"disposition": "Resolved", "notes": "Day test", "finish": True})


def test_an_agent_s_day_has_no_call_during_after_call_work_and_no_storm_of_missed_offers(
    pbx: Pbx, lead: Lead, agent: tuple[DeskUser, SipParty]
) -> None:
    desk, phone = agent
    missed_before = int(lead.ok("GET", f"/api/v1/stats/missed-offers?agent={AGENT}")["agents"][AGENT])
    with customers_ended(pbx):
        # The first customer of the day is answered and hangs up after talking.
        place_callers("support", patience=60, talk=3, number=a_number())
        first = answer_and_talk(phone)
        wait_until(lambda: me(desk)["paused_reason"] == WRAPUP_REASON, 30, "paused for the wrap-up")
        # A second customer calls while the agent writes up the first call:
        # they wait; nothing rings during the after-call work.
        place_callers("support", patience=120, talk=3, number=a_number())
        time.sleep(RETRY_SECONDS + 4)
        assert len(phone.seen("incoming")) == 1
        wrap_up(desk, first)
        # Ready again, the second customer is offered; the agent is away and
        # lets it ring out: paused "missed call", not offered again and again.
        phone.wait("incoming", timeout=RING_SECONDS + 10)
        wait_until(lambda: me(desk)["paused_reason"] == MISSED_CALL_REASON, RING_SECONDS + 10,
                   "paused for the missed call")
        time.sleep(RETRY_SECONDS + 4)
        assert len(phone.seen("incoming")) == 2
        # Back at the desk: Ready, and the waiting customer is answered.
        desk.unpause()
        second = answer_and_talk(phone)
        wrap_up(desk, second)
        wait_until(lambda: me(desk)["activity"] == "ready", 10, "ready after the wrap-up")
    # Lunch, and back.
    desk.pause("Lunch")
    wait_until(lambda: me(desk)["paused_reason"] == "Lunch", 10, "on lunch")
    desk.unpause()
    wait_until(lambda: me(desk)["activity"] == "ready", 10, "ready after lunch")
    missed = int(lead.ok("GET", f"/api/v1/stats/missed-offers?agent={AGENT}")["agents"][AGENT])
    assert missed == missed_before + 1
    records = [c for c in desk.ok("GET", f"/api/v1/agents/{AGENT}/calls")["calls"] if c["uniqueid"] in (first, second)]
    assert sorted(c["disposition"] for c in records) == ["Resolved", "Resolved"]
