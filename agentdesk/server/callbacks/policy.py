"""The rules of a callback's life: what an attempt's outcome does to the
task, when a waiting caller is offered a callback, when a callback may be
booked, and how often one client may ask.

Pure functions of their arguments (times are epoch seconds passed in; local
time means the service's local time, as `datetime.fromtimestamp` gives).
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from agentdesk.contract.states import (
    CB_DONE,
    CB_FAILED,
    CB_WAITING,
    OUTCOME_REACHED,
    OUTCOMES,
    RETRY_OUTCOMES,
)

from ..store.records import CallbackTask
from .settings import CallbackSettings, QueueCallbackPolicy

# Nobody logged in: the wait is unknown but long; spoken as "about 180 minutes".
NO_AGENTS_WAIT_SECONDS = 3 * 3600
# Handle time assumed before the queue has handled any call today.
DEFAULT_HANDLE_SECONDS = 180
# A booked time must be at least this far ahead (the IVR call itself takes time).
MIN_BOOKING_LEAD_SECONDS = 5 * 60


def after_outcome(task: CallbackTask, outcome: str, now: float, policy: QueueCallbackPolicy) -> CallbackTask:
    """The task after one dial attempt ended with `outcome`.

    The attempt is counted (first_attempt_at set on the first), the holder
    released. reached -> done; wrong_number, declined -> failed; no_answer,
    busy, voicemail -> waiting again after policy.retry_minutes[attempts-1]
    (the last value repeats), entering the line at that time like any due
    callback (it does not jump the live callers who came meanwhile) — or
    failed once attempts reach the task's max_attempts or `now` is past
    give_up_at. Raises ValueError for an unknown outcome or a closed task.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown callback outcome {outcome!r}")
    if not task.is_open:
        raise ValueError(f"callback {task.task_id} is already {task.state}")
    attempted = replace(
        task,
        attempts=task.attempts + 1,
        first_attempt_at=now if task.first_attempt_at is None else task.first_attempt_at,
        last_outcome=outcome,
        agent="",
        updated_at=now,
    )
    if outcome == OUTCOME_REACHED:
        return replace(attempted, state=CB_DONE, reached_at=now, closed_at=now)
    if outcome not in RETRY_OUTCOMES or _gives_up(attempted, now, policy):
        return replace(attempted, state=CB_FAILED, closed_at=now)
    due = now + retry_delay_seconds(attempted.attempts, policy)
    return replace(attempted, state=CB_WAITING, due_at=due, arrival_at=due)


def retry_delay_seconds(attempts: int, policy: QueueCallbackPolicy) -> float:
    """The pause after the `attempts`-th failed attempt (1-based)."""
    steps = policy.retry_minutes
    return steps[min(max(attempts, 1), len(steps)) - 1] * 60


def give_up_at(task: CallbackTask, policy: QueueCallbackPolicy) -> float:
    """When retrying stops: give_up_hours after the first attempt (or after
    the due time while never attempted). Counting from the creation would
    fail a callback booked for next week on its first unanswered attempt."""
    start = task.first_attempt_at if task.first_attempt_at is not None else task.due_at
    return start + policy.give_up_seconds


def _gives_up(task: CallbackTask, now: float, policy: QueueCallbackPolicy) -> bool:
    return task.attempts >= task.max_attempts or now >= give_up_at(task, policy)


def expected_wait_seconds(position: int, agents_free: int, agents_logged_in: int, avg_handle_seconds: float) -> int:
    """The expected wait of the caller at 1-based `position`, in whole seconds.

    Free agents take the first callers at once; the others wait for the
    logged-in agents to finish calls, which they do at agents_logged_in /
    avg_handle calls per second:

        max(0, position - agents_free) * avg_handle / agents_logged_in

    rounded up. Nobody logged in: NO_AGENTS_WAIT_SECONDS (finite, since it
    is spoken to the caller). avg_handle <= 0 (nothing handled yet) counts
    as DEFAULT_HANDLE_SECONDS.
    """
    if agents_logged_in <= 0:
        return NO_AGENTS_WAIT_SECONDS
    handle = avg_handle_seconds if avg_handle_seconds > 0 else DEFAULT_HANDLE_SECONDS
    ahead = max(0, position - max(0, agents_free))
    return math.ceil(ahead * handle / agents_logged_in)


