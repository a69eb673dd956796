"""Fixtures of the desk service's tests: a private PostgreSQL cluster (one per
session, started from Debian's package; missing binaries fail, never skip)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
