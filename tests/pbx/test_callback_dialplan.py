"""The callback dialplan (pbx/asterisk/extensions_callback.conf) on the real
Asterisk, with the desk service stood in for: an HTTP stub answers its
/pbx/v1/callbacks/* questions and the tests send its AMI actions. Customers
are SIP parties registered as the directory's customer phones; they wait
in the support queue (nobody logged in) and press keys (RFC 4733).

Here: the menu (own number, a keyed number, a wrong one, a time), the
place in line kept for a caller who is sent back, and a request the desk
service does not answer kept in AstDB. The desk service's own offers and
placeholders: test_callback_calls.py."""

from __future__ import annotations

import time

import pytest

from tests.helpers.callbackstub import (
    CUSTOMER,
    Ami,
    CallbacksStub,
    MakeParty,
    customer_waits,
    leaves_queue_with_1,
    menu_answered,
    press,
    prompt_seconds,
    waiting_channels,
)
from tests.helpers.callers import (
    customers_ended,
    dialplan_global,
    place_callers,
    queue_log,
    queue_sides,
)
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

OTHER_NUMBER = "09121110003"


def test_a_caller_who_confirms_their_own_number_is_thanked_and_leaves(
    pbx: Pbx, make_party: MakeParty, desk: CallbacksStub
) -> None:
    since = time.time() - 1
    customer, call = customer_waits(make_party, pbx)
    leaves_queue_with_1(pbx, customer)
    assert desk.wait_asked("check") == {"queue": "support", "number": CUSTOMER}
    menu_answered(customer, desk, "1")
    request = desk.wait_asked("request")
    assert request == {"queue": "support", "number": CUSTOMER, "call": call, "priority": "0", "position": "1"}
    thanks = sum(prompt_seconds(pbx, name) for name in ("thanks-in-1", "minutes-5", "thanks-in-2"))
    customer.wait_state("DISCONNECTED", timeout=thanks + 5)
    assert not waiting_channels(pbx)
    token = (pbx.home / "state" / "service-secrets.json").read_text()
    assert all(q.token and q.token in token for q in desk.questions)
    events = {(line.event, line.data[:2]) for line in queue_log(pbx, since) if line.call == call}
    assert ("EXITWITHKEY", ("1", "1")) in events and ("CALLBACK", ("ok", "a1b2c3d4e5f6")) in events


def test_a_caller_can_key_another_number(pbx: Pbx, make_party: MakeParty, desk: CallbacksStub) -> None:
    customer, _ = customer_waits(make_party, pbx)
    leaves_queue_with_1(pbx, customer)
    menu_answered(customer, desk, "2")
    press(customer, f"{OTHER_NUMBER}#", after=0.5)
    assert desk.wait_asked("check", 2)["number"] == OTHER_NUMBER
    menu_answered(customer, desk, "1", checks=2)
    assert desk.wait_asked("request")["number"] == OTHER_NUMBER
    customer.wait_state("DISCONNECTED", timeout=15)


def test_a_number_the_desk_service_calls_invalid_is_asked_again(
    pbx: Pbx, make_party: MakeParty, desk: CallbacksStub
) -> None:
    desk.answers["check"] = lambda q: "invalid," if q["number"] == "123" else f"ok,{q['number']}"
    customer, _ = customer_waits(make_party, pbx, "09121110004")
    leaves_queue_with_1(pbx, customer, "09121110004")
    menu_answered(customer, desk, "2")
    press(customer, "123#", after=0.5)
    assert desk.wait_asked("check", 2)["number"] == "123"
    # "Sorry, we cannot call that number." takes no keys; then the question again.
    press(customer, f"{OTHER_NUMBER}#", after=prompt_seconds(pbx, "number-invalid") + 0.8)
    assert desk.wait_asked("check", 3)["number"] == OTHER_NUMBER
    menu_answered(customer, desk, "1", checks=3)
    assert desk.wait_asked("request")["number"] == OTHER_NUMBER
    customer.wait_state("DISCONNECTED", timeout=15)


def test_a_caller_can_choose_a_time(pbx: Pbx, make_party: MakeParty, desk: CallbacksStub) -> None:
    tomorrow = int(time.time()) // 86400 * 86400 + 86400 + 14 * 3600 + 30 * 60
    desk.answers["request"] = lambda q: f"ok,a1b2c3d4e5f6,{tomorrow}" if q.get("at") == "1430" else "badtime,,"
    customer, _ = customer_waits(make_party, pbx)
    leaves_queue_with_1(pbx, customer)
    menu_answered(customer, desk, "3")
    press(customer, "2500", after=0.5)  # no such hour: asked again
    press(customer, "1430", after=prompt_seconds(pbx, "time-invalid") + 0.8)
    assert desk.wait_asked("request")["at"] == "1430"
    customer.wait_state("DISCONNECTED", timeout=20)


