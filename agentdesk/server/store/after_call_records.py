"""Records of after-call work: an agent's wrap-up of one queue
call, and the caller's post-call survey. Times are Unix epoch seconds."""

from __future__ import annotations

from dataclasses import dataclass

from .records import CallRecord

# WrapUp.state

# SurveyResult.status
SURVEY_ANSWERED = "answered"  # every question asked was answered
SURVEY_PARTIAL = "partial"  # rated, but the second question was not answered
SURVEY_NO_ANSWER = "no_answer"  # the caller hung up or keyed nothing valid before rating
SURVEY_STATUSES = (SURVEY_ANSWERED, SURVEY_PARTIAL, SURVEY_NO_ANSWER)


@dataclass(frozen=True)
class WrapUp:
    """One agent's after-call work on one queue call, keyed by the caller
    channel's uniqueid and the agent.

    The session part (started_at .. ended_at, state) is written by the desk
    service when the call ends and when the wrap-up ends; the record part
    (disposition .. follow_up_at) by the agent's desktop, once: `saved_at`
    is None until it arrived. `callback_task` is the follow-up task the
    record created ("" if none)."""

    uniqueid: str
    agent: str
    linkedid: str
    queue: str
    number: str
    started_at: float
    deadline_at: float  # when the limit runs out
    state: str
    ended_at: float | None = None
    end_reason: str = ""  # finished | limit | saved | replaced | ...
    disposition: str = ""
    notes: str = ""
    first_contact_resolved: bool = False
    follow_up_at: float | None = None
    callback_task: str = ""
    saved_at: float | None = None


@dataclass(frozen=True)
class SurveyResult:
    """A caller's answers to the post-call survey, keyed by the caller
    channel's uniqueid (one survey per caller channel)."""

    uniqueid: str
    linkedid: str
    queue: str
    agent: str  # the agent who served the call ("" if unknown)
    number: str
    language: str
    score: int | None  # 1-5, None when not rated
    resolved: bool | None  # second question; None when not asked or not answered
    status: str  # one of SURVEY_STATUSES
    started_at: float
    finished_at: float


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


# What survey statistics can be grouped by (a column of `surveys`).
SURVEY_GROUPS = ("queue", "agent")


@dataclass(frozen=True)
class SurveyStats:
    """The surveys of one queue or agent over a period.

    `surveys`: every survey started (the caller heard the first question);
    `answered`: complete ones; `rated`: with a score; `score_total`: the sum
    of the scores; `satisfied`: rated 4 or 5; `resolved_asked`: answered the
    second question; `resolved`: said yes to it."""

    surveys: int = 0
    answered: int = 0
    rated: int = 0
    score_total: int = 0
    satisfied: int = 0
    resolved_asked: int = 0
    resolved: int = 0

    @property
    def mean_score(self) -> float | None:
        return round(self.score_total / self.rated, 2) if self.rated else None

    @property
    def csat(self) -> float | None:
        """CSAT: the share of 4s and 5s among the rated surveys (None: none rated)."""
        return round(self.satisfied / self.rated, 4) if self.rated else None

    @property
    def resolved_share(self) -> float | None:
        return round(self.resolved / self.resolved_asked, 4) if self.resolved_asked else None
