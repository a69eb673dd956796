"""A store on each engine (`store`, `reopen`, parametrised sqlite and
postgresql through `store_url`); the PostgreSQL cluster is tests/conftest.py's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agentdesk.server.store import Store, open_store
from tests.helpers.postgres import PostgresCluster


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
