"""The desktop's callback client over real HTTP against a small stand-in
desk service: the list after connecting, server-sent `callback` upserts
(one arriving while the list is fetched is not undone by it), each command's
path and body, the service's refusal sentence, and an unreachable service."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import pytest
import shiboken6

from agentdesk.contract.callbacks import CallbackRequest, CallbackTaskView
from agentdesk.desktop.link.api import DeskError
from agentdesk.desktop.link.callback_client import CallbackClient, retryable
from agentdesk.desktop.link.connection import DeskConnection

NOW = 1_800_000_000.0
ME = {"agent": "1001", "name": "Nina", "role": "agent", "phone": "1001", "queues": {}, "activity": "logged_out",
      "since": 0}


def view(task_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": task_id, "queue": "support", "number": "09121110001", "state": "waiting", "due_at": NOW,
            "updated_at": NOW, **fields}


class StandIn:
    """Answers the callback endpoints; records (method, path, body)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        self.list_gate = threading.Event()
        self.list_gate.set()
        self.list_asked = threading.Event()
        self.stream_gone = threading.Event()
        self.tasks = [view("0a1b2c3d4e5f"), view("0a1b2c3d4e60", name="Sara")]
        self.server = _Server(self)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def answer(self, handler: _Handler, method: str, path: str, body: Any) -> tuple[int, Any]:
        self.requests.append((method, path, body))
        if path == "/api/v1/session/challenge":
            return 200, {"nonce": "n" * 32, "expires_in": 30}
        if path == "/api/v1/session":
            return 200, {"token": "t0ken"}
        if path.startswith("/api/v1/callbacks?"):
            self.list_asked.set()
            self.list_gate.wait(10)
            return 200, {"tasks": [*self.tasks, {"id": "broken"}], "server_time": NOW}
        if path.endswith("/claim"):
            return 409, {"error": "Omid Rezaei (1002) is already calling this customer"}
        if path.endswith(("/skip", "/release")):
            return 200, None  # "done", no body
        if path.endswith("/outcome"):
            return 200, view(path.split("/")[4], attempts=1, last_outcome=body["outcome"], updated_at=NOW + 5)
        if path == "/api/v1/callbacks":
            return 201, view("0a1b2c3d4e99", number=body["number"], state="waiting")
        return 404, {"error": "no such thing"}

    def close(self) -> None:
        self.list_gate.set()
        self.server.shutdown()
        self.server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, stand_in: StandIn) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stand_in = stand_in

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def stand_in(self) -> StandIn:
        return cast(_Server, self.server).stand_in

    def do_GET(self) -> None:
        if self.path == "/api/v1/events":
            self._events()
            return
        self._reply(*self.stand_in.answer(self, "GET", self.path, None))

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._reply(*self.stand_in.answer(self, "POST", self.path, json.loads(raw) if raw else None))

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        snapshot = {"server_time": NOW, "me": ME, "queues": [], "pause_reasons": [], "callbacks_open": 2}
        changed = view("0a1b2c3d4e60", name="Sara", state="claimed", agent="1002", updated_at=NOW + 1)
        for name, data in (("snapshot", snapshot), ("callback", changed)):
            if name == "callback":
                self.stand_in.list_asked.wait(10)  # arrives while the list is being fetched
            event = f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.recv(1)  # returns when the desktop closes the stream
        self.stand_in.stream_gone.set()

    def _reply(self, status: int, body: Any) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = StandIn()
    yield server
    server.close()


@pytest.fixture
def client(qtbot: Any, stand_in: StandIn) -> Iterator[CallbackClient]:
    link = DeskConnection()
    callbacks = CallbackClient(link)
    yield callbacks
    if shiboken6.isValid(link):
        link.shutdown()


