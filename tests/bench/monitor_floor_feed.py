"""A synthetic desk service for bench_monitor_board.py: it serves one team
lead's monitor stream (GET /api/v1/monitor/events, after the usual
challenge sign-in) with a floor of AGENTS agents in QUEUES queues, then
plays call events at RATE a second for SECONDS and sends them the way the
desk service's feed does (agentdesk/server/monitor/feed.py): each event
marks the agent, queue and call rows it touched; the marks go out as one
FloorUpdate of whole rows at most every 100 ms (at once when the floor was
quiet), carrying the latest event time as `happened`; a tick every 5 s.

It runs in a process of its own, so its work never counts as the
desktop's. `python -m tests.bench.monitor_floor_feed AGENTS QUEUES RATE
SETTLE SECONDS` prints its port, then serves until killed.
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agentdesk.contract.events import FLOOR, FLOOR_UPDATE, TICK
from agentdesk.contract.monitor import (
    FLOOR_LOGGED_OUT,
    FLOOR_ON_CALL,
    FLOOR_PAUSED,
    FLOOR_READY,
    FLOOR_WRAP_UP,
    INBOUND,
    AgentRow,
    FloorSnapshot,
    FloorUpdate,
    LiveCallRow,
    QueueBoardRow,
    Tick,
    dump_floor,
    dump_floor_update,
    dump_tick,
)
from agentdesk.contract.queues import WaitingCaller
from agentdesk.server.hub import EventHub
from agentdesk.server.monitor.feed import THROTTLE_SECONDS, TICK_SECONDS
from tests.helpers.floor import THRESHOLDS

FIRST_NAMES = ("Nina", "Sara", "Omid", "Leila", "Dariush", "Maryam", "Kaveh", "Shirin", "Arash", "Elham")
LAST_NAMES = ("Karimi", "Ahmadi", "Rezaei", "Moradi", "Farahani", "Jafari", "Navabi", "Tehrani", "Kamali", "Nouri")
PAUSE_REASONS = ("Lunch", "Training", "Coaching", "Meeting")
WRAPUP_SECONDS = 60.0


class Floor:
    """The floor's state and the call events that change it; `dirty` the keys changed since the last take."""

    def __init__(self, agents: int, queues: int, seed: int = 7) -> None:
        self.random = random.Random(seed)
        self.dirty_agents: set[str] = set()
        self.dirty_queues: set[str] = set()
        self.dirty_calls: set[str] = set()
        self.happened = 0.0
        now = time.time()
        self.queues = {f"q{n:02d}": QueueBoardRow(
            f"q{n:02d}", f"Queue {n:02d}", (), 30.0, 100, 90, 5, 0.85, 0.8, 20, 12.0, 0, 0, 0, 0, 0, n % 4)
            for n in range(queues)}
        names = list(self.queues)
        self.agents: dict[str, AgentRow] = {}
        self.calls: dict[str, LiveCallRow] = {}
        self._serial = 0
        for n in range(agents):
            number = str(3000 + n)
            home, other = names[n % len(names)], names[(n * 7 + 3) % len(names)]
            state = self.random.choices((FLOOR_READY, FLOOR_ON_CALL, FLOOR_WRAP_UP, FLOOR_PAUSED, FLOOR_LOGGED_OUT),
                                        (25, 45, 12, 13, 5))[0]
            row = AgentRow(number, f"{FIRST_NAMES[n % 10]} {LAST_NAMES[n // 10 % 10]} {n}", number,
                           {home: state != FLOOR_LOGGED_OUT, other: False}, {home: n % 3}, FLOOR_READY,
                           now - self.random.uniform(5, 900), answered_today=self.random.randint(0, 30),
                           handle_seconds_today=self.random.uniform(120, 400))
            self.agents[number] = row
            if state == FLOOR_ON_CALL:
                self._answer(row, home, now - self.random.uniform(5, 600))
            elif state != FLOOR_READY:
                self.agents[number] = replace(row, state=state, paused_reason=self.random.choice(PAUSE_REASONS)
                                              if state == FLOOR_PAUSED else "",
                                              wrapup_deadline=now + WRAPUP_SECONDS if state == FLOOR_WRAP_UP else None)
        for name in names:
            for _ in range(self.random.randint(0, 4)):
                self._arrive(name, now - self.random.uniform(1, 150))
            self._count(name)
        self.dirty_agents, self.dirty_queues, self.dirty_calls = set(), set(), set()

    def snapshot(self) -> FloorSnapshot:
        return FloorSnapshot(time.time(), True, tuple(self.agents.values()), tuple(self.queues.values()),
                             tuple(self.calls.values()), THRESHOLDS, PAUSE_REASONS)

    # -- one call event ----------------------------------------------------------
    def event(self, kind: int) -> None:
        """A caller arrives, an agent answers, a call ends or a wrap-up ends (kind modulo 4)."""
        now = time.time()
        step = (self._event_arrive, self._event_answer, self._event_hang_up, self._event_ready)[kind % 4]
        step(now)
        self.happened = max(self.happened, now)

    def _event_arrive(self, now: float) -> None:
        name = self.random.choice(list(self.queues))
        self._arrive(name, now)
        self.dirty_queues.add(name)

    def _event_answer(self, now: float) -> None:
        ready = [row for row in self.agents.values() if row.state == FLOOR_READY and any(row.queues.values())]
        if not ready:
            return
        row = self.random.choice(ready)
        queue = next(name for name, on in row.queues.items() if on)
        waiting = self.queues[queue].callers
        if waiting:
            self.queues[queue] = replace(self.queues[queue], callers=tuple(
                replace(c, position=p) for p, c in enumerate(waiting[1:], start=1)),
                answered=self.queues[queue].answered + 1)
        self._answer(row, queue, now)

    def _event_hang_up(self, now: float) -> None:
        talking = [row for row in self.agents.values() if row.call is not None]
        if not talking:
            return
        row = self.random.choice(talking)
        assert row.call is not None
        self.calls.pop(row.call.call)
        self.dirty_calls.add(row.call.call)
        self._set(replace(row, state=FLOOR_WRAP_UP, since=now, call=None, wrapup_deadline=now + WRAPUP_SECONDS,
                          answered_today=row.answered_today + 1))

    def _event_ready(self, now: float) -> None:
        done = [row for row in self.agents.values() if row.state == FLOOR_WRAP_UP]
        if done:
            self._set(replace(self.random.choice(done), state=FLOOR_READY, since=now, wrapup_deadline=None))

    def _arrive(self, queue: str, joined: float) -> None:
        self._serial += 1
        row = self.queues[queue]
        caller = WaitingCaller(f"1800{self._serial:06d}.1", f"0912{self._serial:07d}", "", len(row.callers) + 1,
                               joined, self._serial % 17 == 0)
        self.queues[queue] = replace(row, callers=(*row.callers, caller), offered=row.offered + 1)

    def _answer(self, row: AgentRow, queue: str, since: float) -> None:
        self._serial += 1
        call = LiveCallRow(f"1700{self._serial:06d}.2", f"1700{self._serial:06d}.1", row.agent, row.name,
                           f"PJSIP/{row.phone}-{self._serial:08x}", INBOUND, queue, f"0935{self._serial:07d}", "",
                           since)
        self.calls[call.call] = call
        self.dirty_calls.add(call.call)
        self._set(replace(row, state=FLOOR_ON_CALL, since=since, call=call, quality="good"))

    def _set(self, row: AgentRow) -> None:
        """A changed agent: their row and the counts of their queues."""
        self.agents[row.agent] = row
        self.dirty_agents.add(row.agent)
        for queue in row.queues:
            self.dirty_queues.add(queue)

    def _count(self, queue: str) -> None:
        members = [row for row in self.agents.values() if row.queues.get(queue)]
        states = [row.state for row in members]
        self.queues[queue] = replace(self.queues[queue], ready=states.count(FLOOR_READY),
                                     on_call=states.count(FLOOR_ON_CALL), paused=states.count(FLOOR_PAUSED),
                                     wrap_up=states.count(FLOOR_WRAP_UP), logged_in=len(members))

    def take(self) -> FloorUpdate | None:
        """The rows changed since the last take, as the feed builds them (None: nothing changed)."""
        if not (self.dirty_agents or self.dirty_queues or self.dirty_calls):
            return None
        for queue in self.dirty_queues:
            self._count(queue)
        update = FloorUpdate(
            server_time=time.time(), happened=self.happened,
            agents=tuple(self.agents[a] for a in sorted(self.dirty_agents)),
            queues=tuple(self.queues[q] for q in sorted(self.dirty_queues)),
            calls=tuple(self.calls[c] for c in sorted(self.dirty_calls) if c in self.calls),
            removed_calls=tuple(c for c in sorted(self.dirty_calls) if c not in self.calls))
        self.dirty_agents, self.dirty_queues, self.dirty_calls = set(), set(), set()
        return update


