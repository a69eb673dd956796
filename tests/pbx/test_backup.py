"""A PBX server's disk dies: `pbx/run backup` made the night before and
`pbx/run restore` onto an empty state folder bring it back as it was. The
agents sign in with the same secrets, desktops trust the same authority,
the site's own directory entry is back, the callback task and the VIP are
in the store, and the agent is in their queue, paused for lunch, in
Asterisk again. A second PBX in a folder of its own (its pbx/ folder a
copy: restore writes the site's settings there)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.helpers.baresip import sip_secret
from tests.helpers.desk import sign_in
from tests.helpers.pbx import PORT_OFFSET, REPO, Pbx, second_pbx_env

pytestmark = pytest.mark.pbx

SIP_PORT = 5360 + PORT_OFFSET  # SIP, then AMI and SIP over TLS
DESK_PORT = 8690 + PORT_OFFSET  # and its PBX-only listener on the next port
DESK = f"https://127.0.0.1:{DESK_PORT}"
NEW_PERSON = "1050,Nadia Karimi,agent,support\n"


class Client:
    def __init__(self, server: Pbx, agent: str) -> None:
        self.ca = str(server.home / "state" / "tls" / "ca.pem")
        self.token = sign_in(DESK, agent, sip_secret(server.home, agent), self.ca)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        reply = requests.request(method, DESK + path, json=body, timeout=10, verify=self.ca,
                                 headers={"Authorization": f"Bearer {self.token}"})
        assert reply.status_code in (200, 201), reply.text
        return reply.json()

    def wait_queue(self, name: str, timeout: float = 30.0) -> None:
        """The desk service knows a queue once AMI has told it (just after start)."""
        deadline = time.monotonic() + timeout
        while not any(q["name"] == name for q in self.call("GET", "/api/v1/snapshot")["queues"]):
            assert time.monotonic() < deadline, f"the desk service never learnt of the queue {name}"
            time.sleep(0.3)


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder the desk service's own user may pass through (pbx/run runs
    the service as that user when root starts it)."""
    folder = Path(tempfile.mkdtemp(prefix="agentdesk-backup-", dir="/var/tmp"))
    folder.chmod(0o711)
    shutil.copytree(REPO / "pbx", folder / "pbx")
    server = server_in(folder)
    try:
        yield folder
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def server_in(place: Path) -> Pbx:
    """The PBX of `place`, its desk service the production one (the tests'
    own build is found only next to the checkout's pbx/ folder). Ports of
    its own: the second PBX's (second_pbx_env) belong to the grown PBX
    that tests/pbx keeps running."""
    return Pbx({
        **second_pbx_env(place / "home", place / "pbx"),
        "AGENTDESK_SIP_PORT": str(SIP_PORT), "AGENTDESK_AMI_PORT": str(SIP_PORT + 1),
        "AGENTDESK_SIP_TLS_PORT": str(SIP_PORT + 2), "AGENTDESK_DESK_PORT": str(DESK_PORT),
        "AGENTDESK_RTP_PORTS": f"{38500 + 10 * PORT_OFFSET}-{38599 + 10 * PORT_OFFSET}",
        "AGENTDESK_DESK_MODULE": "agentdesk.server",
    })


