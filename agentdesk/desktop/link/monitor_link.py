"""A team lead's link to the floor: the monitor stream and the commands.

Signals (all on the GUI thread):
  floor(FloorSnapshot)         first on every (re)connection: replace everything
  floor_update(FloorUpdate)    changed rows, coalesced by the service
  tick(Tick)                   every few seconds: the stream and the PBX are alive
  supervision(Supervision)     one of this lead's sessions began, changed or ended
  link_changed(str)            '' once connected, else why not
  command_failed(str)          a command was refused or failed, for the lead to read

The stream is read by eventstream.py's reader, signed in through the
agent link (DeskConnection), and parsed on the reader's thread. It opens
again whenever the agent link has restarted (a settings save signs in
anew). Commands go through the agent link's request path on its workers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from PySide6.QtCore import QObject, Signal

from agentdesk.contract import events
from agentdesk.contract.leads import AuditEntry, Supervision, parse_audit_entry, parse_supervision
from agentdesk.contract.monitor import FloorSnapshot, FloorUpdate, Tick, parse_floor, parse_floor_update, parse_tick
from agentdesk.contract.queues import DeskSnapshot

from .api import DeskApi, segment
from .connection import DeskConnection
from .eventstream import EventStream, LinkProblem

log = logging.getLogger("agentdesk.desktop.link")

MONITOR_EVENTS_PATH = "/api/v1/monitor/events"
_PARSERS: dict[str, Callable[[Any], object]] = {
    events.FLOOR: parse_floor,
    events.FLOOR_UPDATE: parse_floor_update,
    events.TICK: parse_tick,
    events.SUPERVISION: parse_supervision,
}


def _parse(name: str, data: Any) -> object | None:
    parser = _PARSERS.get(name)
    return None if parser is None else parser(data)


def _agent_path(agent: str, rest: str) -> str:
    return f"/api/v1/agents/{segment(agent)}/{rest}"


def _with_note(body: dict[str, Any], note: str) -> dict[str, Any]:
    return {**body, "note": note} if note else body


class MonitorLink(QObject):
    floor = Signal(object)
    floor_update = Signal(object)
    tick = Signal(object)
    supervision = Signal(object)
    link_changed = Signal(str)
    command_failed = Signal(str)
    _from_stream = Signal(int, object)  # (generation, news) from the reader thread

    def __init__(self, desk: DeskConnection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self._stream: EventStream | None = None
        self._generation = 0
        self._desk_generation = -1
        self._from_stream.connect(self._relay)

    # -- the stream -------------------------------------------------------------------
    def start(self) -> None:
        """Open the monitor stream (again), signed in as the agent link is now."""
        self.stop()
        self._generation += 1
        self._desk_generation = self._desk.generation
        self._stream = self._desk.open_stream(MONITOR_EVENTS_PATH, _parse, self._from_stream.emit,
                                              self._generation, "monitor-events")
        if self._stream is None:
            self.link_changed.emit(self.tr("Not connected to the desk service"))

    def desk_connected(self, _snapshot: DeskSnapshot) -> None:
        """The agent link (re)connected: a restarted one has signed in anew, so the stream follows it."""
        if self._stream is None or self._desk.generation != self._desk_generation:
            self.start()

    def stop(self) -> None:
        if self._stream is not None:
            self._stream.stop()
        self._stream = None

    def _relay(self, generation: int, news: object) -> None:
        if self._stream is None or generation != self._stream.generation:
            return
        if isinstance(news, FloorSnapshot):
            self.link_changed.emit("")
            self.floor.emit(news)
        elif isinstance(news, FloorUpdate):
            self.floor_update.emit(news)
        elif isinstance(news, Tick):
            self.tick.emit(news)
        elif isinstance(news, Supervision):
            self.supervision.emit(news)
        elif isinstance(news, LinkProblem):
            self.link_changed.emit(news.reason)

    # -- commands ---------------------------------------------------------------------
    def supervise(self, agent: str, mode: str, done: Callable[[Supervision], None]) -> None:
        """POST a supervision session; `done` gets it (its session id is what the lead's phone will ring with)."""
        self._run(lambda api: parse_supervision(api.request("POST", "/api/v1/monitor/supervisions",
                                                            {"agent": agent, "mode": mode})), done)

    def switch_mode(self, session: str, mode: str) -> None:
        self._run(lambda api: api.request("PUT", f"/api/v1/monitor/supervisions/{segment(session)}", {"mode": mode}))

    def leave(self, session: str) -> None:
        self._run(lambda api: api.request("DELETE", f"/api/v1/monitor/supervisions/{segment(session)}"))

    def pause(self, agent: str, reason: str, note: str) -> None:
        body = _with_note({"paused": True, "reason": reason}, note)
        self._run(lambda api: api.request("PUT", _agent_path(agent, "pause"), body))

    def make_ready(self, agent: str, note: str = "") -> None:
        body = _with_note({"paused": False}, note)
        self._run(lambda api: api.request("PUT", _agent_path(agent, "pause"), body))

    def set_queue(self, agent: str, phone: str, queue: str, logged_in: bool, note: str = "") -> None:
        body = _with_note({"logged_in": logged_in, "phone": phone or agent}, note)
        self._run(lambda api: api.request("PUT", _agent_path(agent, f"queues/{segment(queue)}"), body))

    def set_penalty(self, agent: str, queue: str, penalty: int, note: str = "") -> None:
        body = _with_note({"penalty": penalty}, note)
        self._run(lambda api: api.request("PUT", _agent_path(agent, f"queues/{segment(queue)}/penalty"), body))

    def pause_after_call(self, agent: str, reason: str, note: str = "") -> None:
        body = _with_note({"reason": reason}, note)
        self._run(lambda api: api.request("PUT", _agent_path(agent, "pause-after-call"), body))

    def cancel_pause_after_call(self, agent: str) -> None:
        self._run(lambda api: api.request("DELETE", _agent_path(agent, "pause-after-call")))

    def move_caller(self, uniqueid: str, queue: str) -> None:
        path = f"/api/v1/monitor/callers/{segment(uniqueid)}/move"
        self._run(lambda api: api.request("POST", path, {"queue": queue}))

    def send_to_callback(self, uniqueid: str) -> None:
        self._run(lambda api: api.request("POST", f"/api/v1/monitor/callers/{segment(uniqueid)}/callback", {}))

    def audit(self, day: str, agent: str, done: Callable[[list[AuditEntry]], None]) -> None:
        query = urlencode({key: value for key, value in (("day", day), ("agent", agent)) if value})

        def fetch(api: DeskApi) -> list[AuditEntry]:
            data = api.request("GET", f"/api/v1/monitor/audit?{query}")
            rows = data.get("entries", []) if isinstance(data, dict) else data
            return [parse_audit_entry(row) for row in rows]

        self._run(fetch, done)

    def vips(self, done: Callable[[list[tuple[str, str]]], None]) -> None:
        """The VIP list as (number, note) pairs."""
        def fetch(api: DeskApi) -> list[tuple[str, str]]:
            data = api.request("GET", "/api/v1/vips")
            return [(str(v["number"]), str(v.get("note", ""))) for v in data.get("vips", [])]

        self._run(fetch, done)

    def add_vip(self, number: str, note: str, done: Callable[[Any], None]) -> None:
        self._run(lambda api: api.request("PUT", f"/api/v1/vips/{segment(number)}", {"note": note}), done)

    def remove_vip(self, number: str, done: Callable[[Any], None]) -> None:
        self._run(lambda api: api.request("DELETE", f"/api/v1/vips/{segment(number)}"), done)

    def blocked(self, done: Callable[[list[tuple[str, str]]], None]) -> None:
        """The callback do-not-call list as (number, reason) pairs."""
        def fetch(api: DeskApi) -> list[tuple[str, str]]:
            data = api.request("GET", "/api/v1/callbacks/blocked")
            return [(str(b["number"]), str(b.get("reason") or "")) for b in data.get("blocked", [])]

        self._run(fetch, done)

    def add_blocked(self, number: str, reason: str, done: Callable[[Any], None]) -> None:
        path = f"/api/v1/callbacks/blocked/{segment(number)}"
        self._run(lambda api: api.request("PUT", path, {"reason": reason}), done)

    def remove_blocked(self, number: str, done: Callable[[Any], None]) -> None:
        self._run(lambda api: api.request("DELETE", f"/api/v1/callbacks/blocked/{segment(number)}"), done)

    def _run(self, work: Callable[[DeskApi], Any], done: Callable[[Any], None] | None = None) -> None:
        def failed(error: Exception) -> None:
            log.info("monitor command failed: %s", error)
            self.command_failed.emit(str(error))

        self._desk.run_request(work, done or (lambda _result: None), failed)
