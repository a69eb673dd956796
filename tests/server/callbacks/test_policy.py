"""The rules of a callback's life: outcomes and retries, offers to waiting
callers, booking times, and rate limits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from agentdesk.server.callbacks.policy import (
    DEFAULT_HANDLE_SECONDS,
    NO_AGENTS_WAIT_SECONDS,
    RateLimiter,
    after_outcome,
    expected_wait_seconds,
    give_up_at,
    is_bookable,
    retry_delay_seconds,
    schedule_time,
    should_offer,
)
from agentdesk.server.callbacks.settings import CallbackSettings, QueueCallbackPolicy
from agentdesk.server.store.records import CallbackTask

T0 = 1_700_000_000.0
POLICY = QueueCallbackPolicy(max_attempts=3, retry_minutes=(10, 30), give_up_hours=48)


def task(**changes: object) -> CallbackTask:
    base = CallbackTask(
        task_id="a1b2c3d4e5f6", queue="support", number="09121110001", name="", topic="", notes="",
        origin="inqueue", state="claimed", priority=0, arrival_at=T0 - 600, due_at=T0 - 60, window_end=None,
        attempts=0, max_attempts=3, last_outcome="", agent="1001", preferred_agent="", request_key="",
        created_at=T0 - 600, updated_at=T0 - 60, closed_at=None, first_attempt_at=None, reached_at=None,
        created_by="ivr",
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


# -- outcomes --------------------------------------------------------------------------


def test_reached_closes_the_task_as_done() -> None:
    after = after_outcome(task(), "reached", T0, POLICY)
    assert (after.state, after.last_outcome, after.agent) == ("done", "reached", "")
    assert after.attempts == 1
    assert after.first_attempt_at == after.reached_at == after.closed_at == after.updated_at == T0


@pytest.mark.parametrize("outcome", ["wrong_number", "declined"])
def test_a_wrong_number_or_a_refusal_fails_at_once(outcome: str) -> None:
    after = after_outcome(task(), outcome, T0, POLICY)
    assert (after.state, after.last_outcome, after.attempts, after.closed_at) == ("failed", outcome, 1, T0)
    assert after.reached_at is None


@pytest.mark.parametrize("outcome", ["no_answer", "busy", "voicemail"])
def test_an_unanswered_attempt_is_retried_after_the_first_spacing(outcome: str) -> None:
    after = after_outcome(task(), outcome, T0, POLICY)
    assert (after.state, after.last_outcome, after.agent, after.attempts) == ("waiting", outcome, "", 1)
    assert after.due_at == T0 + 10 * 60
    assert after.arrival_at == after.due_at  # back in line at its time, behind who came meanwhile
    assert after.closed_at is None and after.reached_at is None
    assert after.first_attempt_at == T0


def test_the_last_spacing_repeats() -> None:
    many = replace(POLICY, max_attempts=10)
    first = T0 - 3600
    second = after_outcome(task(attempts=1, first_attempt_at=first, max_attempts=10), "busy", T0, many)
    assert second.due_at == T0 + 30 * 60
    fifth = after_outcome(task(attempts=4, first_attempt_at=first, max_attempts=10), "busy", T0, many)
    assert fifth.due_at == T0 + 30 * 60
    assert fifth.first_attempt_at == first  # kept from the first attempt
    assert [retry_delay_seconds(n, many) for n in (0, 1, 2, 3)] == [600, 600, 1800, 1800]


def test_the_last_allowed_attempt_fails_the_task() -> None:
    after = after_outcome(task(attempts=2, first_attempt_at=T0 - 1200), "no_answer", T0, POLICY)
    assert (after.state, after.attempts, after.closed_at) == ("failed", 3, T0)


def test_the_task_keeps_the_attempts_it_was_created_with() -> None:
    """max_attempts is copied into the task; a later policy change does not
    fail (or revive) tasks already in progress."""
    after = after_outcome(task(attempts=2, max_attempts=5, first_attempt_at=T0 - 1200), "busy", T0, POLICY)
    assert after.state == "waiting"


def test_retrying_stops_after_the_give_up_time() -> None:
    first = T0 - 48 * 3600
    after = after_outcome(task(attempts=1, first_attempt_at=first), "voicemail", T0, POLICY)
    assert (after.state, after.closed_at) == ("failed", T0)
    before = after_outcome(task(attempts=1, first_attempt_at=first + 1), "voicemail", T0, POLICY)
    assert before.state == "waiting"


def test_a_callback_booked_for_next_week_is_not_given_up_on_its_first_try() -> None:
    booked = task(created_at=T0 - 6 * 86400, due_at=T0 - 60)
    assert after_outcome(booked, "no_answer", T0, POLICY).state == "waiting"
    assert give_up_at(booked, POLICY) == T0 - 60 + 48 * 3600


def test_closed_tasks_and_unknown_outcomes_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown callback outcome"):
        after_outcome(task(), "maybe", T0, POLICY)
    with pytest.raises(ValueError, match="already done"):
        after_outcome(task(state="done", closed_at=T0 - 5), "reached", T0, POLICY)


# -- expected wait and offers ---------------------------------------------------------


def test_expected_wait_divides_the_callers_ahead_among_the_agents() -> None:
    assert expected_wait_seconds(1, 1, 3, 300) == 0  # somebody is free for this caller
    assert expected_wait_seconds(3, 1, 4, 300) == 150  # 2 to wait for, 4 agents finishing calls
    assert expected_wait_seconds(5, 0, 2, 240) == 600
    assert expected_wait_seconds(1, 0, 3, 100) == 34  # rounded up
    assert expected_wait_seconds(2, 5, 5, 300) == 0


def test_expected_wait_without_agents_or_history() -> None:
    assert expected_wait_seconds(1, 0, 0, 300) == NO_AGENTS_WAIT_SECONDS
    assert expected_wait_seconds(2, 0, 1, 0) == 2 * DEFAULT_HANDLE_SECONDS
    assert expected_wait_seconds(2, -1, 1, -5) == 2 * DEFAULT_HANDLE_SECONDS


def test_the_offer_follows_position_or_wait() -> None:
    policy = QueueCallbackPolicy(offer_position=3, offer_wait_seconds=120, offer_every_seconds=60)
    assert not should_offer(2, 119, None, T0, policy)
    assert should_offer(3, 30, None, T0, policy)
    assert should_offer(1, 120, None, T0, policy)


def test_the_offer_is_repeated_only_after_its_interval() -> None:
    policy = QueueCallbackPolicy(offer_position=3, offer_every_seconds=60)
    assert not should_offer(4, 600, T0 - 59, T0, policy)
    assert should_offer(4, 600, T0 - 60, T0, policy)


def test_no_offer_when_an_agent_is_free_or_callbacks_are_off() -> None:
    assert not should_offer(5, 0, None, T0, QueueCallbackPolicy(offer_position=3))
    assert not should_offer(5, 600, None, T0, QueueCallbackPolicy(enabled=False))


def test_a_zero_threshold_is_unused() -> None:
    by_wait_only = QueueCallbackPolicy(offer_position=0, offer_wait_seconds=300)
    assert not should_offer(50, 299, None, T0, by_wait_only)
    assert should_offer(1, 300, None, T0, by_wait_only)
    never = QueueCallbackPolicy(offer_position=0, offer_wait_seconds=0)
    assert not should_offer(50, 5000, None, T0, never)


# -- booking times (local time; a fixed zone east of UTC without clock changes) ------


@pytest.fixture
def tehran_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "IRST-3:30")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def local(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


SETTINGS = CallbackSettings(hours="08:00-20:00", days_ahead=7)


@pytest.mark.usefixtures("tehran_time")
def test_a_time_still_ahead_today_is_today() -> None:
    now = local("2024-03-05 10:00")
    assert now == datetime(2024, 3, 5, 6, 30, tzinfo=UTC).timestamp()  # the fixture's zone is in effect
    assert schedule_time("1430", now, SETTINGS) == local("2024-03-05 14:30")
    assert schedule_time("1005", now, SETTINGS) == local("2024-03-05 10:05")


@pytest.mark.usefixtures("tehran_time")
def test_a_time_less_than_five_minutes_ahead_or_past_is_tomorrow() -> None:
    now = local("2024-03-05 10:00:01")
    assert schedule_time("1005", now, SETTINGS) == local("2024-03-06 10:05")
    assert schedule_time("0930", now, SETTINGS) == local("2024-03-06 09:30")


@pytest.mark.usefixtures("tehran_time")
def test_only_times_within_the_booking_hours() -> None:
    now = local("2024-03-05 06:00")
    assert schedule_time("0800", now, SETTINGS) == local("2024-03-05 08:00")
    assert schedule_time("1959", now, SETTINGS) == local("2024-03-05 19:59")
    assert schedule_time("2000", now, SETTINGS) is None  # [start, end)
    assert schedule_time("0759", now, SETTINGS) is None
    assert schedule_time("0000", now, CallbackSettings(hours="00:00-24:00")) == local("2024-03-06 00:00")


@pytest.mark.usefixtures("tehran_time")
def test_tomorrow_needs_a_day_ahead() -> None:
    now = local("2024-03-05 15:00")
    assert schedule_time("0900", now, replace(SETTINGS, days_ahead=0)) is None
    assert schedule_time("1600", now, replace(SETTINGS, days_ahead=0)) == local("2024-03-05 16:00")
    assert schedule_time("0900", now, replace(SETTINGS, days_ahead=1)) == local("2024-03-06 09:00")


@pytest.mark.usefixtures("tehran_time")
def test_late_evening_local_is_still_today_although_utc_has_moved_on() -> None:
    late = CallbackSettings(hours="00:00-24:00", days_ahead=0)
    now = local("2024-03-05 23:00")  # 19:30 UTC
    assert schedule_time("2330", now, late) == local("2024-03-05 23:30")
    assert schedule_time("0100", now, late) is None  # tomorrow, local


@pytest.mark.parametrize("hhmm", ["", "930", "09300", "2400", "1260", "12:3", "ab12", "١٢٣٠", "-100", " 930"])
def test_what_is_not_a_time_is_refused(hhmm: str) -> None:
    assert schedule_time(hhmm, T0, CallbackSettings(hours="00:00-24:00")) is None


@pytest.mark.usefixtures("tehran_time")
def test_a_booked_moment_must_be_ahead_in_hours_and_within_the_days() -> None:
    now = local("2024-03-05 10:00")
    assert is_bookable(local("2024-03-12 19:59"), now, SETTINGS)
    assert not is_bookable(local("2024-03-13 09:00"), now, SETTINGS)  # 8 days ahead
    assert not is_bookable(local("2024-03-05 10:04"), now, SETTINGS)
    assert is_bookable(local("2024-03-05 10:05"), now, SETTINGS)
    assert not is_bookable(local("2024-03-05 07:59"), local("2024-03-05 06:00"), SETTINGS)
    assert not is_bookable(local("2024-03-04 12:00"), now, SETTINGS)


# -- rate limits ----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_its_limit_per_sliding_window() -> None:
    clock = Clock()
    limiter = RateLimiter(2, 60, clock)
    assert limiter.allow("10.0.0.1")
    clock.now += 30
    assert limiter.allow("10.0.0.1")
    assert not limiter.allow("10.0.0.1")
    assert limiter.allow("10.0.0.2")  # keys are counted apart
    assert limiter.retry_after("10.0.0.1") == 30
    clock.now += 30  # the first request leaves the window
    assert limiter.retry_after("10.0.0.1") == 0
    assert limiter.allow("10.0.0.1")
    assert not limiter.allow("10.0.0.1")


def test_refused_requests_do_not_extend_the_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 60, clock)
    assert limiter.allow("k")
    for _ in range(5):
        clock.now += 10
        assert not limiter.allow("k")
    clock.now += 10
    assert limiter.allow("k")


def test_limit_zero_means_no_limit() -> None:
    limiter = RateLimiter(0, 60, Clock())
    assert all(limiter.allow("k") for _ in range(1000))
    assert limiter.retry_after("k") == 0
    assert len(limiter) == 0


def test_idle_keys_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 60, clock)
    for n in range(100):
        limiter.allow(f"client{n}")
    assert len(limiter) == 100
    clock.now += 60
    limiter.allow("late")
    assert len(limiter) == 1


def test_memory_stays_bounded_under_a_flood_of_keys() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 3600, clock, max_keys=50)
    for n in range(1000):
        clock.now += 0.001
        assert limiter.allow(f"spoofed{n}")
    assert len(limiter) == 50
    assert not limiter.allow("spoofed999")  # the most recent keys are still limited


def test_a_limiter_needs_a_sensible_window() -> None:
    with pytest.raises(ValueError, match="window_seconds > 0"):
        RateLimiter(1, 0, Clock())
    with pytest.raises(ValueError, match="limit >= 0"):
        RateLimiter(-1, 60, Clock())
