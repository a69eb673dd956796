"""The live queue board: callers waiting and members of each queue, kept
from Asterisk's AMI events and rebuilt from QueueStatus on every (re)connect.

Pure logic (no I/O): `apply(event)` returns what changed so the service
can push it. Times come from the injected clock so tests can drive them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..ami.fields import as_int, caller_name, event_time
from ..ami.protocol import AmiMessage

log = logging.getLogger("agentdesk.server.queues")

# Callback placeholders (agentdesk/server/callbacks/): Local/<task>@callback-line
PLACEHOLDER_PREFIX = "Local/"
PLACEHOLDER_CONTEXT = "callback-line"

# Asterisk device states (QueueMemberStatus "Status") -> what an agent is doing.
_DEVICE_ACTIVITY = {
    "0": "ready",  # unknown: Asterisk offers calls to it, so treat as free
    "1": "ready",  # not in use
    "2": "on_call",  # in use
    "3": "on_call",  # busy
    "4": "unavailable",  # invalid
    "5": "unavailable",  # unavailable (not registered)
    "6": "ringing",
    "7": "on_call",  # ringing while in use
    "8": "on_call",  # on hold
}


@dataclass
class Caller:
    uniqueid: str
    linkedid: str
    number: str
    name: str
    position: int
    joined_at: float
    vip: bool = False
    channel: str = ""

    @property
    def callback_task(self) -> str:
        """The callback task this entry holds a place for ("" for a real
        caller): placeholders are Local/<task>@callback-line channels."""
        return callback_task_of(self.channel)


def callback_task_of(channel: str) -> str:
    """The task of a callback placeholder channel name, else ""."""
    if not channel.startswith(PLACEHOLDER_PREFIX):
        return ""
    task, _, rest = channel[len(PLACEHOLDER_PREFIX):].partition("@")
    return task if rest.startswith(PLACEHOLDER_CONTEXT + "-") else ""


@dataclass
class Member:
    agent: str  # MemberName: the agent ID
    interface: str  # PJSIP/<phone>
    device_state: str
    paused: bool
    reason: str
    since: float  # when `activity` last changed
    penalty: int = 0  # Asterisk offers calls to members of lower penalty first

    @property
    def activity(self) -> str:
        return "paused" if self.paused else _DEVICE_ACTIVITY.get(self.device_state, "unavailable")


@dataclass
class QueueState:
    name: str
    strategy: str = ""
    service_level_seconds: int = 30
    callers: dict[str, Caller] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)

    def ordered_callers(self) -> list[Caller]:
        return sorted(self.callers.values(), key=lambda c: (c.position, c.joined_at))


@dataclass(frozen=True)
class Change:
    """What an event changed: queues whose summary must be re-sent, agents
    whose own state must be re-sent, and call milestones for the store."""

    queues: frozenset[str] = frozenset()
    agents: frozenset[str] = frozenset()


NO_CHANGE = Change()


class QueueBoard:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.queues: dict[str, QueueState] = {}
        # A caller a team lead moves to another queue keeps their wait: the
        # time they first joined, taken by their next QueueCallerJoin.
        self._carried: dict[str, float] = {}

    # -- rebuilding -----------------------------------------------------
    def load_status(self, events: Iterable[AmiMessage]) -> None:
        """Replace everything with a QueueStatus reply (QueueParams,
        QueueMember and QueueEntry events). Agents keep their `since` when
        their activity did not change across the resync."""
        previous = self.queues
        self.queues = {}
        now = self._clock()
        for event in events:
            if event.name == "QueueParams":
                self._queue(event.get("Queue"), event)
            elif event.name == "QueueMember":
                self._load_member(event, previous, now)
            elif event.name == "QueueEntry":
                self._load_entry(event, previous, now)

    def _load_member(self, event: AmiMessage, previous: dict[str, QueueState], now: float) -> None:
        queue = self._queue(event.get("Queue"))
        member = _member_from(event, now)
        old = previous.get(queue.name)
        before = old.members.get(member.agent) if old else None
        if before is not None and before.activity == member.activity:
            member.since = before.since
        queue.members[member.agent] = member

    def _load_entry(self, event: AmiMessage, previous: dict[str, QueueState], now: float) -> None:
        queue = self._queue(event.get("Queue"))
        uniqueid = event.get("Uniqueid")
        old = previous.get(queue.name)
        before = old.callers.get(uniqueid) if old else None
        waited = as_int(event.get("Wait"))
        queue.callers[uniqueid] = Caller(
            uniqueid=uniqueid,
            linkedid=event.get("Linkedid") or uniqueid,
            number=event.get("CallerIDNum"),
            name=caller_name(event.get("CallerIDName")),
            position=as_int(event.get("Position"), 1),
            joined_at=before.joined_at if before else now - waited,
            vip=before.vip if before else False,
            channel=event.get("Channel"),
        )

    def _queue(self, name: str, params: AmiMessage | None = None) -> QueueState:
        queue = self.queues.setdefault(name, QueueState(name))
        if params is not None:
            queue.strategy = params.get("Strategy")
            queue.service_level_seconds = as_int(params.get("ServiceLevel"), 30)
        return queue

    # -- live events ----------------------------------------------------
    def apply(self, event: AmiMessage) -> Change:
        handler = _HANDLERS.get(event.name)
        if handler is None or not event.get("Queue"):
            return NO_CHANGE
        return handler(self, event)

    def _caller_join(self, event: AmiMessage) -> Change:
        queue = self._queue(event.get("Queue"))
        if event.get("Uniqueid") in queue.callers:
            return NO_CHANGE  # already known: a join held back while we resynchronised
        position = as_int(event.get("Position"), len(queue.callers) + 1)
        for caller in queue.callers.values():
            if caller.position >= position:
                caller.position += 1
        uniqueid = event.get("Uniqueid")
        queue.callers[uniqueid] = Caller(
            uniqueid=uniqueid,
            linkedid=event.get("Linkedid") or uniqueid,
            number=event.get("CallerIDNum"),
            name=caller_name(event.get("CallerIDName")),
            position=position,
            joined_at=self._carried.pop(uniqueid, 0.0) or event_time(event, self._clock()),
            channel=event.get("Channel"),
        )
        return Change(queues=frozenset({queue.name}))

    def _caller_leave(self, event: AmiMessage) -> Change:
        queue = self._queue(event.get("Queue"))
        gone = queue.callers.pop(event.get("Uniqueid"), None)
        if gone is None:
            return NO_CHANGE
        for caller in queue.callers.values():
            if caller.position > gone.position:
                caller.position -= 1
        return Change(queues=frozenset({queue.name}))

    def _member_update(self, event: AmiMessage) -> Change:
        queue = self._queue(event.get("Queue"))
        fresh = _member_from(event, self._clock())
        if not fresh.agent:
            return NO_CHANGE
        before = queue.members.get(fresh.agent)
        if before is not None and before.activity == fresh.activity:
            fresh.since = before.since
        queue.members[fresh.agent] = fresh
        return Change(queues=frozenset({queue.name}), agents=frozenset({fresh.agent}))

    def _member_removed(self, event: AmiMessage) -> Change:
        queue = self._queue(event.get("Queue"))
        agent = event.get("MemberName")
        if queue.members.pop(agent, None) is None:
            return NO_CHANGE
        return Change(queues=frozenset({queue.name}), agents=frozenset({agent}))

    # -- queries ----------------------------------------------------------
    def caller(self, uniqueid: str) -> tuple[QueueState, Caller] | None:
        for queue in self.queues.values():
            found = queue.callers.get(uniqueid)
            if found is not None:
                return queue, found
        return None

    def carry_join(self, uniqueid: str, joined_at: float) -> None:
        """The caller's next join (to another queue) keeps `joined_at`."""
        self._carried[uniqueid] = joined_at

    def drop_carried(self, uniqueid: str) -> None:
        """The move did not happen: the next join is a join of its own."""
        self._carried.pop(uniqueid, None)

    def mark_vip(self, uniqueid: str) -> None:
        found = self.caller(uniqueid)
        if found is not None:
            found[1].vip = True

    def memberships_of(self, agent: str) -> dict[str, Member]:
        return {q.name: q.members[agent] for q in self.queues.values() if agent in q.members}

    def is_free(self, agent: str) -> bool:
        """Logged in somewhere, not paused, phone idle everywhere."""
        members = self.memberships_of(agent).values()
        return bool(members) and all(m.activity == "ready" for m in members)

    def phone_of(self, agent: str) -> str | None:
        for member in self.memberships_of(agent).values():
            return member.interface.split("/", 1)[-1]
        return None

    def agent_on_phone(self, phone: str) -> str | None:
        """The agent logged in from this phone, in any queue."""
        for queue in self.queues.values():
            for member in queue.members.values():
                if member.interface == f"PJSIP/{phone}":
                    return member.agent
        return None


def _member_from(event: AmiMessage, now: float) -> Member:
    return Member(
        agent=event.get("MemberName") or event.get("Name"),
        interface=event.get("Interface") or event.get("Location"),
        device_state=event.get("Status", "0"),
        paused=event.get("Paused") == "1",
        reason=event.get("PausedReason"),
        since=now,
        penalty=as_int(event.get("Penalty")),
    )








_HANDLERS: dict[str, Callable[[QueueBoard, AmiMessage], Change]] = {
    "QueueCallerJoin": QueueBoard._caller_join,
    "QueueCallerLeave": QueueBoard._caller_leave,
    "QueueMemberAdded": QueueBoard._member_update,
    "QueueMemberStatus": QueueBoard._member_update,
    "QueueMemberPause": QueueBoard._member_update,
    "QueueMemberPenalty": QueueBoard._member_update,
    "QueueMemberRemoved": QueueBoard._member_removed,
}
