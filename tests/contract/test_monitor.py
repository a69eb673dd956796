"""The monitor mode's wire, pinned like the rest of the contract: the
floor, its updates and ticks (monitor.py), and supervision sessions,
control notices and audit entries (leads.py) read back on the desktop as
written by the service, after a trip through JSON, with every field set
to something other than its default; bad data is a ModelError, never a
crash of the reader."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from agentdesk.contract import leads, monitor
from agentdesk.contract.queues import ModelError, WaitingCaller

NOW = 1795000000.5


def wire(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data))


CALL = monitor.LiveCallRow("77.2", "77.1", "1001", "Sara Karimi", "PJSIP/1001-0000002a", monitor.INBOUND, "support",
                           "+982155550101", "Reza", NOW - 95, on_hold=True, vip=True, callback=True, transferred=True,
                           supervised_by="1901", supervision_mode=leads.WHISPER)
AGENT = monitor.AgentRow("1001", "Sara Karimi", "1004", {"support": True, "sales": False}, {"support": 2},
                         monitor.FLOOR_ON_HOLD, NOW - 40, paused_reason="Lunch", wrapup_deadline=NOW + 30,
                         pause_after_call="Meeting", call=CALL, answered_today=12, handle_seconds_today=251.5,
                         missed_today=1, quality="poor")
QUEUE = monitor.QueueBoardRow(
    "support", "Support", (WaitingCaller("77.9", "09121110001", "Ada", 1, NOW - 61, True, "0a1b2c3d4e5f"),),
    expected_wait=95.0, offered=40, answered=35, abandoned=3, service_level=0.8, service_level_abandons=0.7,
    service_level_seconds=20, average_answer_seconds=14.5, ready=1, on_call=3, paused=2, wrap_up=1, logged_in=7,
    callbacks_due=4)
LIMITS = monitor.QueueThresholds({knob: monitor.Limit(10, 20) for knob in monitor.THRESHOLD_KNOBS},
                                 {"Lunch": monitor.Limit(3600, 4200)})
FLOOR = monitor.FloorSnapshot(NOW, False, (AGENT,), (QUEUE,), (CALL,), {"": LIMITS, "sales": LIMITS},
                              ("Lunch", "Meeting"))
UPDATE = monitor.FloorUpdate(NOW, NOW - 0.05, (AGENT,), (QUEUE,), (CALL,), ("1002",), ("billing",), ("76.2",))
SESSION = leads.Supervision("s1", "1901", "Parisa", "1001", "Sara Karimi", "77.2", leads.BARGE, leads.SESSION_ENDED,
                            NOW - 30, NOW)
NOTICE = leads.ControlNotice("1901", "Parisa", leads.AUDIT_PAUSE, "Meeting", "team huddle", NOW)
ENTRY = leads.AuditEntry("a1", NOW, "1901", leads.AUDIT_SUPERVISE_MODE, "1001", "support", "77.2", "s1",
                         {"mode": "whisper"}, "the PBX did not answer")

PAIRS: list[tuple[object, Callable[[Any], dict[str, Any]], Callable[[dict[str, Any]], object]]] = [
    (FLOOR, monitor.dump_floor, monitor.parse_floor),
    (UPDATE, monitor.dump_floor_update, monitor.parse_floor_update),
    (monitor.Tick(NOW, True), monitor.dump_tick, monitor.parse_tick),
    (SESSION, leads.dump_supervision, leads.parse_supervision),
    (NOTICE, leads.dump_notice, leads.parse_notice),
    (ENTRY, leads.dump_audit_entry, leads.parse_audit_entry),
]


@pytest.mark.parametrize(("value", "dump", "parse"), PAIRS, ids=lambda v: type(v).__name__)
def test_every_view_reads_back_as_written(value: object, dump: Callable[[Any], dict[str, Any]],
                                          parse: Callable[[dict[str, Any]], object]) -> None:
    assert parse(wire(dump(value))) == value


def test_the_examples_set_every_field_away_from_its_default() -> None:
    for value in (CALL, AGENT, UPDATE, SESSION, ENTRY):
        for item in dataclasses.fields(value):
            if item.default is not dataclasses.MISSING:
                assert getattr(value, item.name) != item.default, (type(value).__name__, item.name)


def test_a_newer_services_extra_fields_are_ignored() -> None:
    data = wire(monitor.dump_floor(FLOOR))
    data["wallpaper"] = "blue"
    data["agents"][0]["mood"] = "fine"
    assert monitor.parse_floor(data) == FLOOR


@pytest.mark.parametrize(("dump", "value", "parse", "spoil"), [
    (monitor.dump_floor, FLOOR, monitor.parse_floor, lambda d: d["agents"][0].update(since="soon")),
    (monitor.dump_floor_update, UPDATE, monitor.parse_floor_update, lambda d: d["queues"][0].pop("offered")),
    (monitor.dump_tick, monitor.Tick(NOW, True), monitor.parse_tick, lambda d: d.pop("server_time")),
    (leads.dump_supervision, SESSION, leads.parse_supervision, lambda d: d.update(started_at=None)),
    (leads.dump_notice, NOTICE, leads.parse_notice, lambda d: d.pop("by")),
    (leads.dump_audit_entry, ENTRY, leads.parse_audit_entry, lambda d: d.update(detail=["not", "an object"])),
])
def test_bad_data_is_a_model_error(dump: Callable[[Any], dict[str, Any]], value: object,
                                   parse: Callable[[dict[str, Any]], object],
                                   spoil: Callable[[dict[str, Any]], None]) -> None:
    data = wire(dump(value))
    spoil(data)
    with pytest.raises(ModelError):
        parse(data)
