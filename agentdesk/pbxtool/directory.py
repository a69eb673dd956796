"""The PBX's people (pbx/directory.csv) and their secrets.

Roles: agents and team leads (extensions; they work the queues), and
customers: test and demo phones that stand for people outside (their
extension is their phone number, e.g. 09121110001; they can call only the
queue numbers, and a callback to that number rings them).

Secrets live in the state folder's secrets.json (mode 0600), never in the
repository. Until `pbx/run secrets --generate` is run they are the clearly
marked demo secrets: SIP password "demo-<extension>", voicemail PIN
"<extension>".
"""

from __future__ import annotations

import csv
import json
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .layout import PbxError

CUSTOMER = "customer"
ROLES = ("agent", "teamlead", CUSTOMER)


@dataclass(frozen=True)
class User:
    extension: str
    name: str
    role: str

    @property
    def is_customer(self) -> bool:
        return self.role == CUSTOMER


@dataclass(frozen=True)
class Secrets:
    demo: bool
    sip: dict[str, str]
    voicemail_pin: dict[str, str]


def read_directory(path: Path) -> list[User]:
    users: list[User] = []
    with path.open(newline="", encoding="utf-8") as handle:
        rows = (line for line in handle if line.strip() and not line.lstrip().startswith("#"))
        for number, row in enumerate(csv.reader(rows), start=1):
            users.append(_parse_user(row, path, number))
    extensions = [user.extension for user in users]
    if len(set(extensions)) != len(extensions):
        raise PbxError(f"{path}: an extension appears twice")
    return users


def _parse_user(row: list[str], path: Path, number: int) -> User:
    if len(row) != 3:
        raise PbxError(f"{path}: entry {number} needs extension,name,role")
    extension, name, role = (cell.strip() for cell in row)
    if not extension.isdigit():
        raise PbxError(f"{path}: extension {extension!r} is not a number")
    if role not in ROLES:
        raise PbxError(f"{path}: role of {extension} must be one of {', '.join(ROLES)}")
    if any(ch in name for ch in '"<>;\n'):
        raise PbxError(f"{path}: name of {extension} has a character Asterisk cannot quote")
    return User(extension, name, role)


def demo_secrets(users: list[User]) -> Secrets:
    return Secrets(
        demo=True,
        sip={u.extension: f"demo-{u.extension}" for u in users},
        voicemail_pin={u.extension: u.extension for u in users},
    )


def random_secrets(users: list[User]) -> Secrets:
    return Secrets(
        demo=False,
        sip={u.extension: secrets.token_urlsafe(18) for u in users},
        voicemail_pin={u.extension: f"{secrets.randbelow(10**6):06d}" for u in users},
    )


def load_secrets(path: Path, users: list[User]) -> Secrets:
    """Secrets from the store; users new to the directory get demo ones only
    while the store itself is the demo store."""
    if not path.exists():
        return demo_secrets(users)
    data = json.loads(path.read_text(encoding="utf-8"))
    stored = Secrets(bool(data["demo"]), dict(data["sip"]), dict(data["voicemail_pin"]))
    missing = [u for u in users if u.extension not in stored.sip]
    if missing:
        fresh = (demo_secrets if stored.demo else random_secrets)(missing)
        stored.sip.update(fresh.sip)
        stored.voicemail_pin.update(fresh.voicemail_pin)
    return stored


def add_mailbox_pins(value: Secrets, mailboxes: Iterable[str]) -> Secrets:
    """PINs for mailboxes that belong to no user (the queues' overflow
    boxes): demo PIN = the mailbox number while the store is the demo one."""
    pins = dict(value.voicemail_pin)
    for mailbox in mailboxes:
        if mailbox not in pins:
            pins[mailbox] = mailbox if value.demo else f"{secrets.randbelow(10**6):06d}"
    return replace(value, voicemail_pin=pins)


def save_secrets(path: Path, value: Secrets) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"demo": value.demo, "sip": value.sip, "voicemail_pin": value.voicemail_pin}, handle, indent=1)
    os.replace(temporary, path)


def secrets_table(users: list[User], value: Secrets, mailboxes: Sequence[tuple[str, str]] = ()) -> str:
    """CSV of every secret; `mailboxes` (number, title) are the queues' boxes."""
    lines = ["extension,name,role,sip_password,voicemail_pin"]
    for user in users:
        lines.append(
            f"{user.extension},{user.name},{user.role},"
            f"{value.sip[user.extension]},{value.voicemail_pin[user.extension]}"
        )
    for number, title in mailboxes:
        lines.append(f"{number},{title},queue mailbox,,{value.voicemail_pin[number]}")
    return "\n".join(lines) + "\n"
