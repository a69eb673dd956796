"""The survey's pure logic: the dialplan's fields -> a SurveyResult, the
AstDB copy's format, and *55 not counted as a transfer."""

from __future__ import annotations

import pytest

from agentdesk.server.ami.protocol import AmiMessage
from agentdesk.server.store.after_call_records import (
    SURVEY_ANSWERED,
    SURVEY_NO_ANSWER,
    SURVEY_PARTIAL,
)
from agentdesk.server.transfers import TransferTracker
from agentdesk.server.wrapups.surveys import (
    PENDING_FIELDS,
    SurveyInputError,
    parse_result,
    pending_fields,
    survey_status,
    survey_view,
)

NOW = 1_795_381_400.0
FIELDS = {"linkedid": "1795381386.4", "queue": "support", "agent": "1001", "phone": "1001",
          "number": "09121110001", "language": "fa", "score": "4", "resolved": "1", "asked": "yes",
          "started": "1795381380", "finished": "1795381392"}


def test_a_complete_survey_is_answered() -> None:
    result = parse_result(FIELDS, "1795381386.4", "1001", NOW)
    assert (result.score, result.resolved, result.status) == (4, True, SURVEY_ANSWERED)
    assert (result.linkedid, result.queue, result.agent, result.language) == ("1795381386.4", "support", "1001", "fa")
    assert (result.started_at, result.finished_at) == (1795381380.0, 1795381392.0)
    assert survey_view(result)["score"] == 4


@pytest.mark.parametrize(("score", "resolved", "asked", "expected"), [
    ("4", "", "yes", (4, None, SURVEY_PARTIAL)),
    ("4", "2", "yes", (4, False, SURVEY_ANSWERED)),
    ("5", "", "", (5, None, SURVEY_ANSWERED)),
    ("5", "1", "", (5, None, SURVEY_ANSWERED)),  # not asked: a stray key is no answer
    ("", "", "yes", (None, None, SURVEY_NO_ANSWER)),
    ("9", "1", "yes", (None, None, SURVEY_NO_ANSWER)),
    ("*", "", "", (None, None, SURVEY_NO_ANSWER)),
])
def test_status_follows_what_was_answered(score: str, resolved: str, asked: str,
                                          expected: tuple[object, ...]) -> None:
    result = parse_result({**FIELDS, "score": score, "resolved": resolved, "asked": asked}, "1.2", "", NOW)
    assert (result.score, result.resolved, result.status) == expected
    assert survey_status(result.score, result.resolved, asked == "yes") == result.status


def test_missing_or_odd_fields_get_safe_values() -> None:
    result = parse_result({"queue": "", "language": "de", "number": "+98 912'--"}, "1.2", "", NOW)
    assert (result.linkedid, result.language, result.number) == ("1.2", "en", "+98912")
    assert result.started_at == result.finished_at == NOW


@pytest.mark.parametrize(("uniqueid", "queue"), [("", "support"), ("1.2; DROP", "support"), ("1.2", "Sup port")])
def test_a_result_without_a_call_id_or_with_a_bad_queue_is_refused(uniqueid: str, queue: str) -> None:
    with pytest.raises(SurveyInputError):
        parse_result({**FIELDS, "queue": queue}, uniqueid, "", NOW)


def test_the_astdb_copy_has_every_field_in_order() -> None:
    value = "|".join(FIELDS[name] for name in PENDING_FIELDS)
    assert pending_fields(value) == FIELDS
    assert pending_fields("a|b") is None


def test_a_transfer_to_the_survey_is_not_a_transfer() -> None:
    event = AmiMessage((("Event", "BlindTransfer"), ("Result", "Success"), ("Context", "transfer"),
                        ("Extension", "*55"), ("TransfererChannel", "PJSIP/1001-00000005"),
                        ("TransfererUniqueid", "1.5"), ("TransfereeUniqueid", "1.4"),
                        ("TransfereeCallerIDNum", "1010")))
    tracker = TransferTracker({"1001": "1001"}.get, lambda uniqueid: None)
    assert tracker.handle(event, NOW) == []
    mailbox = AmiMessage(tuple((k, "*1003" if k == "Extension" else v) for k, v in event.headers))
    assert [record.kind for record in tracker.handle(mailbox, NOW)] == ["voicemail"]  # type: ignore[union-attr]
