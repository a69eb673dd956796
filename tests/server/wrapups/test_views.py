"""The wrap-up JSON of the contract (agentdesk/contract/wrapups.py): the wrap-up view, the
screen-pop history's after-call fields, and the record body's checks."""

from __future__ import annotations

import pytest

from agentdesk.contract.states import WRAPUP_ACTIVE
from agentdesk.server.queues.agents import CommandError
from agentdesk.server.store import CallRecord
from agentdesk.server.store.after_call_records import AfterCallWork, WrapUp
from agentdesk.server.views import call_view
from agentdesk.server.wrapups.records import parse_record
from agentdesk.server.wrapups.settings import WrapUpPolicy
from agentdesk.server.wrapups.views import wrapup_view

T0 = 1_763_800_000.0
CONTRACT_KEYS = {"agent", "uniqueid", "linkedid", "queue", "queue_title", "number", "name", "started_at",
                 "deadline_at", "warning_at", "limit_seconds", "then", "disposition_required", "dispositions",
                 "state", "end_reason", "saved", "overtime", "now"}


def a_wrapup(**changes: object) -> WrapUp:
    values: dict[str, object] = {"uniqueid": "1763800000.1", "agent": "1001", "linkedid": "1763800000.0",
                                 "queue": "support", "number": "09121110001", "started_at": T0,
                                 "deadline_at": T0 + 30, "state": WRAPUP_ACTIVE}
    values.update(changes)
    return WrapUp(**values)  # type: ignore[arg-type]


def test_the_wrapup_view_has_the_contract_fields() -> None:
    policy = WrapUpPolicy(30, 10, "paused", True, ("Resolved", "Sale"))
    view = wrapup_view(a_wrapup(), policy, "Support", "Ann", T0 + 31)

    assert set(view) == CONTRACT_KEYS
    assert view["warning_at"] == T0 + 20 and view["limit_seconds"] == 30 and view["then"] == "paused"
    assert view["dispositions"] == ["Resolved", "Sale"] and view["overtime"] and not view["saved"]
    assert not wrapup_view(a_wrapup(saved_at=T0 + 5), policy, "Support", "Ann", T0 + 31)["overtime"]
    assert not wrapup_view(a_wrapup(), policy, "Support", "Ann", T0 + 29)["overtime"]


def test_screen_pop_history_entries_carry_the_after_call_work() -> None:
    past = CallRecord("1763700000.1", "1763700000.1", "support", "09121110001", "Ann", T0 - 100000, 1, False,
                      "1002", T0 - 99990, T0 - 99900, 10, 90, "completed")
    other = CallRecord("1763700000.9", "1763700000.9", "support", "09121110001", "Ann", T0 - 200000, 1, False,
                       "1003", None, T0 - 199990, None, None, "abandoned")
    now = CallRecord("1763800000.1", "1763800000.1", "support", "09121110001", "Ann", T0, 1, False, "", None,
                     None, None, None, "waiting")
    work = {past.uniqueid: AfterCallWork("Sale", "Upgrade", True, 12, "", 5, True, "answered")}

    view = call_view(now, [past, other], False, {"1002": "Sara"}, work)

    first, second = view["history"]
    assert (first["disposition"], first["notes"], first["first_contact_resolved"], first["survey_score"]) == (
        "Sale", "Upgrade", True, 5)
    assert (second["disposition"], second["notes"], second["first_contact_resolved"], second["survey_score"]) == (
        "", "", False, None)


@pytest.mark.parametrize(("body", "complaint"), [
    ({}, "'disposition'"),
    ({"disposition": "x" * 61}, "'disposition'"),
    ({"disposition": "Sale", "notes": "n" * 4001}, "'notes'"),
    ({"disposition": "Sale", "first_contact_resolved": "yes"}, "'first_contact_resolved'"),
    ({"disposition": "Sale", "follow_up": {"topic": "x"}}, "'follow_up.at'"),
    ({"disposition": "Sale", "follow_up": {"at": T0, "topic": "t" * 201}}, "'follow_up.topic'"),
    ({"disposition": "Sale", "follow_up": "tomorrow"}, "'follow_up'"),
    ({"disposition": "Sale", "finish": 1}, "'finish'"),
])
def test_a_bad_record_is_refused_naming_the_field(body: dict[str, object], complaint: str) -> None:
    with pytest.raises(CommandError) as refused:
        parse_record(body)
    assert refused.value.status == 400 and complaint in str(refused.value)


def test_a_good_record_is_read() -> None:
    record = parse_record({"disposition": " Sale ", "notes": "ok", "first_contact_resolved": True,
                           "follow_up": {"at": T0, "topic": " Plan "}, "finish": True, "record_id": "r1"})
    assert (record.disposition, record.follow_up_at, record.follow_up_topic, record.finish) == ("Sale", T0, "Plan",
                                                                                                True)
