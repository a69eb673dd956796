"""The desktop's link to the desk service, as a QObject.

Signals (all delivered on the GUI thread):
  snapshot_received(DeskSnapshot)   after every (re)connect: replace everything
  queue_changed(QueueSummary)       one queue's live summary
  agent_changed(AgentState)         this agent's own state
  pbx_changed(bool)                 whether the service currently reaches Asterisk
  link_changed(str)                 "" when connected, else why not (for the agent to read)
  command_failed(str)               a queue login / pause command was refused or failed
  call_info_ready(str, QueueCallInfo) / call_info_failed(str, str)   screen-pop data by call id
  callback_changed(CallbackTaskView)  one callback task, new or changed (closed ones too)
  wrapup_changed(WrapUpView)          this agent's (or, for a team lead, anyone's) wrap-up began/changed/ended
  survey_arrived(SurveyResult)        a caller rated a call this agent served
  offer_taken(OfferTaken)             a queue call this agent missed was answered by a colleague
  provisioning_changed()              an administrator changed this agent's provisioned settings

A thread reads the event stream and reconnects with back-off; the service
sends a full snapshot first on every connection, so a drop loses nothing.
Commands and queries run on worker threads; nothing here blocks the GUI.

Each start() begins a new generation of the reader thread. stop() never
waits for the thread: it stops and aborts that generation's stream and
the thread ends on its own; whatever an older generation still sends is
dropped, so a restart (every settings save) is never disturbed by it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from PySide6.QtCore import QCoreApplication, QObject, Signal

from agentdesk.contract import events
from agentdesk.contract.callbacks import CallbackTaskView, parse_task_view
from agentdesk.contract.offers import OfferTaken, parse_offer_taken
from agentdesk.contract.queues import (
    AgentState,
    DeskSnapshot,
    ModelError,
    QueueSummary,
    parse_agent_state,
    parse_call_info,
    parse_queue,
    parse_snapshot,
)
from agentdesk.contract.wrapups import SurveyResult, WrapUpView, parse_survey, parse_wrapup_view

from ..tasks import TaskRunner
from ..threadname import name_this_thread
from .api import DeskApi, DeskError
from .sse import ServerEvent, SseParser

# Spelled out at each call (context, text) so that pyside6-lupdate finds every text.
translate = QCoreApplication.translate

log = logging.getLogger("agentdesk.desktop.link")

READ_TIMEOUT_SECONDS = 40.0  # the service sends a heartbeat every 15 s
RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0)
CALL_INFO_RETRY_SECONDS = 0.3


@dataclass(frozen=True)
class _Connected:
    """A (re)connection's snapshot, with whether the service reaches Asterisk."""

    snapshot: DeskSnapshot
    pbx_connected: bool


@dataclass(frozen=True)
class _PbxStatus:
    connected: bool


@dataclass(frozen=True)
class _ProvisioningChanged:
    pass


@dataclass(frozen=True)
class _LinkProblem:
    reason: str  # for the agent to read


_StreamNews = (_Connected | QueueSummary | AgentState | CallbackTaskView | WrapUpView | SurveyResult | OfferTaken
               | _PbxStatus | _ProvisioningChanged | _LinkProblem)


class _Stream:
    """One generation of the event-stream reader: its stop flag and the
    response it reads, so stop() aborts exactly this generation's socket.

    Invariant: once stop() has returned, this generation hands nothing more
    to the GUI thread (the lock makes stop() a barrier for `send`)."""

    def __init__(self, generation: int, relay: Callable[[int, _StreamNews], None]) -> None:
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

    def send(self, news: _StreamNews) -> None:
        with self._lock:
            if not self.stopped.is_set():
                self._relay(self.generation, news)


