"""Missed queue offers in the store, on both engines with the same test
bodies (a SQLite file and a real PostgreSQL server, conftest.py): every
offer an agent did not answer is kept, and a day's count per agent is read
back over [start, end)."""

from __future__ import annotations

from collections.abc import Callable

from agentdesk.server.store import Store

T0 = 1_763_800_000.125
DAY = 86400.0
INJECTION = "'; DROP TABLE missed_offers; --"


def test_each_missed_offer_counts_for_its_agent_and_day(store: Store, reopen: Callable[[], Store]) -> None:
    for offered in (T0, T0 + 20, T0 + 40):  # one caller re-offered three times
        store.missed.add_missed_offer("1001", "support", "1763800000.1", offered)
    store.missed.add_missed_offer("1001", "sales", "1763800000.2", T0 + 60)
    store.missed.add_missed_offer("1002", "support", "1763800000.1", T0 + 80)
    store.missed.add_missed_offer("1001", "support", "1763900000.3", T0 + DAY)  # the next day
    store.close()

    store = reopen()

    assert store.missed.missed_offer_counts(T0, T0 + DAY) == {"1001": 4, "1002": 1}
    assert store.missed.missed_offer_counts(T0, T0 + DAY, "1002") == {"1002": 1}
    assert store.missed.missed_offer_counts(T0, T0 + DAY, "1003") == {}
    assert store.missed.missed_offer_counts(T0 + DAY, T0 + 2 * DAY) == {"1001": 1}
    assert store.missed.missed_offer_counts(T0 + 20, T0 + 40) == {"1001": 1}  # end excluded


def test_names_are_data_not_sql(store: Store) -> None:
    store.missed.add_missed_offer(INJECTION, "support", INJECTION, T0)

    assert store.missed.missed_offer_counts(T0, T0 + 1, INJECTION) == {INJECTION: 1}
    assert store.missed.missed_offer_counts(T0, T0 + 1) == {INJECTION: 1}
