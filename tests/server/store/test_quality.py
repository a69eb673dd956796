"""Call quality in the store, on both engines with the same test bodies (a
SQLite file and a real PostgreSQL server, conftest.py): one row per agent
and call leg, replaced by a resent copy, read back by day; and who the
store saw take a queue call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from agentdesk.contract.quality import CallQuality
from agentdesk.server.store import CallEntry, Store
from agentdesk.server.store.after_call_records import WrapUp
from agentdesk.server.store.quality_sql import StoredQuality

T0 = 1_763_800_000.125
DAY = 86400.0
QUALITY = CallQuality("1763800000.1", T0, T0 + 95.5, "fair", "packet loss 6 %", 3.71, 3.92, 4.8, None, 3.5, 12.0,
                      21.4, "PCMU", "udp", "no", 47)


def stored(agent: str = "1001", call_id: str = "leg-1@pbx", **changes: object) -> StoredQuality:
    return StoredQuality(agent, call_id, T0 + 100, replace(QUALITY, **changes))  # type: ignore[arg-type]


def test_a_calls_quality_is_kept_and_read_back_by_day(store: Store, reopen: Callable[[], Store]) -> None:
    assert store.quality.save_quality(stored())
    assert store.quality.save_quality(stored(call_id="leg-2@pbx", queue_call="", started_at=T0 + 50,
                                             ended_at=T0 + 60, remote_loss_pct=1.5, rtt_avg_ms=None))
    assert store.quality.save_quality(stored("1002", "leg-3@pbx"))
    assert store.quality.save_quality(stored(call_id="leg-4@pbx", started_at=T0 + DAY, ended_at=T0 + DAY + 1))
    store.close()

    store = reopen()

    day = store.quality.qualities_of_agent("1001", T0, T0 + DAY)
    assert [q.call_id for q in day] == ["leg-1@pbx", "leg-2@pbx"]
    assert day[0] == stored()  # every figure, None and float alike, as it was written
    assert (day[1].quality.remote_loss_pct, day[1].quality.rtt_avg_ms) == (1.5, None)
    assert store.quality.quality_of("1002", "leg-3@pbx") == stored("1002", "leg-3@pbx")
    assert store.quality.quality_of("1002", "leg-1@pbx") is None  # another agent's leg


def test_a_resent_record_replaces_the_first(store: Store) -> None:
    assert store.quality.save_quality(stored())
    assert not store.quality.save_quality(stored(level="poor", mos_min=3.1))
    assert store.quality.qualities_of_agent("1001", T0, T0 + DAY) == [stored(level="poor", mos_min=3.1)]


def test_who_took_a_queue_call(store: Store) -> None:
    assert store.quality.agents_of_queue_call("1763800000.1") is None  # unknown to the store
    store.calls.add_call(CallEntry("1763800000.1", "1763800000.1", "support", "09121110001", "Ann", T0, 1, False))
    assert store.quality.agents_of_queue_call("1763800000.1") == set()  # waiting: nobody yet
    store.calls.connect_call("1763800000.1", "1001", T0 + 5, 5)
    store.wrapups.start_wrapup(WrapUp("1763800000.1", "1003", "1763800000.1", "support", "09121110001", T0 + 90,
                                      T0 + 120, "active"))
    assert store.quality.agents_of_queue_call("1763800000.1") == {"1001", "1003"}
