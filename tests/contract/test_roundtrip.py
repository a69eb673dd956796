"""The contract between the desk service and the desktop, pinned: every view
the service writes (dump_*) reads back on the desktop (parse_*) as the same
value after a trip through JSON, with every field set to something other
than its default, and the service's own builders produce views the desktop
reads as intended."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from agentdesk.contract import callbacks, queues, wrapups
from agentdesk.contract.states import AgentActivity
from agentdesk.server.callbacks.views import event_view, task_view
from agentdesk.server.directory import Person
from agentdesk.server.queues.board import Caller, Member, QueueState
from agentdesk.server.store.records import CallbackEvent, CallbackTask, CallRecord, DayStats
from agentdesk.server.views import agent_state, call_view, queue_summary

NOW = 1795000000.5


def wire(data: dict[str, Any]) -> Any:
    """What the other side receives: the JSON text, decoded."""
    return json.loads(json.dumps(data))


AGENT = queues.AgentState("1001", "Sara Karimi", "agent", "1004", {"support": True, "sales": False},
                          AgentActivity.PAUSED, "Lunch", NOW - 60, ("support",))
QUEUE = queues.QueueSummary(
    "support", "Support", "leastrecent",
    (queues.WaitingCaller("1795.1", "+982155550101", "Reza", 1, NOW - 30, True, ""),
     queues.WaitingCaller("cbplace.2", "09121110001", "Customer 1", 2, NOW - 20, False, "0a1b2c3d4e5f")),
    (queues.QueueMember("1001", "Sara Karimi", AgentActivity.ON_CALL, "", NOW - 10),
     queues.QueueMember("1002", "Dmitri Volkov", AgentActivity.PAUSED, "Training", NOW - 5)),
    queues.DayStats(12, 10, 2, 0.75, 20, 5, 3), "7001",
)
CALL = queues.QueueCallInfo(
    "1795.1", "support", "+982155550101", "Reza", NOW - 30, 3, True, True,
    (queues.PastCall(NOW - 86000, "1002", "Dmitri Volkov", "sales", "completed", 95, "Sale", "wants a quote",
                     True, 5),),
    "1795.0", "1001", "answered",
)
WRAPUP = wrapups.WrapUpView("1001", "1795.1", "1795.0", "support", "Support", "+982155550101", "Reza", NOW,
                            NOW + 30, NOW + 20, 30, "paused", True, ("Resolved", "Sale"), "ended", "limit", True,
                            True, NOW + 31)
SURVEY = wrapups.SurveyResult("1795.1", "1795.0", "support", "1001", "+982155550101", 4, False, "answered", NOW)
TASK = callbacks.CallbackTaskView(
    "0a1b2c3d4e5f", "support", "09121110001", "0912 111 0001", "Customer 1", "Invoice", "after 10", "web",
    "claimed", 10, True, NOW - 100, NOW - 50, NOW + 3600, 2, 3, "busy", "1001", "Sara Karimi", "1001",
    NOW - 200, NOW - 1, None, 15,
)
EVENT = callbacks.CallbackEventView(NOW - 5, "dialled", "1001", "BUSY", "Sara Karimi")


@pytest.mark.parametrize(("value", "dump", "parse"), [
    (AGENT, queues.dump_agent_state, queues.parse_agent_state),
    (QUEUE, queues.dump_queue, queues.parse_queue),
    (CALL, queues.dump_call_info, queues.parse_call_info),
    (WRAPUP, wrapups.dump_wrapup_view, wrapups.parse_wrapup_view),
    (SURVEY, wrapups.dump_survey, wrapups.parse_survey),
    (TASK, callbacks.dump_task_view, callbacks.parse_task_view),
], ids=["agent", "queue", "call", "wrapup", "survey", "callback"])
def test_every_view_reads_back_as_written(value: Any, dump: Any, parse: Any) -> None:
    assert parse(wire(dump(value))) == value
    defaults = [f.name for f in dataclasses.fields(value)
                if f.default is not dataclasses.MISSING and getattr(value, f.name) == f.default]
    assert defaults in ([], ["closed_at"]), f"the example leaves {defaults} at their defaults"


def test_the_snapshot_carries_everything_the_desktop_shows() -> None:
    snapshot = queues.DeskSnapshot(NOW, AGENT, (QUEUE,), ("Break", "Lunch"), False,
                                   wrapups.dump_wrapup_view(WRAPUP), number_region="IR")
    back = queues.parse_snapshot(wire(queues.dump_snapshot(snapshot)))
    assert back == snapshot
    assert back.wrapup is not None and wrapups.parse_wrapup_view(back.wrapup) == WRAPUP


def test_a_state_from_a_service_that_does_not_say_offers_every_queue() -> None:
    """An older desk service sends no "joinable": the desktop offers every
    queue, as it did before, and lets the service decide."""
    older = wire(queues.dump_agent_state(AGENT))
    del older["joinable"]
    state = queues.parse_agent_state(older)
    assert state.joinable is None and state.may_join("support") and state.may_join("sales")
    nothing = queues.parse_agent_state({**older, "joinable": []})
    assert nothing.joinable == () and not nothing.may_join("support")


def test_a_malformed_list_of_joinable_queues_is_refused() -> None:
    snapshot = wire(queues.dump_snapshot(queues.DeskSnapshot(NOW, AGENT, (QUEUE,), ())))
    snapshot["me"]["joinable"] = "support"  # a string is not a list of names
    with pytest.raises(queues.ModelError, match="list of queue names"):
        queues.parse_snapshot(snapshot)


def test_a_task_with_its_events_reads_back() -> None:
    data = wire({**callbacks.dump_task_view(TASK), "events": [callbacks.dump_event_view(EVENT)]})
    assert callbacks.parse_task_detail(data) == callbacks.CallbackTaskDetail(TASK, (EVENT,))
    listed, server_time = callbacks.parse_task_list(wire({"tasks": [callbacks.dump_task_view(TASK)],
                                                          "server_time": NOW}))
    assert (listed, server_time) == ([TASK], NOW)


def test_the_services_builders_write_what_the_desktop_reads() -> None:
    board = QueueState("support", strategy="leastrecent", service_level_seconds=20)
    board.callers["1795.1"] = Caller("1795.1", "1795.0", "+982155550101", "Reza", 1, NOW - 30, True)
    board.members["1001"] = Member("1001", "PJSIP/1001", device_state="2", paused=False, reason="", since=NOW - 10)
    summary = queue_summary(board, "Support", "7001", DayStats(12, 10, 2, 8), {"1001": "Sara Karimi"})
    read = queues.parse_queue(wire(queues.dump_queue(summary)))
    assert read.callers[0].vip and read.members[0].activity is AgentActivity.ON_CALL
    assert read.today == queues.DayStats(12, 10, 2, 0.6667, 20)

    person = Person("1001", "Sara Karimi", "agent", ("support",))
    state = agent_state(person, "1004", {"sales": False, "support": True}, "paused", "Lunch", NOW)
    read_state = queues.parse_agent_state(wire(queues.dump_agent_state(state)))
    assert read_state.paused_reason == "Lunch"
    assert read_state.joinable == ("support",) and not read_state.may_join("sales")

    record = CallRecord("1795.1", "1795.0", "support", "+982155550101", "Reza", NOW - 30, 3, True,
                        agent="1001", connected_at=NOW, ended_at=None, hold_seconds=30, talk_seconds=None,
                        outcome="answered")
    info = queues.parse_call_info(wire(call_view(record, [], True, {})))
    assert (info.uniqueid, info.linkedid, info.agent, info.repeat, info.history) == (
        "1795.1", "1795.0", "1001", True, ())

    task = CallbackTask(
        task_id="0a1b2c3d4e5f", queue="support", number="09121110001", name="Customer 1", topic="Invoice",
        notes="", origin="web", state="waiting", priority=10, arrival_at=NOW, due_at=NOW, window_end=None,
        attempts=0, max_attempts=3, last_outcome="", agent="", preferred_agent="", request_key="",
        created_at=NOW, updated_at=NOW, closed_at=None, first_attempt_at=None, reached_at=None, created_by="web")
    view = callbacks.parse_task_view(wire(task_view(task, {}, "IR", 5)))
    assert view.vip and view.autodial_seconds == 5 and view.display_number != ""
    event = callbacks.parse_task_detail(wire({**task_view(task, {}, "IR"), "events": [
        event_view(CallbackEvent("0a1b2c3d4e5f", NOW, "offered", "1001", ""), {"1001": "Sara"})]})).events[0]
    assert (event.kind, event.agent_name) == ("offered", "Sara")
