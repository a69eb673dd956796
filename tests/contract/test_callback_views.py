"""Callback tasks as the desktop reads them: the service's task_view parsed
leniently (missing and extra keys), refused when unusable; due/overdue by
the design's rules; the request body; the phone's callback headers and the
cb<task> dial."""

from __future__ import annotations

from typing import Any

import pytest

from agentdesk.contract.callbacks import (
    CallbackRequest,
    CallbackTaskView,
    parse_task_detail,
    parse_task_list,
    parse_task_view,
)
from agentdesk.contract.queues import ModelError, parse_queue, parse_snapshot
from agentdesk.desktop.phone.core import PhoneCore, callback_offer, pbx_flows
from agentdesk.desktop.phone.model import CallState
from tests.helpers.fakes import FakePhoneEvents, FakeStack

NOW = 1_800_000_000.0
FULL = {"id": "0a1b2c3d4e5f", "queue": "support", "number": "09121110001", "display_number": "0912 111 0001",
        "name": "Reza Hosseini", "topic": "Invoice", "notes": "after 10", "origin": "inqueue", "state": "claimed",
        "priority": 10, "vip": True, "arrival_at": NOW - 600, "due_at": NOW - 60, "window_end": None,
        "attempts": 1, "max_attempts": 3, "last_outcome": "busy", "agent": "1001", "agent_name": "Nina",
        "preferred_agent": "1001", "created_at": NOW - 600, "updated_at": NOW - 5, "closed_at": None,
        "autodial_seconds": 5}


def test_a_full_task_view_is_read_field_by_field() -> None:
    task = parse_task_view(FULL)
    assert task == CallbackTaskView(
        "0a1b2c3d4e5f", "support", "09121110001", "0912 111 0001", "Reza Hosseini", "Invoice", "after 10",
        "inqueue", "claimed", 10, True, NOW - 600, NOW - 60, None, 1, 3, "busy", "1001", "Nina", "1001",
        NOW - 600, NOW - 5, None, 5)
    assert task.is_open and task.is_due(NOW)


def test_missing_keys_take_defaults_and_extra_keys_are_ignored() -> None:
    task = parse_task_view({"id": "0a1b2c3d4e5f", "due_at": "1800000000", "a_future_field": [1, 2]})
    assert task.task_id == "0a1b2c3d4e5f" and task.due_at == NOW
    assert (task.queue, task.name, task.state, task.priority, task.window_end, task.closed_at) == (
        "", "", "waiting", 0, None, None)
    assert parse_task_view({**FULL, "priority": None, "name": None, "autodial_seconds": -3}).priority == 0
    assert parse_task_view({**FULL, "autodial_seconds": -3}).autodial_seconds == 0


@pytest.mark.parametrize("data", [
    {"queue": "support"}, {"id": ""}, {"id": "../../etc"}, {"id": "0A1B2C3D4E5F"}, "not an object", None,
    {**FULL, "due_at": "tomorrow"}, {**FULL, "attempts": {"n": 1}}, {**FULL, "priority": True},
])
def test_unusable_tasks_are_refused(data: Any) -> None:
    with pytest.raises(ModelError):
        parse_task_view(data)


def test_a_list_keeps_the_good_tasks_when_one_is_malformed() -> None:
    skipped: list[str] = []
    tasks, server_time = parse_task_list(
        {"tasks": [FULL, {"id": "nope"}, {**FULL, "id": "ffffffffffff"}], "server_time": NOW}, skipped.append)
    assert [t.task_id for t in tasks] == ["0a1b2c3d4e5f", "ffffffffffff"] and server_time == NOW
    assert len(skipped) == 1 and "valid id" in skipped[0]
    with pytest.raises(ModelError):
        parse_task_list({"server_time": NOW})


