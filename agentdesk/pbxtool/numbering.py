"""The numbering plan, generated from pbx/directory.csv and pbx/queues.ini.

Nobody's number is written by hand into the dialplan: at every start
`pbx/run` writes the parts of it that name people and queues into the state
folder, and pbx/asterisk/extensions.conf includes them where they belong:

  extensions_people.conf     [internal]: every agent's and team lead's
                             extension rings them (then their mailbox)
  extensions_transfer.conf   [transfer]: the same people as blind-transfer
                             targets, and *<number> for the mailbox of each
                             of them and of each queue

(The queue numbers themselves come from queues.py, the SIP accounts and the
mailboxes from confgen.py.) Customers' phones are not in the plan: they
stand for people outside, who are reached only by a callback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from agentdesk.contract.states import AGENT, CUSTOMER, TEAMLEAD
from agentdesk.server.directory import Person

from .layout import DIRECTORY_FILE, PbxError
from .queues import RESERVED_EXTENSIONS, QueueSettings

# *55 is the blind transfer to the post-call survey (extensions_survey.conf).
SURVEY_TRANSFER = "55"


def staff(people: Iterable[Person]) -> list[Person]:
    """The people with a phone on the desk: agents and team leads."""
    return [person for person in people if not person.is_customer]


def check_people(people: Iterable[Person]) -> None:
    """A person's extension must not hide a service number of the dialplan."""
    for person in staff(people):
        if person.extension in RESERVED_EXTENSIONS or person.extension == SURVEY_TRANSFER:
            raise PbxError(
                f"{DIRECTORY_FILE}: extension {person.extension} of {person.name} is a service number of the PBX "
                f"(600-609 and {SURVEY_TRANSFER} are taken); pick another"
            )


def people_conf(people: Sequence[Person]) -> str:
    """[internal]: each agent's and team lead's extension rings them."""
    return "".join(f"exten => {p.extension},1,Goto(user,${{EXTEN}},1)\n" for p in staff(people))


def transfer_conf(people: Sequence[Person], queues: Sequence[QueueSettings]) -> str:
    """[transfer]: colleagues ring through [transfer-ring]; *<number> leaves
    the caller in a colleague's or a queue's mailbox."""
    lines = [f"exten => {p.extension},1,Goto(transfer-ring,${{EXTEN}},1)" for p in staff(people)]
    mailboxes = [p.extension for p in staff(people)] + [q.extension for q in queues]
    lines += [f"exten => *{mailbox},1,Goto(transfer-voicemail,${{EXTEN:1}},1)" for mailbox in mailboxes]
    return "\n".join(lines) + "\n"


def summary(people: Sequence[Person]) -> str:
    """"20 agents, 3 team leads, 5 customer phones" for pbx/run's report."""
    counts = {role: sum(1 for p in people if p.role == role) for role in (AGENT, TEAMLEAD, CUSTOMER)}
    return f"{counts[AGENT]} agents, {counts[TEAMLEAD]} team leads, {counts[CUSTOMER]} customer phones"