@pytest.mark.parametrize("answer", ["refused,,", "limited,,"])
def test_a_refused_caller_goes_back_to_the_same_place_in_line(
    pbx: Pbx, make_party: MakeParty, desk: CallbacksStub, answer: str
) -> None:
    desk.answers["request"] = lambda q: answer
    with customers_ended(pbx):
        place_callers("support", patience=90)
        wait_until(lambda: len(waiting_channels(pbx)) == 1, 10, "the first caller waits")
        customer, _ = customer_waits(make_party, pbx)
        place_callers("support", patience=90)
        wait_until(lambda: len(waiting_channels(pbx)) == 3, 10, "three callers wait")
        first, _, last = waiting_channels(pbx)
        leaves_queue_with_1(pbx, customer)
        menu_answered(customer, desk, "1")
        assert desk.wait_asked("request")["position"] == "2"
        wait_until(lambda: len(waiting_channels(pbx)) == 3, 20, "the caller back in the queue")
        assert waiting_channels(pbx)[0] == first and waiting_channels(pbx)[2] == last
        assert waiting_channels(pbx)[1].startswith(f"PJSIP/{CUSTOMER}-")
        assert customer.state == "CONFIRMED"


def test_the_place_kept_moves_up_when_callers_ahead_were_served_meanwhile(
    pbx: Pbx, make_party: MakeParty, desk: CallbacksStub
) -> None:
    desk.answers["request"] = lambda q: "refused,,"
    with customers_ended(pbx):
        place_callers("support", patience=90)
        wait_until(lambda: len(waiting_channels(pbx)) == 1, 10, "the first caller waits")
        customer, _ = customer_waits(make_party, pbx)
        place_callers("support", patience=90)
        wait_until(lambda: len(waiting_channels(pbx)) == 3, 10, "three callers wait")
        first, _, last = waiting_channels(pbx)
        leaves_queue_with_1(pbx, customer)
        desk.wait_asked("check")
        pbx.cli(f"channel request hangup {first}")  # the caller ahead leaves while this one is in the menu
        menu_answered(customer, desk, "1")
        desk.wait_asked("request")
        wait_until(lambda: len(waiting_channels(pbx)) == 2, 20, "the caller back in the queue")
        assert waiting_channels(pbx)[0].startswith(f"PJSIP/{CUSTOMER}-") and waiting_channels(pbx)[1] == last
        assert first not in queue_sides(pbx)


def test_a_request_the_desk_service_does_not_answer_is_kept_for_it(
    pbx: Pbx, make_party: MakeParty, desk: CallbacksStub
) -> None:
    desk.close()  # the desk service is down: nothing answers there any more
    with dialplan_global(pbx, "CALLBACK_DESK_WAIT_SECONDS", "4"):
        customer, call = customer_waits(make_party, pbx)
        leaves_queue_with_1(pbx, customer)
        press(customer, "1", after=1.5)  # the own number is read back without the desk service
        asked = time.monotonic()
        wait_until(lambda: pbx.db_get("callback-pending", call) is not None, 15, "the request kept in AstDB")
        assert time.monotonic() - asked >= 3.5  # asked again for CALLBACK_DESK_WAIT_SECONDS first
        customer.wait_state("DISCONNECTED", timeout=15)
    queue, number, priority, position, at, epoch = (pbx.db_get("callback-pending", call) or "").split("|")
    assert (queue, number, priority, position, at) == ("support", CUSTOMER, "0", "1", "")
    assert abs(int(epoch) - time.time()) < 30
    ami = Ami(pbx)
    try:
        kept = ami.events_of("DBGetTree", Family="callback-pending")  # what the desk service reads
        assert any(e.get("Key") == f"/callback-pending/{call}" for e in kept), kept
        removed = ami.action("Originate", Channel=f"Local/{call}@callback-pending-done/n",
                             Context="callback-pending-done", Exten="s", Priority="1", Async="true")
        assert removed["Response"] == "Success", removed
        wait_until(lambda: pbx.db_get("callback-pending", call) is None, 10, "the imported request removed")
        assert ami.action("DBDel", Family="callback-pending", Key=call)["Response"] == "Error"  # no `system` class
    finally:
        ami.close()


def test_a_caller_who_hangs_up_while_the_desk_service_is_silent_keeps_the_request(
    pbx: Pbx, make_party: MakeParty, desk: CallbacksStub
) -> None:
    desk.close()
    customer, call = customer_waits(make_party, pbx)
    leaves_queue_with_1(pbx, customer)
    press(customer, "1", after=1.5)
    time.sleep(1.5)  # the request is being asked again, with hold music
    assert pbx.db_get("callback-pending", call) is None
    customer.send("hangup")
    wait_until(lambda: pbx.db_get("callback-pending", call) is not None, 10, "the request kept in AstDB")
    pbx.db_del("callback-pending", call)
