"""The audit log and the pauses asked for at the end of a call, in the
store, on both engines with the same test bodies (a SQLite file and a real
PostgreSQL server, conftest.py); a penalty kept with the membership."""

from __future__ import annotations

from collections.abc import Callable

from agentdesk.contract.leads import AUDIT_PAUSE, AUDIT_PENALTY, AUDIT_SUPERVISE_START, AuditEntry
from agentdesk.server.store import Store
from agentdesk.server.store.audit_sql import PendingPause

T0 = 1_763_800_000.125
DAY = 86400.0


def entry(id_: str, at: float, lead: str = "1901", action: str = AUDIT_PAUSE, agent: str = "1001",
          **more: object) -> AuditEntry:
    return AuditEntry(id_, at, lead, action, agent, **more)  # type: ignore[arg-type]


def test_entries_are_read_back_by_period_and_filters_after_a_reopen(store: Store,
                                                                    reopen: Callable[[], Store]) -> None:
    first = entry("a1", T0 + 1, detail={"reason": "Meeting", "note": "team huddle — ساعت ۳"})
    store.audit.add_entry(first)
    store.audit.add_entry(entry("a2", T0 + 2, action=AUDIT_SUPERVISE_START, session="s-1", call="1763.5",
                                detail={"mode": "listen"}))
    store.audit.add_entry(entry("a3", T0 + 3, lead="1902", agent="1002", action=AUDIT_PENALTY, queue="sales",
                                result="the PBX refused the penalty"))
    store.audit.add_entry(entry("a4", T0 + DAY, agent="1001"))
    store.close()

    store = reopen()

    day = store.audit.entries(T0, T0 + DAY)
    assert [e.id for e in day] == ["a1", "a2", "a3"]
    assert day[0] == first  # the JSON detail, Persian text included, as it was written
    assert day[2].result == "the PBX refused the penalty" and day[2].queue == "sales"
    assert [e.id for e in store.audit.entries(T0, T0 + 2 * DAY, agent="1001")] == ["a1", "a2", "a4"]
    assert [e.id for e in store.audit.entries(T0, T0 + DAY, lead="1902")] == ["a3"]
    assert [e.id for e in store.audit.entries(T0, T0 + DAY, session="s-1")] == ["a2"]
    assert [e.id for e in store.audit.entries(T0, T0 + 2 * DAY, limit=2)] == ["a1", "a2"]


def test_a_pending_pause_is_replaced_kept_and_removed(store: Store, reopen: Callable[[], Store]) -> None:
    store.audit.set_pending_pause(PendingPause("1001", "Lunch", "", "1901", T0))
    store.audit.set_pending_pause(PendingPause("1001", "Meeting", "1:1", "1902", T0 + 5))
    store.audit.set_pending_pause(PendingPause("1002", "Training", "", "1901", T0 + 6))
    store.close()

    store = reopen()

    assert store.audit.pending_pauses() == {"1001": PendingPause("1001", "Meeting", "1:1", "1902", T0 + 5),
                                            "1002": PendingPause("1002", "Training", "", "1901", T0 + 6)}
    assert store.audit.remove_pending_pause("1001")
    assert not store.audit.remove_pending_pause("1001")
    assert list(store.audit.pending_pauses()) == ["1002"]


def test_a_penalty_stays_with_the_membership_until_the_agent_leaves_the_queue(store: Store) -> None:
    assert not store.agents.set_penalty("1001", "sales", 3)  # not a member
    store.agents.add_membership("1001", "sales", "PJSIP/1001", T0)
    assert store.agents.set_penalty("1001", "sales", 3)
    store.agents.add_membership("1001", "sales", "PJSIP/1001-desk", T0 + 5)  # seated elsewhere: still 3
    assert [(m.phone, m.penalty) for m in store.agents.memberships("1001")] == [("PJSIP/1001-desk", 3)]
    store.agents.remove_membership("1001", "sales")
    store.agents.add_membership("1001", "sales", "PJSIP/1001", T0 + 9)
    assert store.agents.memberships("1001")[0].penalty == 0
