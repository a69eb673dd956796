"""Queue offers an agent did not answer, on the wire.

The `offer_taken` event tells an agent that a queue call which rang them
without being answered was then answered by a colleague, so their desktop
does not keep it as a missed call. The day's count of missed offers per
agent (GET /api/v1/stats/missed-offers) is a plain {"day", "agents":
{agent: count}} object.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .queues import ModelError


@dataclass(frozen=True)
class OfferTaken:
    """A queue call (the caller channel's uniqueid, as in the X-AgentDesk-Call
    header) that rang this agent unanswered and that `agent` answered."""

    uniqueid: str
    queue: str
    agent: str
    agent_name: str = ""


def dump_offer_taken(offer: OfferTaken) -> dict[str, Any]:
    return asdict(offer)


def parse_offer_taken(data: Any) -> OfferTaken:
    """ModelError when it names no call or no agent."""
    if not isinstance(data, dict):
        raise ModelError("an offer_taken event is not an object")
    values = {key: "" if data.get(key) is None else str(data.get(key)) for key in ("uniqueid", "queue", "agent",
                                                                                   "agent_name")}
    if not values["uniqueid"] or not values["agent"]:
        raise ModelError("an offer_taken event names no call or agent")
    return OfferTaken(**values)
