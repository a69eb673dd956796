"""Each agent's call legs as they happen, kept from AMI events for the
team leads' floor: which channel, in or out, the peer, which queue, since
when, on hold, and the marks a lead cares about (VIP caller, a callback,
transferred).

Pure logic like the queue board: `apply(event)` updates the picture and
marks what changed on the floor. An agent leg is a channel
PJSIP/<phone>-xxxxxxxx of a phone someone works at (Seats): the agent
logged in there, else the phone's own person. Its direction: outbound when
the leg began the call (its Uniqueid is the Linkedid), inbound otherwise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from agentdesk.contract.monitor import INBOUND, OUTBOUND

from ..ami.fields import caller_name, event_time
from ..ami.protocol import AmiMessage
from ..queues.board import QueueBoard, callback_task_of
from .changes import FloorChanges

log = logging.getLogger("agentdesk.server.monitor")

PHONE_PREFIX = "PJSIP/"
UP = "Up"
_UNKNOWN = ("<unknown>", "")
_TRANSFER_RETURNED = "AgentDeskTransferReturned"  # pbx/asterisk/extensions.conf
_STICKY_ANSWERED = "AgentDeskStickyAnswered"  # its Channel is the agent leg; Call the caller's


class PhoneSeats(Protocol):
    def agent_of_phone(self, phone: str) -> str | None: ...


class CallerMarks(Protocol):
    def is_vip(self, uniqueid: str) -> bool: ...


class BoardMarks:
    """The queue board's VIP marks of waiting callers."""

    def __init__(self, board: QueueBoard) -> None:
        self._board = board

    def is_vip(self, uniqueid: str) -> bool:
        found = self._board.caller(uniqueid)
        return found is not None and found[1].vip


@dataclass
class LiveCall:
    """One agent leg. `since` is when it was answered (or dialled, until
    then); `hold_since` when its hold began."""

    uniqueid: str
    linkedid: str
    channel: str
    agent: str
    direction: str
    since: float
    peer_number: str = ""
    peer_name: str = ""
    queue: str = ""
    caller_uniqueid: str = ""  # the queue caller's channel, for a queue call
    answered: bool = False
    on_hold: bool = False
    hold_since: float = 0.0
    vip: bool = False
    callback: bool = False
    transferred: bool = False

    @property
    def ringing(self) -> bool:
        """An inbound leg that rings the agent's phone."""
        return not self.answered and self.direction == INBOUND


def phone_of_channel(channel: str) -> str:
    """"1001" of PJSIP/1001-0000002a, else ""."""
    if not channel.startswith(PHONE_PREFIX):
        return ""
    phone, dash, _ = channel[len(PHONE_PREFIX):].rpartition("-")
    return phone if dash else ""


