"""What the desk service keeps: frozen records read back from its store.

Times are Unix epoch seconds (float). Every record is a plain value: it
says what was true when it was read, never a live view of a row.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentdesk.contract.states import OPEN_CALLBACK_STATES

# Call outcomes, transfer kinds and callback states: agentdesk/contract/states.py.


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
    "PJSIP/1001"), since `since`, with the penalty a team lead gave them
    there (0: none; Asterisk offers calls to lower penalties first)."""

    agent: str
    queue: str
    phone: str
    since: float
    penalty: int = 0


@dataclass(frozen=True)
class PauseState:
    """Whether an agent asked to be paused in all their queues, and why."""

    agent: str
    paused: bool
    reason: str
    since: float


@dataclass(frozen=True)
class DayStats:
    """A queue's counts over a period (see Store.day_stats for definitions),
    and its callbacks' (attempted and reached: Store.callback_stats)."""

    offered: int
    answered: int
    abandoned: int
    answered_within_sl: int
    callbacks_attempted: int = 0
    callbacks_reached: int = 0
    answered_hold_seconds: int = 0  # the answered calls' waits, summed: the average speed of answer


@dataclass(frozen=True)
class AgentDayFigures:
    """One agent's queue calls over a period (Calls.agent_day_figures)."""

    answered: int = 0
    completed: int = 0  # answered calls that have ended (their talk time known)
    talk_seconds: int = 0  # of the completed calls
    wrapup_seconds: float = 0.0  # of the agent's ended wrap-ups of queue calls


@dataclass(frozen=True)
class TransferRecord:
    """One transfer an agent made (blind, attended, conference or to
    voicemail), as agentdesk/server/transfers.py builds it from AMI.

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


# -- callback tasks. The store itself writes the event "claimed" (claim_callback);
# "requested" and "merged" count towards a number's request limit.


@dataclass(frozen=True)
class CallbackTask:
    """A customer to be called back, as stored.

    `task_id` is 12 lowercase hex characters; `number` the dialable digits.
    `arrival_at` is the task's place in its queue's line (ordered with live
    callers by priority DESC, arrival_at ASC); `due_at` when it may be called.
    `agent` is the holder while offered/claimed ("" otherwise); `request_key`
    ("" for none) makes a request idempotent (the caller's uniqueid, a web
    submission id...). Invariant the store enforces: `closed_at` is None
    exactly while `state` is open (OPEN_CALLBACK_STATES)."""

    task_id: str
    queue: str
    number: str
    name: str
    topic: str
    notes: str
    origin: str
    state: str
    priority: int
    arrival_at: float
    due_at: float
    window_end: float | None
    attempts: int
    max_attempts: int
    last_outcome: str  # "" before any attempt
    agent: str
    preferred_agent: str  # the "same agent" wish ("" none)
    request_key: str
    created_at: float
    updated_at: float
    closed_at: float | None
    first_attempt_at: float | None
    reached_at: float | None
    created_by: str  # an agent id, "ivr", "web" or "missed"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CALLBACK_STATES


@dataclass(frozen=True)
class CallbackEvent:
    """One thing that happened to a callback task (see the EVENT_* kinds),
    kept for reports and the task's history."""

    task_id: str
    at: float
    kind: str
    agent: str
    detail: str


@dataclass(frozen=True)
class CallbackStats:
    """Callback counts over a period (see Store.callback_stats for the
    definitions); the rate and averages are None when nothing counted."""

    requested: int
    attempted: int
    reached: int
    failed: int
    open: int
    success_rate: float | None
    avg_seconds_to_first_attempt: float | None
    avg_seconds_to_reached: float | None
