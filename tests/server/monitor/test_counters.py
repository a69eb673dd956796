"""Each agent's day on the team leads' floor: answered calls, the average
handle time (talk + wrap-up per completed call) and missed offers, read
from the store (at start and each midnight) and kept up from AMI events
and wrap-ups' ends; the queue figures' service level over answered calls
and average speed of answer come from the same store."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentdesk.contract.states import AGENT, WRAPUP_ACTIVE, WRAPUP_ENDED
from agentdesk.server.ami.protocol import AmiMessage
from agentdesk.server.days import midnight
from agentdesk.server.directory import Person
from agentdesk.server.monitor.changes import FloorChanges
from agentdesk.server.monitor.counters import AgentDayCounters
from agentdesk.server.store import CallEntry, Store, open_store
from agentdesk.server.store.after_call_records import WrapUp
from tests.server.store.test_callbacks import add, task

NOW = 1_795_381_400.0
TODAY = midnight(NOW)


class People:
    def get(self, agent: str) -> Person | None:
        return Person(agent, f"Agent {agent}", AGENT) if agent in ("1001", "1002") else None


def event(name: str, agent: str = "1001", **fields: str) -> AmiMessage:
    return AmiMessage((("Event", name), ("Queue", "support"), ("MemberName", agent),
                       ("Channel", "Local/7001@customers-00000001;2"), *fields.items()))


def answered_call(store: Store, uniqueid: str, agent: str, at: float, hold: int, talk: int | None) -> None:
    store.calls.add_call(CallEntry(uniqueid, uniqueid, "support", "0912", "", at - hold, 1, False))
    store.calls.connect_call(uniqueid, agent, at, hold)
    if talk is not None:
        store.calls.end_call(uniqueid, "completed", at + talk, talk)


def wrapup(store: Store, uniqueid: str, agent: str, started: float, seconds: float, callback: str = "") -> None:
    store.wrapups.start_wrapup(WrapUp(uniqueid, agent, uniqueid, "support", "0912", started, started + 60,
                                      WRAPUP_ACTIVE, callback_task=callback))
    store.wrapups.end_wrapup(uniqueid, agent, started + seconds, "finished")


def counters_on(store: Store, changes: FloorChanges, now: float = NOW) -> AgentDayCounters:
    async def db(work: Callable[[Store], Any]) -> Any:
        return work(store)
    counters = AgentDayCounters(db, lambda: now, People(), changes)
    asyncio.run(counters.load())
    return counters


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'desk.sqlite3'}")


def test_the_day_so_far_is_read_from_the_store(store: Store) -> None:
    answered_call(store, "1.1", "1001", TODAY + 100, 5, 60)
    answered_call(store, "1.2", "1001", TODAY + 300, 40, 120)
    answered_call(store, "1.3", "1001", TODAY + 600, 2, None)  # still talking: answered, not completed
    answered_call(store, "0.9", "1001", TODAY - 600, 2, 30)  # yesterday
    wrapup(store, "1.1", "1001", TODAY + 160, 20)
    wrapup(store, "1.2", "1001", TODAY + 420, 40)
    wrapup(store, "cb", "1001", TODAY + 500, 300, callback="task-1")  # a callback's: not a queue call
    store.missed.add_missed_offer("1001", "support", "1.0", TODAY + 50)
    store.missed.add_missed_offer("1002", "support", "1.0", TODAY + 51)
    changes = FloorChanges()
    counters = counters_on(store, changes)
    day = counters.of("1001")
    assert (day.answered, day.completed, day.missed) == (3, 2, 1)
    assert day.handle_seconds == pytest.approx((60 + 120 + 20 + 40) / 2)
    assert counters.of("1002").missed == 1 and counters.of("1002").handle_seconds is None
    assert {"1001", "1002"} <= changes.take().agents


def test_events_and_wrap_up_ends_keep_it_up(store: Store) -> None:
    changes = FloorChanges()
    counters = counters_on(store, changes)
    counters.handle(event("AgentConnect", Uniqueid="2.1", HoldTime="3"))
    counters.handle(event("AgentRingNoAnswer", "1002", Uniqueid="2.1", RingTime="15"))
    counters.handle(event("AgentComplete", Uniqueid="2.1", TalkTime="90"))
    assert changes.take().agents == {"1001", "1002"}
    day = counters.of("1001")
    assert (day.answered, day.completed, day.handle_seconds) == (1, 1, 90)
    assert counters.of("1002").missed == 1
    view = {"agent": "1001", "uniqueid": "2.1", "state": WRAPUP_ACTIVE, "started_at": NOW, "now": NOW}
    counters.wrapup_changed(view, "1001")
    assert counters.of("1001").handle_seconds == 90  # not over yet
    ended = {**view, "state": WRAPUP_ENDED, "now": NOW + 30}
    counters.wrapup_changed(ended, "1001")
    counters.wrapup_changed(ended, "1001")  # sent again (a save after the end): counted once
    assert counters.of("1001").handle_seconds == 120 and "1001" in changes.take().agents


def test_callback_placeholders_and_strangers_do_not_count(store: Store) -> None:
    counters = counters_on(store, FloorChanges())
    placeholder = AmiMessage((("Event", "AgentConnect"), ("Queue", "support"), ("MemberName", "1001"),
                              ("Channel", "Local/cb-1@callback-line-00000001;1")))
    counters.handle(placeholder)
    counters.handle(event("AgentConnect", "9999"))
    assert counters.of("1001").answered == 0 and counters.of("9999").answered == 0


def test_after_midnight_the_day_starts_again(store: Store) -> None:
    answered_call(store, "1.1", "1001", TODAY + 100, 5, 60)
    now = [NOW]

    async def db(work: Callable[[Store], Any]) -> Any:
        return work(store)
    counters = AgentDayCounters(db, lambda: now[0], People(), FloorChanges())
    asyncio.run(counters.load())
    assert counters.of("1001").answered == 1
    now[0] = TODAY + 86400 + 5  # an event comes before the midnight reload
    counters.handle(event("AgentConnect", Uniqueid="3.1"))
    assert counters.of("1001").answered == 1 and counters.of("1001").completed == 0
    asyncio.run(counters.load())
    assert counters.of("1001").answered == 0


def test_a_queues_day_sums_the_waits_of_its_answered_calls(store: Store) -> None:
    answered_call(store, "1.1", "1001", TODAY + 100, 5, 60)
    answered_call(store, "1.2", "1002", TODAY + 300, 40, 120)
    stats = store.calls.day_stats("support", TODAY, TODAY + 86400, 30)
    assert (stats.answered, stats.answered_within_sl, stats.answered_hold_seconds) == (2, 1, 45)


def test_callbacks_due_now_are_counted_by_queue(store: Store) -> None:
    add(store, task("a00000000001", due_at=NOW - 10), task("a00000000002", due_at=NOW + 600),
        task("a00000000003", due_at=NOW - 5, queue="sales"), task("a00000000004", due_at=NOW - 5, state="claimed"))
    assert store.callbacks.due_counts(NOW) == {"support": 1, "sales": 1}
