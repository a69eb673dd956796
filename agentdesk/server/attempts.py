"""Failed attempts, counted per key (a client address, or an address and
an agent ID) over a sliding window: once `limit` failures are recent, the
key is refused until the oldest of them is a window old. Sign-ins (auth.py)
and enrollment codes (provisioning/enrollments.py) share it, so guessing
is slow wherever a secret is checked."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable

from .queues.agents import CommandError

MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 60.0
# Keys are forgotten one window after their last failure; past this many,
# the stale ones are swept at once, so many addresses cannot fill memory.
SWEEP_ABOVE = 10_000


class FailedAttempts:
    def __init__(self, clock: Callable[[], float], limit: int = MAX_FAILURES,
                 window: float = FAILURE_WINDOW_SECONDS) -> None:
        self._clock = clock
        self._limit = limit
        self._window = window
        self._failures: dict[Hashable, deque[float]] = {}

    def check(self, key: Hashable, refusal: str) -> None:
        """CommandError 429 with `refusal` when `key` failed too often of late."""
        recent = self._failures.get(key)
        if recent is None:
            return
        self._drop_old(recent)
        if not recent:
            del self._failures[key]
        elif len(recent) >= self._limit:
            raise CommandError(429, refusal)

    def failed(self, key: Hashable) -> None:
        if len(self._failures) > SWEEP_ABOVE:
            self._sweep()
        self._failures.setdefault(key, deque()).append(self._clock())

    def forget(self, key: Hashable) -> None:
        self._failures.pop(key, None)

    def _drop_old(self, recent: deque[float]) -> None:
        cutoff = self._clock() - self._window
        while recent and recent[0] < cutoff:
            recent.popleft()

    def _sweep(self) -> None:
        for key, recent in list(self._failures.items()):
            self._drop_old(recent)
            if not recent:
                del self._failures[key]
