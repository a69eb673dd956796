"""Fan-out of live events to connected desktops (server-sent events).

Why server-sent events rather than WebSocket: the push is one-way (commands
go over plain HTTP requests), SSE is plain HTTP that proxies and the
`requests` library on the desktop already handle, it needs no QtWebSockets
(which PySide6-Essentials lacks), and reconnection is part of the format.

Each event is encoded once and the same bytes are queued to every
subscriber it is meant for. The events carry state, not deltas: a desktop
that reconnects gets a full snapshot first, so nothing it missed matters.
A subscriber that cannot keep up (its queue is full) is disconnected; it
reconnects and resyncs from the snapshot instead of slowing everyone down.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("agentdesk.server")

QUEUE_LIMIT = 1000
HEARTBEAT_SECONDS = 15.0
_CLOSE = b""


@dataclass(eq=False)
class Subscriber:
    agent: str
    role: str
    token_hash: str
    queue: asyncio.Queue[bytes] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))


class EventHub:
    def __init__(self) -> None:
        self._subscribers: set[Subscriber] = set()
        self._sequence = 0
        self.closed = False  # shutting down: no new subscribers

    @property
    def count(self) -> int:
        return len(self._subscribers)

    def encode(self, name: str, data: Any) -> bytes:
        self._sequence += 1
        payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        return f"id: {self._sequence}\nevent: {name}\ndata: {payload}\n\n".encode()

    def publish(self, name: str, data: Any, agent: str | None = None,
                audience: Callable[[str, str], bool] | None = None) -> None:
        """Send to every subscriber, or only to `agent`'s desktops, or only to
        those whose (agent, role) `audience` lets read the data."""
        if not self._subscribers:
            return
        frame = b""
        for subscriber in list(self._subscribers):
            if agent is not None and subscriber.agent != agent:
                continue
            if audience is not None and not audience(subscriber.agent, subscriber.role):
                continue
            frame = frame or self.encode(name, data)
            self._offer(subscriber, frame)

    def _offer(self, subscriber: Subscriber, frame: bytes) -> None:
        try:
            subscriber.queue.put_nowait(frame)
        except asyncio.QueueFull:
            log.warning("desktop of %s cannot keep up; disconnecting it to resync", subscriber.agent)
            self.unsubscribe(subscriber)

    def subscribe(self, agent: str, role: str, token_hash: str, first: bytes) -> Subscriber:
        subscriber = Subscriber(agent, role, token_hash)
        subscriber.queue.put_nowait(first)
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        if subscriber in self._subscribers:
            self._subscribers.discard(subscriber)
            # Drain and close, so its stream ends even when the queue was full.
            while not subscriber.queue.empty():
                subscriber.queue.get_nowait()
            subscriber.queue.put_nowait(_CLOSE)

    def close_all(self) -> None:
        self.closed = True
        for subscriber in list(self._subscribers):
            self.unsubscribe(subscriber)

    def close_session(self, token_hash: str) -> None:
        """End the streams of a session that signed out."""
        for subscriber in list(self._subscribers):
            if subscriber.token_hash == token_hash:
                self.unsubscribe(subscriber)

    @staticmethod
    async def frames(subscriber: Subscriber) -> AsyncIterator[bytes]:
        """The subscriber's frames, with a comment line as heartbeat."""
        while True:
            try:
                frame = await asyncio.wait_for(subscriber.queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            if frame == _CLOSE:
                return
            yield frame
