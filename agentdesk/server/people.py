"""Who may use the desk service: the PBX directory (extension, name, role,
the queues an agent may join) and each person's secret (the same secret as
their SIP account), against which sign-in answers are checked: the secret
itself never reaches the service over the wire (agentdesk/contract/signin.py).
Both files are read by directory.py and read again when they change; a file
that became unreadable keeps the last good copy.
"""

from __future__ import annotations

import hmac
import logging
from pathlib import Path

from agentdesk.contract.signin import signin_key, signin_proof

from .directory import DirectoryError, Person, read_directory, read_secrets

log = logging.getLogger("agentdesk.server")


class People:
    """The directory plus sign-in checks. Customers (the demo's phones) are
    not people of the desk service: they never sign in."""

    def __init__(self, directory: Path, secrets: Path) -> None:
        self._directory_file = directory
        self._secrets_file = secrets
        self._stamp: tuple[float, float] = (-1.0, -1.0)
        self._people: dict[str, Person] = {}
        self._customers: frozenset[str] = frozenset()
        self._secrets: dict[str, str] = {}
        self._generation = 0

    @property
    def generation(self) -> int:
        """Grows each time the directory is read again and says something new."""
        self._refresh()
        return self._generation

    def get(self, agent: str) -> Person | None:
        self._refresh()
        return self._people.get(agent)

    def all(self) -> list[Person]:
        self._refresh()
        return list(self._people.values())

    def is_customer(self, extension: str) -> bool:
        """Is `extension` one of the directory's customer phones?"""
        self._refresh()
        return extension in self._customers

    def secret_of(self, agent: str) -> str | None:
        """The person's secret, for a desktop being provisioned (and nothing
        else: sign-ins are checked with check_proof); None without one."""
        self._refresh()
        return self._secrets.get(agent) if agent in self._people else None

    def names(self) -> dict[str, str]:
        """Agent ID -> display name, for everyone in the directory."""
        return {p.agent: p.name for p in self.all()}

    def check_proof(self, agent: str, nonce: str, proof: str) -> Person | None:
        """The person when `proof` answers `nonce` with their secret
        (contract/signin.py); None otherwise. The comparison takes the same
        time whatever matches, and an unknown agent costs the same work."""
        self._refresh()
        secret = self._secrets.get(agent, "")
        person = self._people.get(agent)
        expected = signin_proof(signin_key(secret), nonce, agent)
        matches = hmac.compare_digest(expected.encode(), proof.encode())
        return person if matches and secret and person else None

    def _refresh(self) -> None:
        stamp = (_mtime(self._directory_file), _mtime(self._secrets_file))
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            everyone = read_directory(self._directory_file)
            people = {p.agent: p for p in everyone if not p.is_customer}
            if people != self._people:
                self._generation += 1
            self._people = people
            self._customers = frozenset(p.extension for p in everyone if p.is_customer)
        except DirectoryError as error:
            log.error("%s; keeping the directory as it was", error)
        try:
            self._secrets = read_secrets(self._secrets_file).sip
        except DirectoryError as error:
            log.error("%s; keeping the secrets as they were", error)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
