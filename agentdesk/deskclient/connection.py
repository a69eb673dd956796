"""The desktop's link to the desk service, as a QObject.

Signals (all delivered on the GUI thread):
  snapshot_received(DeskSnapshot)   after every (re)connect: replace everything
  queue_changed(QueueSummary)       one queue's live summary
  agent_changed(AgentState)         this agent's own state
  pbx_changed(bool)                 whether the service currently reaches Asterisk
  link_changed(str)                 "" when connected, else why not (for the agent to read)
  command_failed(str)               a queue login / pause command was refused or failed
  call_info_ready(str, QueueCallInfo) / call_info_failed(str, str)   screen-pop data by call id

A thread reads the event stream and reconnects with back-off; the service
sends a full snapshot first on every connection, so a drop loses nothing.
Commands and queries run on worker threads; nothing here blocks the GUI.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from PySide6.QtCore import QObject, Signal

from ..tasks import TaskRunner
from .api import DeskApi, DeskError
from .model import ModelError, parse_agent_state, parse_call_info, parse_queue, parse_snapshot
from .sse import ServerEvent, SseParser

log = logging.getLogger("agentdesk.desk")

READ_TIMEOUT_SECONDS = 40.0  # the service sends a heartbeat every 15 s
RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0)
CALL_INFO_RETRY_SECONDS = 0.3


class DeskConnection(QObject):
    snapshot_received = Signal(object)
    queue_changed = Signal(object)
    agent_changed = Signal(object)
    pbx_changed = Signal(bool)
    link_changed = Signal(str)
    command_failed = Signal(str)
    call_info_ready = Signal(str, object)
    call_info_failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = TaskRunner(workers=3, parent=self)
        self._api: DeskApi | None = None
        self._phone = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._response: requests.Response | None = None
        self.clock_offset = 0.0

    @property
    def active(self) -> bool:
        return self._api is not None

    def start(self, base_url: str, agent: str, phone: str, password: Callable[[], str | None]) -> None:
        self.stop()
        try:
            self._api = DeskApi(base_url, agent, password)
        except DeskError as error:
            self.link_changed.emit(str(error))
            return
        self._phone = phone
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read_events, args=(self._api, self._stop),
                                        name="desk-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        response = self._response
        if response is not None:
            _abort(response)
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self._thread = None
        if self._api is not None:
            self._api.close()
        self._api = None

    def shutdown(self) -> None:
        self.stop()
        self._tasks.shutdown()

    # -- commands --------------------------------------------------------------
    def set_queue(self, queue: str, logged_in: bool) -> None:
        phone = self._phone
        self._command(lambda api: api.set_queue(queue, logged_in, phone))

    def pause(self, reason: str) -> None:
        self._command(lambda api: api.set_pause(True, reason))

    def unpause(self) -> None:
        self._command(lambda api: api.set_pause(False))

    def fetch_call_info(self, uniqueid: str) -> None:
        api = self._api
        if api is None:
            self.call_info_failed.emit(uniqueid, self.tr("Not connected to the desk service"))
            return
        self._tasks.run(lambda: _call_info(api, uniqueid),
                        lambda data: self._call_info_done(uniqueid, data),
                        lambda error: self.call_info_failed.emit(uniqueid, str(error)))

    def _call_info_done(self, uniqueid: str, data: dict[str, Any]) -> None:
        try:
            self.call_info_ready.emit(uniqueid, parse_call_info(data))
        except ModelError as error:
            log.warning("bad call info from the desk service: %s", error)
            self.call_info_failed.emit(uniqueid, self.tr("The desk service sent unreadable call data"))

    def _command(self, work: Callable[[DeskApi], None]) -> None:
        api = self._api
        if api is None:
            self.command_failed.emit(self.tr("Not connected to the desk service"))
            return
        self._tasks.run(lambda: work(api), None, lambda error: self.command_failed.emit(str(error)))

    # -- the event stream (its own thread) ---------------------------------------
    def _read_events(self, api: DeskApi, stop: threading.Event) -> None:
        attempt = 0
        while not stop.is_set():
            problem = self._stream_once(api, stop)
            if stop.is_set():
                break
            attempt = 0 if problem is None else attempt + 1
            self.link_changed.emit(problem or self.tr("Reconnecting to the desk service…"))
            stop.wait(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])

    def _stream_once(self, api: DeskApi, stop: threading.Event) -> str | None:
        """Read one connection to its end; the reason it ended, if a problem."""
        try:
            response = api.open_events(READ_TIMEOUT_SECONDS)
        except DeskError as error:
            return str(error)
        except requests.RequestException:
            return self.tr("Cannot reach the desk service at %s") % api.base_url
        self._response = response
        parser = SseParser()
        try:
            for chunk in response.iter_content(chunk_size=None):
                if stop.is_set():
                    break
                for event in parser.feed(chunk):
                    self._dispatch(event)
        except (requests.RequestException, OSError, AttributeError):
            log.info("desk event stream ended")
        finally:
            self._response = None
            response.close()
        return None

    def _dispatch(self, event: ServerEvent) -> None:
        try:
            data = json.loads(event.data)
            if event.name == "snapshot":
                snapshot = parse_snapshot(data)
                self.clock_offset = snapshot.server_time - time.time()
                self.link_changed.emit("")
                self.pbx_changed.emit(bool(data.get("pbx_connected", True)))
                self.snapshot_received.emit(snapshot)
            elif event.name == "queue":
                self.queue_changed.emit(parse_queue(data))
            elif event.name == "agent":
                self.agent_changed.emit(parse_agent_state(data))
            elif event.name == "pbx":
                self.pbx_changed.emit(bool(data.get("connected")))
        except (ValueError, KeyError, TypeError, ModelError) as error:
            log.warning("skipping a malformed %r event from the desk service: %s", event.name, error)


def _call_info(api: DeskApi, uniqueid: str) -> dict[str, Any]:
    try:
        return api.call_info(uniqueid)
    except DeskError as error:
        if error.status != 404:
            raise
    # The ring can overtake the service's record of the join by a moment.
    time.sleep(CALL_INFO_RETRY_SECONDS)
    return api.call_info(uniqueid)


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
        log.debug("no socket to shut down on the desk event stream")
