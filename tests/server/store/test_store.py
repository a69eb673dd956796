"""The desk service's store, on both engines with the same test bodies: a
SQLite file and a real PostgreSQL server (tests/helpers/postgres.py).

"Restart" below means closing the store and opening the same URL again, as
the service does when it is restarted."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from agentdesk.server.store import (
    CallEntry,
    DayStats,
    Membership,
    PauseState,
    Store,
    StoreError,
    TokenRecord,
    TransferRecord,
    open_store,
)
from tests.helpers.postgres import (
    PASSWORD,
    PostgresCluster,
    PostgresMissingError,
    server_bin,
)

T0 = 1_763_800_000.125  # epoch seconds with a fraction PostgreSQL's REAL would lose
INJECTIONS = ["'; DROP TABLE queue_calls; --", "1' OR '1'='1", "%s %(x)s ? $1", 'Robert"); --']


def entry(uniqueid: str, number: str = "+493012345", queue: str = "support", **fields: object) -> CallEntry:
    values: dict[str, object] = {
        "uniqueid": uniqueid,
        "linkedid": uniqueid,
        "queue": queue,
        "number": number,
        "name": "Ann Caller",
        "joined_at": T0,
        "position": 1,
        "vip": False,
    }
    values.update(fields)
    return CallEntry(**values)  # type: ignore[arg-type]


def restart(store: Store, reopen: Callable[[], Store]) -> Store:
    store.close()
    return reopen()


def test_queue_call_lifecycle_survives_a_restart(store: Store, reopen: Callable[[], Store]) -> None:
    store.calls.add_call(entry("1.1", vip=True, position=3))
    store.calls.connect_call("1.1", "1001", T0 + 12.5, 12)
    store.calls.end_call("1.1", "completed", T0 + 100.0, 87)

    call = restart(store, reopen).calls.get_call("1.1")

    assert call is not None
    assert (call.queue, call.number, call.name) == ("support", "+493012345", "Ann Caller")
    assert (call.position, call.vip) == (3, True)
    assert call.joined_at == T0
    assert (call.agent, call.connected_at, call.hold_seconds) == ("1001", T0 + 12.5, 12)
    assert (call.ended_at, call.talk_seconds, call.outcome) == (T0 + 100.0, 87, "completed")


def test_a_waiting_call_is_waiting_then_answered(store: Store) -> None:
    store.calls.add_call(entry("1.1"))
    waiting = store.calls.get_call("1.1")
    assert waiting is not None
    assert (waiting.outcome, waiting.agent, waiting.connected_at, waiting.ended_at) == ("waiting", "", None, None)

    store.calls.connect_call("1.1", "1001", T0 + 5, 5)

    answered = store.calls.get_call("1.1")
    assert answered is not None
    assert (answered.outcome, answered.agent, answered.ended_at) == ("answered", "1001", None)


def test_a_replayed_join_neither_duplicates_nor_overwrites(store: Store) -> None:
    store.calls.add_call(entry("1.1", name="First", position=1))
    store.calls.connect_call("1.1", "1001", T0 + 3, 3)

    store.calls.add_call(entry("1.1", name="Replayed", position=7, joined_at=T0 + 50))

    calls = store.calls.calls_of_number("+493012345")
    assert len(calls) == 1
    assert (calls[0].name, calls[0].position, calls[0].joined_at, calls[0].outcome) == ("First", 1, T0, "answered")


def test_ending_twice_keeps_the_first_outcome(store: Store) -> None:
    store.calls.add_call(entry("1.1"))
    store.calls.end_call("1.1", "abandoned", T0 + 30, None)

    store.calls.end_call("1.1", "completed", T0 + 90, 60)
    store.calls.connect_call("1.1", "1001", T0 + 95, 95)

    call = store.calls.get_call("1.1")
    assert call is not None
    assert (call.outcome, call.ended_at, call.talk_seconds, call.agent) == ("abandoned", T0 + 30, None, "")


def test_unknown_calls_are_ignored(store: Store) -> None:
    store.calls.connect_call("9.9", "1001", T0, 1)
    store.calls.end_call("9.9", "completed", T0, 1)
    assert store.calls.get_call("9.9") is None


def test_history_is_newest_first_and_limited(store: Store) -> None:
    for index in range(7):
        store.calls.add_call(entry(f"1.{index}", joined_at=T0 + index * 60))
    store.calls.add_call(entry("2.0", number="+4940999", joined_at=T0 + 1000))

    newest = store.calls.calls_of_number("+493012345")
    earlier = store.calls.calls_of_number("+493012345", limit=2, before=T0 + 3 * 60)

    assert [call.uniqueid for call in newest] == ["1.6", "1.5", "1.4", "1.3", "1.2"]
    assert [call.uniqueid for call in earlier] == ["1.2", "1.1"]
    assert store.calls.calls_of_number("+4999") == []


def test_open_calls_are_those_not_ended(store: Store) -> None:
    store.calls.add_call(entry("1.2", joined_at=T0 + 2))
    store.calls.add_call(entry("1.1", joined_at=T0 + 1))
    store.calls.add_call(entry("1.3", joined_at=T0 + 3))
    store.calls.connect_call("1.3", "1001", T0 + 4, 1)
    store.calls.end_call("1.2", "completed", T0 + 9, 5)

    assert [call.uniqueid for call in store.calls.open_calls()] == ["1.1", "1.3"]


def test_last_agent_is_the_newest_connected_call_since(store: Store) -> None:
    store.calls.add_call(entry("1.1", joined_at=T0))
    store.calls.connect_call("1.1", "1001", T0 + 5, 5)
    store.calls.add_call(entry("1.2", joined_at=T0 + 100))
    store.calls.connect_call("1.2", "1002", T0 + 105, 5)
    store.calls.add_call(entry("1.3", joined_at=T0 + 200))
    store.calls.end_call("1.3", "abandoned", T0 + 230, None)

    assert store.calls.last_agent("+493012345", T0) == "1002"
    assert store.calls.last_agent("+493012345", T0 + 150) is None
    assert store.calls.last_agent("+4940999", T0) is None


def test_day_stats_count_offered_answered_abandoned_and_service_level(store: Store) -> None:
    start, end = T0, T0 + 86_400
    store.calls.add_call(entry("1.1", joined_at=start))  # answered within the service level
    store.calls.connect_call("1.1", "1001", start + 10, 10)
    store.calls.end_call("1.1", "completed", start + 100, 90)
    store.calls.add_call(entry("1.2", joined_at=start + 60))  # answered late, still talking
    store.calls.connect_call("1.2", "1002", start + 120, 60)
    store.calls.add_call(entry("1.3", joined_at=start + 70))  # abandoned
    store.calls.end_call("1.3", "abandoned", start + 95, None)
    store.calls.add_call(entry("1.4", joined_at=start + 80))  # timed out
    store.calls.end_call("1.4", "timeout", start + 380, None)
    store.calls.add_call(entry("1.5", joined_at=start + 90))  # still waiting: not offered yet
    store.calls.add_call(entry("1.6", joined_at=start - 1))  # yesterday
    store.calls.end_call("1.6", "abandoned", start + 5, None)
    store.calls.add_call(entry("1.7", joined_at=end))  # tomorrow
    store.calls.end_call("1.7", "abandoned", end + 5, None)
    store.calls.add_call(entry("1.8", queue="sales", joined_at=start + 10))  # another queue
    store.calls.end_call("1.8", "abandoned", start + 20, None)

    # answered_hold_seconds: the two answered callers' waits (10 + 60 s), the average speed of answer's sum
    expected = DayStats(offered=4, answered=2, abandoned=1, answered_within_sl=1, answered_hold_seconds=70)
    assert store.calls.day_stats("support", start, end, 20) == expected
    assert store.calls.day_stats("support", start, end, 60) == DayStats(4, 2, 1, 2, answered_hold_seconds=70)
    assert store.calls.day_stats("empty", start, end, 20) == DayStats(0, 0, 0, 0)


def test_answered_counts_by_queue_and_agent(store: Store) -> None:
    start, end = T0, T0 + 86_400
    for uniqueid, queue, agent, joined in [("1.1", "support", "1001", start), ("1.2", "support", "1001", start + 5),
                                           ("1.3", "sales", "1001", start + 6), ("1.4", "support", "1002", end - 1),
                                           ("1.5", "support", "1002", end), ("1.6", "support", "1002", start - 1)]:
        store.calls.add_call(entry(uniqueid, queue=queue, joined_at=joined))
        store.calls.connect_call(uniqueid, agent, joined + 3, 3)
    store.calls.add_call(entry("1.7", joined_at=start + 7))  # abandoned: not answered
    store.calls.end_call("1.7", "abandoned", start + 9, None)

    assert store.calls.answered_counts(start, end) == {
        ("support", "1001"): 2, ("sales", "1001"): 1, ("support", "1002"): 1}
    assert store.calls.answered_counts(end + 1, end + 2) == {}


def transfer(transfer_id: str, at: float = T0, **fields: str) -> TransferRecord:
    values = {"kind": "blind", "agent": "1001", "phone": "1001", "call": "1.1@sales", "uniqueid": "1.1",
              "queue": "sales", "target": "1003", "result": "accepted", **fields}
    return TransferRecord(transfer_id, at, **values)


def test_transfers_of_a_period_survive_a_restart(store: Store, reopen: Callable[[], Store]) -> None:
    start, end = T0, T0 + 86_400
    store.calls.add_transfer(transfer("b", start + 20, kind="attended", agent="1002", phone="1020"))
    store.calls.add_transfer(transfer("a", start + 10))
    store.calls.add_transfer(transfer("c", start - 1))  # yesterday
    store.calls.add_transfer(transfer("d", end, kind="conference"))  # tomorrow
    store.calls.add_transfer(transfer("a", start + 30, target="9999"))  # a replay: neither duplicated nor overwritten

    store = restart(store, reopen)

    assert [t.transfer_id for t in store.calls.transfers(start, end)] == ["a", "b"]
    assert store.calls.transfers(start, end)[0] == transfer("a", start + 10)
    assert store.calls.transfers(start, end, "1002") == [transfer("b", start + 20, kind="attended", agent="1002",
                                                            phone="1020")]
    assert store.calls.transfers(start, end, "1003") == []


def test_a_returned_transfer_changes_the_newest_accepted_blind_one(store: Store) -> None:
    store.calls.add_transfer(transfer("old", T0))
    store.calls.add_transfer(transfer("new", T0 + 60))
    store.calls.add_transfer(transfer("attended", T0 + 90, kind="attended"))
    store.calls.add_transfer(transfer("elsewhere", T0 + 95, target="1004"))

    assert store.calls.return_transfer("1.1", "1003", "returned:BUSY")
    assert store.calls.return_transfer("1.1", "1003", "returned:NOANSWER")  # the older one came back too
    assert not store.calls.return_transfer("1.1", "1003", "returned:BUSY")  # nothing accepted is left
    assert not store.calls.return_transfer("9.9", "1003", "returned:BUSY")

    results = {t.transfer_id: t.result for t in store.calls.transfers(T0, T0 + 100)}
    assert results == {"old": "returned:NOANSWER", "new": "returned:BUSY", "attended": "accepted",
                       "elsewhere": "accepted"}


def test_memberships_and_pause_survive_a_restart(store: Store, reopen: Callable[[], Store]) -> None:
    store.agents.add_membership("1001", "support", "PJSIP/1001", T0)
    store.agents.add_membership("1001", "sales", "PJSIP/1001", T0)
    store.agents.add_membership("1002", "support", "PJSIP/1002", T0)
    store.agents.add_membership("1001", "support", "PJSIP/1001-desk", T0 + 5)  # same queue: replaced
    store.agents.remove_membership("1002", "support")
    store.agents.remove_membership("1002", "never-joined")
    store.agents.set_pause("1001", True, "Lunch", T0 + 10)
    store.agents.set_pause("1002", True, "Break", T0 + 11)
    store.agents.set_pause("1002", False, "", T0 + 12)

    store = restart(store, reopen)

    assert store.agents.memberships() == [
        Membership("1001", "sales", "PJSIP/1001", T0),
        Membership("1001", "support", "PJSIP/1001-desk", T0 + 5),
    ]
    assert store.agents.memberships("1002") == []
    assert store.agents.pause_states() == {
        "1001": PauseState("1001", True, "Lunch", T0 + 10),
        "1002": PauseState("1002", False, "", T0 + 12),
    }


def test_vip_list(store: Store, reopen: Callable[[], Store]) -> None:
    store.calls.set_vip("+493011111", "Key account")
    store.calls.set_vip("+493022222", "Board")
    store.calls.set_vip("+493011111", "Key account, Berlin")
    store.calls.remove_vip("+493022222")
    store.calls.remove_vip("+490000000")

    store = restart(store, reopen)

    assert store.calls.vip_numbers() == {"+493011111": "Key account, Berlin"}
    assert store.calls.is_vip("+493011111")
    assert not store.calls.is_vip("+493022222")


def test_tokens_are_kept_until_deleted_or_purged(store: Store, reopen: Callable[[], Store]) -> None:
    for index, expires in enumerate([T0 - 10, T0, T0 + 3600]):
        store.agents.save_token(TokenRecord(f"hash-{index}", f"100{index}", "agent", expires))
    store.agents.save_token(TokenRecord("hash-3", "sup", "supervisor", T0 + 7200))
    store.agents.delete_token("hash-3")
    store.agents.delete_token("unknown")

    store = restart(store, reopen)

    assert store.agents.get_token("hash-0") == TokenRecord("hash-0", "1000", "agent", T0 - 10)
    assert store.agents.get_token("hash-3") is None
    assert store.agents.purge_tokens(T0) == 2
    assert store.agents.purge_tokens(T0) == 0
    assert [store.agents.get_token(f"hash-{index}") is not None for index in range(3)] == [False, False, True]


def test_injection_looking_values_are_stored_verbatim(store: Store) -> None:
    for index, number in enumerate(INJECTIONS):
        store.calls.add_call(entry(f"1.{index}", number=number, name=number, queue=number))
        store.calls.set_vip(number, number)
        store.agents.add_membership(number, number, number, T0)
        made = transfer(number, T0 + index, agent=number, call=number, uniqueid=number, target=number)
        store.calls.add_transfer(made)
        assert store.calls.return_transfer(number, number, number)

    for index, number in enumerate(INJECTIONS):
        [call] = store.calls.calls_of_number(number)
        assert (call.uniqueid, call.number, call.name, call.queue) == (f"1.{index}", number, number, number)
        assert store.calls.day_stats(number, T0, T0 + 1, 20) == DayStats(0, 0, 0, 0)
    assert store.calls.vip_numbers() == {number: number for number in INJECTIONS}
    assert len(store.agents.memberships()) == len(INJECTIONS)
    assert store.calls.is_vip(INJECTIONS[0]) and not store.calls.is_vip("' OR 1=1 --")
    assert [(t.transfer_id, t.agent, t.result) for t in store.calls.transfers(T0, T0 + 60)] == [
        (number, number, number) for number in INJECTIONS
    ]


def test_a_write_is_committed_when_the_method_returns(store: Store, reopen: Callable[[], Store]) -> None:
    other = reopen()  # a second connection, as a second service process would have

    store.calls.add_call(entry("1.1"))
    store.calls.set_vip("+493011111", "Key account")

    assert other.calls.get_call("1.1") is not None
    assert other.calls.is_vip("+493011111")


def test_a_store_made_on_one_thread_serves_another(store: Store) -> None:
    def work() -> list[str]:
        store.calls.add_call(entry("1.1"))
        store.calls.end_call("1.1", "completed", T0 + 9, 5)
        return [call.outcome for call in store.calls.calls_of_number("+493012345")]

    with ThreadPoolExecutor(max_workers=1) as worker:
        assert worker.submit(work).result(timeout=30) == ["completed"]


def test_reopening_does_not_migrate_again(store: Store, reopen: Callable[[], Store]) -> None:
    store.calls.add_call(entry("1.1"))
    store = restart(restart(store, reopen), reopen)
    assert store.calls.get_call("1.1") is not None


def test_a_database_of_version_1_gains_the_transfers_and_keeps_its_calls(
    store: Store, reopen: Callable[[], Store]
) -> None:
    store.calls.add_call(entry("1.1"))
    # Back to how version 1 left it (test only: no public way to do this).
    for statement in ("DROP TABLE transfers", "DROP TABLE callback_events", "DROP TABLE callback_tasks",
                      "DROP TABLE callback_blocks", "ALTER TABLE memberships DROP COLUMN penalty",
                      "DELETE FROM schema_version WHERE version > 1"):
        store.db.engine.run(statement)

    store = restart(store, reopen)

    assert store.calls.get_call("1.1") is not None
    store.calls.add_transfer(transfer("a"))
    assert store.calls.transfers(T0, T0 + 1) == [transfer("a")]


def test_a_database_from_a_newer_agentdesk_is_refused(store: Store, store_url: str) -> None:
    # No public way to write a schema version: reach the engine (test only).
    store.db.engine.run("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (99, T0))
    store.close()

    with pytest.raises(StoreError, match=r"schema version 99, newer than this AgentDesk knows"):
        open_store(store_url)


def test_a_closed_store_says_so(store: Store) -> None:
    store.close()
    store.close()
    with pytest.raises(StoreError, match="is closed"):
        store.calls.is_vip("+493011111")


# -- engine-specific: URLs and failures


def test_sqlite_in_memory_and_four_slash_urls(tmp_path: Path) -> None:
    with open_store("sqlite:///:memory:") as memory:
        memory.calls.set_vip("+4930", "x")
        assert memory.calls.is_vip("+4930")
    with open_store(f"sqlite:///{tmp_path}/desk.sqlite3") as four_slashes:
        four_slashes.calls.set_vip("+4930", "x")
    with open_store(f"sqlite://{tmp_path}/desk.sqlite3") as three_slashes:
        assert three_slashes.calls.is_vip("+4930")


def test_sqlite_is_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    with open_store(f"sqlite://{tmp_path}/desk.sqlite3") as store:
        engine = store.db.engine
        assert engine.run("PRAGMA journal_mode").rows == [("wal",)]
        assert engine.run("PRAGMA synchronous").rows == [(2,)]  # FULL


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://desk:hunter2@db/agentdesk", r"unsupported database URL 'mysql://desk:\*\*\*@db/agentdesk'"),
        ("sqlite:desk.sqlite3", "sqlite:///absolute/path.sqlite3"),
        ("sqlite://", "sqlite:///absolute/path.sqlite3"),
        ("", "unsupported database URL"),
        # libpq quotes the bad part of a URL: here the password itself.
        ("postgresql://desk:hunter2%zz@127.0.0.1:1/db", r"invalid percent-encoded token: \"\*\*\*\""),
        ("postgres://desk:hunter2@127.0.0.1:notaport/db", 'invalid integer value "notaport"'),
        # libpq's keyword/value form is not a URL this service takes; its password is not repeated.
        ("host=db.example.com user=desk password=hunter2 dbname=desk",
         r"unsupported database URL 'host=db\.example\.com user=desk password=\*\*\* dbname=desk'"),
        ("host=db password='hunter2 x' dbname=desk", r"password=\*\*\* dbname=desk"),
        ("sqlite:desk.sqlite3?password=hunter2", r"not 'sqlite:desk\.sqlite3\?password=\*\*\*'"),
    ],
)
def test_a_bad_url_is_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as raised:
        open_store(url)
    assert "hunter2" not in str(raised.value)


def test_a_sqlite_file_that_cannot_be_opened(tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("these are not the tables you are looking for\n" * 100)

    with pytest.raises(StoreError, match=r"opening the SQLite database .*/missing/desk\.sqlite3 failed"):
        open_store(f"sqlite://{tmp_path}/missing/desk.sqlite3")
    with pytest.raises(StoreError, match=r"SQLite database .*notes\.txt failed: file is not a database"):
        open_store(f"sqlite://{not_a_database}")


def test_unreachable_postgresql_is_a_clear_error(postgres: PostgresCluster) -> None:
    closed_port = postgres.port + 1
    url = f"postgresql://agentdesk:{PASSWORD}@127.0.0.1:{closed_port}/agentdesk"

    where = rf"connecting to the PostgreSQL database .*127\.0\.0\.1:{closed_port}"
    with pytest.raises(StoreError, match=where) as raised:
        open_store(url)

    assert PASSWORD not in str(raised.value)
    assert "refused" in str(raised.value).lower()


def test_a_wrong_postgresql_password_is_never_echoed(postgres: PostgresCluster) -> None:
    wrong = "Wrong-Pw-8x%21"
    with pytest.raises(StoreError, match="password authentication failed") as raised:
        open_store(postgres.tcp_url("agentdesk", password=wrong))
    message = str(raised.value)
    assert "Wrong-Pw" not in message
    assert "agentdesk:***@127.0.0.1" in message


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgresql_through_the_unix_socket(postgres: PostgresCluster, postgres_url: str, scheme: str) -> None:
    database = postgres_url.rpartition("/")[2]
    with open_store(postgres_url) as by_tcp:
        by_tcp.calls.set_vip("+4930", "via TCP")
    socket_url = postgres.socket_url(database).replace("postgresql://", f"{scheme}://", 1)
    with open_store(socket_url) as by_socket:
        assert by_socket.calls.vip_numbers() == {"+4930": "via TCP"}


def test_a_lost_postgresql_connection_fails_one_call_then_reconnects(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        store.calls.set_vip("+4930", "before")
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )

        with pytest.raises(StoreError, match="PostgreSQL database"):
            store.calls.set_vip("+4940", "lost")
        store.calls.set_vip("+4950", "after")

        assert store.calls.vip_numbers() == {"+4930": "before", "+4950": "after"}


def test_records_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry("1.1").number = "+4930"  # type: ignore[misc]


def test_missing_postgresql_names_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(PostgresMissingError, match="install the Debian package 'postgresql'"):
        server_bin(tmp_path)


def test_a_failed_upgrade_leaves_the_data_as_it_was_and_says_why(
    store: Store, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade whose second statement fails: the first one's table is
    not left behind, the rows and the version are as before, and the error
    names the step; the old AgentDesk then opens the store as if nothing
    had happened."""
    from agentdesk.server.store import schema

    store.calls.add_call(entry("1.1"))
    store.close()
    broken = (*schema.MIGRATIONS, ("CREATE TABLE upgrade_probe (id INTEGER)",
                                   "ALTER TABLE no_such_table ADD COLUMN x INTEGER"))
    monkeypatch.setattr(schema, "MIGRATIONS", broken)
    monkeypatch.setattr(schema, "LATEST", len(broken))
    with pytest.raises(StoreError) as raised:
        open_store(store_url)
    told = str(raised.value)
    assert f"failed at version {len(broken)}" in told and "nothing was changed" in told and "no_such_table" in told
    monkeypatch.undo()
    store = open_store(store_url)
    try:
        assert store.calls.get_call("1.1") is not None
        assert store.db.engine.run("SELECT MAX(version) FROM schema_version").rows == [(schema.LATEST,)]
        with pytest.raises(StoreError):
            store.db.engine.run("SELECT COUNT(*) FROM upgrade_probe")
    finally:
        store.close()
