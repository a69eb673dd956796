"""Records of after-call work: an agent's wrap-up of one queue
call, and the caller's post-call survey. Times are Unix epoch seconds."""

from __future__ import annotations

from dataclasses import dataclass

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
