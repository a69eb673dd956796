"""The PBX's people (pbx/directory.csv, read by agentdesk/server/directory.py)
and the secrets pbx/run makes for them.

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

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from agentdesk.server.directory import DirectoryError, Person, Secrets, read_directory, read_secrets, write_secrets

from .layout import PbxError


def read_people(path: Path) -> list[Person]:
    """Everyone in the directory; PbxError (naming the line) if it is malformed."""
    try:
        return read_directory(path)
    except DirectoryError as error:
        raise PbxError(str(error)) from None


def demo_secrets(users: list[Person]) -> Secrets:
    return Secrets(
        demo=True,
        sip={u.extension: f"demo-{u.extension}" for u in users},
        voicemail_pin={u.extension: u.extension for u in users},
    )


def random_secrets(users: list[Person]) -> Secrets:
    return Secrets(
        demo=False,
        sip={u.extension: secrets.token_urlsafe(18) for u in users},
        voicemail_pin={u.extension: f"{secrets.randbelow(10**6):06d}" for u in users},
    )


def load_secrets(path: Path, users: list[Person]) -> Secrets:
    """Secrets from the store; users new to the directory get demo ones only
    while the store itself is the demo store."""
    if not path.exists():
        return demo_secrets(users)
    try:
        stored = read_secrets(path)
    except DirectoryError as error:
        raise PbxError(str(error)) from None
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
    write_secrets(path, value)


def secrets_table(users: list[Person], value: Secrets, mailboxes: Sequence[tuple[str, str]] = ()) -> str:
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
