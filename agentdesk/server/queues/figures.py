"""Each queue's figures today (the store's counts of its calls and its
callbacks), worked out again shortly after anything that changes them and
at midnight, when "today" starts again even if no call comes; each new
figure goes to the desktops with the queue's view."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from ..days import midnight
from ..live import LiveViews
from ..runtime import Clock, Spawn, StoreAccess
from ..store import DayStats, Store
from .board import QueueBoard

log = logging.getLogger("agentdesk.server.queues")

DELAY_SECONDS = 0.2  # changes that come together are counted once
DEFAULT_LEVEL_SECONDS = 30


class QueueFigures:
    def __init__(self, db: StoreAccess, clock: Clock, board: QueueBoard, views: LiveViews, spawn: Spawn) -> None:
        self._db = db
        self._clock = clock
        self._board = board
        self._views = views
        self._spawn = spawn
        self._due: set[str] = set()

    def changed(self, queue: str) -> None:
        """Something `queue`'s figures count has changed."""
        if queue in self._due:
            return
        self._due.add(queue)
        asyncio.get_running_loop().call_later(DELAY_SECONDS, lambda: self._spawn(self.refresh(queue)))

    async def refresh(self, queue: str) -> None:
        self._due.discard(queue)
        state = self._board.queues.get(queue)
        level = state.service_level_seconds if state else DEFAULT_LEVEL_SECONDS
        now = self._clock()
        start = midnight(now)

        def figures(store: Store) -> DayStats:
            callbacks = store.callbacks.callback_stats(start, now + 1, queue)
            return replace(store.calls.day_stats(queue, start, now + 1, level),
                           callbacks_attempted=callbacks.attempted, callbacks_reached=callbacks.reached)

        try:
            self._views.set_stats(queue, await self._db(figures))
        except Exception:
            log.exception("computing today's statistics of %s failed", queue)
            return
        self._views.publish_queue(queue)

    async def new_days(self) -> None:
        """At each midnight, every queue's figures start again."""
        while True:
            now = self._clock()
            await asyncio.sleep(max(1.0, midnight(now) + 86400 + 1 - now))
            for queue in list(self._board.queues):
                await self.refresh(queue)
