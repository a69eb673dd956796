"""The desk service itself on PostgreSQL (the shared-deployment store): a
second service process next to the test PBX, on its own HTTP port, keeps an
agent's queue login and pause across its own restart."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.helpers.desk import DeskUser
from tests.helpers.pbx import DESK_PORT, TEST_DESK_MODULE, Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

PORT = DESK_PORT + 5


class PostgresDesk:
    def __init__(self, pbx: Pbx, database: str, folder: Path) -> None:
        config = json.loads((pbx.home / "state" / "desk-service.json").read_text())
        config["http"]["port"] = PORT
        config["pbx_listener"]["port"] = PORT + 1  # not the session's desk service's
        config["log"] = str(folder / "desk.log")
        self.config_file = folder / "desk-service.json"
        self.config_file.write_text(json.dumps(config))
        self.database = database
        self.url = f"https://127.0.0.1:{PORT}"  # with the PBX's certificate, as its config says
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", TEST_DESK_MODULE, "--config", str(self.config_file),
                                         "--database", self.database])
        wait_until(self._connected, timeout=20, what="desk service on PostgreSQL up")

    def _connected(self) -> bool:
        try:
            return bool(requests.get(f"{self.url}/api/v1/health", timeout=1).json()["pbx_connected"])
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            assert self.process.wait(timeout=10) == 0  # a clean stop
            self.process = None


@pytest.fixture
def desk_on_postgres(pbx: Pbx, postgres_url: str, tmp_path: Path) -> Iterator[PostgresDesk]:
    desk = PostgresDesk(pbx, postgres_url, tmp_path)
    desk.start()
    yield desk
    user = DeskUser("1020", url=desk.url)
    user.leave("sales")
    user.unpause()
    desk.stop()


def test_agent_state_kept_in_postgres_survives_a_service_restart(pbx: Pbx, desk_on_postgres: PostgresDesk) -> None:
    agent = DeskUser("1020", url=desk_on_postgres.url)
    agent.join("sales")
    agent.pause("Training")
    wait_until(lambda: "paused:Training" in pbx.cli("queue show sales"), what="paused in Asterisk")
    desk_on_postgres.stop()
    pbx.cli("queue remove member PJSIP/1020 from sales")  # Asterisk forgets meanwhile
    desk_on_postgres.start()
    wait_until(lambda: "paused:Training" in pbx.cli("queue show sales"), what="put back by the restarted service")
    me = agent.snapshot()["me"]  # the same token: sessions are in PostgreSQL too
    assert me["queues"]["sales"] and me["paused_reason"] == "Training"
