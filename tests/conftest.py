"""Shared fixtures: the real bundled Asterisk, a real sound server (JACK),
isolated user folders and keyring, AgentDesk desktops and second SIP parties.

Nothing here skips: in CI the PBX and the sound server are always present, so
a failure to start them fails the tests that need them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from agentdesk.desktop.ui.common.numbers import use_region
from tests.helpers.agent import Agent
from tests.helpers.errorlog import ErrorLog
from tests.helpers.party import SipParty
from tests.helpers.pbx import DESK_CA_FILE, DESK_URL, SERVER, Pbx
from tests.helpers.postgres import PostgresCluster, PostgresMissingError
from tests.helpers.soundserver import SoundServer


@pytest.fixture(scope="session")
def sound() -> Iterator[SoundServer]:
    """Started before anything imports sounddevice: PortAudio lists the
    devices once, when it is first loaded."""
    server = SoundServer()
    yield server
    import sounddevice

    sounddevice._terminate()  # before JACK goes, or PortAudio asserts at exit
    server.close()


@pytest.fixture(scope="session")
def pbx() -> Iterator[Pbx]:
    server = Pbx()
    server.forget_desk_data()
    server.start()
    # Tests also reach the desk service (HTTPS) with plain requests calls:
    # they trust the test PBX's authority, as a PC that pinned it does.
    bundle = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(DESK_CA_FILE)
    yield server
    if bundle is None:
        os.environ.pop("REQUESTS_CA_BUNDLE", None)
    else:
        os.environ["REQUESTS_CA_BUNDLE"] = bundle
    server.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A private PostgreSQL cluster (started from Debian's package; missing
    binaries fail, never skip). The running cluster: `.url` is its default database, `.new_database()`
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


@pytest.fixture(autouse=True)
def user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own settings, data and keyring folders."""
    home = tmp_path / "user"
    monkeypatch.setenv("AGENTDESK_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("AGENTDESK_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    return home


@pytest.fixture(autouse=True)
def number_region() -> Iterator[None]:
    """The desk service's number region is the desktop's global setting: a
    test whose desktop got a snapshot must not format the next test's numbers."""
    yield
    use_region("")


@pytest.fixture(autouse=True)
def error_log(request: pytest.FixtureRequest) -> Iterator[ErrorLog]:
    """Fails a test that logged an unexpected error, in this process (every
    logger under "agentdesk": desktop, server and PBX tool alike) or, for a
    test with the PBX, in the desk service's own log. A test expecting errors
    sets error_log.allowed = True."""
    handler = ErrorLog()
    logger = logging.getLogger("agentdesk")
    logger.addHandler(handler)
    service_log = request.getfixturevalue("pbx").desk_log() if "pbx" in request.fixturenames else None
    yield handler
    logger.removeHandler(handler)
    lines = [f"{r.name}: {r.getMessage()}" for r in handler.records]
    if service_log is not None:
        lines += [f"desk service: {line}" for line in service_log.errors_since()]
    if lines and not handler.allowed:
        pytest.fail("unexpected errors were logged:\n" + "\n".join(lines))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test whose fixtures reach the PBX must carry the pbx marker, so that
    `pytest -m "not pbx"` is a fast tier that never starts Asterisk."""
    unmarked = [item.nodeid for item in items
                if "pbx" in getattr(item, "fixturenames", ()) and item.get_closest_marker("pbx") is None]
    if unmarked:
        raise pytest.UsageError("these tests use the PBX but are not marked pbx:\n" + "\n".join(unmarked))


@pytest.fixture
def make_agent(qtbot: Any, pbx: Pbx, sound: SoundServer) -> Iterator[Callable[..., Agent]]:
    """make_agent(user='1001', **settings) -> a registered AgentDesk desktop."""
    agents: list[Agent] = []

    def make(user: str = "1001", password: str | None = None, register: bool = True, **settings: Any) -> Agent:
        settings.setdefault("desk_url", DESK_URL)
        settings.setdefault("tls_ca_file", str(DESK_CA_FILE))
        agent = Agent.create(qtbot, user, password or f"demo-{user}", SERVER, settings)
        agents.append(agent)
        if register:
            agent.wait_registered()
        return agent

    yield make
    for agent in agents:
        agent.close()


@pytest.fixture
def make_party(pbx: Pbx) -> Iterator[Callable[..., SipParty]]:
    """make_party(user='1002', name='') -> a registered second SIP party."""
    parties: list[SipParty] = []

    def make(user: str = "1002", name: str = "", register: bool = True) -> SipParty:
        party = SipParty(f"party-{user}")
        parties.append(party)
        if register:
            party.register(user, SERVER, name=name)
        return party

    yield make
    for party in parties:
        party.close()
