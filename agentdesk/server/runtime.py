"""What every part of the desk service runs on, given to each through its
constructor: store access (on one worker thread, in order) and background
work (whose failure is logged, never lost). A leaf: it imports no part."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from .store import Store

log = logging.getLogger("agentdesk.server")

T = TypeVar("T")

Clock = Callable[[], float]


class StoreAccess(Protocol):
    """`await db(lambda s: s.calls.get_call(uniqueid))`: one store call, off the loop."""

    async def __call__(self, work: Callable[[Store], T]) -> T: ...


class Spawn(Protocol):
    def __call__(self, work: Coroutine[Any, Any, None]) -> None: ...


class StoreRunner:
    """Runs store calls on one worker thread: in order, never on the loop."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="store")

    async def __call__(self, work: Callable[[Store], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, self._store)

    def close(self) -> None:
        self._executor.shutdown(wait=True)


class Background:
    """Work that runs beside the request or event that started it."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work failed", exc_info=task.exception())

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
