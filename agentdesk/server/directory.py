"""The PBX's people (pbx/directory.csv) and their secrets (the PBX state
folder's secrets.json), read here and only here: by the desk service (who
may sign in, and with what) and by pbx/run (which accounts, mailboxes and
dialplan entries to generate).

directory.csv has one person per line, `extension,name,role,queues[,security]`:
- role: agent, teamlead or customer (the demo's customer phones, which stand
  for people outside: their extension is their phone number);
- queues: the queues an agent may log into, separated by spaces, or "*" for
  every queue. Team leads may log into every queue and seat agents anywhere;
  customers into none, so their field stays empty;
- security (optional): "tls" when the person's phone must use SIP over TLS
  and encrypted audio (a remote agent); empty for the site's default.
Blank lines and lines starting with # are comments.

secrets.json (mode 0600): {"demo": bool, "sip": {extension: password},
"voicemail_pin": {mailbox: pin}}. Nothing here makes secrets up; pbx/run does.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from agentdesk.contract.ids import is_extension, is_queue_name
from agentdesk.contract.states import AGENT, CUSTOMER, ROLES, TEAMLEAD

EVERY_QUEUE = "*"
# Characters Asterisk cannot quote in a caller name or a mailbox title.
_UNQUOTABLE = '"<>;\n\r\\'


class DirectoryError(ValueError):
    """A directory or secrets file that cannot be used; the message names the
    file and the line, and never carries a secret."""


@dataclass(frozen=True)
class Person:
    extension: str
    name: str
    role: str  # states.AGENT, TEAMLEAD or CUSTOMER
    queues: tuple[str, ...] = ()  # the queues an agent may log into (see every_queue)
    every_queue: bool = False
    secure: bool = False  # must use SIP over TLS and encrypted audio (SRTP)

    @property
    def agent(self) -> str:
        """The person's agent ID on the desk service: their extension."""
        return self.extension

    @property
    def is_customer(self) -> bool:
        return self.role == CUSTOMER

    def may_join(self, queue: str) -> bool:
        """May this person log into `queue` (as the directory says)?"""
        if self.role == TEAMLEAD:
            return True
        return self.role == AGENT and (self.every_queue or queue in self.queues)


@dataclass(frozen=True)
class Secrets:
    demo: bool  # the clearly marked demo secrets ("demo-<extension>")
    sip: dict[str, str]
    voicemail_pin: dict[str, str]


def read_directory(path: Path) -> list[Person]:
    """Everyone in the directory, in file order; DirectoryError if a line is
    malformed or an extension appears twice."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DirectoryError(f"cannot read the directory {path}: {error.strerror}") from None
    return parse_directory(text, str(path))


def parse_directory(text: str, source: str) -> list[Person]:
    people: list[Person] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        person = _person(next(csv.reader([line])), f"{source}, line {number}")
        if person.extension in seen:
            raise DirectoryError(f"{source}, line {number}: extension {person.extension} appears twice")
        seen.add(person.extension)
        people.append(person)
    return people


SECURE = "tls"


def _person(row: list[str], where: str) -> Person:
    if len(row) not in (4, 5):
        raise DirectoryError(f"{where}: needs extension,name,role,queues[,security] (queues may be empty)")
    extension, name, role, queues = (cell.strip() for cell in row[:4])
    security = row[4].strip() if len(row) == 5 else ""
    if security not in ("", SECURE):
        raise DirectoryError(f"{where}: the security of {extension} must be {SECURE!r} or empty")
    if not is_extension(extension):
        raise DirectoryError(f"{where}: extension {extension[:30]!r} is not a number of 2 to 20 digits")
    if role not in ROLES:
        raise DirectoryError(f"{where}: the role of {extension} must be one of {', '.join(ROLES)}")
    if not name or any(ch in name for ch in _UNQUOTABLE):
        raise DirectoryError(f"{where}: the name of {extension} is empty or has a character Asterisk cannot quote")
    names = tuple(queues.split())
    if role != AGENT and names:
        raise DirectoryError(f"{where}: only agents list queues ({role}s: leave the field empty)")
    for queue in names:
        if queue != EVERY_QUEUE and not is_queue_name(queue):
            raise DirectoryError(f"{where}: {queue[:40]!r} is not a queue name")
    every = EVERY_QUEUE in names
    return Person(extension, name, role, tuple(q for q in names if q != EVERY_QUEUE), every, security == SECURE)


def read_secrets(path: Path) -> Secrets:
    """The stored secrets; DirectoryError if the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Secrets(bool(data["demo"]), _strings(data["sip"]), _strings(data["voicemail_pin"]))
    except OSError as error:
        raise DirectoryError(f"cannot read the secrets file {path}: {error.strerror}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise DirectoryError(f"the secrets file {path} is malformed ({type(error).__name__})") from None


def _strings(mapping: dict[object, object]) -> dict[str, str]:
    return {str(key): str(value) for key, value in mapping.items()}


def write_secrets(path: Path, value: Secrets) -> None:
    """Replace the secrets file in one step; it is created 0600. The folder is
    left as it is: the PBX's state folder must stay passable for Asterisk's
    own user, whose files live below it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"demo": value.demo, "sip": value.sip, "voicemail_pin": value.voicemail_pin}, handle, indent=1)
    os.replace(temporary, path)
