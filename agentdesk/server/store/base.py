"""The desk service's store, as the service sees it (engine-neutral).

Contract for every implementation:
- a write is committed (durable) before its method returns, so the service
  may acknowledge to desktops right after;
- every failure is a StoreError (never an engine's own exception type);
- the service calls from one worker thread, but the store may be created on
  another thread.
"""

from __future__ import annotations

import abc
from types import TracebackType

from .records import (
    CallbackEvent,
    CallbackStats,
    CallbackTask,
    CallEntry,
    CallRecord,
    DayStats,
    Membership,
    PauseState,
    TokenRecord,
    TransferRecord,
)
from .survey_api import SurveyStore
from .wrapup_api import WrapUpStore


class Store(WrapUpStore, SurveyStore, abc.ABC):
    """Agents' desired queue state, queue call records, agents' transfers,
    the VIP list, login tokens and callback tasks. Usable as a context manager (closes on exit)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection; closing twice is harmless."""

    # -- agents' desired queue state (re-applied to Asterisk after a restart)

    @abc.abstractmethod
    def add_membership(self, agent: str, queue: str, phone: str, at: float) -> None:
        """Agent wants calls of `queue` on `phone`; replaces the phone and
        time of an existing membership of the same agent and queue."""

    @abc.abstractmethod
    def remove_membership(self, agent: str, queue: str) -> None:
        """Agent no longer wants calls of `queue` (no-op when not a member)."""

    @abc.abstractmethod
    def memberships(self, agent: str | None = None) -> list[Membership]:
        """All memberships (or one agent's), ordered by agent then queue."""

    @abc.abstractmethod
    def set_pause(self, agent: str, paused: bool, reason: str, at: float) -> None:
        """Record the agent's wish to be paused (with a reason) or not."""

    @abc.abstractmethod
    def pause_states(self) -> dict[str, PauseState]:
        """Every agent's last pause wish, by agent."""

    # -- queue calls

    @abc.abstractmethod
    def add_call(self, entry: CallEntry) -> None:
        """Record a caller joining a queue as "waiting". Idempotent on
        uniqueid: a replayed join neither duplicates nor overwrites."""

    @abc.abstractmethod
    def connect_call(self, uniqueid: str, agent: str, at: float, hold_seconds: int) -> None:
        """An agent answered: the outcome becomes "answered". Only the first
        connection of a call that has not ended counts; unknown uniqueids
        are ignored."""

    @abc.abstractmethod
    def end_call(self, uniqueid: str, outcome: str, at: float, talk_seconds: int | None) -> None:
        """The call left the queue system with `outcome`. No-op when it has
        already ended (the first outcome stays) or is unknown."""

    @abc.abstractmethod
    def get_call(self, uniqueid: str) -> CallRecord | None:
        """The call with this uniqueid, or None."""

    @abc.abstractmethod
    def calls_of_number(self, number: str, limit: int = 5, before: float | None = None) -> list[CallRecord]:
        """Up to `limit` calls from `number`, newest (by joined_at) first;
        with `before`, only calls that joined strictly before it."""

    @abc.abstractmethod
    def open_calls(self) -> list[CallRecord]:
        """Calls not ended yet, oldest first (after a restart the service
        ends those Asterisk no longer has)."""

    @abc.abstractmethod
    def last_agent(self, number: str, since: float) -> str | None:
        """The agent of the newest call of `number` that joined at or after
        `since` and was connected to an agent; None when there is none."""

    @abc.abstractmethod
    def day_stats(self, queue: str, start: float, end: float, service_level_seconds: int) -> DayStats:
        """Counts over the calls of `queue` that joined in [start, end):

        - offered: those calls except the ones still waiting (answered or
          ended, whatever the outcome);
        - answered: those connected to an agent (connected_at set);
        - abandoned: those whose outcome is "abandoned";
        - answered_within_sl: answered with hold_seconds <= service_level_seconds.
        """

    @abc.abstractmethod
    def answered_counts(self, start: float, end: float) -> dict[tuple[str, str], int]:
        """Calls that joined in [start, end) and were connected to an agent
        (day_stats' "answered"), counted by (queue, agent)."""

    # -- agents' transfers

    @abc.abstractmethod
    def add_transfer(self, transfer: TransferRecord) -> None:
        """Record a transfer. Idempotent on transfer_id: a replayed event
        neither duplicates nor overwrites."""

    @abc.abstractmethod
    def return_transfer(self, uniqueid: str, target: str, result: str) -> bool:
        """The newest accepted blind transfer of customer channel `uniqueid`
        to `target` came back: its result becomes `result`. False when there
        is no such transfer (nothing changes)."""

    @abc.abstractmethod
    def transfers(self, start: float, end: float, agent: str | None = None) -> list[TransferRecord]:
        """Transfers made in [start, end) (by one agent), oldest first."""

    # -- VIP list

    @abc.abstractmethod
    def set_vip(self, number: str, note: str) -> None:
        """Add `number` to the VIP list, or replace its note."""

    @abc.abstractmethod
    def remove_vip(self, number: str) -> None:
        """Take `number` off the VIP list (no-op when absent)."""

    @abc.abstractmethod
    def vip_numbers(self) -> dict[str, str]:
        """The VIP list: number -> note."""

    @abc.abstractmethod
    def is_vip(self, number: str) -> bool:
        """Whether `number` is on the VIP list (exact match)."""

    # -- login tokens (hashes only)

    @abc.abstractmethod
    def save_token(self, token: TokenRecord) -> None:
        """Store a login; a token with the same hash is replaced."""

    @abc.abstractmethod
    def get_token(self, token_hash: str) -> TokenRecord | None:
        """The login with this hash, expired or not (the caller checks
        expires_at), or None."""

    @abc.abstractmethod
    def delete_token(self, token_hash: str) -> None:
        """Forget a login (log-out); no-op when unknown."""

    @abc.abstractmethod
    def purge_tokens(self, now: float) -> int:
        """Forget every login with expires_at <= now; returns how many."""

    # -- callback tasks (records.CallbackTask; a task is open while its state
    #    is in OPEN_CALLBACK_STATES, and then exactly its closed_at is None:
    #    add_callback and update_callback raise ValueError otherwise)

    @abc.abstractmethod
    def add_callback(self, task: CallbackTask, event: CallbackEvent) -> bool:
        """Store a new task with its first event (both or neither). False,
        storing nothing, when task.request_key is not "" and a task already
        has it: a replayed request (see callback_by_key for that task)."""

    @abc.abstractmethod
    def add_callback_event(self, event: CallbackEvent) -> None:
        """Record an event that changes no task, e.g. "dialled", or
        "refused" for a request that never became a task (task_id "")."""

    @abc.abstractmethod
    def get_callback(self, task_id: str) -> CallbackTask | None:
        """The task with this id, or None."""

    @abc.abstractmethod
    def callback_by_key(self, request_key: str) -> CallbackTask | None:
        """The task made by the request with this key, or None (always None
        for "")."""

    @abc.abstractmethod
    def open_callback_for(self, number: str, queue: str) -> CallbackTask | None:
        """The oldest (created_at) open task for `number` in `queue`: a new
        request from that number is merged into it. None when there is none."""

    @abc.abstractmethod
    def update_callback(self, task: CallbackTask, event: CallbackEvent | None) -> None:
        """Write every field of the task with task.task_id (updated_at as
        given) and the event, together. An unknown task_id changes nothing
        (logged)."""

    @abc.abstractmethod
    def claim_callback(
        self, task_id: str, agent: str, at: float, from_states: tuple[str, ...]
    ) -> CallbackTask | None:
        """Atomically make `agent` the task's holder: only when it is open,
        in one of `from_states` and held by nobody or by `agent` already.
        Of two agents (or two services) claiming at once exactly one wins.
        The winner gets the task as now stored (state "claimed", updated_at
        `at`) and a "claimed" event is written; anyone else gets None."""

    @abc.abstractmethod
    def open_callbacks(self, queue: str | None = None) -> list[CallbackTask]:
        """Every open task (of one queue), by due_at, then task_id."""

    @abc.abstractmethod
    def callbacks_due(self, now: float, limit: int, queue: str | None = None) -> list[CallbackTask]:
        """Up to `limit` "waiting" tasks with due_at <= now (of one queue or
        all), in line order: priority DESC, then arrival_at ASC (then task_id)."""

    @abc.abstractmethod
    def callbacks_closed(self, start: float, end: float) -> list[CallbackTask]:
        """Tasks closed in [start, end), by closed_at, then task_id."""

    @abc.abstractmethod
    def callback_events(self, task_id: str) -> list[CallbackEvent]:
        """The task's events, oldest first (equal times in the order written)."""

    @abc.abstractmethod
    def count_callback_requests(self, number: str, since: float) -> int:
        """How many times `number` asked for a callback (events "requested"
        and "merged" at or after `since`, of tasks for that number, in any
        queue): the per-number request limit."""

    @abc.abstractmethod
    def callback_stats(self, start: float, end: float, queue: str | None) -> CallbackStats:
        """Callback counts over [start, end) (of one queue or all):

        - requested: tasks created in the period;
        - attempted: tasks whose first attempt was in the period;
        - reached / failed: tasks closed in the period as "done" / "failed"
          (cancelled tasks count as neither);
        - open: tasks created before `end` and still open at `end`;
        - success_rate: reached / (reached + failed), None when both are 0;
        - avg_seconds_to_first_attempt / avg_seconds_to_reached: over the
          attempted / reached tasks, from when the customer began waiting
          for the call (the later of created_at and arrival_at: the request
          for in-queue and missed tasks, the booked time for scheduled and
          web ones); None when there are none.
        """

    @abc.abstractmethod
    def set_callback_block(self, number: str, reason: str, until: float | None) -> None:
        """Refuse callbacks to `number` until `until` (None: for good);
        replaces an existing entry."""

    @abc.abstractmethod
    def remove_callback_block(self, number: str) -> None:
        """Allow callbacks to `number` again (no-op when not blocked)."""

    @abc.abstractmethod
    def callback_blocks(self) -> dict[str, tuple[str, float | None]]:
        """Every block, expired or not: number -> (reason, until)."""

    @abc.abstractmethod
    def is_callback_blocked(self, number: str, now: float) -> bool:
        """Whether `number` is blocked at `now` (an entry whose until is <=
        now no longer blocks)."""
