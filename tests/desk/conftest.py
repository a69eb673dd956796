"""Fixtures of the desk service's tests: a private PostgreSQL cluster (one per
session, started from Debian's package; missing binaries fail, never skip),
and a store on each engine (`store`, `reopen`, parametrised sqlite and
postgresql through `store_url`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agentdesk.desk.store import Store, open_store
from tests.helpers.postgres import PostgresCluster, PostgresMissingError


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """The running cluster: `.url` is its default database, `.new_database()`
    an empty one, `.socket_url(name)` the Unix-socket form."""
    try:
        cluster = PostgresCluster()
    except PostgresMissingError as error:
        pytest.fail(str(error))
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres: PostgresCluster) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return postgres.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database on each engine."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/desk.sqlite3"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()


@pytest.fixture
def reopen(store_url: str) -> Iterator[Callable[[], Store]]:
    """reopen() -> the store at store_url, opened anew (closed at the end)."""
    opened: list[Store] = []

    def open_again() -> Store:
        opened.append(open_store(store_url))
        return opened[-1]

    yield open_again
    for store in opened:
        store.close()


@pytest.fixture
def store(reopen: Callable[[], Store]) -> Store:
    return reopen()
