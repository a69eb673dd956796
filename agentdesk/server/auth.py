"""Login sessions of the desk service: an agent or team lead signs in by
answering a one-time challenge with their secret (agentdesk/contract/signin.py
says how and why; the secret itself never travels) and gets a random bearer
token that expires. Only a hash of the token is stored, so a copied
database opens no desk. Failed logins are limited per client address and
agent ID, so guessing is slow and a stranger elsewhere cannot lock an agent
out."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from agentdesk.server.directory import Person

from .attempts import FailedAttempts
from .challenges import Challenge, SignInChallenges
from .people import People
from .queues.agents import CommandError
from .store import Store, TokenRecord

log = logging.getLogger("agentdesk.server")

TOO_MANY = "too many failed sign-ins for this agent ID; wait a minute"


@dataclass(frozen=True)
class Session:
    person: Person
    token_hash: str
    expires_at: float


class Sessions:
    def __init__(
        self,
        people: People,
        challenges: SignInChallenges,
        db: Callable[[Callable[[Store], Any]], Awaitable[Any]],
        clock: Callable[[], float],
        lifetime: float,
    ) -> None:
        self._people = people
        self._challenges = challenges
        self._db = db
        self._clock = clock
        self._lifetime = lifetime
        self._failures = FailedAttempts(clock)

    def challenge(self, agent: str, client: str) -> Challenge:
        """A nonce for `agent` to answer from `client`. Any agent ID gets one,
        so that the answer, not the question, tells whether it exists."""
        self._failures.check((client, agent), TOO_MANY)
        return self._challenges.issue(agent, client)

    async def login(self, agent: str, nonce: str, proof: str, client: str) -> tuple[str, Session]:
        """A session for the agent whose `proof` answers the open challenge `nonce`."""
        key = (client, agent)
        self._failures.check(key, TOO_MANY)
        challenge = self._challenges.take(nonce)
        problem = self._challenge_problem(challenge, agent, client)
        person = None if problem else self._people.check_proof(agent, nonce, proof)
        if person is None:
            if self._people.get(agent) is not None:  # only real agent IDs take memory
                self._failures.failed(key)
            log.info("failed login for agent ID %r from %s: %s", agent[:20], client, problem or "wrong answer")
            raise CommandError(401, problem or "wrong agent ID or secret")
        self._failures.forget(key)
        token = secrets.token_urlsafe(32)
        record = TokenRecord(_hash(token), person.agent, person.role, self._clock() + self._lifetime)
        await self._db(lambda s: s.agents.save_token(record))
        log.info("%s (%s) signed in", person.agent, person.role)
        return token, Session(person, record.token_hash, record.expires_at)

    def _challenge_problem(self, challenge: Challenge | None, agent: str, client: str) -> str:
        """Why this challenge cannot be answered now ("" when it can)."""
        if challenge is None:
            return "this sign-in challenge is unknown or was answered already: ask for a new one"
        if self._challenges.is_expired(challenge):
            return "this sign-in challenge expired: ask for a new one and answer it at once"
        if challenge.agent != agent:
            return "this sign-in challenge was issued for another agent ID: ask for a new one"
        if challenge.client != client:
            return "this sign-in challenge was issued to another address: ask for a new one"
        return ""

    async def verify(self, token: str) -> Session:
        record: TokenRecord | None = await self._db(lambda s: s.agents.get_token(_hash(token)))
        if record is None or record.expires_at <= self._clock():
            raise CommandError(401, "not signed in, or the session expired: sign in again")
        person = self._people.get(record.agent)
        if person is None:
            raise CommandError(401, "this agent ID is no longer in the directory")
        return Session(person, record.token_hash, record.expires_at)

    async def logout(self, session: Session) -> None:
        await self._db(lambda s: s.agents.delete_token(session.token_hash))

    async def purge(self) -> None:
        now = self._clock()
        await self._db(lambda s: s.agents.purge_tokens(now))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