def should_offer(
    position: int, expected_wait: int, last_offer_at: float | None, now: float, policy: QueueCallbackPolicy
) -> bool:
    """Whether the caller at `position` (expected to wait `expected_wait`
    seconds, last offered at `last_offer_at`, None = never) hears the
    callback offer now.

    Offered when the queue has callbacks, nobody is free to answer
    (expected_wait > 0), a threshold is reached (position >= offer_position
    or expected_wait >= offer_wait_seconds; 0 = that threshold unused) and
    the last offer is at least offer_every_seconds ago.
    """
    if not policy.enabled or expected_wait <= 0:
        return False
    if last_offer_at is not None and now - last_offer_at < policy.offer_every_seconds:
        return False
    by_position = policy.offer_position > 0 and position >= policy.offer_position
    by_wait = policy.offer_wait_seconds > 0 and expected_wait >= policy.offer_wait_seconds
    return by_position or by_wait


def schedule_time(hhmm: str, now: float, settings: CallbackSettings) -> float | None:
    """The epoch of the next local `hhmm` ("1430": four digits, as keyed in
    the IVR): today if that is at least MIN_BOOKING_LEAD_SECONDS ahead, else
    tomorrow; None when `hhmm` is not a time or that moment is not bookable
    (outside settings.hours or beyond settings.days_ahead)."""
    if len(hhmm) != 4 or not (hhmm.isascii() and hhmm.isdigit()):
        return None
    hour, minute = int(hhmm[:2]), int(hhmm[2:])
    if hour > 23 or minute > 59:
        return None
    today = datetime.fromtimestamp(now).date()
    at = _local_epoch(today, hour, minute)
    if at - now < MIN_BOOKING_LEAD_SECONDS:
        at = _local_epoch(today + timedelta(days=1), hour, minute)
    return at if is_bookable(at, now, settings) else None


def is_bookable(at: float, now: float, settings: CallbackSettings) -> bool:
    """Whether a callback may be booked for `at`: at least
    MIN_BOOKING_LEAD_SECONDS ahead, within settings.hours (local, [start,
    end)) and at most settings.days_ahead calendar days after today."""
    if at - now < MIN_BOOKING_LEAD_SECONDS:
        return False
    local = datetime.fromtimestamp(at)
    start, end = settings.booking_minutes
    if not start <= local.hour * 60 + local.minute < end:
        return False
    return (local.date() - datetime.fromtimestamp(now).date()).days <= settings.days_ahead


def _local_epoch(day: date, hour: int, minute: int) -> float:
    return datetime.combine(day, time(hour, minute)).timestamp()


class RateLimiter:
    """At most `limit` accepted requests per key within any `window_seconds`
    (a sliding window; refused requests do not count). limit 0 = no limit.

    Memory stays bounded: a key idle for a whole window is forgotten, and
    beyond `max_keys` the least recently accepted keys are dropped (a flood
    of distinct keys may then pass, but cannot exhaust memory).
    """

    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float], max_keys: int = 100_000) -> None:
        if limit < 0 or window_seconds <= 0 or max_keys < 1:
            raise ValueError("RateLimiter needs limit >= 0, window_seconds > 0 and max_keys >= 1")
        self.limit = limit
        self.window_seconds = window_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()  # least recently accepted first

    def allow(self, key: str) -> bool:
        """Count a request of `key` if it is within the limit; False if not."""
        if self.limit == 0:
            return True
        now = self._clock()
        self._forget_idle(now)
        hits = self._recent(key, now)
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        self._hits[key] = hits
        self._hits.move_to_end(key)
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)
        return True

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may make a request again (0 = now)."""
        if self.limit == 0:
            return 0.0
        now = self._clock()
        hits = self._recent(key, now)
        if len(hits) < self.limit:
            return 0.0
        return max(0.0, hits[0] + self.window_seconds - now)

    def __len__(self) -> int:
        """The number of keys remembered."""
        return len(self._hits)

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key, deque())
        while hits and hits[0] <= now - self.window_seconds:
            hits.popleft()
        return hits

    def _forget_idle(self, now: float) -> None:
        # Keys are ordered by their last accepted request, so the idle ones lead.
        while self._hits:
            key, hits = next(iter(self._hits.items()))
            if hits and hits[-1] > now - self.window_seconds:
                break
            del self._hits[key]