class DeskConnection(QObject):
    snapshot_received = Signal(object)
    queue_changed = Signal(object)
    agent_changed = Signal(object)
    pbx_changed = Signal(bool)
    link_changed = Signal(str)
    command_failed = Signal(str)
    call_info_ready = Signal(str, object)
    call_info_failed = Signal(str, str)
    callback_changed = Signal(object)
    wrapup_changed = Signal(object)
    survey_arrived = Signal(object)
    offer_taken = Signal(object)
    provisioning_changed = Signal()
    _from_stream = Signal(int, object)  # (generation, _StreamNews) from the reader thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = TaskRunner(workers=3, parent=self)
        self._api: DeskApi | None = None
        self._phone = ""
        self._generation = 0
        self._stream: _Stream | None = None
        self.clock_offset = 0.0
        self._from_stream.connect(self._relay)

    @property
    def active(self) -> bool:
        return self._api is not None

    def start(self, base_url: str, agent: str, phone: str, secret: Callable[[], str | None],
              ca_file: str = "") -> None:
        """Link up with the service at `base_url` as `agent` working from
        `phone`; `secret` gives the agent's SIP secret for signing in (it
        never leaves this machine), `ca_file` the pinned authority ("" =
        the system's). A refused address is said through link_changed."""
        self.stop()
        try:
            self._api = DeskApi(base_url, agent, secret, ca_file)
        except DeskError as error:
            self.link_changed.emit(str(error))
            return
        self._phone = phone
        self._generation += 1
        self._stream = _Stream(self._generation, self._from_stream.emit)
        reader = threading.Thread(target=_read_events, args=(self._api, self._stream),
                                  name=f"desk-events-{self._generation}", daemon=True)
        reader.start()

    def stop(self) -> None:
        """Stop the event stream without waiting: the reader thread may still
        be connecting; it ends on its own and nothing it sends arrives."""
        if self._stream is not None:
            self._stream.stop()
        self._stream = None
        if self._api is not None:
            self._api.close()
        self._api = None

    def shutdown(self) -> None:
        """For quitting: commands not started are dropped and results of
        those still running are ignored, so quitting never waits for them."""
        self.stop()
        self._tasks.shutdown(wait=False, cancel=True)

    # -- commands --------------------------------------------------------------
    def set_queue(self, queue: str, logged_in: bool) -> None:
        phone = self._phone
        self._command(lambda api: api.set_queue(queue, logged_in, phone))

    def pause(self, reason: str) -> None:
        self._command(lambda api: api.set_pause(True, reason))

    def unpause(self) -> None:
        self._command(lambda api: api.set_pause(False))

    def fetch_call_info(self, uniqueid: str, queue: str = "") -> None:
        api = self._api
        if api is None:
            self.call_info_failed.emit(uniqueid, self.tr("Not connected to the desk service"))
            return
        self._tasks.run(lambda: _call_info(api, uniqueid, queue),
                        lambda data: self._call_info_done(uniqueid, data),
                        lambda error: self.call_info_failed.emit(uniqueid, str(error)))

    def _call_info_done(self, uniqueid: str, data: dict[str, Any]) -> None:
        try:
            self.call_info_ready.emit(uniqueid, parse_call_info(data))
        except ModelError as error:
            log.warning("bad call info from the desk service: %s", error)
            self.call_info_failed.emit(uniqueid, self.tr("The desk service sent unreadable call data"))

    def run_request(self, work: Callable[[DeskApi], Any], on_done: Callable[[Any], None],
                    on_error: Callable[[Exception], None]) -> None:
        """Run `work(api)` on a worker; its result or error comes back on the GUI thread."""
        api = self._api
        if api is None:
            on_error(DeskError(self.tr("Not connected to the desk service")))
            return
        self._tasks.run(lambda: work(api), on_done, on_error)

    def _command(self, work: Callable[[DeskApi], None]) -> None:
        api = self._api
        if api is None:
            self.command_failed.emit(self.tr("Not connected to the desk service"))
            return
        self._tasks.run(lambda: work(api), None, lambda error: self.command_failed.emit(str(error)))

    # -- news from the reader thread, on the GUI thread ------------------------------
    def _relay(self, generation: int, news: _StreamNews) -> None:
        if self._stream is None or generation != self._stream.generation:
            log.debug("ignoring news from an earlier desk connection")
            return
        if isinstance(news, _Connected):
            self.clock_offset = news.snapshot.server_time - time.time()
            self.link_changed.emit("")
            self.pbx_changed.emit(news.pbx_connected)
            self.snapshot_received.emit(news.snapshot)
        elif isinstance(news, QueueSummary):
            self.queue_changed.emit(news)
        elif isinstance(news, AgentState):
            self.agent_changed.emit(news)
        elif isinstance(news, CallbackTaskView):
            self.callback_changed.emit(news)
        elif isinstance(news, WrapUpView):
            self.wrapup_changed.emit(news)
        elif isinstance(news, SurveyResult):
            self.survey_arrived.emit(news)
        elif isinstance(news, OfferTaken):
            self.offer_taken.emit(news)
        elif isinstance(news, _PbxStatus):
            self.pbx_changed.emit(news.connected)
        elif isinstance(news, _ProvisioningChanged):
            self.provisioning_changed.emit()
        else:
            self.link_changed.emit(news.reason)


