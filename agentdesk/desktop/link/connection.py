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
  supervision_changed(Supervision)    a team lead began, changed or ended supervising this agent's call
  control_arrived(ControlNotice)      a team lead acted on this agent (paused them, moved their queues...)

A thread reads the event stream and reconnects with back-off
(eventstream.py); commands and queries run on worker threads; nothing here
blocks the GUI. Each start() begins a new generation of the reader; stop()
never waits for it, and whatever an older generation still sends is
dropped, so a restart (every settings save) is never disturbed by it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from agentdesk.contract import events
from agentdesk.contract.callbacks import CallbackTaskView, parse_task_view
from agentdesk.contract.leads import ControlNotice, Supervision, parse_notice, parse_supervision
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
from .api import DeskApi, DeskError
from .eventstream import EventStream, LinkProblem, Parse, Relay, start_reader

log = logging.getLogger("agentdesk.desktop.link")

EVENTS_PATH = "/api/v1/events"
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
    supervision_changed = Signal(object)
    control_arrived = Signal(object)
    _from_stream = Signal(int, object)  # (generation, _StreamNews) from the reader thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = TaskRunner(workers=3, parent=self)
        self._api: DeskApi | None = None
        self._phone = ""
        self._generation = 0
        self._stream: EventStream | None = None
        self.clock_offset = 0.0
        self._from_stream.connect(self._relay)

    @property
    def active(self) -> bool:
        return self._api is not None

    @property
    def generation(self) -> int:
        """Grows at every start(): a stream opened with open_stream() before it has lost its sign-in."""
        return self._generation

    def open_stream(self, path: str, parse: Parse, relay: Relay, generation: int,
                    thread_name: str) -> EventStream | None:
        """Read another of the service's streams (a team lead's monitor stream) signed in
        as this link is; None while not linked. Stop the stream before this link's next start()."""
        if self._api is None:
            return None
        return start_reader(self._api, path, parse, relay, generation, thread_name)

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
        self._stream = start_reader(self._api, EVENTS_PATH, _parse, self._from_stream.emit, self._generation,
                                    "desk-events")

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
    def _relay(self, generation: int, news: object) -> None:
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
        elif isinstance(news, Supervision):
            self.supervision_changed.emit(news)
        elif isinstance(news, ControlNotice):
            self.control_arrived.emit(news)
        elif isinstance(news, LinkProblem):
            self.link_changed.emit(news.reason)


# -- the event stream's parsing (on its own thread; it never touches the QObject) -----------
_PARSERS: dict[str, Callable[[Any], object]] = {
    events.QUEUE: parse_queue,
    events.AGENT: parse_agent_state,
    events.CALLBACK: parse_task_view,
    events.WRAPUP: parse_wrapup_view,
    events.SURVEY: parse_survey,
    events.OFFER_TAKEN: parse_offer_taken,
    events.SUPERVISION: parse_supervision,
    events.CONTROL: parse_notice,
}


def _parse(name: str, data: Any) -> object | None:
    if name == events.SNAPSHOT:
        snapshot = parse_snapshot(data)
        return _Connected(snapshot, snapshot.pbx_connected)
    if name == events.PBX:
        return _PbxStatus(bool(data.get("connected")))
    if name == events.PROVISIONING:
        return _ProvisioningChanged()
    parser = _PARSERS.get(name)
    return None if parser is None else parser(data)


def _call_info(api: DeskApi, uniqueid: str, queue: str) -> dict[str, Any]:
    try:
        return api.call_info(uniqueid, queue)
    except DeskError as error:
        if error.status != 404:
            raise
    # The ring can overtake the service's record of the join by a moment.
    time.sleep(CALL_INFO_RETRY_SECONDS)
    return api.call_info(uniqueid, queue)
