"""Registration against the bundled Asterisk: visible there, one clear error
for a wrong password, unreachable while the PBX is down and back by itself
when it returns, re-registration before expiry, unregistration on quit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentdesk.desktop.phone.model import RegState
from tests.helpers.pbx import Pbx

pytestmark = pytest.mark.pbx


class SecurityLog:
    """Counts Asterisk security events for one account from now on."""

    def __init__(self, pbx: Pbx) -> None:
        self.path = pbx.log_dir() / "security.log"
        self.start = self.path.stat().st_size if self.path.exists() else 0

    def count(self, event: str, account: str) -> int:
        with Path(self.path).open("rb") as handle:
            handle.seek(self.start)
            text = handle.read().decode("utf-8", "replace")
        return sum(1 for line in text.splitlines()
                   if f'SecurityEvent="{event}"' in line and f'AccountID="{account}"' in line)


@pytest.fixture
def restart_pbx(pbx: Pbx) -> Iterator[Pbx]:
    """For tests that stop the PBX: it is running again afterwards, whatever happens."""
    yield pbx
    pbx.start()


def test_registration_is_visible_in_asterisk(make_agent: Any, pbx: Pbx) -> None:
    agent = make_agent("1001")
    pbx.wait_registered("1001")
    assert agent.window.header.state.text() == "Phone online"
    assert agent.window.header.state.property("state") == "registered"


def test_wrong_password_gives_one_clear_error_and_no_retry_storm(make_agent: Any, pbx: Pbx) -> None:
    log = SecurityLog(pbx)
    agent = make_agent("1003", password="not-the-password", register=False)
    agent.wait_registered(RegState.FAILED)
    snapshot = agent.engine.account
    assert snapshot.status_code in (401, 403)
    assert "rejected the password for 1003" in snapshot.reason
    assert agent.window.header.state.text() == "Login failed"
    agent.qtbot.wait(8000)  # longer than every retry and ping interval of the phone
    assert agent.state is RegState.FAILED
    assert not pbx.is_registered("1003")
    attempts = log.count("ChallengeResponseFailed", "1003")
    assert 1 <= attempts <= 2, f"{attempts} failed authentications in 8 s"


def test_pbx_down_at_start_is_unreachable_then_recovers(make_agent: Any, restart_pbx: Pbx) -> None:
    restart_pbx.stop()
    agent = make_agent("1001", register=False)
    agent.wait_registered(RegState.UNREACHABLE, timeout=8)
    assert agent.window.header.state.text() == "PBX unreachable"
    assert "Retrying" in agent.engine.account.reason
    restart_pbx.start()
    agent.wait_registered(RegState.REGISTERED, timeout=20)
    restart_pbx.wait_registered("1001")


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_pbx_going_away_is_noticed_and_registration_comes_back(
    make_agent: Any, restart_pbx: Pbx, transport: str
) -> None:
    agent = make_agent("1001", transport=transport)
    restart_pbx.wait_registered("1001")
    restart_pbx.stop()
    started = time.monotonic()
    agent.wait_registered(RegState.UNREACHABLE, timeout=20)
    noticed = time.monotonic() - started
    if transport == "tcp":
        assert noticed < 3, f"a closed TCP connection took {noticed:.1f} s to notice"
    restart_pbx.start()
    agent.wait_registered(RegState.REGISTERED, timeout=20)
    restart_pbx.wait_registered("1001")


@pytest.mark.slow
def test_registration_is_refreshed_before_it_expires(make_agent: Any, pbx: Pbx) -> None:
    log = SecurityLog(pbx)
    agent = make_agent("1001", register_seconds=15)
    agent.qtbot.wait(22000)  # one and a half registration periods
    assert log.count("SuccessfulAuth", "1001") >= 3  # initial, refresh, and at least one ping or refresh
    assert agent.state is RegState.REGISTERED
    pbx.wait_registered("1001")


def test_quitting_unregisters(make_agent: Any, pbx: Pbx) -> None:
    agent = make_agent("1001")
    pbx.wait_registered("1001")
    agent.close()
    pbx.wait_registered("1001", present=False)
