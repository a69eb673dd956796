"""The sign-in nonces the desk service has handed out and not yet seen
answered (agentdesk/contract/signin.py has the protocol).

A nonce is random, lives CHALLENGE_SECONDS, is bound to the agent ID and
the client address it was issued to, and is taken out at its first
presentation whatever the outcome: an answer can be checked once, so a
captured one is worth nothing, and a wrong guess costs the guesser a new
round trip. Nonces are kept in memory only (a restart forgets them, and a
desktop just asks again) and their number is capped per client and in
all, so asking without answering cannot fill the service's memory.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from agentdesk.contract.signin import CHALLENGE_SECONDS

from .queues.agents import CommandError

MAX_OPEN_PER_CLIENT = 100  # a site behind one address signing in all at once
MAX_OPEN = 10_000


@dataclass(frozen=True)
class Challenge:
    nonce: str
    agent: str
    client: str
    expires_at: float


class SignInChallenges:
    """Issues nonces and takes them back once (`take`)."""

    def __init__(self, clock: Callable[[], float], lifetime: float = CHALLENGE_SECONDS) -> None:
        self._clock = clock
        self._lifetime = lifetime
        # Insertion order is expiry order (one lifetime for all): the oldest go first.
        self._open: dict[str, Challenge] = {}
        self._per_client: Counter[str] = Counter()

    def issue(self, agent: str, client: str) -> Challenge:
        self._forget_expired()
        if self._per_client[client] >= MAX_OPEN_PER_CLIENT or len(self._open) >= MAX_OPEN:
            raise CommandError(429, "too many sign-ins are under way from here; try again in a few seconds")
        challenge = Challenge(secrets.token_urlsafe(24), agent, client, self._clock() + self._lifetime)
        self._open[challenge.nonce] = challenge
        self._per_client[client] += 1
        return challenge

    def take(self, nonce: str) -> Challenge | None:
        """The challenge of `nonce`, which is no longer open; None when it
        was never issued or was taken already. An expired one is returned:
        the caller says so."""
        challenge = self._open.pop(nonce, None)
        if challenge is not None:
            self._release(challenge)
        return challenge

    def is_expired(self, challenge: Challenge) -> bool:
        return challenge.expires_at <= self._clock()

    @property
    def open_count(self) -> int:
        return len(self._open)

    def _forget_expired(self) -> None:
        now = self._clock()
        while self._open:
            oldest = next(iter(self._open.values()))
            if oldest.expires_at > now:
                return
            del self._open[oldest.nonce]
            self._release(oldest)

    def _release(self, challenge: Challenge) -> None:
        self._per_client[challenge.client] -= 1
        if self._per_client[challenge.client] <= 0:
            del self._per_client[challenge.client]
