"""Simulated desktops for bench_desk_fanout.py: N event streams in one
asyncio process. Reads {"url", "tokens"} as JSON on stdin, prints
"connected N" once every stream has its snapshot, then reads until the
benchmark writes a line ("done") and prints one JSON line: what the streams
saw of queue events (see Tally.report).

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

import aiohttp

from agentdesk.desktop.link.sse import SseParser

UPDATED_AT = '"updated_at":'
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


async def listen(session: aiohttp.ClientSession, url: str, token: str, ready: asyncio.Event,
                 counter: list[int], total: int, tally: Tally) -> None:
    parser = SseParser()
    async with session.get(f"{url}/api/v1/events", headers={"Authorization": f"Bearer {token}"}) as response:
        async for chunk in response.content.iter_any():
            received = time.time()
            for event in parser.feed(chunk):
                if event.name == "snapshot":
                    counter[0] += 1
                    if counter[0] == total:
                        ready.set()
                elif event.name == "queue":
                    tally.note(event.event_id, event.data, received)
                else:
                    tally.other_events += 1
    tally.streams_ended += 1


async def probe_lag(tally: Tally) -> None:
    """How much later than asked this event loop wakes up."""
    while True:
        asked = time.monotonic()
        await asyncio.sleep(LAG_TICK)
        tally.loop_lag_ms.append(round((time.monotonic() - asked - LAG_TICK) * 1000, 2))


async def main() -> None:
    job = json.loads(sys.stdin.readline())
    tokens, url = job["tokens"], job["url"]
    ready, counter, tally = asyncio.Event(), [0], Tally()
    # The desk service's HTTPS, trusted through the test PBX's authority.
    tls = ssl.create_default_context(cafile=job["ca"]) if url.startswith("https://") else None
    connector = aiohttp.TCPConnector(limit=0, ssl=tls if tls is not None else True)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = [asyncio.create_task(listen(session, url, t, ready, counter, len(tokens), tally)) for t in tokens]
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
