"""Simulated desktops for bench_desk_fanout.py: N event streams in one
asyncio process. Reads {"url", "tokens", "seconds"} as JSON on stdin, prints
"connected N" once every stream has its snapshot, then after `seconds`
prints one JSON line: per-event delivery latencies (ms) of queue events."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import aiohttp

from agentdesk.deskclient.sse import SseParser


async def listen(session: aiohttp.ClientSession, url: str, token: str, ready: asyncio.Event,
                 counter: list[int], total: int, latencies: list[float]) -> None:
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
                    latencies.append((received - json.loads(event.data)["updated_at"]) * 1000)


async def main() -> None:
    job = json.loads(sys.stdin.readline())
    tokens, url = job["tokens"], job["url"]
    ready, counter = asyncio.Event(), [0]
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = [asyncio.create_task(listen(session, url, t, ready, counter, len(tokens), latencies)) for t in tokens]
        await asyncio.wait_for(ready.wait(), 60)
        print(f"connected {counter[0]}", flush=True)
        sys.stdin.readline()  # the benchmark says when the load is over
        for task in tasks:
            task.cancel()
    print(json.dumps({"latencies_ms": latencies}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
