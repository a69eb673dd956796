"""The desktop's link to the desk service never makes the GUI wait: quitting
drops desk commands still queued, stopping or restarting the event stream
does not wait for its thread, news from an earlier connection is ignored,
and one desk call (signing in again included) ends within its timeout.

Real HTTP on 127.0.0.1: a server that accepts and never answers (a hung
service) and a small stand-in desk service built on http.server."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, Qt

from agentdesk.contract import events
from agentdesk.contract.offers import OfferTaken
from agentdesk.contract.queues import DeskSnapshot
from agentdesk.desktop.link.api import DeskApi, DeskError
from agentdesk.desktop.link.connection import DeskConnection
from agentdesk.desktop.tasks import TaskRunner

PROMPT = 1.0  # seconds: what "at once" means for the GUI thread here


class SilentServer:
    """Accepts TCP connections and never answers: a hung desk service."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._accepted: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="silent-server", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            with self._lock:
                self._accepted.append(connection)

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._accepted)

    def close(self) -> None:
        """Drop every connection: clients still waiting fail at once."""
        self._closing.set()
        self._thread.join()
        self._listener.close()
        with self._lock:
            accepted, self._accepted = self._accepted, []
        for connection in accepted:
            connection.close()


def snapshot_naming(queue: str) -> dict[str, Any]:
    """A valid snapshot whose one queue is called `queue` (tells servers apart)."""
    today = {"offered": 0, "answered": 0, "abandoned": 0, "service_level": None, "service_level_seconds": 20}
    me = {"agent": "1001", "name": "Nina", "role": "agent", "phone": "1001", "queues": {},
          "activity": "logged_out", "since": 0}
    return {"server_time": time.time(), "me": me, "pause_reasons": [],
            "queues": [{"name": queue, "callers": [], "members": [], "today": today}]}


class StandInService:
    """A stand-in desk service. Sign-in waits for `sign_in_gate` and takes
    `delay`; the event stream sends a snapshot naming `queue`, then the events
    in `then` (name, data), and stays open until the client goes (`stream_closed`); other calls answer `status`
    after `delay`."""

    def __init__(self, queue: str = "support", delay: float = 0.0, status: int = 200) -> None:
        self.queue, self.delay, self.status = queue, delay, status
        self.sign_in_gate = threading.Event()
        self.sign_in_gate.set()
        self.sign_in_requested = threading.Event()
        self.stream_closed = threading.Event()
        self.then: list[tuple[str, Any]] = []
        self._sockets: list[socket.socket] = []
        self._server = _HttpServer(self)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-desk", daemon=True)
        self._thread.start()

    def sign_in(self, handler: BaseHTTPRequestHandler) -> None:
        """Both steps of a sign-in: the challenge, then its answer."""
        self.sign_in_requested.set()
        self.sign_in_gate.wait(10)
        time.sleep(self.delay)  # the service's latency
        challenge = handler.path.endswith("/challenge")
        _reply(handler, 200, {"nonce": "n" * 32, "expires_in": 30} if challenge else {"token": "t0ken"})

    def events(self, handler: BaseHTTPRequestHandler) -> None:
        self._sockets.append(handler.connection)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Transfer-Encoding", "chunked")  # as the real service streams
        handler.end_headers()
        for name, data in [("snapshot", snapshot_naming(self.queue)), *self.then]:
            event = f"event: {name}\ndata: ".encode() + json.dumps(data).encode() + b"\n\n"
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
        handler.wfile.flush()
        with contextlib.suppress(OSError):
            handler.connection.recv(1)  # returns when the desktop closes or aborts the stream
        self.stream_closed.set()

    def command(self, handler: BaseHTTPRequestHandler) -> None:
        time.sleep(self.delay)
        _reply(handler, self.status, {} if self.status < 400 else {"error": "sign in first"})

    def close(self) -> None:
        self.sign_in_gate.set()
        for connection in self._sockets:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.shutdown()
        self._server.server_close()


class _HttpServer(ThreadingHTTPServer):
    def __init__(self, desk: StandInService) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.desk = desk

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a desktop that hangs up mid-answer is expected here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def desk(self) -> StandInService:
        return cast(_HttpServer, self.server).desk

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.desk.sign_in(self)

    def do_GET(self) -> None:
        self.desk.events(self)

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.desk.command(self)