def in_queue_paused(server: Pbx, agent: str, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = next((x for x in server.cli("queue show support").splitlines() if f"/{agent}" in x), "")
        if "paused" in line.lower():
            return True
        time.sleep(0.5)
    return False


def test_a_backup_restored_onto_an_empty_server_brings_the_pbx_back(place: Path) -> None:
    server = server_in(place)
    with (place / "pbx" / "directory.csv").open("a", encoding="utf-8") as directory:
        directory.write(NEW_PERSON)  # the site's own change, made before the backup
    server.start()
    lead, agent = Client(server, "1901"), Client(server, "1001")
    lead.wait_queue("support")
    task = lead.call("POST", "/api/v1/callbacks", {"queue": "support", "number": "09121112233", "topic": "Refund"})
    lead.call("PUT", "/api/v1/vips/09124445566", {"note": "board member"})
    agent.call("PUT", "/api/v1/agents/1001/queues/support", {"logged_in": True, "phone": "1001"})
    agent.call("PUT", "/api/v1/agents/1001/pause", {"paused": True, "reason": "Lunch"})
    assert in_queue_paused(server, "1001")
    secret, authority = sip_secret(server.home, "1001"), (server.home / "state" / "tls" / "ca.pem").read_bytes()

    archive = place / "pbx-backup.tar.gz"
    made = server.run("backup", str(archive))  # while it runs, as a nightly job would
    assert made.returncode == 0, made.stderr
    assert archive.stat().st_mode & 0o777 == 0o600  # every secret is in it
    again = server.run("backup", str(archive))
    assert again.returncode == 1 and "exists already" in again.stderr
    refused = server.run("restore", str(archive))
    assert refused.returncode == 1 and "stop it first: pbx/run stop" in refused.stderr

    # The disk is lost: the state folder gone, the PBX folder back to what ships.
    server.stop()
    shutil.rmtree(server.home / "state")
    shutil.copy(REPO / "pbx" / "directory.csv", place / "pbx" / "directory.csv")
    restored = server.run("restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "pbx/run start" in restored.stdout
    over = server.run("restore", str(archive))
    assert over.returncode == 1 and "--force" in over.stderr  # never over a PBX's secrets by accident
    server.start()

    assert sip_secret(server.home, "1001") == secret
    assert (server.home / "state" / "tls" / "ca.pem").read_bytes() == authority
    assert NEW_PERSON in (place / "pbx" / "directory.csv").read_text(encoding="utf-8")
    assert "1050" in server.cli("pjsip show endpoint 1050")
    lead = Client(server, "1901")  # signs in with the restored secrets
    lead.wait_queue("support")
    assert lead.call("GET", f"/api/v1/callbacks/{task['id']}")["topic"] == "Refund"
    assert "09124445566" in str(lead.call("GET", "/api/v1/vips"))
    assert in_queue_paused(server, "1001"), server.cli("queue show support")


def test_what_is_not_a_backup_is_refused_with_a_sentence(place: Path) -> None:
    server = server_in(place)
    junk = place / "junk.tar.gz"
    junk.write_bytes(os.urandom(2000))
    refused = server.run("restore", str(junk))
    assert refused.returncode == 1 and "is not an AgentDesk PBX backup" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
    missing = server.run("restore", str(place / "nothing.tar.gz"))
    assert missing.returncode == 1 and "there is no backup" in missing.stderr
    nothing = server.run("backup", str(place / "empty.tar.gz"))
    assert nothing.returncode == 1 and "never started" in nothing.stderr
    assert not (place / "empty.tar.gz").exists()


@pytest.mark.parametrize("form", ["tcp", "socket"])
def test_a_postgresql_store_goes_through_pg_dump_and_comes_back(
    postgres: Any, form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store part of backup and restore on PostgreSQL, in both URL forms
    the desk service takes (password in the URL over TCP, or the socket
    folder in the query): the store's schema and a row survive a dump, the
    loss of the tables and the restore; the password is not in the dump."""
    from agentdesk.pbxtool import backup
    from agentdesk.pbxtool.layout import Layout, Network
    from agentdesk.server.store.engines import open_engine
    from agentdesk.server.store.schema import LATEST, migrate

    url = postgres.new_database()
    if form == "socket":
        url = postgres.socket_url(url.rsplit("/", 1)[1])
    engine = open_engine(url)
    migrate(engine)
    engine.run("CREATE TABLE site_notes (id INTEGER PRIMARY KEY, note TEXT)")
    engine.run("INSERT INTO site_notes (id, note) VALUES (?, ?)", (1, "kept"))
    engine.close()
    monkeypatch.setenv("AGENTDESK_DESK_DATABASE", url)
    staging = tmp_path / "staging"
    staging.mkdir()
    assert backup._dump_store(url, staging) == "PostgreSQL"
    assert password_free(staging / "store" / "desk.pgdump")
    engine = open_engine(url)
    engine.run("DROP TABLE site_notes")
    engine.run("DROP TABLE schema_version")
    engine.close()
    backup._load_store("PostgreSQL", staging / "store", url, Layout(tmp_path / "home", Network()))
    engine = open_engine(url)
    try:
        assert engine.run("SELECT note FROM site_notes WHERE id = 1").rows == [("kept",)]
        assert engine.run("SELECT MAX(version) FROM schema_version").rows == [(LATEST,)]
    finally:
        engine.close()


def password_free(dump: Path) -> bool:
    """The dump holds data, never the connection's password."""
    from tests.helpers.postgres import PASSWORD

    return dump.stat().st_size > 0 and PASSWORD.encode() not in dump.read_bytes()