# -- the event stream (its own thread; it never touches the QObject) -----------------
def _read_events(api: DeskApi, stream: _Stream) -> None:
    name_this_thread("ad-desk-events")
    try:
        _read_until_stopped(api, stream)
    except Exception:
        if stream.stopped.is_set():  # e.g. the session was closed under it
            log.debug("desk event reader ended after stop", exc_info=True)
        else:
            log.exception("the desk event reader failed")


def _read_until_stopped(api: DeskApi, stream: _Stream) -> None:
    attempt = 0
    while not stream.stopped.is_set():
        problem = _stream_once(api, stream)
        if stream.stopped.is_set():
            break
        attempt = 0 if problem is None else attempt + 1
        stream.send(_LinkProblem(problem or translate("DeskConnection", "Reconnecting to the desk service…")))
        stream.stopped.wait(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
    log.debug("desk event reader %d ended", stream.generation)


def _stream_once(api: DeskApi, stream: _Stream) -> str | None:
    """Read one connection to its end; the reason it ended, if a problem."""
    try:
        response = api.open_events(READ_TIMEOUT_SECONDS)
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
                _dispatch(event, stream)
    except (requests.RequestException, OSError, AttributeError):
        log.info("desk event stream ended")
    finally:
        stream.release(response)
    return None


def _dispatch(event: ServerEvent, stream: _Stream) -> None:
    try:
        data = json.loads(event.data)
        if event.name == events.SNAPSHOT:
            snapshot = parse_snapshot(data)
            stream.send(_Connected(snapshot, snapshot.pbx_connected))
        elif event.name == events.QUEUE:
            stream.send(parse_queue(data))
        elif event.name == events.AGENT:
            stream.send(parse_agent_state(data))
        elif event.name == events.CALLBACK:
            stream.send(parse_task_view(data))
        elif event.name == events.WRAPUP:
            stream.send(parse_wrapup_view(data))
        elif event.name == events.SURVEY:
            stream.send(parse_survey(data))
        elif event.name == events.OFFER_TAKEN:
            stream.send(parse_offer_taken(data))
        elif event.name == events.PBX:
            stream.send(_PbxStatus(bool(data.get("connected"))))
        elif event.name == events.PROVISIONING:
            stream.send(_ProvisioningChanged())
    except (ValueError, KeyError, TypeError, ModelError) as error:
        log.warning("skipping a malformed %r event from the desk service: %s", event.name, error)



def _call_info(api: DeskApi, uniqueid: str, queue: str) -> dict[str, Any]:
    try:
        return api.call_info(uniqueid, queue)
    except DeskError as error:
        if error.status != 404:
            raise
    # The ring can overtake the service's record of the join by a moment.
    time.sleep(CALL_INFO_RETRY_SECONDS)
    return api.call_info(uniqueid, queue)


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