class LiveCalls:
    def __init__(self, seats: PhoneSeats, marks: CallerMarks, changes: FloorChanges) -> None:
        self._seats = seats
        self._marks = marks
        self._changes = changes
        self._legs: dict[str, LiveCall] = {}  # agent leg uniqueid -> leg
        self._vip_offers: dict[str, bool] = {}  # caller uniqueid -> VIP, while offered to agents

    # -- queries -----------------------------------------------------------
    def calls(self) -> list[LiveCall]:
        """Every agent leg a lead sees as a call: answered, or ringing out."""
        return [leg for leg in self._legs.values() if not leg.ringing]

    def call(self, uniqueid: str) -> LiveCall | None:
        return self._legs.get(uniqueid)

    def call_of(self, agent: str) -> LiveCall | None:
        """The agent's current leg: the one they talk on (answered, not held),
        else the newest."""
        legs = [leg for leg in self._legs.values() if leg.agent == agent]
        if not legs:
            return None
        return max(legs, key=lambda leg: (leg.answered and not leg.on_hold, leg.answered, leg.since))

    # -- events ------------------------------------------------------------
    def apply(self, event: AmiMessage) -> set[str]:
        """Take one AMI event; the agents whose call changed."""
        handler = _HANDLERS.get(event.name)
        if handler is None:
            return set()
        changed = handler(self, event)
        happened = event_time(event, 0.0)
        for leg in changed:
            self._changes.touch_agent(leg.agent, happened)
            self._changes.touch_call(leg.uniqueid, happened)
        return {leg.agent for leg in changed}

    def load(self, channels: list[AmiMessage], now: float) -> None:
        """Rebuild from CoreShowChannels after a (re)connect: legs Asterisk no
        longer has go, new ones come (their queue unknown: the events that
        named it are gone), known ones keep what the events told."""
        present: dict[str, LiveCall] = {}
        for channel in channels:
            known = self._legs.get(channel.get("Uniqueid"))
            leg = known or self._leg_of(channel, now - _seconds(channel.get("Duration")))
            if leg is not None:
                leg.answered = leg.answered or channel.get("ChannelStateDesc") == UP
                present[leg.uniqueid] = leg
        for uniqueid in set(self._legs) ^ set(present):
            leg = self._legs.get(uniqueid) or present[uniqueid]
            self._changes.touch_call(uniqueid)
            self._changes.touch_agent(leg.agent)
        self._legs = present

    def _new_channel(self, event: AmiMessage) -> list[LiveCall]:
        if event.get("Uniqueid") in self._legs:
            return []
        leg = self._leg_of(event, event_time(event, 0.0))
        if leg is None:
            return []
        self._legs[leg.uniqueid] = leg
        return [leg]

    def _leg_of(self, event: AmiMessage, since: float) -> LiveCall | None:
        """A new leg from a Newchannel or CoreShowChannel event, if it is an agent's."""
        channel, uniqueid = event.get("Channel"), event.get("Uniqueid")
        phone = phone_of_channel(channel)
        agent = self._seats.agent_of_phone(phone) if phone else None
        if agent is None:
            return None
        linkedid = event.get("Linkedid") or uniqueid
        direction = OUTBOUND if uniqueid == linkedid else INBOUND
        leg = LiveCall(uniqueid=uniqueid, linkedid=linkedid, channel=channel, agent=agent, direction=direction,
                       since=since)
        if direction == OUTBOUND:
            leg.peer_number = event.get("Exten") if event.get("Exten") != "s" else ""
        self._peer_from(leg, event)
        return leg

    def _peer_from(self, leg: LiveCall, event: AmiMessage) -> None:
        """The connected line names the other party; a queue call keeps its caller."""
        number = event.get("ConnectedLineNum")
        if leg.queue or number in _UNKNOWN:
            return
        leg.peer_number = number
        leg.peer_name = caller_name(event.get("ConnectedLineName"))

    def _connected_line(self, event: AmiMessage) -> list[LiveCall]:
        leg = self._legs.get(event.get("Uniqueid"))
        if leg is None:
            return []
        before = (leg.peer_number, leg.peer_name)
        self._peer_from(leg, event)
        return [leg] if (leg.peer_number, leg.peer_name) != before else []

    def _new_state(self, event: AmiMessage) -> list[LiveCall]:
        leg = self._legs.get(event.get("Uniqueid"))
        if leg is None or leg.answered or event.get("ChannelStateDesc") != UP:
            return []
        leg.answered = True
        leg.since = event_time(event, leg.since)
        self._peer_from(leg, event)
        return [leg]

    def _agent_called(self, event: AmiMessage) -> list[LiveCall]:
        caller = event.get("Uniqueid")
        self._vip_offers[caller] = self._vip_offers.get(caller, False) or self._marks.is_vip(caller)
        return self._queue_call(event)

    def _queue_call(self, event: AmiMessage) -> list[LiveCall]:
        """AgentCalled / AgentConnect: the leg is a queue call of this caller."""
        leg = self._legs.get(event.get("DestUniqueid"))
        if leg is None:
            return []
        caller = event.get("Uniqueid")
        leg.queue = event.get("Queue")
        leg.caller_uniqueid = caller
        leg.peer_number = event.get("CallerIDNum") if event.get("CallerIDNum") not in _UNKNOWN else ""
        leg.peer_name = caller_name(event.get("CallerIDName"))
        leg.callback = bool(callback_task_of(event.get("Channel")))
        leg.vip = self._vip_offers.get(caller, False) or self._marks.is_vip(caller)
        if event.name == "AgentConnect":
            self._vip_offers.pop(caller, None)
        return [leg]

    def _sticky_answered(self, event: AmiMessage) -> list[LiveCall]:
        """A sticky call (rung straight to the caller's last agent) is that queue's call."""
        leg = self._legs.get(event.get("Uniqueid"))
        if leg is None or leg.queue:
            return []
        leg.queue = event.get("Queue")
        leg.caller_uniqueid = event.get("Call")
        return [leg]

    def _hold(self, event: AmiMessage) -> list[LiveCall]:
        held = event.name == "Hold"
        legs = [leg for leg in self._legs_of_event(event) if leg.on_hold != held]
        for leg in legs:
            leg.on_hold = held
            leg.hold_since = event_time(event, 0.0) if held else 0.0
        return legs

    def _legs_of_event(self, event: AmiMessage) -> list[LiveCall]:
        """The agent leg the event names, else (the peer's own hold) the agent legs of its call."""
        own = self._legs.get(event.get("Uniqueid"))
        if own is not None:
            return [own]
        linkedid = event.get("Linkedid")
        return [leg for leg in self._legs.values() if linkedid and leg.linkedid == linkedid]

    def _user_event(self, event: AmiMessage) -> list[LiveCall]:
        if event.get("UserEvent") == _STICKY_ANSWERED:
            return self._sticky_answered(event)
        if event.get("UserEvent") == _TRANSFER_RETURNED:
            return self._transfer(event)
        return []

    def _transfer(self, event: AmiMessage) -> list[LiveCall]:
        """Every transfer event names the call's linked ids in fields ending in "Linkedid"."""
        linkedids = {value for key, value in event.headers if key.lower().endswith("linkedid") and value}
        legs = [leg for leg in self._legs.values() if leg.linkedid in linkedids and not leg.transferred]
        for leg in legs:
            leg.transferred = True
        return legs

    def _hangup(self, event: AmiMessage) -> list[LiveCall]:
        self._vip_offers.pop(event.get("Uniqueid"), None)
        leg = self._legs.pop(event.get("Uniqueid"), None)
        return [leg] if leg is not None else []


def _seconds(duration: str) -> float:
    """CoreShowChannel's Duration, HH:MM:SS, in seconds (0 if garbled)."""
    try:
        hours, minutes, seconds = (int(part) for part in duration.split(":"))
    except ValueError:
        return 0.0
    return float(hours * 3600 + minutes * 60 + seconds)


_HANDLERS = {
    "Newchannel": LiveCalls._new_channel,
    "NewConnectedLine": LiveCalls._connected_line,
    "Newstate": LiveCalls._new_state,
    "AgentCalled": LiveCalls._agent_called,
    "AgentConnect": LiveCalls._queue_call,
    "Hold": LiveCalls._hold,
    "Unhold": LiveCalls._hold,
    "BlindTransfer": LiveCalls._transfer,
    "AttendedTransfer": LiveCalls._transfer,
    "UserEvent": LiveCalls._user_event,
    "Hangup": LiveCalls._hangup,
}
