"""A small timer heap for the phone engine's loop: the core and its parts
schedule work with `after`; the loop sleeps until the next one is due."""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable


class Timers:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = 0

    def after(self, seconds: float, action: Callable[[], None]) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (time.monotonic() + seconds, self._seq, action))

    def run_due(self) -> None:
        now = time.monotonic()
        while self._heap and self._heap[0][0] <= now:
            heapq.heappop(self._heap)[2]()

    def wait_ms(self, ceiling_ms: int) -> int:
        if not self._heap:
            return ceiling_ms
        return max(0, min(ceiling_ms, int((self._heap[0][0] - time.monotonic()) * 1000) + 1))
