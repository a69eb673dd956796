"""Simulated desktops for bench_desk_fanout.py, or team leads' monitor
screens for bench_monitor_fanout.py (with --monitor): N event streams in
one asyncio process. Reads {"url", "ca", "tokens"} as JSON on stdin,
prints "connected N" once every stream has its first frame (a desktop's
snapshot, a lead's floor), then reads until the benchmark writes a line
("done") and prints one JSON line: what the streams saw (Tally.report,
FloorTally.report).

Besides each delivery's latency (Asterisk's event time to this process
reading it), it notes per event the first and the last delivery: the first
is the way from Asterisk through the desk service to one socket, the spread
between first and last is the fan-out to every desktop. It also measures
how late this process's own event loop runs, so a busy client does not pass
for a slow service.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
import time
from dataclasses import dataclass, field
from typing import Protocol

import aiohttp

from agentdesk.contract.events import FLOOR, FLOOR_UPDATE, TICK
from agentdesk.desktop.link.sse import ServerEvent, SseParser

UPDATED_AT = '"updated_at":'
SERVER_TIME, HAPPENED = '"server_time":', '"happened":'
LAG_TICK = 0.01  # seconds between the event-loop lag probes


@dataclass
class Delivered:
    """One queue event as the simulated desktops received it."""

    happened: float  # Asterisk's time of the change (the event's updated_at)
    size: int  # bytes of the event's JSON
    first: float = float("inf")
    last: float = 0.0
    count: int = 0


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    events: dict[str, Delivered] = field(default_factory=dict)
    loop_lag_ms: list[float] = field(default_factory=list)
    other_events: int = 0
    streams_ended: int = 0  # by the service (e.g. a desktop that could not keep up)

    def read(self, stream: int, size: int) -> None:
        """A desktop's bytes are not counted (only its queue events' sizes)."""

    def event(self, stream: int, event: ServerEvent, received: float) -> None:
        if event.name == "queue":
            self.note(event.event_id, event.data, received)
        else:
            self.other_events += 1

    def note(self, event_id: str, data: str, received: float) -> None:
        # Reading one number out of the JSON: a json.loads per delivery
        # (200 desktops x tens of events/s) would load this process itself.
        happened = float(data[data.rindex(UPDATED_AT) + len(UPDATED_AT):].split(",", 1)[0].rstrip("}"))
        self.latencies_ms.append(round((received - happened) * 1000, 2))
        seen = self.events.setdefault(event_id, Delivered(happened, len(data.encode())))
        seen.first, seen.last, seen.count = min(seen.first, received), max(seen.last, received), seen.count + 1

    def report(self) -> dict[str, object]:
        events = list(self.events.values())
        return {
            "latencies_ms": self.latencies_ms,
            "first_ms": [round((e.first - e.happened) * 1000, 2) for e in events],
            "spread_ms": [round((e.last - e.first) * 1000, 2) for e in events],
            "deliveries_per_event": [e.count for e in events],
            "sizes": [e.size for e in events],
            "loop_lag_ms": self.loop_lag_ms,
            "other_events": self.other_events,
            "streams_ended": self.streams_ended,
        }


def _number_after(data: str, key: str) -> float:
    start = data.index(key) + len(key)
    return float(data[start:data.index(",", start)])


@dataclass
class FloorTally:
    """What team leads' monitor streams saw of the floor's updates."""

    streams: int
    latencies_ms: list[float] = field(default_factory=list)  # happened -> read, every delivery
    held_ms: list[float] = field(default_factory=list)  # happened -> server_time, once per update
    rows: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # update id -> agents, queues, calls
    loop_lag_ms: list[float] = field(default_factory=list)
    updates: list[int] = field(default_factory=list)  # per stream
    update_bytes: list[int] = field(default_factory=list)  # per stream: the updates' JSON
    stream_bytes: list[int] = field(default_factory=list)  # per stream: everything read, ticks included
    without_event_time: int = 0  # updates whose `happened` is 0 (no Asterisk event behind them)
    floors_resent: int = 0  # whole floors after the first (an AMI resync)
    ticks: int = 0
    streams_ended: int = 0

    def __post_init__(self) -> None:
        self.updates, self.update_bytes, self.stream_bytes = ([0] * self.streams for _ in range(3))

    def read(self, stream: int, size: int) -> None:
        self.stream_bytes[stream] += size

    def event(self, stream: int, event: ServerEvent, received: float) -> None:
        if event.name != FLOOR_UPDATE:
            self.floors_resent += event.name == FLOOR
            self.ticks += event.name == TICK
            return
        data = event.data
        self.updates[stream] += 1
        self.update_bytes[stream] += len(data.encode())
        # The two times lead the JSON: read them without a json.loads per
        # delivery; each distinct update is parsed once, for its row counts.
        happened = _number_after(data, HAPPENED)
        if not happened:
            self.without_event_time += 1
        else:
            self.latencies_ms.append(round((received - happened) * 1000, 2))
        if event.event_id not in self.rows:
            update = json.loads(data)
            self.rows[event.event_id] = (len(update["agents"]), len(update["queues"]), len(update["calls"]))
            if happened:
                self.held_ms.append(round((_number_after(data, SERVER_TIME) - happened) * 1000, 2))

    def report(self) -> dict[str, object]:
        return {
            "latencies_ms": self.latencies_ms, "held_ms": self.held_ms, "rows": list(self.rows.values()),
            "loop_lag_ms": self.loop_lag_ms, "updates": self.updates, "update_bytes": self.update_bytes,
            "stream_bytes": self.stream_bytes, "without_event_time": self.without_event_time,
            "floors_resent": self.floors_resent, "ticks": self.ticks, "streams_ended": self.streams_ended,
        }


class StreamTally(Protocol):
    loop_lag_ms: list[float]
    streams_ended: int

    def read(self, stream: int, size: int) -> None: ...

    def event(self, stream: int, event: ServerEvent, received: float) -> None: ...

    def report(self) -> dict[str, object]: ...


# stream kind -> the path and the name of its first frame
STREAMS = {"desk": ("/api/v1/events", "snapshot"), "monitor": ("/api/v1/monitor/events", FLOOR)}


async def listen(session: aiohttp.ClientSession, url: str, kind: str, token: str, ready: asyncio.Event,
                 counter: list[int], total: int, tally: StreamTally, stream: int) -> None:
    parser, (path, first) = SseParser(), STREAMS[kind]
    connected = False
    async with session.get(f"{url}{path}", headers={"Authorization": f"Bearer {token}"}) as response:
        async for chunk in response.content.iter_any():
            received = time.time()
            tally.read(stream, len(chunk))
            for event in parser.feed(chunk):
                if event.name == first and not connected:
                    connected = True
                    counter[0] += 1
                    if counter[0] == total:
                        ready.set()
                else:
                    tally.event(stream, event, received)
    tally.streams_ended += 1


async def probe_lag(tally: StreamTally) -> None:
    """How much later than asked this event loop wakes up."""
    while True:
        asked = time.monotonic()
        await asyncio.sleep(LAG_TICK)
        tally.loop_lag_ms.append(round((time.monotonic() - asked - LAG_TICK) * 1000, 2))


async def main() -> None:
    job = json.loads(sys.stdin.readline())
    tokens, url = job["tokens"], job["url"]
    kind = "monitor" if "--monitor" in sys.argv[1:] else "desk"
    tally: StreamTally = FloorTally(len(tokens)) if kind == "monitor" else Tally()
    ready, counter = asyncio.Event(), [0]
    # The desk service's HTTPS, trusted through the test PBX's authority.
    tls = ssl.create_default_context(cafile=job["ca"]) if url.startswith("https://") else None
    connector = aiohttp.TCPConnector(limit=0, ssl=tls if tls is not None else True)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = [asyncio.create_task(listen(session, url, kind, token, ready, counter, len(tokens), tally, n))
                 for n, token in enumerate(tokens)]
        await asyncio.wait_for(ready.wait(), 60)
        tasks.append(asyncio.create_task(probe_lag(tally)))
        print(f"connected {counter[0]}", flush=True)
        # On a thread: a blocking read here would stop every stream until the end.
        await asyncio.to_thread(sys.stdin.readline)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps(tally.report()), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
