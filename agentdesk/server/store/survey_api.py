"""The Store's survey methods, declared apart from base.py so
the survey work stays in its own files (implemented by survey_sql.py)."""

from __future__ import annotations

import abc
from dataclasses import dataclass

from .after_call_records import SurveyResult

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


class SurveyStore(abc.ABC):
    """Post-call survey results (after_call_records.SurveyResult); one per
    caller channel (its uniqueid). Periods are [start, end) in epoch seconds
    of `finished_at`."""

    @abc.abstractmethod
    def add_survey(self, result: SurveyResult) -> bool:
        """Store a result; False (nothing changed) when that caller channel's
        survey is already stored: the dialplan's post and its AstDB copy
        may both arrive."""

    @abc.abstractmethod
    def survey(self, uniqueid: str) -> SurveyResult | None:
        """The survey of a caller channel, if any."""

    @abc.abstractmethod
    def surveys_of_agent(self, agent: str, start: float, end: float) -> list[SurveyResult]:
        """An agent's surveys in the period, oldest first."""

    @abc.abstractmethod
    def surveys_of_queue(self, queue: str, start: float, end: float) -> list[SurveyResult]:
        """A queue's surveys in the period, oldest first."""

    @abc.abstractmethod
    def survey_stats(self, start: float, end: float, by: str) -> dict[str, SurveyStats]:
        """The period's survey statistics per queue or per agent (`by`, one
        of SURVEY_GROUPS)."""