def _reply(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(data)


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def desks() -> Iterator[list[StandInService]]:
    """Fake desk services appended here are closed afterwards."""
    started: list[StandInService] = []
    yield started
    for desk in started:
        desk.close()


@pytest.fixture
def link(qtbot: Any) -> Iterator[DeskConnection]:
    connection = DeskConnection()
    yield connection
    if shiboken6.isValid(connection):
        connection.shutdown()


def start(link: DeskConnection, url: str) -> float:
    """Start the link; how long the GUI thread was held."""
    began = time.monotonic()
    link.start(url, "1001", "1001", lambda: "secret")
    return time.monotonic() - began


def reader_threads() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name.startswith("desk-events"))


def queue_names(snapshots: list[DeskSnapshot]) -> list[str]:
    return [queue.name for snapshot in snapshots for queue in snapshot.queues]


# -- quitting ------------------------------------------------------------------------


def test_quitting_with_desk_commands_pending_on_a_hung_service_is_prompt(
    qtbot: Any, link: DeskConnection, silent: SilentServer
) -> None:
    start(link, silent.url)
    for queue in ("support", "sales", "billing", "vip"):
        link.set_queue(queue, True)
    link.pause("Lunch")
    qtbot.waitUntil(lambda: silent.connections >= 4, timeout=5000)  # the reader and three commands wait
    began = time.monotonic()
    link.shutdown()
    assert time.monotonic() - began < PROMPT
    with qtbot.assertNotEmitted(link.command_failed, wait=500):
        silent.close()  # the commands still running fail now: nobody hears of it any more


def test_a_runner_shut_down_without_waiting_drops_queued_work_and_late_results(qtbot: Any) -> None:
    runner = TaskRunner(workers=1)
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []
    delivered: list[object] = []
    workers: list[threading.Thread] = []

    def slow() -> str:
        workers.append(threading.current_thread())
        started.set()
        release.wait(5)
        ran.append("slow")
        return "late"

    runner.run(slow, delivered.append, delivered.append)
    runner.run(lambda: ran.append("queued"), delivered.append, delivered.append)
    assert started.wait(5)
    began = time.monotonic()
    runner.shutdown(wait=False, cancel=True)
    assert time.monotonic() - began < PROMPT
    release.set()
    workers[0].join(5)
    QCoreApplication.sendPostedEvents()
    assert ran == ["slow"] and delivered == []


def test_work_ending_after_its_runner_was_deleted_leaves_it_alone(qtbot: Any) -> None:
    runner = TaskRunner(workers=1)
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    workers: list[threading.Thread] = []

    def slow() -> None:
        workers.append(threading.current_thread())
        started.set()
        release.wait(5)
        finished.set()

    runner.run(slow, lambda _: None)
    assert started.wait(5)
    runner.shutdown(wait=False, cancel=True)
    shiboken6.delete(runner)
    release.set()
    workers[0].join(5)
    assert finished.is_set() and not workers[0].is_alive()


def test_a_runner_shut_down_by_default_still_runs_and_delivers_everything(qtbot: Any) -> None:
    runner = TaskRunner(workers=1)
    delivered: list[object] = []

    def numbered(number: int) -> Callable[[], int]:
        def work() -> int:
            time.sleep(0.05)  # still running when shutdown() is called
            return number
        return work

    for number in range(3):
        runner.run(numbered(number), delivered.append)
    runner.shutdown()
    qtbot.waitUntil(lambda: delivered == [0, 1, 2], timeout=2000)


# -- the event stream ---------------------------------------------------------------------


def test_stopping_while_the_reader_is_still_connecting_does_not_wait_for_it(
    qtbot: Any, link: DeskConnection, silent: SilentServer
) -> None:
    start(link, silent.url)
    qtbot.waitUntil(lambda: silent.connections >= 1, timeout=5000)  # signing in, no answer coming
    began = time.monotonic()
    link.stop()
    assert time.monotonic() - began < 0.2
    with qtbot.assertNotEmitted(link.link_changed, wait=500):
        silent.close()  # the stopped reader now fails to sign in: the agent must not hear of it
    qtbot.waitUntil(lambda: reader_threads() == 0, timeout=5000)


