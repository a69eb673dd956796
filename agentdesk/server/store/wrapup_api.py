"""The Store's wrap-up methods, declared apart from base.py so
the wrap-up work stays in its own files (implemented by wrapup_sql.py).

Every change that must neither be lost nor happen twice is one
conditional statement (or one transaction): starting a wrap-up (which
replaces the agent's active one), ending it (only while active), saving
its record (only the first time) and noting its follow-up task (once).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

from .after_call_records import WrapUp
from .records import CallRecord


@dataclass(frozen=True)
class WrapUpRecord:
    """What an agent's desktop sends about one call (the record part of WrapUp)."""

    disposition: str
    notes: str
    first_contact_resolved: bool
    follow_up_at: float | None
    saved_at: float


@dataclass(frozen=True)
class AfterCallWork:
    """What became of one queue call after it: the agent's wrap-up record
    (empty when none arrived) and the caller's survey score (None: no survey
    or not rated)."""

    disposition: str = ""
    notes: str = ""
    first_contact_resolved: bool = False
    wrapup_seconds: int | None = None  # from the call's end to the end of the wrap-up
    callback_task: str = ""
    survey_score: int | None = None
    survey_resolved: bool | None = None
    survey_status: str = ""


@dataclass(frozen=True)
class AgentCall:
    """One queue call an agent served, with its after-call work."""

    call: CallRecord
    work: AfterCallWork


class WrapUpStore(abc.ABC):
    """Wrap-up sessions and records (after_call_records.WrapUp)."""

    @abc.abstractmethod
    def start_wrapup(self, wrapup: WrapUp) -> tuple[WrapUp | None, list[WrapUp]]:
        """Start an active wrap-up, in one transaction with ending the agent's
        other active ones (end_reason "replaced", ended at its start):
        (the started wrap-up as stored, the replaced ones as ended). Not
        started (None, nothing changed) when the call and agent have a
        session already; a record that came first (saved during the call)
        is kept and the session joins it."""

    @abc.abstractmethod
    def end_wrapup(self, uniqueid: str, agent: str, at: float, reason: str) -> WrapUp | None:
        """End the wrap-up if it is still active: the ended wrap-up, or None
        (unknown, or ended already: by someone else first)."""

    @abc.abstractmethod
    def save_wrapup_record(self, uniqueid: str, agent: str, record: WrapUpRecord,
                           unseen: WrapUp) -> tuple[bool, WrapUp]:
        """Store the record of the agent's wrap-up of a call, once: (first,
        the row as stored). A second save changes nothing (first=False). A
        call without a wrap-up row gets one: `unseen` (an ended session)
        with the record."""

    @abc.abstractmethod
    def set_wrapup_callback(self, uniqueid: str, agent: str, task_id: str) -> str:
        """Note the follow-up callback task of a saved record, unless one is
        noted already; the task noted in the end."""

    @abc.abstractmethod
    def get_wrapup(self, uniqueid: str, agent: str) -> WrapUp | None:
        """The wrap-up of this call by this agent, or None."""

    @abc.abstractmethod
    def active_wrapups(self) -> list[WrapUp]:
        """Every active wrap-up, by deadline."""

    @abc.abstractmethod
    def after_call_work(self, calls: list[CallRecord]) -> dict[str, AfterCallWork]:
        """The after-call work of these queue calls, by record key (a call
        without any is left out). A call's wrap-up is its agent's, its
        survey the caller channel's (the key before any "@queue")."""

    @abc.abstractmethod
    def agent_calls(self, agent: str, start: float, end: float) -> list[AgentCall]:
        """The queue calls `agent` answered that joined in [start, end),
        oldest first, with their after-call work."""