def test_details_carry_the_events() -> None:
    detail = parse_task_detail({**FULL, "events": [{"at": NOW, "kind": "requested", "agent": "", "detail": "x"},
                                                   {"at": NOW + 1, "kind": "claimed", "agent": "1001"}]})
    assert detail.task.task_id == FULL["id"]
    assert [(e.kind, e.agent, e.detail) for e in detail.events] == [("requested", "", "x"), ("claimed", "1001", "")]


def test_due_overdue_and_scheduled_follow_the_design() -> None:
    task = CallbackTaskView("0a1b2c3d4e5f", due_at=NOW)
    assert task.is_due(NOW) and not task.is_due(NOW - 1)
    assert not task.is_overdue(NOW + 15 * 60) and task.is_overdue(NOW + 15 * 60 + 1)
    windowed = CallbackTaskView("0a1b2c3d4e5f", due_at=NOW, window_end=NOW + 60)
    assert windowed.is_overdue(NOW + 61) and not windowed.is_overdue(NOW + 60)
    assert not CallbackTaskView("0a1b2c3d4e5f", state="done").is_open


def test_a_request_sends_only_what_was_given() -> None:
    assert CallbackRequest("support", "09121110001").body() == {
        "queue": "support", "number": "09121110001", "same_agent": True}
    full = CallbackRequest("sales", "0912", "Reza", "Invoice", "after 10", NOW, False, "1800000000.7").body()
    assert full == {"queue": "sales", "number": "0912", "name": "Reza", "topic": "Invoice", "notes": "after 10",
                    "due_at": NOW, "same_agent": False, "call": "1800000000.7"}


def test_the_snapshot_says_whether_the_service_reaches_the_pbx() -> None:
    me = {"agent": "1001", "name": "Nina", "role": "agent", "phone": "1001", "queues": {},
          "activity": "logged_out", "since": 0}
    data = {"server_time": NOW, "me": me, "queues": [], "pause_reasons": []}
    assert parse_snapshot(data).pbx_connected
    assert not parse_snapshot({**data, "pbx_connected": False}).pbx_connected
    assert parse_snapshot({**data, "callbacks_open": 12}) == parse_snapshot(data)  # unknown keys are ignored


def test_a_queue_caller_may_be_a_callback_placeholder() -> None:
    today = {"offered": 0, "answered": 0, "abandoned": 0, "service_level": None, "service_level_seconds": 20}
    caller = {"uniqueid": "u1", "number": "0912", "position": 1, "joined_at": NOW}
    queue = parse_queue({"name": "support", "members": [], "today": today,
                         "callers": [caller, {**caller, "uniqueid": "u2", "callback": "0a1b2c3d4e5f"}]})
    assert [c.callback_task for c in queue.callers] == ["", "0a1b2c3d4e5f"]


@pytest.mark.parametrize(("headers", "expected"), [
    ({"x-agentdesk-callback": "0a1b2c3d4e5f", "x-agentdesk-autodial": "8"}, ("0a1b2c3d4e5f", 8)),
    ({"x-agentdesk-callback": "0a1b2c3d4e5f"}, ("0a1b2c3d4e5f", 0)),
    ({"x-agentdesk-callback": "0a1b2c3d4e5f", "x-agentdesk-autodial": "-1"}, ("0a1b2c3d4e5f", 0)),
    ({"x-agentdesk-callback": "0a1b2c3d4e5f", "x-agentdesk-autodial": "99999"}, ("0a1b2c3d4e5f", 600)),
    ({"x-agentdesk-callback": "0a1b2c3d4e5f", "x-agentdesk-autodial": "٣"}, ("0a1b2c3d4e5f", 0)),
    ({"x-agentdesk-callback": "<script>", "x-agentdesk-autodial": "5"}, ("", 0)),
    ({"x-agentdesk-autodial": "5"}, ("", 0)),
])
def test_callback_headers(headers: dict[str, str], expected: tuple[str, int]) -> None:
    assert callback_offer(headers) == expected


