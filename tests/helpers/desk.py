"""A test's view of the desk service: HTTP(S) calls and an event-stream
reader thread (a simulated desktop, without Qt). It signs in as a desktop
does: it answers the service's challenge with the agent's secret."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from agentdesk.contract.signin import signin_key, signin_proof
from agentdesk.desktop.link.sse import SseParser
from tests.helpers.pbx import DESK_CA_FILE, DESK_URL

Verify = bool | str


def desk_verify(url: str) -> Verify:
    """How a test checks the test PBX's desk service: its own authority."""
    return str(DESK_CA_FILE) if url.startswith("https://") else True


def sign_in_reply(url: str, agent: str, secret: str, verify: Verify | None = None) -> requests.Response:
    """The service's answer to a sign-in of `agent` with `secret` (challenge, then answer)."""
    verify = desk_verify(url) if verify is None else verify
    asked = requests.post(f"{url}/api/v1/session/challenge", json={"agent": agent}, timeout=5, verify=verify)
    asked.raise_for_status()
    nonce = asked.json()["nonce"]
    body = {"agent": agent, "nonce": nonce, "proof": signin_proof(signin_key(secret), nonce, agent)}
    return requests.post(f"{url}/api/v1/session", json=body, timeout=5, verify=verify)


def sign_in(url: str, agent: str, secret: str, verify: Verify | None = None) -> str:
    """A bearer token of `agent`."""
    reply = sign_in_reply(url, agent, secret, verify)
    reply.raise_for_status()
    return str(reply.json()["token"])


class DeskUser:
    def __init__(self, agent: str, password: str | None = None, url: str = DESK_URL) -> None:
        self.agent = agent
        self.url = url
        self.verify = desk_verify(url)
        self.token = sign_in(url, agent, password or f"demo-{agent}", self.verify)
        self.events: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._stream: requests.Response | None = None

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(method, self.url + path, json=body, timeout=10, verify=self.verify,
                                headers={"Authorization": f"Bearer {self.token}"})

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        reply = self.call(method, path, body)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def join(self, queue: str, phone: str | None = None) -> None:
        self.ok("PUT", f"/api/v1/agents/{self.agent}/queues/{queue}", {"logged_in": True, "phone": phone or self.agent})

    def leave(self, queue: str) -> None:
        self.ok("PUT", f"/api/v1/agents/{self.agent}/queues/{queue}", {"logged_in": False})

    def pause(self, reason: str) -> None:
        self.ok("PUT", f"/api/v1/agents/{self.agent}/pause", {"paused": True, "reason": reason})

    def unpause(self) -> None:
        self.ok("PUT", f"/api/v1/agents/{self.agent}/pause", {"paused": False})

    def snapshot(self) -> dict[str, Any]:
        return dict(self.ok("GET", "/api/v1/snapshot"))

    def queue(self, name: str) -> dict[str, Any]:
        return next(q for q in self.snapshot()["queues"] if q["name"] == name)

    # -- the event stream ------------------------------------------------------
    def listen(self, path: str = "/api/v1/events") -> None:
        """Read the event stream at `path` (a team lead's monitor stream: /api/v1/monitor/events)."""
        response = requests.get(f"{self.url}{path}", stream=True, timeout=(5, 60), verify=self.verify,
                                headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code == 200, response.text
        self._stream = response
        threading.Thread(target=self._read, args=(response,), daemon=True).start()

    def _read(self, response: requests.Response) -> None:
        parser = SseParser()
        try:
            for chunk in response.iter_content(chunk_size=None):
                for event in parser.feed(chunk):
                    with self._lock:
                        self.events.append((event.name, json.loads(event.data)))
        except (requests.RequestException, OSError, AttributeError):
            pass

    def wait_event(self, check: Callable[[str, dict[str, Any]], bool], timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            with self._lock:
                fresh = self.events[seen:]
                seen = len(self.events)
            for name, data in fresh:
                if check(name, data):
                    return data
            time.sleep(0.02)
        raise AssertionError(f"no matching desk event within {timeout} s; last: {self.events[-3:]}")

    def wait_queue(self, name: str, check: Callable[[dict[str, Any]], bool], timeout: float = 10.0) -> dict[str, Any]:
        """The first pushed summary of queue `name` (or snapshot) that passes `check`."""
        def match(event: str, data: dict[str, Any]) -> bool:
            if event == "queue" and data["name"] == name:
                return check(data)
            if event == "snapshot":
                return any(q["name"] == name and check(q) for q in data["queues"])
            return False

        data = self.wait_event(match, timeout)
        return data if "name" in data else next(q for q in data["queues"] if q["name"] == name)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()

