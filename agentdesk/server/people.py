"""Who may use the desk service: the PBX directory (extension, name, role)
and each person's secret (the same secret as their SIP account, kept in the
PBX state folder's secrets.json; re-read when that file changes)."""

from __future__ import annotations

import csv
import hmac
import json
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("agentdesk.server")

AGENT = "agent"
CUSTOMER = "customer"
TEAMLEAD = "teamlead"


@dataclass(frozen=True)
class Person:
    agent: str  # the agent ID: the person's extension in the directory
    name: str
    role: str  # AGENT or TEAMLEAD


class People:
    """The directory plus password checks; files are re-read when they change."""

    def __init__(self, directory: Path, secrets: Path) -> None:
        self._directory_file = directory
        self._secrets_file = secrets
        self._stamp: tuple[float, float] = (-1.0, -1.0)
        self._people: dict[str, Person] = {}
        self._secrets: dict[str, str] = {}

    def get(self, agent: str) -> Person | None:
        self._refresh()
        return self._people.get(agent)

    def all(self) -> list[Person]:
        self._refresh()
        return list(self._people.values())

    def check_password(self, agent: str, password: str) -> Person | None:
        """The person when the password is theirs; None otherwise (timing-safe)."""
        self._refresh()
        expected = self._secrets.get(agent, "")
        matches = hmac.compare_digest(expected.encode(), password.encode())
        person = self._people.get(agent)
        return person if matches and expected and person else None

    def _refresh(self) -> None:
        stamp = (_mtime(self._directory_file), _mtime(self._secrets_file))
        if stamp == self._stamp:
            return
        self._stamp = stamp
        self._people = {p.agent: p for p in read_directory(self._directory_file)}
        self._secrets = read_secrets(self._secrets_file)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def read_directory(path: Path) -> list[Person]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        log.error("cannot read the directory %s: %s", path, error.strerror)
        return []
    rows = csv.reader(line for line in lines if line.strip() and not line.lstrip().startswith("#"))
    people = []
    for row in rows:
        if len(row) == 3 and row[0].strip().isdigit() and row[2].strip() in (AGENT, TEAMLEAD):
            people.append(Person(row[0].strip(), row[1].strip(), row[2].strip()))
        elif len(row) == 3 and row[2].strip() == CUSTOMER:
            continue  # the demo's customer phones: they do not sign in to the desk service
        else:
            log.warning("skipping a malformed directory line in %s", path)
    return people


def read_secrets(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data["sip"].items()}
    except (OSError, ValueError, KeyError, AttributeError) as error:
        log.error("cannot read the secrets file %s: %s", path, type(error).__name__)
        return {}
