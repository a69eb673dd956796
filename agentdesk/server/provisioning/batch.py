"""Who a batch of enrollments is for: a JSON list of agent IDs, or a CSV
whose first line names its columns, one of them "agent" (a roll-out
sheet, with whatever other columns it has). Read here for the desk
service and for `pbx/run enroll --csv`; the whole batch is checked against
the directory before anything is made, so a batch is made whole or not at
all."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from agentdesk.contract.ids import is_extension
from agentdesk.server.directory import Person

from ..people import People

MAX_BATCH = 1000
AGENT_COLUMN = "agent"
CSV_COLUMNS = ("agent", "name", "link", "expires_at")


class BatchError(ValueError):
    """The batch cannot be made; the message says why, naming the agents or lines."""


def agents_from_csv(text: str) -> list[str]:
    """The "agent" column's values, in order (blank lines skipped)."""
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = next(rows, None)
    columns = [cell.strip().lower() for cell in header or ()]
    if AGENT_COLUMN not in columns:
        raise BatchError(f"the CSV has no {AGENT_COLUMN!r} column: its first line must name the columns, "
                         "e.g. agent,name")
    at = columns.index(AGENT_COLUMN)
    agents = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        agent = row[at].strip() if at < len(row) else ""
        if not agent:
            raise BatchError(f"line {line} of the CSV has no agent")
        agents.append(agent)
    return agents


def agents_from_list(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(agent, str) for agent in value):
        raise BatchError("'agents' must be a list of agent IDs, e.g. [\"1001\", \"1002\"]")
    return [agent.strip() for agent in value]


def people_of(agents: list[str], people: People) -> list[Person]:
    """The directory's person for each agent ID; BatchError naming every
    one that cannot be enrolled (unknown, a customer's phone, twice)."""
    if not agents:
        raise BatchError("name at least one agent to enroll")
    if len(agents) > MAX_BATCH:
        raise BatchError(f"at most {MAX_BATCH} agents at once, not {len(agents)}")
    customers = [a for a in agents if people.is_customer(a)]
    if customers:
        raise BatchError(f"customers cannot be enrolled: {_listed(customers)} "
                         f"{'is a customer phone' if len(customers) == 1 else 'are customer phones'}")
    unknown = [a for a in agents if people.get(a) is None]
    if unknown:
        raise BatchError(f"the directory has no agent {_listed(unknown)}")
    twice = sorted(a for a, count in Counter(agents).items() if count > 1)
    if twice:
        raise BatchError(f"agent {_listed(twice)} is listed more than once")
    return [person for person in (people.get(a) for a in agents) if person is not None]


def _listed(agents: Iterable[str], limit: int = 10) -> str:
    shown = [repr(a[:20]) if not is_extension(a) else a for a in agents]
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


def enrollments_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """Made enrollments ({"agent", "name", "link", "expires_at"}) as CSV, the
    expiry in the server's local time with its offset (ISO 8601)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        expires = datetime.fromtimestamp(float(row["expires_at"])).astimezone().isoformat(timespec="minutes")
        writer.writerow((row["agent"], row["name"], row["link"], expires))
    return out.getvalue()
