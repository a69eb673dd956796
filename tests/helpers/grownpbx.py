"""A second test PBX made from a copy of the project's pbx/ folder that has
one more agent (1021) and one more queue (billing, 7003), added the way
directory.csv and queues.ini say: nothing else edited. It runs without a
desk service, on the second half of this run's ports (tests/helpers/pbx.py).
Agent 1021's voicemail PIN is a random 9-digit string, so that a log line
holding it cannot be a coincidence."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from agentdesk.server.directory import Secrets, read_directory, write_secrets
from tests.helpers.party import SipParty
from tests.helpers.pbx import REPO, SECOND_SERVER, Pbx, second_pbx_env

NEW_AGENT, NEW_AGENT_NAME = "1021", "Nima Karimi"
NEW_QUEUE, NEW_QUEUE_NUMBER = "billing", "7003"
NEW_AGENT_PIN = str(10**8 + secrets.randbelow(9 * 10**8))

MakeParty = Callable[[str], SipParty]


def grown_pbx_folder(target: Path) -> Path:
    folder = target / "pbx"
    shutil.copytree(REPO / "pbx", folder)
    with (folder / "directory.csv").open("a", encoding="utf-8") as directory:
        directory.write(f"{NEW_AGENT},{NEW_AGENT_NAME},agent,{NEW_QUEUE} support\n")
    with (folder / "queues.ini").open("a", encoding="utf-8") as queues:
        queues.write(f"\n[{NEW_QUEUE}]\ntitle = Billing\nextension = {NEW_QUEUE_NUMBER}\n")
    return folder


@contextmanager
def grown_pbx(place: Path) -> Iterator[Pbx]:
    """The grown PBX, started in `place` (stopped afterwards)."""
    folder = grown_pbx_folder(place)
    server = Pbx(second_pbx_env(place / "home", folder))
    people = read_directory(folder / "directory.csv")
    pins = {p.extension: p.extension for p in people} | {NEW_AGENT: NEW_AGENT_PIN}
    write_secrets(server.home / "state" / "secrets.json",
                  Secrets(demo=True, sip={p.extension: f"demo-{p.extension}" for p in people}, voicemail_pin=pins))
    server.start("--no-desk")
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def parties() -> Iterator[MakeParty]:
    """make(user) -> a SIP party registered on the grown PBX (closed afterwards)."""
    made: list[SipParty] = []

    def make(user: str) -> SipParty:
        party = SipParty(f"party-{user}")
        made.append(party)
        party.register(user, SECOND_SERVER)
        return party

    try:
        yield make
    finally:
        for party in made:
            party.close()


def sip(extension: str) -> str:
    return f"sip:{extension}@{SECOND_SERVER}"
