"""A reconnecting reader of one of the desk service's server-sent event
streams, on a thread of its own: the agent's stream (connection.py) and a
team lead's monitor stream (monitor_link.py) are both read by it.

The reader opens `path`, hands each event to `parse` on its own thread
(turning JSON into the contract's frozen dataclasses there, so the GUI
thread only applies them) and relays what `parse` returns; when a
connection ends it relays a LinkProblem and connects again with back-off.
The service sends a full snapshot first on every connection, so a drop
loses nothing.

Each start_reader() makes a new generation (an EventStream): stop() never
waits for the thread; it stops and aborts that generation's socket and
whatever the thread still finds is dropped.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from PySide6.QtCore import QCoreApplication

from agentdesk.contract.queues import ModelError

from ..threadname import name_this_thread
from .api import DeskApi, DeskError
from .sse import ServerEvent, SseParser

translate = QCoreApplication.translate

log = logging.getLogger("agentdesk.desktop.link")

READ_TIMEOUT_SECONDS = 40.0  # the service sends a heartbeat every 15 s
RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0)


@dataclass(frozen=True)
class LinkProblem:
    """The stream is down; `reason` is for the person at the desk to read."""

    reason: str


# (event name, its JSON data) -> what to relay (None: nothing). Runs on the reader thread;
# ValueError/KeyError/TypeError/ModelError mean a malformed event, which is skipped.
Parse = Callable[[str, Any], object | None]
Relay = Callable[[int, object], None]  # (generation, news), called on the reader thread


class EventStream:
    """One generation of a reader: its stop flag and the response it reads,
    so stop() aborts exactly this generation's socket.

    Invariant: once stop() has returned, this generation hands nothing more
    to `relay` (the lock makes stop() a barrier for `send`)."""

    def __init__(self, generation: int, relay: Relay) -> None:
        self.generation = generation
        self.stopped = threading.Event()
        self._relay = relay
        self._lock = threading.Lock()
        self._response: requests.Response | None = None

    def stop(self) -> None:
        with self._lock:
            self.stopped.set()
            response, self._response = self._response, None
        if response is not None:
            _abort(response)

    def hold(self, response: requests.Response) -> bool:
        """Remember the response being read; False if stopped meanwhile."""
        with self._lock:
            if not self.stopped.is_set():
                self._response = response
                return True
        return False

    def release(self, response: requests.Response) -> None:
        with self._lock:
            if self._response is response:
                self._response = None
        response.close()

    def send(self, news: object) -> None:
        with self._lock:
            if not self.stopped.is_set():
                self._relay(self.generation, news)


def start_reader(api: DeskApi, path: str, parse: Parse, relay: Relay, generation: int,
                 thread_name: str) -> EventStream:
    """Read `path` on a new daemon thread until the returned stream is stopped; the thread is
    `thread_name`-<generation> to Python and ad-`thread_name` to the system."""
    stream = EventStream(generation, relay)
    reader = threading.Thread(target=_read_events, args=(api, path, parse, stream, thread_name),
                              name=f"{thread_name}-{generation}", daemon=True)
    reader.start()
    return stream


def _read_events(api: DeskApi, path: str, parse: Parse, stream: EventStream, thread_name: str) -> None:
    name_this_thread(f"ad-{thread_name}")
    try:
        _read_until_stopped(api, path, parse, stream)
    except Exception:
        if stream.stopped.is_set():  # e.g. the session was closed under it
            log.debug("event reader %s ended after stop", path, exc_info=True)
        else:
            log.exception("the event reader of %s failed", path)


def _read_until_stopped(api: DeskApi, path: str, parse: Parse, stream: EventStream) -> None:
    attempt = 0
    while not stream.stopped.is_set():
        problem = _stream_once(api, path, parse, stream)
        if stream.stopped.is_set():
            break
        attempt = 0 if problem is None else attempt + 1
        stream.send(LinkProblem(problem or translate("DeskConnection", "Reconnecting to the desk service…")))
        stream.stopped.wait(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
    log.debug("event reader %s %d ended", path, stream.generation)


def _stream_once(api: DeskApi, path: str, parse: Parse, stream: EventStream) -> str | None:
    """Read one connection to its end; the reason it ended, if a problem."""
    try:
        response = api.open_events(READ_TIMEOUT_SECONDS, path)
    except DeskError as error:
        return str(error)
    except requests.RequestException:
        return translate("DeskConnection", "Cannot reach the desk service at %s") % api.base_url
    if not stream.hold(response):
        response.close()
        return None
    parser = SseParser()
    try:
        for chunk in response.iter_content(chunk_size=None):
            if stream.stopped.is_set():
                break
            for event in parser.feed(chunk):
                _dispatch(event, parse, stream)
    except (requests.RequestException, OSError, AttributeError):
        log.info("event stream %s ended", path)
    finally:
        stream.release(response)
    return None


def _dispatch(event: ServerEvent, parse: Parse, stream: EventStream) -> None:
    try:
        news = parse(event.name, json.loads(event.data))
    except (ValueError, KeyError, TypeError, ModelError) as error:
        log.warning("skipping a malformed %r event from the desk service: %s", event.name, error)
        return
    if news is not None:
        stream.send(news)


def _abort(response: requests.Response) -> None:
    """Unblock the reader thread (a plain close() may wait for the next chunk)."""
    try:
        connection = response.raw.connection
        sock = getattr(connection, "sock", None)
        if sock is not None:
            sock.shutdown(2)
    except OSError:
        pass
    except AttributeError:
        log.debug("no socket to shut down on a desk event stream")
