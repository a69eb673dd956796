"""The store's post-call surveys, on both engines with the same
test bodies: a SQLite file and a real PostgreSQL server, as in
test_callbacks.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from agentdesk.server.store import Store, StoreError
from agentdesk.server.store.after_call_records import (
    SURVEY_ANSWERED,
    SURVEY_NO_ANSWER,
    SURVEY_PARTIAL,
    SurveyResult,
    SurveyStats,
)

T0 = 1_763_800_000.125


def result(uniqueid: str, **fields: object) -> SurveyResult:
    """A complete survey of support's call `uniqueid`, served by 1001, rated 4, resolved."""
    values: dict[str, object] = {
        "uniqueid": uniqueid, "linkedid": uniqueid, "queue": "support", "agent": "1001", "number": "09121110001",
        "language": "en", "score": 4, "resolved": True, "status": SURVEY_ANSWERED, "started_at": T0,
        "finished_at": T0 + 12.5,
    }
    values.update(fields)
    return SurveyResult(**values)  # type: ignore[arg-type]


def test_a_survey_survives_a_restart(store: Store, reopen: Callable[[], Store]) -> None:
    kept = result("1763800000.17", linkedid="1763800000.16", resolved=False)
    assert store.surveys.add_survey(kept)
    store.close()

    assert reopen().surveys.survey("1763800000.17") == kept


def test_the_same_survey_twice_is_stored_once(store: Store) -> None:
    assert store.surveys.add_survey(result("1763800000.17"))
    assert not store.surveys.add_survey(result("1763800000.17", score=1, agent="1002"))
    assert store.surveys.survey("1763800000.17") == result("1763800000.17")


def test_an_unanswered_survey_keeps_no_score(store: Store) -> None:
    store.surveys.add_survey(result("a.1", score=None, resolved=None, status=SURVEY_NO_ANSWER))
    found = store.surveys.survey("a.1")
    assert found is not None and found.score is None and found.resolved is None
    assert found.status == SURVEY_NO_ANSWER
    assert store.surveys.survey("a.2") is None


@pytest.mark.parametrize("bad", [{"score": 6}, {"score": 0}, {"status": "maybe"}, {"uniqueid": ""}])
def test_a_wrong_result_is_refused(store: Store, bad: dict[str, object]) -> None:
    with pytest.raises(StoreError):
        store.surveys.add_survey(dataclasses.replace(result("b.1"), **bad))  # type: ignore[arg-type]
    assert store.surveys.survey("b.1") is None and store.surveys.survey("") is None


def test_an_agents_and_a_queues_surveys_of_a_period(store: Store) -> None:
    first = result("c.1", finished_at=T0 + 10)
    second = result("c.2", finished_at=T0 + 20, queue="sales")
    other_agent = result("c.3", finished_at=T0 + 15, agent="1002")
    too_late = result("c.4", finished_at=T0 + 100)
    for item in (second, too_late, first, other_agent):
        store.surveys.add_survey(item)

    assert store.surveys.surveys_of_agent("1001", T0, T0 + 100) == [first, second]
    assert store.surveys.surveys_of_queue("support", T0, T0 + 100) == [first, other_agent]
    assert store.surveys.surveys_of_agent("1003", T0, T0 + 1000) == []


def test_csat_counts_fours_and_fives_among_the_rated(store: Store) -> None:
    scores = [(5, True, SURVEY_ANSWERED), (4, False, SURVEY_ANSWERED), (2, None, SURVEY_PARTIAL),
              (None, None, SURVEY_NO_ANSWER)]
    for n, (score, resolved, status) in enumerate(scores):
        store.surveys.add_survey(result(f"d.{n}", score=score, resolved=resolved, status=status))
    store.surveys.add_survey(result("d.9", agent="1002", queue="sales", score=1, resolved=False))

    by_queue = store.surveys.survey_stats(T0, T0 + 100, "queue")
    support = by_queue["support"]
    assert support == SurveyStats(surveys=4, answered=2, rated=3, score_total=11, satisfied=2, resolved_asked=2,
                                  resolved=1)
    assert support.mean_score == 3.67 and support.csat == 0.6667 and support.resolved_share == 0.5
    assert by_queue["sales"].csat == 0.0
    assert set(store.surveys.survey_stats(T0, T0 + 100, "agent")) == {"1001", "1002"}
    assert store.surveys.survey_stats(T0 + 100, T0 + 200, "queue") == {}
    assert SurveyStats().csat is None and SurveyStats().mean_score is None


def test_statistics_group_only_by_queue_or_agent(store: Store) -> None:
    with pytest.raises(StoreError):
        store.surveys.survey_stats(T0, T0 + 1, "number; DROP TABLE surveys")


def test_a_record_copy_is_a_dataclass_like_the_others(store: Store) -> None:
    kept = result("e.1")
    store.surveys.add_survey(kept)
    assert dataclasses.asdict(store.surveys.survey("e.1") or kept) == dataclasses.asdict(kept)
