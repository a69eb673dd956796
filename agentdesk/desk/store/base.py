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

from .records import CallEntry, CallRecord, DayStats, Membership, PauseState, TokenRecord, TransferRecord


class Store(abc.ABC):
    """Agents' desired queue state, queue call records, agents' transfers,
    the VIP list and login tokens. Usable as a context manager (closes on exit)."""

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