def test_a_quick_restart_gets_the_new_snapshot_and_ignores_the_old_connection(
    qtbot: Any, link: DeskConnection, desks: list[StandInService]
) -> None:
    old, new = StandInService(queue="old"), StandInService(queue="new")
    desks += [old, new]
    old.sign_in_gate.clear()
    start(link, old.url)
    assert old.sign_in_requested.wait(5)  # the first reader is stuck signing in
    with qtbot.waitSignal(link.snapshot_received, timeout=5000) as received:
        held = start(link, new.url)
    assert held < 0.2
    assert queue_names([received.args[0]]) == ["new"]

    snapshots: list[DeskSnapshot] = []
    problems: list[str] = []
    link.snapshot_received.connect(snapshots.append)
    link.link_changed.connect(problems.append)
    old.sign_in_gate.set()  # the first reader carries on, long after it was stopped
    qtbot.waitUntil(lambda: reader_threads() == 1, timeout=5000)
    QCoreApplication.sendPostedEvents()
    assert snapshots == [] and problems == []

    link.stop()  # the new stream is still this link's to abort
    assert new.stream_closed.wait(2)


def test_news_already_sent_by_a_stopped_connection_is_dropped(
    qtbot: Any, link: DeskConnection, desks: list[StandInService]
) -> None:
    old, new = StandInService(queue="old"), StandInService(queue="new")
    desks += [old, new]
    sent = threading.Event()
    # Runs on the reader thread as it hands news over, so the GUI thread can
    # restart the link while that news is still queued for it.
    link._from_stream.connect(lambda *_: sent.set(), Qt.ConnectionType.DirectConnection)
    start(link, old.url)
    assert sent.wait(5)
    snapshots: list[DeskSnapshot] = []
    link.snapshot_received.connect(snapshots.append)
    start(link, new.url)
    qtbot.waitUntil(lambda: bool(snapshots), timeout=5000)
    assert queue_names(snapshots) == ["new"]
    assert old.stream_closed.wait(2)


# -- one desk call -------------------------------------------------------------------------


def test_a_desk_call_ends_within_its_timeout_even_when_signing_in_again(desks: list[StandInService]) -> None:
    desk = StandInService(delay=0.35, status=401)  # each step is in time, all of them together are not
    desks.append(desk)
    api = DeskApi(desk.url, "1001", lambda: "secret", timeout=0.5)
    began = time.monotonic()
    with pytest.raises(DeskError, match=r"did not answer within 0\.5 s"):
        api.set_pause(True, "Lunch")
    assert time.monotonic() - began < 0.5 + 0.3
    api.close()


def test_a_closed_api_makes_no_further_request(desks: list[StandInService]) -> None:
    desk = StandInService()
    desks.append(desk)
    api = DeskApi(desk.url, "1001", lambda: "secret")
    api.close()
    with pytest.raises(DeskError, match="closed"):
        api.set_pause(False)
    assert not desk.sign_in_requested.is_set()


def test_a_colleagues_answer_to_a_missed_queue_call_reaches_the_desktop(
    qtbot: Any, link: DeskConnection, desks: list[StandInService]
) -> None:
    desk = StandInService()
    desks.append(desk)
    taken = {"uniqueid": "1763800000.41", "queue": "support", "agent": "1002", "agent_name": "Dmitri Volkov"}
    desk.then = [(events.OFFER_TAKEN, {"queue": "support"}), (events.OFFER_TAKEN, taken)]  # the first names no call
    with qtbot.waitSignal(link.offer_taken, timeout=5000) as received:
        start(link, desk.url)
    assert received.args == [OfferTaken("1763800000.41", "support", "1002", "Dmitri Volkov")]


def test_an_administrators_change_of_provisioned_settings_reaches_the_desktop(
    qtbot: Any, link: DeskConnection, desks: list[StandInService]
) -> None:
    desk = StandInService()
    desks.append(desk)
    desk.then = [(events.PROVISIONING, {})]
    with qtbot.waitSignal(link.provisioning_changed, timeout=5000):
        start(link, desk.url)
