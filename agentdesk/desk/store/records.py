"""What the desk service keeps: frozen records read back from its store.

Times are Unix epoch seconds (float). Every record is a plain value: it
says what was true when it was read, never a live view of a row.
"""

from __future__ import annotations

from dataclasses import dataclass

# The outcomes the store itself sets; at the end of a call the service passes
# its own ("completed", "abandoned", "timeout", "full", "transferred", "left").
WAITING = "waiting"
ANSWERED = "answered"
ABANDONED = "abandoned"

# Transfer kinds and results (see TransferRecord).
BLIND = "blind"
ATTENDED = "attended"
CONFERENCE = "conference"
VOICEMAIL = "voicemail"
ACCEPTED = "accepted"
FAILED = "failed"
RETURNED = "returned:"  # + the target's DIALSTATUS, e.g. "returned:BUSY"


class StoreError(Exception):
    """The store could not do what was asked: a bad URL, an unreachable or
    refusing database, a failed write. The message says what and where, and
    never carries a password."""


@dataclass(frozen=True)
class CallEntry:
    """A caller as it joins a queue (Asterisk's QueueCallerJoin).

    `uniqueid` is the caller channel's Uniqueid (the record's key), `linkedid`
    ties it to the rest of the call, `position` is its place on joining."""

    uniqueid: str
    linkedid: str
    queue: str
    number: str
    name: str
    joined_at: float
    position: int
    vip: bool


@dataclass(frozen=True)
class CallRecord(CallEntry):
    """One queue call as stored: the entry plus what became of it.

    Invariants: `outcome` is "waiting" until an agent connects, "answered"
    from then on, and the service's final outcome once `ended_at` is set;
    `agent` is "" and `connected_at`/`hold_seconds` None while no agent
    connected."""

    agent: str
    connected_at: float | None
    ended_at: float | None
    hold_seconds: int | None
    talk_seconds: int | None
    outcome: str

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


@dataclass(frozen=True)
class Membership:
    """An agent's wish to take calls of `queue` on `phone` (a device such as
    "PJSIP/1001"), since `since`."""

    agent: str
    queue: str
    phone: str
    since: float


@dataclass(frozen=True)
class PauseState:
    """Whether an agent asked to be paused in all their queues, and why."""

    agent: str
    paused: bool
    reason: str
    since: float


@dataclass(frozen=True)
class DayStats:
    """A queue's counts over a period (see Store.day_stats for definitions)."""

    offered: int
    answered: int
    abandoned: int
    answered_within_sl: int


@dataclass(frozen=True)
class TransferRecord:
    """One transfer an agent made (blind, attended, conference or to
    voicemail), as agentdesk/desk/transfers.py builds it from AMI.

    `transfer_id` names the AMI event it came from (replays do not duplicate
    it); `call` is the customer's queue call record key ("<uniqueid>" or
    "<uniqueid>@<queue>", see calllog.py), or the customer channel's
    uniqueid for a call that did not come from a queue; `uniqueid` is always
    the customer channel's; `queue` is "" for such direct calls. `result` is
    "accepted", "failed" or "returned:<DIALSTATUS>"."""

    transfer_id: str
    at: float
    kind: str
    agent: str
    phone: str
    call: str
    uniqueid: str
    queue: str
    target: str
    result: str


@dataclass(frozen=True)
class TokenRecord:
    """A desktop's login: only the hash of the token is ever stored."""

    token_hash: str
    agent: str
    role: str
    expires_at: float
