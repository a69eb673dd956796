"""The after-call knobs: pbx/queues.ini's wrap-up and survey
settings, checked by agentdesk/pbxtool, and the "wrapup" section the desk
service reads from desk-service.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agentdesk.contract.states import THEN_PAUSED
from agentdesk.pbxtool import queues
from agentdesk.pbxtool.layout import PbxError
from agentdesk.server.wrapups.settings import WrapUpPolicy, parse_wrapup_settings
from tests.pbxtool.test_pbxtool import queues_ini  # a one-queue queues.ini with every required knob


def test_a_queues_ini_without_after_call_knobs_gets_the_defaults(tmp_path: Path) -> None:
    (billing,) = queues.read_queues(queues_ini(tmp_path))
    assert billing.after_call == queues.QueueAfterCall()
    assert "QUEUE_SURVEY_billing = no" in queues.dialplan_globals([billing]).splitlines()
    desk = parse_wrapup_settings(json.loads(json.dumps({"billing": queues.wrapup_policy(billing)})))
    assert desk["billing"] == WrapUpPolicy()  # both sides agree on the defaults


def test_after_call_knobs_reach_the_dialplan_and_the_desk_service(tmp_path: Path) -> None:
    (billing,) = queues.read_queues(queues_ini(tmp_path, (
        "wrapup_limit_seconds = 45\nwrapup_warning_seconds = 15\nwrapup_then = paused\n"
        "disposition_required = yes\ndispositions = Paid, Refund , Not ours\n"
        "survey = yes\nsurvey_resolved_question = no\n"
    )))
    lines = queues.dialplan_globals([billing]).splitlines()
    assert "QUEUE_SURVEY_billing = yes" in lines and "QUEUE_SURVEY_RESOLVED_billing = no" in lines
    policy = queues.wrapup_policy(billing)
    assert "survey" not in policy  # the survey is the dialplan's business
    desk = parse_wrapup_settings(json.loads(json.dumps({"billing": policy})))["billing"]
    assert desk == WrapUpPolicy(45, 15, THEN_PAUSED, True, ("Paid", "Refund", "Not ours"))
    assert desk.json()["dispositions"] == ["Paid", "Refund", "Not ours"]


def test_the_shipped_queues_offer_wrap_up_with_dispositions() -> None:
    for queue in queues.read_queues():
        assert queue.after_call.wrapup_limit_seconds > queue.after_call.wrapup_warning_seconds > 0
        assert 1 <= len(queue.after_call.dispositions) <= queues.MAX_DISPOSITIONS


@pytest.mark.parametrize(
    ("knobs", "complaint"),
    [
        ("wrapup_then = later\n", "wrapup_then must be ready or paused"),
        ("survey = sometimes\n", "survey must be yes or no"),
        ("disposition_required = 1\n", "disposition_required must be yes or no"),
        ("wrapup_limit_seconds = 1h\n", "wrapup_limit_seconds must be a whole number"),
        ("dispositions = Sale, Sale\n", "dispositions must be 1 to 9 different codes"),
        ("dispositions = " + ", ".join(f"Code {n}" for n in range(10)) + "\n", "dispositions must be 1 to 9"),
        ("dispositions = Sale, <b>Refund</b>\n", "disposition '<b>Refund</b>' must be 1-40 characters"),
        ("dispositions = Sale,,Refund\n", "disposition '' must be"),
        ("wrapup_limt_seconds = 5\n", "unknown setting 'wrapup_limt_seconds'"),
    ],
)
def test_a_wrong_after_call_knob_is_named(tmp_path: Path, knobs: str, complaint: str) -> None:
    with pytest.raises(PbxError, match=re.escape(complaint)):
        queues.read_queues(queues_ini(tmp_path, knobs))


@pytest.mark.parametrize(
    ("knobs", "complaint"),
    [
        ({"wrapup_then": "never"}, "wrapup.q.wrapup_then: must be ready or paused"),
        ({"wrapup_limit_seconds": -1}, "wrapup.q.wrapup_limit_seconds: must be whole seconds"),
        ({"wrapup_limit_seconds": True}, "wrapup.q.wrapup_limit_seconds: must be whole seconds"),
        ({"disposition_required": "yes"}, "wrapup.q.disposition_required: must be true or false"),
        ({"dispositions": []}, "wrapup.q.dispositions: must be 1 to 9"),
        ({"dispositions": ["Sale", 3]}, "wrapup.q.dispositions: must be a list"),
        ({"limit": 5}, "wrapup.q.limit: unknown setting"),
    ],
)
def test_a_wrong_desk_wrapup_setting_is_named(knobs: dict[str, object], complaint: str) -> None:
    with pytest.raises(ValueError, match=re.escape(complaint)):
        parse_wrapup_settings({"q": knobs})