def test_an_offered_callback_rings_with_its_task_and_is_not_auto_answered() -> None:
    core = PhoneCore(FakePhoneEvents(), None, FakeStack())
    core._pbx_flows = {("127.0.0.1", 5060)}
    core.auto_answer = True
    headers = {"x-agentdesk-queue": "support", "x-agentdesk-call": "1800000000.9",
               "x-agentdesk-callback": "0a1b2c3d4e5f", "x-agentdesk-autodial": "5"}
    assert core.on_incoming(1, '"Reza" <sip:09121110001@pbx>', ("127.0.0.1", 5060), headers, "sip-1",
                            registered_contact(core)) == 180
    call = core.book.calls[1]
    assert (call.queue, call.queue_call, call.callback_task, call.autodial_seconds) == (
        "support", "1800000000.9", "0a1b2c3d4e5f", 5)
    assert core.timers.wait_ms(10_000) == 10_000  # no auto-answer timer: the preview decides


def test_an_offered_callback_is_never_dialled_by_itself_when_the_agent_answers_by_hand() -> None:
    core = PhoneCore(FakePhoneEvents(), None, FakeStack())
    core._pbx_flows = {("127.0.0.1", 5060)}
    headers = {"x-agentdesk-queue": "support", "x-agentdesk-callback": "0a1b2c3d4e5f", "x-agentdesk-autodial": "5"}
    assert core.on_incoming(1, "<sip:09121110001@pbx>", ("127.0.0.1", 5060), headers, "sip-1",
                            registered_contact(core)) == 180
    assert (core.book.calls[1].callback_task, core.book.calls[1].autodial_seconds) == ("0a1b2c3d4e5f", 0)


def test_only_the_pbx_s_own_address_and_sip_port_may_offer_a_call() -> None:
    core = PhoneCore(FakePhoneEvents(), None, FakeStack())
    core._pbx_flows = pbx_flows("127.0.0.1:5160")
    assert core._pbx_flows == {("127.0.0.1", 5160)}
    for source in (("127.0.0.1", 40000), ("127.0.0.2", 5160)):
        assert core.on_incoming(1, "<sip:100@x>", source, {"x-agentdesk-queue": "support"}, "sip-1") == 403
    assert core.book.calls == {}
    assert pbx_flows("127.0.0.1") == {("127.0.0.1", 5060)}
    assert pbx_flows("127.0.0.1", "tls") == {("127.0.0.1", 5061)}


def test_a_request_not_sent_to_the_contact_the_phone_registered_is_refused() -> None:
    # The PBX's address and port can be forged by a local process (UDP); the
    # token in the Contact the phone registered over its own flow cannot.
    core = PhoneCore(FakePhoneEvents(), None, FakeStack())
    core._pbx_flows = {("127.0.0.1", 5060)}
    headers = {"x-agentdesk-queue": "support"}
    for target in ("sip:1001@127.0.0.1:40000", "sip:1001@127.0.0.1:40000;adflow=guess", ""):
        assert core.on_incoming(1, "<sip:100@x>", ("127.0.0.1", 5060), headers, "sip-1", target) == 403
    assert core.book.calls == {}
    assert core.on_incoming(1, "<sip:100@x>", ("127.0.0.1", 5060), headers, "sip-1", registered_contact(core)) == 180


def registered_contact(core: PhoneCore) -> str:
    return f"sip:1001@127.0.0.1:40000;transport=TLS;adflow={core._flow_token}"


def test_dialling_cb_task_marks_the_call_as_that_callback() -> None:
    stack = FakeStack()
    core = PhoneCore(FakePhoneEvents(), None, stack)
    core.dial("sip:cb0a1b2c3d4e5f@pbx")
    core.dial("sip:1003@pbx")
    assert stack.dialled == ["sip:cb0a1b2c3d4e5f@pbx", "sip:1003@pbx"]
    assert core.book.calls[1].callback_task == "0a1b2c3d4e5f" and core.book.calls[1].state is CallState.DIALING
    assert core.book.calls[2].callback_task == ""
