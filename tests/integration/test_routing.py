"""Routing the desk service decides with the dialplan: VIP callers go
ahead of the line, and a returning caller is offered first to the agent who
served them. Agents' phones are separate SIP processes; who hears whom is
checked with each generated caller's own tone."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.helpers.callers import place_callers, waiting_numbers
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

VIP = "+79161234567"
REGULAR = "+442071234567"
RETURNING = "+4930123456789"


@pytest.fixture
def lead() -> Iterator[DeskUser]:
    user = DeskUser("1901")
    yield user
    user.call("DELETE", f"/api/v1/vips/{VIP}")


@pytest.fixture
def desks(pbx: Pbx) -> Iterator[list[DeskUser]]:
    """Agents appended here leave the queue afterwards, and every call still
    up (callers left waiting) is hung up, so the next test starts empty."""
    users: list[DeskUser] = []
    yield users
    for user in users:
        user.leave("support")
    pbx.cli("channel request hangup all")
    wait_until(lambda: "0 active channels" in pbx.cli("core show channels count"), what="no calls left")


def test_a_vip_caller_is_served_before_those_who_came_earlier(
    pbx: Pbx, make_party: Callable[..., SipParty], lead: DeskUser, desks: list[DeskUser]
) -> None:
    lead.ok("PUT", f"/api/v1/vips/{VIP}", {"note": "key account"})
    refused = DeskUser("1005").call("PUT", f"/api/v1/vips/{REGULAR}", {})
    assert refused.status_code == 403  # only team leads keep the list
    regular = place_callers("support", count=1, patience=40, talk=5, number=REGULAR)[0]
    vip = place_callers("support", count=1, patience=40, talk=5, number=VIP)[0]
    wait_until(lambda: waiting_numbers(pbx, "support") == [(VIP, 10), (REGULAR, 0)], what="VIP ahead of the line")
    first = lead.queue("support")["callers"][0]
    assert first["number"] == VIP and first["vip"] is True and first["position"] == 1

    phone = make_party("1005")
    desk = DeskUser("1005")
    desks.append(desk)
    desk.join("support")
    offer = phone.wait("incoming", timeout=15)
    assert VIP in offer["remote"]
    phone.answer()
    phone.wait_state("CONFIRMED")
    heard = phone.hear([vip.tone_hz, regular.tone_hz], seconds=1.0)
    assert heard[str(vip.tone_hz)] > 0.5 and heard[str(regular.tone_hz)] < 0.05, heard


def test_a_returning_caller_is_offered_first_to_the_agent_who_served_them(
    pbx: Pbx, make_party: Callable[..., SipParty], desks: list[DeskUser]
) -> None:
    served_by, other = make_party("1006"), make_party("1007")
    first_desk = DeskUser("1006")
    desks.append(first_desk)
    first_desk.join("support")
    place_callers("support", count=1, patience=30, talk=2, number=RETURNING)
    assert RETURNING in served_by.wait("incoming", timeout=15)["remote"]
    served_by.answer()
    served_by.wait_state("CONFIRMED")
    served_by.wait_state("DISCONNECTED", timeout=15)  # the caller hangs up after 2 s

    second_desk = DeskUser("1007")  # has taken no call: "leastrecent" alone would pick 1007
    desks.append(second_desk)
    second_desk.join("support")
    wait_until(lambda: first_desk.snapshot()["me"]["activity"] == "ready", what="1006 free again")
    place_callers("support", count=1, patience=30, talk=2, number=RETURNING)
    offer = served_by.wait("incoming", timeout=15)
    assert RETURNING in offer["remote"]
    headers = {k.lower(): v for k, v in offer["headers"].items()}
    assert headers.get("x-agentdesk-queue") == "support"
    assert not [e for e in other.history if e.get("event") == "incoming"]
    pop = first_desk.ok("GET", f"/api/v1/calls/{headers['x-agentdesk-call']}")  # the screen-pop of a sticky offer
    stranger = DeskUser("1010").call("GET", f"/api/v1/calls/{headers['x-agentdesk-call']}")
    assert stranger.status_code == 403  # not in the queue, not offered the call
    assert pop["number"] == RETURNING and pop["repeat"] is True and pop["history"][0]["agent"] == "1006"
    served_by.answer()
    served_by.wait_state("DISCONNECTED", timeout=15)
    call = f"/api/v1/calls/{headers['x-agentdesk-call']}"
    wait_until(lambda: first_desk.ok("GET", call)["outcome"] == "completed", what="the sticky call recorded as done")
    assert first_desk.ok("GET", call)["agent"] == "1006"
