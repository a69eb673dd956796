"""The team leads' floor on the real PBX and desk service: a lead's monitor
stream starts with the whole floor; an agent's pause reaches it as that
agent's row within a second; a queue call answered by the agent shows as a
live call with the caller's number and the queue, and leaves the floor
when the caller hangs up."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from agentdesk.desktop.link.sse import SseParser
from tests.helpers.callers import place_callers
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

AGENT, CALLER = "1001", "09121110001"
Check = Callable[[str, dict[str, Any]], bool]


class MonitorStream:
    """A lead's GET /api/v1/monitor/events, read on a thread of its own."""

    def __init__(self, lead: DeskUser) -> None:
        self.events: list[tuple[str, dict[str, Any], float]] = []
        self._lock = threading.Lock()
        self._reply = requests.get(f"{lead.url}/api/v1/monitor/events", stream=True, timeout=(5, 60),
                                   verify=lead.verify, headers={"Authorization": f"Bearer {lead.token}"})
        assert self._reply.status_code == 200, self._reply.text
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        parser = SseParser()
        try:
            for chunk in self._reply.iter_content(chunk_size=None):
                for event in parser.feed(chunk):
                    with self._lock:
                        self.events.append((event.name, json.loads(event.data), time.monotonic()))
        except (requests.RequestException, OSError, AttributeError):
            pass

    def wait(self, check: Check, timeout: float, since: int = 0) -> tuple[dict[str, Any], float]:
        """The first event from index `since` on that passes `check`, and when it came."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [(data, at) for name, data, at in self.events[since:] if check(name, data)]
            if found:
                return found[0]
            time.sleep(0.01)
        raise AssertionError(f"no matching floor event within {timeout} s; last: {self.events[-3:]}")

    @property
    def seen(self) -> int:
        with self._lock:
            return len(self.events)

    def close(self) -> None:
        self._reply.close()


@pytest.fixture
def sara(pbx: Pbx) -> Iterator[DeskUser]:
    user = DeskUser(AGENT)
    yield user
    user.call("PUT", f"/api/v1/agents/{AGENT}/queues/support", {"logged_in": False})
    user.call("PUT", f"/api/v1/agents/{AGENT}/pause", {"paused": False})
    user.close()
    pbx.cli("channel request hangup all")
    wait_until(lambda: "0 active channels" in pbx.cli("core show channels count"), what="no calls left")


def agent_row(data: dict[str, Any], state: str) -> bool:
    return any(a["agent"] == AGENT and a["state"] == state for a in data["agents"])


def test_a_lead_follows_a_pause_and_a_queue_call_on_the_floor(
    pbx: Pbx, make_party: Callable[..., SipParty], sara: DeskUser
) -> None:
    phone = make_party(AGENT)
    lead = DeskUser("1901")
    sara.join("support")
    stream = MonitorStream(lead)
    try:
        floor, _ = stream.wait(lambda name, data: name == "floor", 5)
        assert floor["pbx_connected"] and {q["name"] for q in floor["queues"]} >= {"support", "sales"}
        wait_until(lambda: agent_row(lead.ok("GET", "/api/v1/monitor/floor"), "ready"), what=f"{AGENT} ready")

        mark = stream.seen
        sara.pause("Lunch")
        paused_at = time.monotonic()
        update, came = stream.wait(lambda name, data: name == "floor_update" and agent_row(data, "paused"), 1.0,
                                   since=mark)
        assert came - paused_at < 1.0
        row = next(a for a in update["agents"] if a["agent"] == AGENT)
        assert row["paused_reason"] == "Lunch" and row["queues"]["support"] is True
        sara.unpause()

        mark = stream.seen
        place_callers("support", count=1, patience=60, talk=6, number=CALLER, name="Ada Lovelace")
        phone.wait("incoming", timeout=15)
        phone.answer()
        phone.wait_state("CONFIRMED")

        def has_call(name: str, data: dict[str, Any]) -> bool:
            return name == "floor_update" and any(c["peer_number"] == CALLER for c in data["calls"])
        update, _ = stream.wait(has_call, 5, since=mark)
        mark = stream.seen
        call = next(c for c in update["calls"] if c["peer_number"] == CALLER)
        assert (call["agent"], call["queue"], call["direction"]) == (AGENT, "support", "inbound")
        assert call["channel"].startswith(f"PJSIP/{AGENT}-") and not call["on_hold"]

        stream.wait(lambda name, data: name == "floor_update" and call["call"] in data["removed_calls"], 20,
                    since=mark)  # the caller hangs up after their talk time
        assert lead.ok("GET", "/api/v1/monitor/floor")["calls"] == []
    finally:
        stream.close()
        lead.close()
