"""The store's callback tasks, on both engines with the same test
bodies: a SQLite file and a real PostgreSQL server (tests/helpers/postgres.py),
as in test_store.py."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest

from agentdesk.contract.states import CB_CANCELLED, CB_CLAIMED, CB_DONE, CB_FAILED, CB_OFFERED, CB_WAITING
from agentdesk.server.store import (
    CallbackEvent,
    CallbackStats,
    CallbackTask,
    CallEntry,
    Store,
    StoreError,
    TransferRecord,
    open_store,
)
from agentdesk.server.store.engines import open_engine
from agentdesk.server.store.schema import LATEST, MIGRATIONS, VERSION_TABLE

T0 = 1_763_800_000.125  # epoch seconds with a fraction PostgreSQL's REAL would lose
INJECTIONS = ["'; DROP TABLE callback_tasks; --", "1' OR '1'='1", "%s %(x)s ? $1", 'Robert"); --']


def task(task_id: str, **fields: object) -> CallbackTask:
    """A waiting in-queue task of support for 09121110001, created at T0."""
    values: dict[str, object] = {
        "task_id": task_id, "queue": "support", "number": "09121110001", "name": "Ann Caller",
        "topic": "Invoice", "notes": "", "origin": "inqueue", "state": CB_WAITING, "priority": 0,
        "arrival_at": T0 - 60, "due_at": T0, "window_end": None, "attempts": 0, "max_attempts": 3,
        "last_outcome": "", "agent": "", "preferred_agent": "", "request_key": "", "created_at": T0,
        "updated_at": T0, "closed_at": None, "first_attempt_at": None, "reached_at": None, "created_by": "ivr",
    }
    values.update(fields)
    return CallbackTask(**values)  # type: ignore[arg-type]


def requested(item: CallbackTask, at: float | None = None, kind: str = "requested") -> CallbackEvent:
    return CallbackEvent(item.task_id, item.created_at if at is None else at, kind, "", item.number)


def add(store: Store, *items: CallbackTask) -> None:
    for item in items:
        assert store.callbacks.add_callback(item, requested(item))


def test_a_task_and_its_events_survive_a_restart(store: Store, reopen: Callable[[], Store]) -> None:
    item = task("a1b2c3d4e5f6", window_end=T0 + 3600, preferred_agent="1001", request_key="1763799940.17",
                priority=10, notes="Call after 10")
    assert store.callbacks.add_callback(item, requested(item))
    store.callbacks.update_callback(dataclasses.replace(item, state=CB_OFFERED, agent="1002", updated_at=T0 + 5),
                          CallbackEvent(item.task_id, T0 + 5, "offered", "1002", ""))
    store.close()

    store = reopen()

    assert store.callbacks.get_callback(item.task_id) == dataclasses.replace(item, state=CB_OFFERED, agent="1002",
                                                                   updated_at=T0 + 5)
    offered = CallbackEvent(item.task_id, T0 + 5, "offered", "1002", "")
    assert store.callbacks.callback_events(item.task_id) == [requested(item), offered]
    assert store.callbacks.get_callback("000000000000") is None


def test_a_replayed_request_adds_nothing(store: Store) -> None:
    first = task("aaaaaaaaaaa1", request_key="1763799940.17")
    replay = task("aaaaaaaaaaa2", request_key="1763799940.17", number="09121110002", created_at=T0 + 30)

    assert store.callbacks.add_callback(first, requested(first))
    assert not store.callbacks.add_callback(replay, requested(replay))

    assert store.callbacks.callback_by_key("1763799940.17") == first
    assert store.callbacks.get_callback(replay.task_id) is None
    assert store.callbacks.callback_events(replay.task_id) == []
    assert store.callbacks.count_callback_requests("09121110001", T0) == 1


def test_tasks_without_a_request_key_are_all_added(store: Store) -> None:
    add(store, task("aaaaaaaaaaa1"), task("aaaaaaaaaaa2"))

    assert [item.task_id for item in store.callbacks.open_callbacks()] == ["aaaaaaaaaaa1", "aaaaaaaaaaa2"]
    assert store.callbacks.callback_by_key("") is None


def test_a_task_id_used_twice_is_an_error_not_a_replay(store: Store) -> None:
    add(store, task("aaaaaaaaaaa1", request_key="k1"))
    with pytest.raises(StoreError, match="callback_tasks"):
        store.callbacks.add_callback(task("aaaaaaaaaaa1", request_key="k2"), requested(task("aaaaaaaaaaa1")))
    assert store.callbacks.callback_by_key("k2") is None


def test_only_one_agent_claims_a_task(store: Store) -> None:
    add(store, task("aaaaaaaaaaa1"))

    won = store.callbacks.claim_callback("aaaaaaaaaaa1", "1001", T0 + 10, (CB_WAITING, CB_OFFERED))
    lost = store.callbacks.claim_callback("aaaaaaaaaaa1", "1002", T0 + 11, (CB_WAITING, CB_OFFERED, CB_CLAIMED))

    assert won == task("aaaaaaaaaaa1", state=CB_CLAIMED, agent="1001", updated_at=T0 + 10)
    assert lost is None
    assert store.callbacks.get_callback("aaaaaaaaaaa1") == won
    assert [(e.kind, e.agent, e.at) for e in store.callbacks.callback_events("aaaaaaaaaaa1")] == [
        ("requested", "", T0), ("claimed", "1001", T0 + 10)]


def test_claims_respect_the_states_and_the_holder(store: Store) -> None:
    add(store, task("aaaaaaaaaaa1", state=CB_OFFERED, agent="1001"),
        task("aaaaaaaaaaa2", state=CB_DONE, closed_at=T0 + 1))

    assert store.callbacks.claim_callback("aaaaaaaaaaa1", "1002", T0, (CB_OFFERED,)) is None  # ringing someone else
    assert store.callbacks.claim_callback("aaaaaaaaaaa1", "1001", T0, (CB_WAITING,)) is None  # not in from_states
    assert store.callbacks.claim_callback("aaaaaaaaaaa1", "1001", T0, ()) is None
    assert store.callbacks.claim_callback("aaaaaaaaaaa2", "1001", T0, (CB_DONE, CB_WAITING)) is None  # closed
    assert store.callbacks.claim_callback("ffffffffffff", "1001", T0, (CB_WAITING,)) is None
    # the phone that rang:
    assert store.callbacks.claim_callback("aaaaaaaaaaa1", "1001", T0 + 2, (CB_OFFERED,)) is not None
    again = store.callbacks.claim_callback("aaaaaaaaaaa1", "1001", T0 + 3, (CB_CLAIMED,))  # the holder may claim again
    assert again is not None and (again.state, again.agent, again.updated_at) == (CB_CLAIMED, "1001", T0 + 3)
    assert store.callbacks.get_callback("aaaaaaaaaaa2") == task("aaaaaaaaaaa2", state=CB_DONE, closed_at=T0 + 1)


def test_two_services_racing_for_a_task_never_both_win(reopen: Callable[[], Store]) -> None:
    first, second = reopen(), reopen()  # two connections, as two service processes would have
    ids = [f"aaaaaaaaa{index:03d}" for index in range(20)]
    add(first, *(task(task_id) for task_id in ids))
    start = threading.Barrier(2)

    def claim_all(store: Store, agent: str) -> list[bool]:
        won = []
        for task_id in ids:
            start.wait(timeout=30)
            won.append(store.callbacks.claim_callback(task_id, agent, T0 + 1, (CB_WAITING,)) is not None)
        return won

    with ThreadPoolExecutor(max_workers=2) as workers:
        one, two = workers.submit(claim_all, first, "1001"), workers.submit(claim_all, second, "1002")
        wins = list(zip(one.result(timeout=60), two.result(timeout=60), strict=True))

    assert all(a != b for a, b in wins), wins
    assert [first.callbacks.get_callback(task_id).agent for task_id in ids] == [  # type: ignore[union-attr]
        "1001" if a else "1002" for a, _ in wins]
    claims = [[e for e in first.callbacks.callback_events(task_id) if e.kind == "claimed"] for task_id in ids]
    assert all(len(claimed) == 1 for claimed in claims)


def test_open_and_due_tasks_by_state_queue_and_line_order(store: Store) -> None:
    add(
        store,
        task("000000000001", due_at=T0 + 50),  # due later
        task("000000000002", arrival_at=T0 - 100),  # due, arrived first
        task("000000000003", arrival_at=T0 - 200, priority=10, due_at=T0 - 5),  # due, VIP
        task("000000000004", arrival_at=T0 - 300),  # due, arrived earliest
        task("000000000005", state=CB_OFFERED, agent="1001", due_at=T0 - 1),
        task("000000000006", state=CB_CLAIMED, agent="1002", due_at=T0 - 2),
        task("000000000007", state=CB_DONE, closed_at=T0, due_at=T0 - 3),
        task("000000000008", state=CB_CANCELLED, closed_at=T0, due_at=T0 - 4),
        task("000000000009", queue="sales", arrival_at=T0 - 400, due_at=T0 + 1),
    )

    assert [t.task_id[-1] for t in store.callbacks.open_callbacks()] == list("3652491")
    assert [t.task_id[-1] for t in store.callbacks.open_callbacks("support")] == list("365241")
    assert store.callbacks.open_callbacks("nobody") == []
    assert [t.task_id[-1] for t in store.callbacks.callbacks_due(T0, 10)] == list("342")
    assert [t.task_id[-1] for t in store.callbacks.callbacks_due(T0 + 1, 2)] == list("39")
    assert [t.task_id[-1] for t in store.callbacks.callbacks_due(T0 + 50, 10)] == list("39421")
    assert store.callbacks.callbacks_due(T0, 0) == []
    assert store.callbacks.callbacks_due(T0 - 10, 10) == []


def test_a_duplicate_request_finds_the_oldest_open_task_of_that_number_and_queue(store: Store) -> None:
    add(
        store,
        task("000000000001", state=CB_FAILED, closed_at=T0, created_at=T0 - 500),
        task("000000000002", created_at=T0 - 100, state=CB_CLAIMED, agent="1001"),
        task("000000000003", created_at=T0 - 50),
        task("000000000004", created_at=T0 - 900, queue="sales"),
        task("000000000005", created_at=T0 - 900, number="09121110002"),
    )

    found = store.callbacks.open_callback_for("09121110001", "support")
    assert found is not None and found.task_id == "000000000002"
    assert store.callbacks.open_callback_for("09121110001", "billing") is None
    assert store.callbacks.open_callback_for("09121110009", "support") is None


def test_an_update_writes_every_field_and_its_event(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    item = task("aaaaaaaaaaa1")
    add(store, item)
    changed = dataclasses.replace(
        item, queue="sales", number="09121110002", name="Bo", topic="Refund", notes="twice", origin="web",
        state=CB_DONE, priority=10, arrival_at=T0 + 1, due_at=T0 + 2, window_end=T0 + 3, attempts=2, max_attempts=5,
        last_outcome="reached", agent="1001", preferred_agent="1002", request_key="web-7", created_at=T0 + 4,
        updated_at=T0 + 5, closed_at=T0 + 6, first_attempt_at=T0 + 7, reached_at=T0 + 8, created_by="1003",
    )
    assert all(getattr(changed, f.name) != getattr(item, f.name) for f in dataclasses.fields(item)[1:])
    outcome = CallbackEvent(item.task_id, T0 + 6, "outcome", "1001", "reached")

    store.callbacks.update_callback(changed, outcome)
    store.callbacks.update_callback(dataclasses.replace(changed, notes="again"), None)
    with caplog.at_level(logging.WARNING, logger="agentdesk.server.store"):
        store.callbacks.update_callback(task("ffffffffffff"), CallbackEvent("ffffffffffff", T0, "offered", "", ""))

    assert store.callbacks.get_callback(item.task_id) == dataclasses.replace(changed, notes="again")
    assert store.callbacks.callback_events(item.task_id) == [requested(item), outcome]
    assert store.callbacks.get_callback("ffffffffffff") is None
    assert store.callbacks.callback_events("ffffffffffff") == []
    assert "callback task ffffffffffff is unknown" in caplog.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"state": CB_DONE}, "state 'done' with closed_at None"),
        ({"state": CB_WAITING, "closed_at": T0}, "state 'waiting' with closed_at"),
        ({"state": "ringing"}, "unknown state 'ringing'"),
    ],
)
def test_a_task_whose_closed_at_contradicts_its_state_is_refused(
    store: Store, fields: dict[str, object], message: str
) -> None:
    add(store, task("aaaaaaaaaaa1"))
    bad = task("aaaaaaaaaaa1", **fields)
    with pytest.raises(ValueError, match=message):
        store.callbacks.add_callback(dataclasses.replace(bad, task_id="aaaaaaaaaaa2"), requested(bad))
    with pytest.raises(ValueError, match=message):
        store.callbacks.update_callback(bad, None)
    assert store.callbacks.get_callback("aaaaaaaaaaa1") == task("aaaaaaaaaaa1")


def test_events_keep_their_order_and_refusals_need_no_task(store: Store) -> None:
    item = task("aaaaaaaaaaa1")
    add(store, item)
    for kind in ("offered", "skipped", "offered", "claimed", "dialled"):
        store.callbacks.add_callback_event(CallbackEvent(item.task_id, T0 + 1, kind, "1001", ""))
    store.callbacks.add_callback_event(CallbackEvent(item.task_id, T0 + 0.5, "merged", "", "09121110001"))
    store.callbacks.add_callback_event(CallbackEvent("", T0, "refused", "", "blocked 09121110666"))

    kinds = [event.kind for event in store.callbacks.callback_events(item.task_id)]
    assert kinds == ["requested", "merged", "offered", "skipped", "offered", "claimed", "dialled"]
    assert store.callbacks.callback_events("") == [CallbackEvent("", T0, "refused", "", "blocked 09121110666")]


def test_requests_per_number_count_requests_and_merges_since(store: Store) -> None:
    one, two = task("aaaaaaaaaaa1", created_at=T0 - 7200), task("aaaaaaaaaaa2", queue="sales")
    other = task("aaaaaaaaaaa3", number="09121110002")
    add(store, one, two, other)
    store.callbacks.add_callback_event(requested(one, T0 - 10, "merged"))
    store.callbacks.add_callback_event(requested(one, T0 - 5, "offered"))
    store.callbacks.add_callback_event(CallbackEvent("", T0, "refused", "", "09121110001"))

    assert store.callbacks.count_callback_requests("09121110001", T0 - 3600) == 2  # sales' request and the merge
    assert store.callbacks.count_callback_requests("09121110001", T0 - 7200) == 3
    assert store.callbacks.count_callback_requests("09121110001", T0 + 1) == 0
    assert store.callbacks.count_callback_requests("09121110002", T0 - 3600) == 1


def test_closed_tasks_of_a_period(store: Store) -> None:
    start, end = T0, T0 + 86_400
    add(
        store,
        task("000000000001", state=CB_DONE, closed_at=start + 20),
        task("000000000002", state=CB_FAILED, closed_at=start + 10),
        task("000000000003", state=CB_CANCELLED, closed_at=start),
        task("000000000004", state=CB_DONE, closed_at=start - 1),
        task("000000000005", state=CB_DONE, closed_at=end),
        task("000000000006"),
    )

    assert [t.task_id[-1] for t in store.callbacks.callbacks_closed(start, end)] == list("321")


def test_stats_count_and_average_a_day(store: Store) -> None:
    start, end = T0, T0 + 86_400
    add(
        store,
        # In-queue, reached: waited from its request (T0 + 100): first try 60 s, reached 300 s later.
        task("000000000001", created_at=start + 100, arrival_at=start + 40, state=CB_DONE, closed_at=start + 400,
             first_attempt_at=start + 160, reached_at=start + 400, attempts=2),
        # Scheduled for T0 + 1000, booked earlier: waited from its time; tried 200 s late, reached then.
        task("000000000002", created_at=start + 10, arrival_at=start + 1000, origin="scheduled", state=CB_DONE,
             closed_at=start + 1200, first_attempt_at=start + 1200, reached_at=start + 1200, attempts=1),
        # Failed after trying 40 s after the request.
        task("000000000003", created_at=start + 300, arrival_at=start + 290, state=CB_FAILED, closed_at=start + 5000,
             first_attempt_at=start + 340, attempts=3),
        # Called before its booked time (counts as no wait), still open.
        task("000000000004", created_at=start + 500, arrival_at=start + 9000, due_at=start + 9000,
             first_attempt_at=start + 8000, attempts=1, state=CB_CLAIMED, agent="1001"),
        task("000000000005", created_at=start + 600, state=CB_CANCELLED, closed_at=start + 700),
        # Yesterday's, still open at the end of today; another queue's; tomorrow's.
        task("000000000006", created_at=start - 100, arrival_at=start - 100),
        task("000000000007", queue="sales", created_at=start + 1, state=CB_DONE, closed_at=start + 2,
             first_attempt_at=start + 1, reached_at=start + 2),
        task("000000000008", created_at=end, arrival_at=end),
    )

    support = store.callbacks.callback_stats(start, end, "support")

    assert support == CallbackStats(requested=5, attempted=4, reached=2, failed=1, open=2,
                                    success_rate=pytest.approx(2 / 3),  # type: ignore[arg-type]
                                    avg_seconds_to_first_attempt=pytest.approx((60 + 200 + 40 + 0) / 4),  # type: ignore[arg-type]
                                    avg_seconds_to_reached=pytest.approx((300 + 200) / 2))  # type: ignore[arg-type]
    everyone = store.callbacks.callback_stats(start, end, None)
    assert (everyone.requested, everyone.attempted, everyone.reached, everyone.open) == (6, 5, 3, 2)
    # Yesterday: task 6 was requested and still open when the day ended.
    assert store.callbacks.callback_stats(start - 86_400, start, None) == CallbackStats(1, 0, 0, 0, 1, None, None, None)
    assert store.callbacks.callback_stats(start, end, "nobody") == CallbackStats(0, 0, 0, 0, 0, None, None, None)


def test_blocked_numbers_expire(store: Store, reopen: Callable[[], Store]) -> None:
    store.callbacks.set_callback_block("09121110666", "abusive", None)
    store.callbacks.set_callback_block("09121110777", "prank calls", T0 + 3600)
    store.callbacks.set_callback_block("09121110888", "test", T0)
    store.callbacks.set_callback_block("09121110888", "tested twice", T0 + 60)  # replaced
    store.callbacks.set_callback_block("09121110999", "mistake", None)
    store.callbacks.remove_callback_block("09121110999")
    store.callbacks.remove_callback_block("09121110000")

    store.close()
    store = reopen()

    assert store.callbacks.callback_blocks() == {
        "09121110666": ("abusive", None),
        "09121110777": ("prank calls", T0 + 3600),
        "09121110888": ("tested twice", T0 + 60),
    }
    assert [store.callbacks.is_callback_blocked(n, T0 + 60) for n in ("09121110666", "09121110777", "09121110888")] == [
        True, True, False]
    assert store.callbacks.is_callback_blocked("09121110777", T0 + 3599.9)
    assert not store.callbacks.is_callback_blocked("09121110777", T0 + 3600)
    assert store.callbacks.is_callback_blocked("09121110666", T0 + 10**9)
    assert not store.callbacks.is_callback_blocked("09121110999", T0)


def test_injection_looking_values_are_stored_verbatim(store: Store) -> None:
    for index, text in enumerate(INJECTIONS):
        item = task(f"00000000000{index}", queue=text, number=text, name=text, topic=text, notes=text, agent=text,
                    request_key=text, state=CB_OFFERED)
        add(store, item)
        store.callbacks.set_callback_block(text, text, None)
        assert store.callbacks.claim_callback(item.task_id, text, T0, (CB_OFFERED,)) is not None

    for index, text in enumerate(INJECTIONS):
        assert store.callbacks.callback_by_key(text) == task(f"00000000000{index}", queue=text, number=text, name=text,
                                                   topic=text, notes=text, agent=text, request_key=text,
                                                   state=CB_CLAIMED)
        assert [t.task_id for t in store.callbacks.open_callbacks(text)] == [f"00000000000{index}"]
        assert store.callbacks.count_callback_requests(text, T0) == 1
        assert store.callbacks.is_callback_blocked(text, T0)
    assert not store.callbacks.is_callback_blocked("' OR 1=1 --", T0)


def test_ten_thousand_open_tasks_are_read_through_the_open_task_index(store: Store) -> None:
    tasks = []
    for index in range(20_000):
        due_at = T0 + (index * 7919) % 20_011
        item = task(f"{index:012x}", queue=("support", "sales")[index % 2], due_at=due_at, arrival_at=due_at - index,
                    priority=10 if index % 7 == 0 else 0, request_key=f"1763799940.{index}")
        if index % 2 == 0:  # as many closed ones, as a service that has run a while has
            item = dataclasses.replace(item, state=CB_DONE, closed_at=T0 + index)
        tasks.append(item)
    engine = store.db.engine  # test only: bulk rows and query plans
    insert_in_bulk(engine, tasks)
    engine.run("ANALYZE")  # PostgreSQL's autovacuum does this in service

    with watching(engine) as statements:
        listed = store.callbacks.open_callbacks()
        of_sales = store.callbacks.open_callbacks("sales")
        due = store.callbacks.callbacks_due(T0 + 100, 5)

    assert len(listed) == len(of_sales) == 10_000
    assert all(item.state == CB_WAITING and item.queue == "sales" for item in listed)
    assert [item.due_at for item in listed] == sorted(item.due_at for item in listed)
    in_line = sorted((item for item in listed if item.due_at <= T0 + 100), key=lambda t: (-t.priority, t.arrival_at))
    assert due == in_line[:5]
    assert len(statements) == 3
    for sql, params in statements:
        assert "callback_tasks_open" in query_plan(engine, sql, params), sql


def insert_in_bulk(engine: Any, tasks: list[CallbackTask]) -> None:
    """Many tasks at once, in one transaction (add_callback commits each)."""
    columns = [field.name for field in dataclasses.fields(CallbackTask)]
    with engine.transaction():
        for first in range(0, len(tasks), 100):
            chunk = tasks[first : first + 100]
            rows = ", ".join(["(" + ", ".join("?" * len(columns)) + ")"] * len(chunk))
            values = [getattr(item, column) for item in chunk for column in columns]
            engine.run(f"INSERT INTO callback_tasks ({', '.join(columns)}) VALUES {rows}", values)


@contextmanager
def watching(engine: Any) -> Iterator[list[tuple[str, tuple[object, ...]]]]:
    """Records each statement the engine runs inside the block."""
    run = engine.run
    seen: list[tuple[str, tuple[object, ...]]] = []

    def watched(sql: str, params: tuple[object, ...] = ()) -> object:
        seen.append((sql, tuple(params)))
        return run(sql, params)

    engine.run = watched
    try:
        yield seen
    finally:
        engine.run = run


def query_plan(engine: Any, sql: str, params: tuple[object, ...]) -> str:
    explain = "EXPLAIN QUERY PLAN " if "SQLite" in engine.description else "EXPLAIN "
    return "\n".join(str(row[-1]) for row in engine.run(explain + sql, params).rows)


def test_a_database_of_version_2_gains_callbacks_and_keeps_its_data(store_url: str) -> None:
    # A database as AgentDesk at schema version 2 made and filled it.
    engine = open_engine(store_url)
    with engine.transaction():
        engine.run(VERSION_TABLE)
        for version, statements in enumerate(MIGRATIONS[:2], start=1):
            for statement in statements:
                engine.run(statement)
            engine.run("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (version, T0))
    call = CallEntry("1.1", "1.1", "support", "09121110001", "Ann", T0, 1, False)
    transfer = TransferRecord("t1", T0, "blind", "1001", "1001", "1.1", "1.1", "support", "1003", "accepted")
    with Store(engine) as old:  # not migrated: only version 2's tables are touched
        old.calls.add_call(call)
        old.calls.add_transfer(transfer)
        old.calls.set_vip("09121110001", "Key account")

    with open_store(store_url) as store:
        stored = store.calls.get_call("1.1")
        assert stored is not None and (stored.number, stored.joined_at, stored.outcome) == (
            "09121110001", T0, "waiting")
        assert store.calls.transfers(T0, T0 + 1) == [transfer]
        assert store.calls.vip_numbers() == {"09121110001": "Key account"}
        add(store, task("aaaaaaaaaaa1"))
        assert [item.task_id for item in store.callbacks.open_callbacks()] == ["aaaaaaaaaaa1"]
        versions = store.db.engine.run("SELECT version FROM schema_version ORDER BY version").rows
        assert [row[0] for row in versions] == list(range(1, LATEST + 1))