class Feed(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked: the desktop reads each frame as it comes
    settings: tuple[int, int, float, float, float] = (500, 50, 20.0, 2.0, 60.0)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        reply = {"nonce": "bench"} if self.path.endswith("/challenge") else {"token": "bench"}
        body = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path != "/api/v1/monitor/events":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the bench has ended
            self._stream()

    def _stream(self) -> None:
        agents, queues, rate, settle, seconds = self.settings
        hub = EventHub()
        floor = Floor(agents, queues)
        self._send(hub.encode(FLOOR, dump_floor(floor.snapshot())))
        began = time.monotonic() + settle
        ends = began + seconds
        events = 0
        last_flush = -THROTTLE_SECONDS
        next_tick = time.monotonic() + TICK_SECONDS
        while True:
            now = time.monotonic()
            next_event = began + events / rate if now < ends else float("inf")
            if now >= next_event:
                floor.event(events)
                events += 1
            dirty = floor.happened > 0 and (floor.dirty_agents or floor.dirty_queues or floor.dirty_calls)
            if dirty and now - last_flush >= THROTTLE_SECONDS:
                last_flush = now
                update = floor.take()
                if update is not None:
                    self._send(hub.encode(FLOOR_UPDATE, dump_floor_update(update)))
            if now >= next_tick:
                next_tick += TICK_SECONDS
                self._send(hub.encode(TICK, dump_tick(Tick(time.time(), True))))
            wake = min(next_event, next_tick, last_flush + THROTTLE_SECONDS if dirty else float("inf"))
            time.sleep(max(0.0, min(0.05, wake - time.monotonic())))

    def _send(self, frame: bytes) -> None:
        self.wfile.write(f"{len(frame):x}\r\n".encode() + frame + b"\r\n")
        self.wfile.flush()


def main(argv: list[str]) -> int:
    agents, queues, rate, settle, seconds = argv
    Feed.settings = (int(agents), int(queues), float(rate), float(settle), float(seconds))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # until the bench closes our stdin
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
