"""The store's wrap-ups, on both engines with the same test bodies:
a SQLite file and a real PostgreSQL server (tests/helpers/postgres.py), as
in test_callbacks.py. Starting, ending and saving are conditional:
never two active wrap-ups for an agent, never a record overwritten."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from agentdesk.contract.states import WRAPUP_ACTIVE, WRAPUP_ENDED
from agentdesk.server.store import CallEntry, Store
from agentdesk.server.store.after_call_records import AfterCallWork, WrapUp, WrapUpRecord
from agentdesk.server.store.wrapup_sql import RECORD_ONLY

T0 = 1_763_800_000.125
INJECTION = "'; DROP TABLE wrapups; --"


def wrapup(uniqueid: str = "1763800000.1", agent: str = "1001", at: float = T0, **fields: object) -> WrapUp:
    values: dict[str, object] = {
        "uniqueid": uniqueid, "agent": agent, "linkedid": uniqueid, "queue": "support", "number": "09121110001",
        "started_at": at, "deadline_at": at + 30, "state": WRAPUP_ACTIVE,
    }
    values.update(fields)
    return WrapUp(**values)  # type: ignore[arg-type]


def record(disposition: str = "Resolved", at: float = T0 + 10, **fields: object) -> WrapUpRecord:
    values: dict[str, object] = {"disposition": disposition, "notes": "Reset the router",
                                 "first_contact_resolved": True, "follow_up_at": None, "saved_at": at}
    values.update(fields)
    return WrapUpRecord(**values)  # type: ignore[arg-type]


def unseen(uniqueid: str, agent: str = "1001") -> WrapUp:
    return wrapup(uniqueid, agent, deadline_at=T0, state=WRAPUP_ENDED, ended_at=T0, end_reason=RECORD_ONLY)


def test_an_active_wrapup_survives_a_restart(store: Store, reopen: Callable[[], Store]) -> None:
    started = wrapup()
    assert store.wrapups.start_wrapup(started) == (started, [])
    store.close()

    store = reopen()

    assert store.wrapups.active_wrapups() == [started]
    assert store.wrapups.get_wrapup(started.uniqueid, "1001") == started
    assert store.wrapups.get_wrapup(started.uniqueid, "1002") is None


def test_the_next_call_replaces_the_active_wrapup_in_one_step(store: Store) -> None:
    first, second = wrapup("1763800000.1"), wrapup("1763800100.2", at=T0 + 100)
    other_agent = wrapup("1763800000.3", agent="1002")
    store.wrapups.start_wrapup(first)
    store.wrapups.start_wrapup(other_agent)

    started, replaced = store.wrapups.start_wrapup(second)

    ended = dataclasses.replace(first, state=WRAPUP_ENDED, ended_at=T0 + 100, end_reason="replaced")
    assert started == second and replaced == [ended]
    assert store.wrapups.get_wrapup(first.uniqueid, "1001") == ended
    assert store.wrapups.active_wrapups() == [other_agent, second]


def test_a_call_wrapped_up_once_is_not_started_again(store: Store) -> None:
    first = wrapup()
    store.wrapups.start_wrapup(first)
    store.wrapups.end_wrapup(first.uniqueid, "1001", T0 + 5, "finished")

    assert store.wrapups.start_wrapup(wrapup(at=T0 + 9)) == (None, [])
    assert store.wrapups.active_wrapups() == []


def test_a_wrapup_ends_once(store: Store) -> None:
    store.wrapups.start_wrapup(wrapup())

    ended = store.wrapups.end_wrapup("1763800000.1", "1001", T0 + 30, "limit")
    again = store.wrapups.end_wrapup("1763800000.1", "1001", T0 + 31, "finished")

    assert ended == wrapup(state=WRAPUP_ENDED, ended_at=T0 + 30, end_reason="limit")
    assert again is None
    assert store.wrapups.end_wrapup("nope", "1001", T0, "limit") is None


def test_the_first_record_stays_and_a_repeat_changes_nothing(store: Store) -> None:
    store.wrapups.start_wrapup(wrapup())

    saved = record(follow_up_at=T0 + 3600)
    first, stored = store.wrapups.save_wrapup_record("1763800000.1", "1001", saved, unseen("x"))
    again, after = store.wrapups.save_wrapup_record("1763800000.1", "1001", record("Sale", at=T0 + 20), unseen("x"))

    expected = wrapup(disposition="Resolved", notes="Reset the router", first_contact_resolved=True,
                      follow_up_at=T0 + 3600, saved_at=T0 + 10)
    assert (first, stored) == (True, expected)
    assert (again, after) == (False, expected)
    assert store.wrapups.active_wrapups() == [expected]  # saving does not end it: the service decides


def test_a_record_for_a_call_the_service_never_saw_is_stored_as_ended(store: Store) -> None:
    first, stored = store.wrapups.save_wrapup_record("1763800000.9", "1001", record(INJECTION), unseen("1763800000.9"))

    assert first and stored.state == WRAPUP_ENDED and stored.end_reason == RECORD_ONLY
    assert stored.disposition == INJECTION and stored.saved_at == T0 + 10
    assert store.wrapups.active_wrapups() == []


def test_a_record_saved_during_the_call_is_kept_when_the_wrapup_starts(store: Store) -> None:
    store.wrapups.save_wrapup_record("1763800000.9", "1001", record(), unseen("1763800000.9"))
    store.wrapups.set_wrapup_callback("1763800000.9", "1001", "aaaaaaaaaaa1")

    started, _ = store.wrapups.start_wrapup(wrapup("1763800000.9", at=T0 + 60))

    assert started == wrapup("1763800000.9", at=T0 + 60, disposition="Resolved", notes="Reset the router",
                             first_contact_resolved=True, callback_task="aaaaaaaaaaa1", saved_at=T0 + 10)
    assert store.wrapups.active_wrapups() == [started]
    assert store.wrapups.start_wrapup(wrapup("1763800000.9", at=T0 + 90)) == (None, [])


def test_the_follow_up_task_is_noted_once(store: Store) -> None:
    store.wrapups.save_wrapup_record("u1", "1001", record(follow_up_at=T0 + 3600), unseen("u1"))

    assert store.wrapups.set_wrapup_callback("u1", "1001", "aaaaaaaaaaa1") == "aaaaaaaaaaa1"
    assert store.wrapups.set_wrapup_callback("u1", "1001", "bbbbbbbbbbb2") == "aaaaaaaaaaa1"
    assert store.wrapups.set_wrapup_callback("unknown", "1001", "ccccccccccc3") == ""


def test_concurrent_saves_store_one_record(store: Store) -> None:
    store.wrapups.start_wrapup(wrapup())
    barrier = threading.Barrier(8)

    def save(n: int) -> bool:
        barrier.wait()
        return store.wrapups.save_wrapup_record("1763800000.1", "1001", record(f"code{n}"), unseen("x"))[0]

    with ThreadPoolExecutor(8) as pool:
        firsts = list(pool.map(save, range(8)))

    assert firsts.count(True) == 1
    saved = store.wrapups.get_wrapup("1763800000.1", "1001")
    assert saved is not None and saved.disposition == f"code{firsts.index(True)}"


def add_call(store: Store, key: str, agent: str, joined: float, number: str = "09121110001") -> None:
    store.calls.add_call(CallEntry(key, key.split("@")[0], "support", number, "Ann", joined, 1, False))
    store.calls.connect_call(key, agent, joined + 5, 5)
    store.calls.end_call(key, "completed", joined + 65, 60)


def add_survey(store_url: str, uniqueid: str, agent: str, score: int | None, resolved: int | None) -> None:
    """A survey row as survey_sql.py writes it (its own methods are another module's)."""
    from agentdesk.server.store.engines import open_engine

    engine = open_engine(store_url)
    try:
        engine.run("INSERT INTO surveys (uniqueid, linkedid, queue, agent, number, language, score, resolved,"
                   " status, started_at, finished_at) VALUES (?, ?, 'support', ?, '09121110001', 'en', ?, ?,"
                   " 'answered', ?, ?)", (uniqueid, uniqueid, agent, score, resolved, T0, T0 + 20))
    finally:
        engine.close()


def test_history_and_agent_calls_carry_the_wrapup_and_the_survey(store: Store, store_url: str) -> None:
    add_call(store, "1763800000.1", "1001", T0)
    add_call(store, "1763800000.1@sales", "1002", T0 + 100)  # the same caller moved on to sales
    add_call(store, "1763800200.5", "1001", T0 + 200)
    add_call(store, "1763800300.6", "1002", T0 + 300)
    store.wrapups.start_wrapup(wrapup("1763800000.1", at=T0 + 65))
    store.wrapups.save_wrapup_record("1763800000.1", "1001", record("Sale", notes="Upgrade"), unseen("x"))
    store.wrapups.end_wrapup("1763800000.1", "1001", T0 + 80, "finished")
    add_survey(store_url, "1763800000.1", "1002", 4, 1)  # rated the sales agent, the last one
    add_survey(store_url, "1763800200.5", "1001", None, None)

    calls = [c for c in (store.calls.get_call(k) for k in ("1763800000.1", "1763800000.1@sales", "1763800200.5",
                                                        "1763800300.6")) if c is not None]
    work = store.wrapups.after_call_work(calls)

    assert work == {
        "1763800000.1": AfterCallWork("Sale", "Upgrade", True, 15, ""),
        "1763800000.1@sales": AfterCallWork(survey_score=4, survey_resolved=True, survey_status="answered"),
        "1763800200.5": AfterCallWork(survey_status="answered"),
    }
    mine = store.wrapups.agent_calls("1001", T0, T0 + 86400)
    assert [(c.call.uniqueid, c.work.disposition) for c in mine] == [("1763800000.1", "Sale"), ("1763800200.5", "")]
    assert store.wrapups.agent_calls("1001", T0 + 1, T0 + 199) == []
