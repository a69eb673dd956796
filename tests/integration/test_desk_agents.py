"""The desk service against the real Asterisk: sign-in, who may do what,
queue login and pause reaching Asterisk, pushed updates, and agents put
back where they were after Asterisk or the service is killed."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable, Iterator

import pytest
import requests

from tests.helpers.desk import DeskUser, sign_in_reply
from tests.helpers.pbx import DESK_URL, Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

MakeDesk = Callable[[str], DeskUser]


@pytest.fixture
def desk(pbx: Pbx) -> Iterator[MakeDesk]:
    users: list[DeskUser] = []

    def make(agent: str) -> DeskUser:
        user = DeskUser(agent)
        users.append(user)
        return user

    yield make
    for user in users:
        for queue in ("support", "sales"):
            user.call("PUT", f"/api/v1/agents/{user.agent}/queues/{queue}", {"logged_in": False})
        user.call("PUT", f"/api/v1/agents/{user.agent}/pause", {"paused": False})
        user.close()


def member_line(pbx: Pbx, queue: str, agent: str) -> str:
    for line in pbx.cli(f"queue show {queue}").splitlines():
        if re.match(rf"\s+{agent} \(", line):
            return line
    return ""


def test_health_and_sign_in(pbx: Pbx) -> None:
    assert requests.get(f"{DESK_URL}/api/v1/health", timeout=5).json()["pbx_connected"] is True
    wrong = sign_in_reply(DESK_URL, "1001", "nope")
    assert wrong.status_code == 401 and "wrong agent ID or secret" in wrong.json()["error"]
    outdated = requests.post(f"{DESK_URL}/api/v1/session", json={"agent": "1001", "password": "demo-1001"}, timeout=5)
    assert outdated.status_code == 400 and "no longer takes a password" in outdated.json()["error"]
    garbage = requests.post(f"{DESK_URL}/api/v1/session", data=b"\xff{", timeout=5)
    assert garbage.status_code == 400 and "JSON" in garbage.json()["error"]
    anonymous = requests.get(f"{DESK_URL}/api/v1/snapshot", timeout=5)
    assert anonymous.status_code == 401
    forged = requests.get(f"{DESK_URL}/api/v1/snapshot", headers={"Authorization": "Bearer forged"}, timeout=5)
    assert forged.status_code == 401


def test_queue_login_and_pause_reach_asterisk(pbx: Pbx, desk: MakeDesk) -> None:
    agent = desk("1011")
    agent.listen()
    agent.join("support")
    wait_until(lambda: member_line(pbx, "support", "1011") != "", what="1011 in queue show support")
    assert "PJSIP/1011" in member_line(pbx, "support", "1011")
    pushed = agent.wait_event(lambda name, data: name == "agent" and data["queues"]["support"])
    assert pushed["agent"] == "1011"
    agent.pause("Lunch")
    wait_until(lambda: "paused:Lunch" in member_line(pbx, "support", "1011"), what="paused with reason")
    state = agent.wait_event(lambda name, data: name == "agent" and data["activity"] == "paused")
    assert state["paused_reason"] == "Lunch"
    bad = agent.call("PUT", "/api/v1/agents/1011/pause", {"paused": True, "reason": "Nap"})
    assert bad.status_code == 400 and "Lunch" in bad.json()["error"]
    agent.unpause()
    wait_until(lambda: "paused" not in member_line(pbx, "support", "1011"), what="unpaused")
    agent.leave("support")
    wait_until(lambda: member_line(pbx, "support", "1011") == "", what="1011 left support")


def test_an_agent_token_cannot_act_on_another_agent(pbx: Pbx, desk: MakeDesk) -> None:
    victim, intruder = desk("1012"), desk("1013")
    victim.join("sales")
    wait_until(lambda: member_line(pbx, "sales", "1012") != "", what="1012 in sales")
    refused = intruder.call("PUT", "/api/v1/agents/1012/pause", {"paused": True, "reason": "Break"})
    assert refused.status_code == 403
    refused = intruder.call("PUT", "/api/v1/agents/1012/queues/sales", {"logged_in": False})
    assert refused.status_code == 403
    stolen_phone = intruder.call("PUT", "/api/v1/agents/1013/queues/support", {"logged_in": True, "phone": "1012"})
    assert stolen_phone.status_code == 403  # only your own phone, a shared desk phone, or a lead's choice
    taken = intruder.call("PUT", "/api/v1/agents/1013/queues/support", {"logged_in": True, "phone": "1013"})
    assert taken.status_code == 200
    assert "paused" not in member_line(pbx, "sales", "1012")
    lead = desk("1901")
    lead.ok("PUT", "/api/v1/agents/1012/pause", {"paused": True, "reason": "Meeting"})
    wait_until(lambda: "paused:Meeting" in member_line(pbx, "sales", "1012"), what="lead paused 1012")


def test_agents_are_back_after_asterisk_is_killed(pbx: Pbx, desk: MakeDesk) -> None:
    agent = desk("1014")
    agent.join("support")
    agent.pause("Training")
    wait_until(lambda: "paused:Training" in member_line(pbx, "support", "1014"), what="paused before the kill")
    pid = int((pbx.home / "state" / "asterisk.pid").read_text().strip())
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not os.path.exists(f"/proc/{pid}"), what="Asterisk gone")
    pbx.start()
    wait_until(lambda: "paused:Training" in member_line(pbx, "support", "1014"), timeout=20,
               what="1014 back in support, still paused")
    assert agent.snapshot()["me"]["activity"] == "paused"


def test_agents_and_states_survive_the_desk_service_being_killed(pbx: Pbx, desk: MakeDesk) -> None:
    agent = desk("1015")
    agent.join("sales")
    agent.pause("Break")
    before = agent.snapshot()["me"]
    pid = int((pbx.home / "state" / "desk.pid").read_text().strip())
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not os.path.exists(f"/proc/{pid}"), what="desk service gone")
    assert pbx.run("desk", "start").returncode == 0
    wait_until(lambda: requests.get(f"{DESK_URL}/api/v1/health", timeout=5).json()["pbx_connected"], timeout=20,
               what="desk service back and connected")
    after = agent.snapshot()["me"]  # the token survives a restart: it is in the store
    assert after["queues"]["sales"] and after["activity"] == "paused" and after["paused_reason"] == "Break"
    assert after["since"] == pytest.approx(before["since"], abs=1)
    assert "paused:Break" in member_line(pbx, "sales", "1015")
