"""One-time enrollments: a team lead (or the server's administrator) makes
a code for an agent, the agent's desktop redeems it once for its whole
configuration (agentdesk/contract/provisioning.py).

A code is 32 random bytes; the store keeps its SHA-256 only, so neither a
copied database nor the log can redeem anything (the code is never
logged). Redeeming is atomic in the store: of two at once, one wins.
Every refusal is a sentence the agent can act on; unknown codes count as
guesses, limited per client address like sign-ins.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from agentdesk.contract.provisioning import CODE, MAX_ENROLLMENT_HOURS
from agentdesk.server.directory import Person

from ..attempts import FailedAttempts
from ..people import People
from ..queues.agents import CommandError
from ..runtime import Clock, StoreAccess
from ..store import EnrollmentRecord

log = logging.getLogger("agentdesk.server")

TOO_MANY_GUESSES = "too many unknown enrollment links from this address; wait a minute"
ASK_AGAIN = "ask your administrator for a new one"
KEEP_DAYS = 90  # used and expired enrollments are kept this long, for "who enrolled when"


@dataclass(frozen=True)
class Issued:
    """A new enrollment: the code exists only here and in the link made from it."""

    person: Person
    code: str
    expires_at: float


class Enrollments:
    def __init__(self, db: StoreAccess, clock: Clock, people: People, guesses: FailedAttempts) -> None:
        self._db = db
        self._clock = clock
        self._people = people
        self._guesses = guesses

    async def issue(self, batch: list[Person], hours: int, created_by: str) -> list[Issued]:
        """A code for each person, valid `hours`; stored together or not at all."""
        if not 1 <= hours <= MAX_ENROLLMENT_HOURS:
            raise CommandError(400, f"'hours' must be a whole number from 1 to {MAX_ENROLLMENT_HOURS}")
        now = self._clock()
        issued = [Issued(person, secrets.token_urlsafe(32), now + hours * 3600) for person in batch]
        records = [EnrollmentRecord(code_hash(i.code), i.person.agent, created_by, now, i.expires_at)
                   for i in issued]
        await self._db(lambda s: s.enrollments.add_enrollments(records))
        log.info("%s made %d enrollment(s), valid %d h: %s", created_by, len(issued), hours,
                 ", ".join(i.person.agent for i in issued))
        return issued

    async def redeem(self, code: str, client: str) -> tuple[Person, str]:
        """The person the code enrolls and their secret; the code is used up.
        CommandError with a sentence when it cannot be redeemed."""
        self._guesses.check(client, TOO_MANY_GUESSES)
        hashed = code_hash(code) if CODE.fullmatch(code) else ""
        found = await self._db(lambda s: s.enrollments.enrollment(hashed)) if hashed else None
        if found is None:
            self._guesses.failed(client)
            log.info("refused an unknown enrollment code from %s", client)
            raise CommandError(404, "this enrollment link is not known here (mistyped, or made on another "
                                    f"server): check it, or {ASK_AGAIN}")
        now = self._clock()
        self._check_usable(found, now, client)
        person, secret = self._person_of(found.agent)
        if not await self._db(lambda s: s.enrollments.redeem(hashed, now, client)):
            again = await self._db(lambda s: s.enrollments.enrollment(hashed))
            self._check_usable(again or found, now, client)  # used by the other one just now
        log.info("agent %s enrolled a desktop from %s", person.agent, client)
        return person, secret

    async def recent(self, days: int) -> list[EnrollmentRecord]:
        since = self._clock() - days * 86400
        return await self._db(lambda s: s.enrollments.enrollments_since(since))

    async def purge(self) -> None:
        before = self._clock() - KEEP_DAYS * 86400
        await self._db(lambda s: s.enrollments.purge_enrollments(before))

    def _check_usable(self, found: EnrollmentRecord, now: float, client: str) -> None:
        if found.used_at is not None:
            log.info("refused agent %s's enrollment, used already, from %s", found.agent, client)
            raise CommandError(410, f"this enrollment link was used already (on {_when(found.used_at)} from "
                                    f"{found.used_from}): {ASK_AGAIN}")
        if found.expires_at <= now:
            log.info("refused agent %s's enrollment, expired, from %s", found.agent, client)
            raise CommandError(410, f"this enrollment link expired on {_when(found.expires_at)}: {ASK_AGAIN}")

    def _person_of(self, agent: str) -> tuple[Person, str]:
        """Checked before the code is used up: a refusal here leaves it usable."""
        person = self._people.get(agent)
        if person is None:
            raise CommandError(410, f"agent {agent} is no longer in the directory: {ASK_AGAIN}")
        secret = self._people.secret_of(agent)
        if not secret:
            log.error("agent %s has no SIP secret in the secrets file; cannot provision their desktop", agent)
            raise CommandError(503, f"the PBX has no SIP secret for agent {agent} yet: ask your administrator "
                                    "to start the PBX (pbx/run start), then try the same link again")
        return person, secret


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _when(stamp: float) -> str:
    """The service's local time, to the minute: what the administrator's clock says."""
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")
