"""The team leads' monitor stream (GET /api/v1/monitor/events): a floor
snapshot first, then coalesced updates, and a tick every few seconds.

Why coalesce: an agent's one answered call is a dozen AMI events, and a
busy floor has many agents; sending each event's row to each lead would
cost the service more than all agents' desktops together. Changes only
mark keys (FloorChanges); this loop takes the marks at most every
THROTTLE_SECONDS, builds each marked row once, and encodes one update per
distinct scope (leads who see the same queues share one encoding). An
idle floor sends at once (leading edge), so one change reaches a lead's
screen within a few milliseconds; a burst waits at most THROTTLE_SECONDS.
After an AMI resync (every row may have changed) each lead gets a whole
new FLOOR instead of a huge update.

The stream has its own EventHub: agents' desktops never see floor frames,
and a lead's slow connection is dropped (and resyncs from a snapshot) as
on the agents' stream.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from agentdesk.contract.events import FLOOR, FLOOR_UPDATE, TICK
from agentdesk.contract.monitor import FloorSnapshot, FloorUpdate, Tick, dump_floor, dump_floor_update, dump_tick

from ..hub import EventHub, Subscriber
from ..runtime import Clock
from .changes import Dirty, FloorChanges
from .floor import PbxLink, Scope

log = logging.getLogger("agentdesk.server.monitor")

THROTTLE_SECONDS = 0.1
TICK_SECONDS = 5.0
DUE_EVERY_TICKS = 6  # callbacks due now are counted again every 30 s

Sleep = Callable[[float], Awaitable[None]]


class Floor(Protocol):
    """What the feed sends (FloorViews)."""

    def scope(self, lead: str) -> Scope: ...

    def snapshot(self, scope: Scope) -> FloorSnapshot: ...

    def update(self, dirty: Dirty, scope: Scope) -> FloorUpdate | None: ...

    async def refresh_callbacks_due(self) -> None: ...


class FloorFeed:
    def __init__(self, hub: EventHub, changes: FloorChanges, views: Floor, pbx: PbxLink, clock: Clock,
                 monotonic: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self.hub = hub  # the leads' own: supervision sessions reach their lead on it too
        self._changes = changes
        self._views = views
        self._pbx = pbx
        self._clock = clock
        self._monotonic = monotonic
        self._sleep = sleep
        self._scopes: dict[str, Scope] = {}  # lead -> scope, while they have a stream
        self._streams: dict[str, int] = {}  # lead -> their open streams
        self._last_flush = -THROTTLE_SECONDS

    # -- subscribers -----------------------------------------------------------
    def subscribe(self, lead: str, role: str, token_hash: str) -> Subscriber:
        """A lead's stream, its first frame the floor they see."""
        scope = self._views.scope(lead)
        self._scopes[lead] = scope
        self._streams[lead] = self._streams.get(lead, 0) + 1
        first = self.hub.encode(FLOOR, dump_floor(self._views.snapshot(scope)))
        return self.hub.subscribe(lead, role, token_hash, first)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.hub.unsubscribe(subscriber)
        lead = subscriber.agent
        self._streams[lead] = self._streams.get(lead, 1) - 1
        if self._streams[lead] <= 0:
            self._streams.pop(lead, None)
            self._scopes.pop(lead, None)

    # -- the loop -------------------------------------------------------------
    async def run(self) -> None:
        await asyncio.gather(self.flushing(), self.ticking())

    async def flushing(self) -> None:
        while True:
            await self.step()

    async def step(self) -> None:
        """Wait for a mark, hold back to the throttle, send what changed."""
        await self._changes.wake.wait()
        wait = self._last_flush + THROTTLE_SECONDS - self._monotonic()
        if wait > 0:
            await self._sleep(wait)
        self._last_flush = self._monotonic()
        self.flush()

    def flush(self) -> None:
        dirty = self._changes.take()
        if not dirty or not self.hub.count:
            return
        try:
            if dirty.everything:
                self._send_floors()
            else:
                self._send_updates(dirty)
        except Exception:
            log.exception("sending the floor's changes failed; the leads get it whole")
            self._changes.everything()

    def _send_updates(self, dirty: Dirty) -> None:
        for scope in set(self._scopes.values()):
            update = self._views.update(dirty, scope)
            if update is not None:
                self.hub.publish(FLOOR_UPDATE, dump_floor_update(update), audience=self._audience(scope))

    def _send_floors(self) -> None:
        self._scopes = {lead: self._views.scope(lead) for lead in self._scopes}
        for scope in set(self._scopes.values()):
            self.hub.publish(FLOOR, dump_floor(self._views.snapshot(scope)), audience=self._audience(scope))

    def _audience(self, scope: Scope) -> Callable[[str, str], bool]:
        return lambda lead, role: self._scopes.get(lead) == scope

    async def ticking(self) -> None:
        count = 0
        while True:
            if count % DUE_EVERY_TICKS == 0:
                await self._views.refresh_callbacks_due()
            self.tick()
            count += 1
            await self._sleep(TICK_SECONDS)

    def tick(self) -> None:
        self.hub.publish(TICK, dump_tick(Tick(server_time=self._clock(), pbx_connected=self._pbx.connected)))
