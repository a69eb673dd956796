"""Due callback tasks keep their callers' places among the live callers."""

from __future__ import annotations

from dataclasses import replace

from agentdesk.server.callbacks.line import placeholders_wanted
from agentdesk.server.store.records import CallbackTask

BASE = CallbackTask(
    task_id="", queue="support", number="09121110001", name="", topic="", notes="", origin="inqueue",
    state="waiting", priority=0, arrival_at=0.0, due_at=0.0, window_end=None, attempts=0, max_attempts=3,
    last_outcome="", agent="", preferred_agent="", request_key="", created_at=0.0, updated_at=0.0,
    closed_at=None, first_attempt_at=None, reached_at=None, created_by="ivr",
)  # fmt: skip


def task(task_id: str, arrival_at: float, priority: int = 0) -> CallbackTask:
    return replace(BASE, task_id=task_id, arrival_at=arrival_at, priority=priority)


def wanted(live: list[tuple[int, float]], due: list[CallbackTask], placed: dict[str, tuple[int, float]],
           slots: int) -> list[tuple[str, int]]:  # fmt: skip
    return [(t.task_id, position) for t, position in placeholders_wanted(live, due, placed.items(), slots)]


def test_a_task_joins_between_who_came_before_and_after() -> None:
    """The caller who pressed 1 while 3rd is called after the two ahead
    and before the one who joined after them."""
    live = [(0, 100.0), (0, 110.0), (0, 130.0)]
    assert wanted(live, [task("t1", 120.0)], {}, 5) == [("t1", 3)]


def test_only_tasks_within_the_first_slots_are_placed() -> None:
    live = [(0, 100.0), (0, 110.0), (0, 130.0)]
    assert wanted(live, [task("t1", 120.0)], {}, 2) == []
    assert wanted(live, [task("t1", 120.0)], {}, 3) == [("t1", 3)]


def test_a_task_older_than_everyone_goes_first() -> None:
    assert wanted([(0, 100.0), (0, 110.0)], [task("t1", 50.0)], {}, 1) == [("t1", 1)]


def test_an_empty_queue_takes_due_tasks_in_arrival_order() -> None:
    due = [task("late", 30.0), task("early", 10.0), task("mid", 20.0)]
    assert wanted([], due, {}, 2) == [("early", 1), ("mid", 2)]


def test_priority_goes_before_arrival() -> None:
    live = [(0, 100.0), (10, 150.0)]
    due = [task("vip", 200.0, priority=10), task("normal", 90.0)]
    # VIP caller (150), VIP task (200), normal task (90), normal caller (100)
    assert wanted(live, due, {}, 4) == [("vip", 2), ("normal", 3)]


def test_placeholders_already_in_asterisk_hold_their_place_and_count_ahead() -> None:
    live = [(0, 100.0), (0, 140.0)]
    due = [task("new", 130.0)]
    # caller (100), placed (120), new (130), caller (140)
    assert wanted(live, due, {"placed": (0, 120.0)}, 5) == [("new", 3)]


def test_a_task_already_in_asterisk_is_not_wanted_again() -> None:
    due = [task("placed", 120.0), task("new", 130.0)]
    assert wanted([(0, 100.0)], due, {"placed": (0, 120.0)}, 5) == [("new", 3)]
    assert wanted([(0, 100.0)], due, {"placed": (0, 120.0)}, 2) == []


def test_a_caller_arriving_at_the_same_instant_goes_first() -> None:
    assert wanted([(0, 100.0)], [task("t1", 100.0)], {}, 2) == [("t1", 2)]


def test_equal_tasks_keep_a_stable_order() -> None:
    due = [task("bbb", 10.0), task("aaa", 10.0)]
    assert wanted([], due, {}, 2) == [("aaa", 1), ("bbb", 2)]


def test_no_slots_no_placeholders() -> None:
    assert wanted([], [task("t1", 1.0)], {}, 0) == []
    assert wanted([], [], {}, 5) == []


def test_ten_thousand_due_tasks_are_ranked() -> None:
    # Correctness at size only: how fast is measured by tests/bench/bench_callback_delivery.py.
    due = [task(f"{n:012x}", float(10_000 - n), priority=n % 2 * 10) for n in range(10_000)]
    live = [(0, float(n)) for n in range(0, 10_000, 7)]
    result = wanted(live, due, {}, 5)
    assert [position for _, position in result] == [1, 2, 3, 4, 5]
    assert all(int(task_id, 16) % 2 == 1 for task_id, _ in result)  # the VIP ones, latest-numbered first
