"""Enrollments and provisioned settings in the store, on both engines
(conftest.py): an enrollment is redeemed once and only before it expires,
two redemptions at once from two connections let exactly one through, a
batch is stored whole or not at all, and a scope's settings (values and
locks, a lock without a value too) are replaced in one step."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from agentdesk.server.store import SITE, EnrollmentRecord, ScopeSettings, Store, StoreError

T0 = 1_763_800_000.0
HOUR = 3600.0


def enrollment(code_hash: str = "a" * 64, agent: str = "1001", expires_at: float = T0 + 24 * HOUR
               ) -> EnrollmentRecord:
    return EnrollmentRecord(code_hash, agent, "1901", T0, expires_at)


def test_an_enrollment_is_redeemed_once(store: Store, reopen: Callable[[], Store]) -> None:
    store.enrollments.add_enrollments([enrollment()])
    assert store.enrollments.enrollment("a" * 64) == enrollment()
    assert store.enrollments.redeem("a" * 64, T0 + HOUR, "10.0.0.5")
    assert not store.enrollments.redeem("a" * 64, T0 + 2 * HOUR, "10.0.0.6")
    store.close()

    found = reopen().enrollments.enrollment("a" * 64)
    assert found is not None and (found.used_at, found.used_from) == (T0 + HOUR, "10.0.0.5")


def test_an_expired_or_unknown_enrollment_is_not_redeemed(store: Store) -> None:
    store.enrollments.add_enrollments([enrollment(expires_at=T0 + HOUR)])
    assert not store.enrollments.redeem("a" * 64, T0 + HOUR, "10.0.0.5")  # expiry is exclusive
    assert not store.enrollments.redeem("b" * 64, T0, "10.0.0.5")
    assert store.enrollments.enrollment("b" * 64) is None
    found = store.enrollments.enrollment("a" * 64)
    assert found is not None and found.used_at is None and found.used_from == ""


def test_two_redemptions_at_once_let_exactly_one_through(reopen: Callable[[], Store]) -> None:
    first, second = reopen(), reopen()  # two connections, as two services (or a service and pbx/run) have
    first.enrollments.add_enrollments([enrollment()])
    start = threading.Barrier(2)
    won: list[bool] = []

    def redeem(store: Store, client: str) -> None:
        start.wait()
        won.append(store.enrollments.redeem("a" * 64, T0 + HOUR, client))

    threads = [threading.Thread(target=redeem, args=(s, c)) for s, c in ((first, "10.0.0.5"), (second, "10.0.0.6"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(won) == [False, True]


def test_a_batch_is_stored_whole_or_not_at_all(store: Store) -> None:
    store.enrollments.add_enrollments([enrollment("c" * 64, "1003")])
    with pytest.raises(StoreError):  # its second code is taken: nothing of it is kept
        store.enrollments.add_enrollments([enrollment("a" * 64, "1001"), enrollment("c" * 64, "1002")])
    assert store.enrollments.enrollment("a" * 64) is None
    assert [e.agent for e in store.enrollments.enrollments_since(T0)] == ["1003"]


def test_old_enrollments_are_purged(store: Store) -> None:
    store.enrollments.add_enrollments([enrollment("a" * 64, expires_at=T0 + HOUR),
                                       enrollment("b" * 64, expires_at=T0 + 100 * HOUR)])
    assert store.enrollments.purge_enrollments(T0 + 2 * HOUR) == 1
    assert [e.code_hash for e in store.enrollments.enrollments_since(0)] == ["b" * 64]


def test_a_scopes_settings_are_replaced_whole(store: Store, reopen: Callable[[], Store]) -> None:
    site = ScopeSettings({"auto_answer": True, "register_seconds": 120, "language": "fa"},
                         frozenset({"auto_answer", "tone_zone"}))  # tone_zone: locked at the desktop's own
    store.provisioned.replace_scope(SITE, site)
    store.provisioned.replace_scope("1001", ScopeSettings({"language": "en"}, frozenset({"language"})))
    store.close()

    store = reopen()
    assert store.provisioned.scope_settings(SITE) == site
    assert store.provisioned.scope_settings("1001") == ScopeSettings({"language": "en"}, frozenset({"language"}))
    assert store.provisioned.scope_settings("1002") == ScopeSettings()
    store.provisioned.replace_scope(SITE, ScopeSettings({"crm_timeout_ms": 1500}))
    assert store.provisioned.scope_settings(SITE) == ScopeSettings({"crm_timeout_ms": 1500})
    assert store.provisioned.scope_settings("1001").settings == {"language": "en"}  # other scopes stay