def test_the_list_and_its_changes_arrive_in_order(qtbot: Any, client: CallbackClient, stand_in: StandIn) -> None:
    seen: list[tuple[str, Any]] = []
    client.tasks_replaced.connect(lambda tasks, _time: seen.append(("list", [t.task_id for t in tasks])))
    client.task_changed.connect(lambda task: seen.append(("change", (task.task_id, task.state))))
    stand_in.list_gate.clear()  # the list is slow
    client.link.start(stand_in.url, "1001", "1001", lambda: "secret")
    qtbot.waitUntil(lambda: ("change", ("0a1b2c3d4e60", "claimed")) in seen, timeout=5000)
    stand_in.list_gate.set()
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=5000)
    assert seen == [("change", ("0a1b2c3d4e60", "claimed")), ("list", ["0a1b2c3d4e5f", "0a1b2c3d4e60"]),
                    ("change", ("0a1b2c3d4e60", "claimed"))]  # applied again over the older list
    assert ("GET", "/api/v1/callbacks?state=open", None) in stand_in.requests


def started(qtbot: Any, client: CallbackClient, stand_in: StandIn) -> list[CallbackTaskView]:
    """Connected: the list is in and the stream's one change arrived; later changes are collected."""
    changes: list[CallbackTaskView] = []
    listed: list[object] = []
    client.task_changed.connect(changes.append)
    client.tasks_replaced.connect(lambda tasks, _time: listed.append(tasks))
    client.link.start(stand_in.url, "1001", "1001", lambda: "secret")
    qtbot.waitUntil(lambda: bool(listed) and any(t.task_id == "0a1b2c3d4e60" for t in changes), timeout=5000)
    changes.clear()
    return changes


def test_commands_send_what_the_design_says(qtbot: Any, client: CallbackClient, stand_in: StandIn) -> None:
    changes = started(qtbot, client, stand_in)
    results: list[Any] = []
    client.record_outcome("0a1b2c3d4e5f", "busy", "line busy", results.append, results.append)
    qtbot.waitUntil(lambda: len(results) == 1, timeout=5000)
    assert isinstance(results[0], CallbackTaskView) and results[0].last_outcome == "busy"
    assert changes == [results[0]]  # the list shows it without waiting for the server-sent copy
    client.skip("0a1b2c3d4e5f", "Going on a break", lambda: results.append("skipped"), results.append)
    client.schedule(CallbackRequest("support", "09121110002", topic="contract", due_at=NOW + 3600),
                    results.append, results.append)
    qtbot.waitUntil(lambda: len(results) == 3, timeout=5000)
    assert "skipped" in results
    posts = [(path, body) for method, path, body in stand_in.requests if method == "POST" and "session" not in path]
    assert sorted(posts, key=lambda p: p[0]) == sorted([
        ("/api/v1/callbacks/0a1b2c3d4e5f/outcome", {"outcome": "busy", "note": "line busy"}),
        ("/api/v1/callbacks/0a1b2c3d4e5f/skip", {"reason": "Going on a break"}),
        ("/api/v1/callbacks", {"queue": "support", "number": "09121110002", "topic": "contract",
                               "due_at": NOW + 3600, "same_agent": True}),
    ], key=lambda p: p[0])


def test_a_refusal_carries_the_services_sentence(qtbot: Any, client: CallbackClient, stand_in: StandIn) -> None:
    started(qtbot, client, stand_in)
    errors: list[DeskError] = []
    client.claim("0a1b2c3d4e5f", lambda task: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert (str(errors[0]), errors[0].status) == ("Omid Rezaei (1002) is already calling this customer", 409)
    assert not retryable(errors[0])


def test_an_unreachable_service_is_worth_retrying(qtbot: Any, client: CallbackClient) -> None:
    errors: list[DeskError] = []
    client.release("0a1b2c3d4e5f", lambda: None, errors.append)  # not even connected
    client.link.start("http://127.0.0.1:9", "1001", "1001", lambda: "secret")
    client.reschedule("0a1b2c3d4e5f", NOW, "", lambda task: None, errors.append)
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=8000)
    assert all(retryable(error) for error in errors), [(str(e), e.status) for e in errors]
