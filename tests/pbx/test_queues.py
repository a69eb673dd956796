"""The queues of the bundled PBX on the real Asterisk: strategies, waiting
order, abandon, overflow (full, waited too long), the desk service's route
answer (priority, sticky agent, and callers going on when it fails) and the
headers an agent's phone gets with a queue call."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from agentdesk.pbxtool.queues import read_queues
from tests.helpers.callers import (
    RouteStub,
    customers_ended,
    dialplan_global,
    place_callers,
    place_in_order,
    queue_log,
    queue_sides,
    wait_queue_log,
    wait_waiting,
)
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

# The dialplan asks a stub, not the desk service (whose VIP and sticky
# answers depend on what it has seen), except where a test says otherwise.
pytestmark = [pytest.mark.pbx, pytest.mark.usefixtures("route")]
HEARD = 0.5  # share of the energy at a tone: clearly that tone
QUEUES = {q.name: q for q in read_queues()}
CLOSED_PORT_URL = "http://127.0.0.1:9"  # discard: nothing listens there


def pbx_token(pbx: Pbx) -> str:
    return str(json.loads((pbx.home / "state" / "service-secrets.json").read_text())["pbx_token"])


def test_each_queue_has_its_own_strategy_and_never_rings_a_busy_agent(pbx: Pbx) -> None:
    assert {q.strategy for q in QUEUES.values()} == {"leastrecent", "rrmemory"}  # they differ
    for queue in QUEUES.values():
        pbx.cli(f"queue add member PJSIP/1019 to {queue.name} penalty 1 as agent-1019")
        try:
            shown = pbx.cli(f"queue show {queue.name}")
        finally:
            pbx.cli(f"queue remove member PJSIP/1019 from {queue.name}")
        assert f"in '{queue.strategy}' strategy" in shown, shown
        assert f"(max {queue.max_callers})" in shown and f"within {queue.service_level_seconds}s" in shown
        assert "agent-1019 (PJSIP/1019) with penalty 1 (ringinuse disabled) (dynamic)" in shown, shown


def test_callers_wait_in_the_order_they_called_with_their_caller_id(pbx: Pbx) -> None:
    with customers_ended(pbx):
        placed = place_in_order(pbx, "support", 3, patience=60)
        waiting = wait_waiting(pbx, "support", 3)
        assert [number for number, _ in waiting] == [c.number for c in placed]
        assert len({c.tone_hz for c in placed}) == 3 and 1004 not in {c.tone_hz for c in placed}
        names = {side[0]: side for side in queue_sides(pbx).values()}
        assert all(names[c.number][1] == "Queue" for c in placed)


def test_a_caller_whose_patience_runs_out_is_logged_as_abandon(pbx: Pbx) -> None:
    since = time.time() - 1
    with customers_ended(pbx):
        (caller,) = place_callers("sales", patience=3)
        entered = wait_queue_log(pbx, lambda line: line.event == "ENTERQUEUE" and caller.number in line.data, since)
        abandon = wait_queue_log(pbx, lambda line: line.event == "ABANDON" and line.call == entered.call, since)
        assert abandon.queue == "sales"
        assert 2 <= int(abandon.data[2]) <= 6  # waited about its patience


def test_a_full_queue_sends_the_next_caller_to_the_overflow(pbx: Pbx) -> None:
    queue = QUEUES["support"]
    assert queue.max_callers > 0 and queue.overflow == "voicemail"
    since = time.time() - 1
    with customers_ended(pbx):
        place_callers("support", count=queue.max_callers, interval=0.05, patience=60)
        wait_waiting(pbx, "support", queue.max_callers)
        (extra,) = place_callers("support", patience=10, number="+15550000999", name="One Too Many")
        full = wait_queue_log(pbx, lambda line: line.event == "OVERFLOW", since)
        assert (full.queue, full.data) == ("support", ("FULL", "voicemail"))
        in_voicemail = [s for s in queue_sides(pbx).values() if s[1] == "VoiceMail"]
        assert [(s[0], s[2]) for s in in_voicemail] == [(extra.number, full.call)]
        assert all(line.call != full.call for line in queue_log(pbx, since) if line.event == "ENTERQUEUE")


def test_a_caller_who_waited_the_longest_allowed_goes_to_the_overflow(pbx: Pbx) -> None:
    since = time.time() - 1
    with customers_ended(pbx), dialplan_global(pbx, "QUEUE_MAX_WAIT_sales", "2"):
        (caller,) = place_callers("sales", patience=30)
        entered = wait_queue_log(pbx, lambda line: line.event == "ENTERQUEUE" and caller.number in line.data, since)
        timeout = wait_queue_log(pbx, lambda line: line.call == entered.call and line.event == "EXITWITHTIMEOUT", since)
        overflow = wait_queue_log(pbx, lambda line: line.call == entered.call and line.event == "OVERFLOW", since)
        assert overflow.data == ("TIMEOUT", QUEUES["sales"].overflow)
        assert 2 <= int(timeout.data[2]) <= 12  # checked after the "you are next" announcement
        wait_until(lambda: [s[1] for s in queue_sides(pbx).values()] == ["VoiceMail"], 5, "the caller in voicemail")


def test_callers_enter_the_queue_when_the_desk_service_is_down(pbx: Pbx) -> None:
    with customers_ended(pbx), dialplan_global(pbx, "DESK_URL", CLOSED_PORT_URL):
        started = time.monotonic()
        (caller,) = place_callers("support", patience=30)
        assert wait_waiting(pbx, "support", 1) == [(caller.number, 0)]
        assert time.monotonic() - started < 5


def test_the_route_answer_sets_priority_and_anything_else_is_ignored(pbx: Pbx, route: RouteStub) -> None:
    vip, garbage, regular = "+79161234567", "+982155550103", "+442071234567"
    route.replies = {vip: b"10,\n", garbage: b"<html>500, Internal Error</html>", regular: b"0,"}
    with customers_ended(pbx):
        for count, number in enumerate((regular, garbage, vip), start=1):
            place_callers("support", patience=30, number=number)
            waiting = wait_waiting(pbx, "support", count)
    assert waiting == [(vip, 10), (regular, 0), (garbage, 0)]
    assert [query["number"] for query, _ in route.requests] == [regular, garbage, vip]
    assert {query["queue"] for query, _ in route.requests} == {"support"}
    assert {token for _, token in route.requests} == {pbx_token(pbx)}


def test_a_sticky_agent_rings_first_with_the_call_headers(pbx: Pbx, route: RouteStub, make_party: Any) -> None:
    agent = make_party("1003")
    since = time.time() - 1
    route.replies = {"+74951234567": b"0,1003"}
    with customers_ended(pbx):
        (caller,) = place_callers("support", patience=30, talk=3, number="+74951234567")
        offer = agent.wait("incoming", timeout=10)
        (uniqueid,) = [side[2] for side in queue_sides(pbx).values()]
        assert offer["headers"]["x-agentdesk-queue"] == "support"
        assert offer["headers"]["x-agentdesk-call"] == uniqueid
        agent.answer()
        agent.wait_state("CONFIRMED")
        assert agent.hear([caller.tone_hz])[str(caller.tone_hz)] > HEARD
        agent.wait_state("DISCONNECTED", timeout=10)  # the customer hangs up after talking
    entered = [line for line in queue_log(pbx, since) if line.event == "ENTERQUEUE" and caller.number in line.data]
    assert not entered  # the sticky agent took it before it ever queued


def test_an_unanswered_sticky_agent_leaves_the_caller_to_the_queue(
    pbx: Pbx, route: RouteStub, make_party: Any
) -> None:
    agent = make_party("1003")
    route.replies = {"+74959876543": b"0,1003"}
    with customers_ended(pbx), dialplan_global(pbx, "QUEUE_STICKY_RING_support", "2"):
        (caller,) = place_callers("support", patience=30, number="+74959876543")
        agent.wait("incoming", timeout=10)
        assert wait_waiting(pbx, "support", 1, timeout=10) == [(caller.number, 0)]


def test_a_queue_call_offers_the_agent_its_queue_and_call_and_the_lower_penalty_first(
    pbx: Pbx, make_party: Any
) -> None:
    skilled, backup = make_party("1004"), make_party("1005")
    pbx.cli("queue add member PJSIP/1005 to sales penalty 5 as agent-1005")
    pbx.cli("queue add member PJSIP/1004 to sales penalty 0 as agent-1004")
    since = time.time() - 1
    try:
        with customers_ended(pbx):
            (caller,) = place_callers("sales", patience=30, talk=3)
            offer = skilled.wait("incoming", timeout=10)
            (uniqueid,) = [side[2] for side in queue_sides(pbx).values()]
            assert offer["headers"]["x-agentdesk-queue"] == "sales"
            assert offer["headers"]["x-agentdesk-call"] == uniqueid
            assert caller.number in offer["remote"] and caller.name in offer["remote"], offer
            skilled.answer()
            skilled.wait_state("CONFIRMED")
            assert skilled.hear([caller.tone_hz])[str(caller.tone_hz)] > HEARD
            connect = wait_queue_log(pbx, lambda line: line.event == "CONNECT", since)
            assert (connect.call, connect.agent) == (uniqueid, "agent-1004")
            wait_queue_log(pbx, lambda line: line.event == "COMPLETECALLER" and line.call == uniqueid, since)
        assert not [event for event in backup.history if event.get("event") == "incoming"]
    finally:
        pbx.cli("queue remove member PJSIP/1004 from sales")
        pbx.cli("queue remove member PJSIP/1005 from sales")
