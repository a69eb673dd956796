"""What supervision asks Asterisk: the agent's live call leg, and the
Originate that rings the team lead into it (pbx/asterisk/extensions_supervise.conf).

The agent's leg is read from AMI CoreShowChannels at the moment the lead
asks: the `PJSIP/<phone>-xxxxxxxx` channel that is Up and in a bridge.
ChanSpy is then given that one exact channel name, never the phone's
interface, which would let it spy on whichever of the phone's channels it
finds first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..ami.protocol import AmiMessage
from ..transfers import leg_age

# One agent phone's channel, as [supervise-target] accepts it too.
AGENT_CHANNEL = re.compile(r"PJSIP/[0-9]{2,20}-[0-9a-f]{8}")
UP = "6"  # CoreShowChannels ChannelState of an answered channel
QUEUE_APP = "Queue"
RING_MS = 15000  # the Originate's own limit; [supervise-ring] rings the phone as long
DIGITS = {"listen": "4", "whisper": "5", "barge": "6"}  # ChanSpy option d


class Ami(Protocol):
    async def action(self, name: str, timeout: float = 5.0, **fields: str | Sequence[str]) -> AmiMessage: ...

    async def action_list(self, name: str, timeout: float = 10.0,
                          **fields: str | Sequence[str]) -> list[AmiMessage]: ...


@dataclass(frozen=True)
class AgentCall:
    channel: str  # PJSIP/<phone>-xxxxxxxx
    uniqueid: str  # the agent leg's: the floor's key of the call
    queue: str  # the queue the caller came from ('' not a queue call)


def spyer_id(session: str) -> str:
    """The uniqueid of the Local channel's ;1 half (it runs ChanSpy)."""
    return f"{session}a"


def ringer_id(session: str) -> str:
    """The uniqueid of the Local channel's ;2 half (it rings the lead)."""
    return f"{session}b"


async def agent_call(ami: Ami, phone: str) -> AgentCall | None:
    """The call `phone` is talking on now (None: none). With two (one on
    hold), the newer leg: the one the agent turned to last."""
    channels = await ami.action_list("CoreShowChannels")
    legs = [c for c in channels if _is_talking_leg(c, phone)]
    if not legs:
        return None
    leg = max(legs, key=lambda c: leg_age(c.get("Uniqueid")))
    return AgentCall(leg.get("Channel"), leg.get("Uniqueid"), _queue_of(leg, channels))


def _is_talking_leg(channel: AmiMessage, phone: str) -> bool:
    name = channel.get("Channel")
    return (name.startswith(f"PJSIP/{phone}-") and AGENT_CHANNEL.fullmatch(name) is not None
            and channel.get("ChannelState") == UP and bool(channel.get("BridgeId")))


def _queue_of(leg: AmiMessage, channels: list[AmiMessage]) -> str:
    """The queue whose Queue() the caller of this call runs, if any."""
    for channel in channels:
        if channel.get("Linkedid") == leg.get("Linkedid") and channel.get("Application") == QUEUE_APP:
            return channel.get("ApplicationData").split(",", 1)[0]
    return ""


def originate_fields(session: str, lead_phone: str, call: AgentCall, mode: str, label: str,
                     agent_phone: str) -> dict[str, Any]:
    """The AMI Originate that rings the lead's phone and, once answered,
    spies on the agent's leg in `mode` (which is also the extension).
    Asterisk splits each Variable at its commas: a name's comma would start
    another variable, so the label has none."""
    label = label.replace(",", " ")
    return {
        "Channel": f"Local/{lead_phone}@supervise-ring/n", "Context": "supervise", "Exten": mode,
        "Priority": "1", "Async": "true", "Timeout": str(RING_MS),
        "ChannelId": spyer_id(session), "OtherChannelId": ringer_id(session),
        "CallerID": f'"{label}" <{agent_phone}>',
        "Variable": [f"SUPERVISE_TARGET={call.channel}", f"__SUPERVISE_SESSION={session}",
                     f"__SUPERVISE_LABEL={label}"],
    }
