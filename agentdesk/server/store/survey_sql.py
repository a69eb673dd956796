"""Survey results on SQL: the repository that keeps
post-call surveys."""

from __future__ import annotations

import logging
from dataclasses import astuple, fields
from typing import Any

from .after_call_records import SURVEY_ANSWERED, SURVEY_GROUPS, SURVEY_STATUSES, SurveyResult, SurveyStats
from .database import Database
from .records import StoreError

log = logging.getLogger("agentdesk.server.store")

SURVEY_FIELDS = tuple(field.name for field in fields(SurveyResult))
SURVEY_COLUMNS = ", ".join(SURVEY_FIELDS)
SURVEY_SELECT = f"SELECT {SURVEY_COLUMNS} FROM surveys"
STATS_COLUMNS = (
    "COUNT(*), SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), COUNT(score), COALESCE(SUM(score), 0),"
    " SUM(CASE WHEN score >= 4 THEN 1 ELSE 0 END), COUNT(resolved), COALESCE(SUM(resolved), 0)"
)


class Surveys:
    """Post-call survey results (after_call_records.SurveyResult); one per caller channel (its uniqueid).
    Periods are [start, end) in epoch seconds of `finished_at`."""

    def __init__(self, db: Database) -> None:
        self._db = db


    def add_survey(self, result: SurveyResult) -> bool:
        """Store a result; False (nothing changed) when that caller channel's
        survey is already stored: the dialplan's post and its AstDB copy
        may both arrive."""
        check_survey(result)
        values = list(astuple(result))
        values[SURVEY_FIELDS.index("resolved")] = None if result.resolved is None else int(result.resolved)
        added = self._db.write(
            f"INSERT INTO surveys ({SURVEY_COLUMNS}) VALUES ({', '.join('?' * len(SURVEY_FIELDS))})"
            " ON CONFLICT (uniqueid) DO NOTHING",
            values,
        )
        if not added:
            log.debug("the survey of %s is already stored", result.uniqueid)
        return bool(added)

    def survey(self, uniqueid: str) -> SurveyResult | None:
        """The survey of a caller channel, if any."""
        rows = self._db.rows(f"{SURVEY_SELECT} WHERE uniqueid = ?", [uniqueid])
        return survey_of(rows[0]) if rows else None

    def surveys_of_agent(self, agent: str, start: float, end: float) -> list[SurveyResult]:
        """An agent's surveys in the period, oldest first."""
        rows = self._db.rows(f"{SURVEY_SELECT} WHERE agent = ? AND finished_at >= ? AND finished_at < ?"
                          " ORDER BY finished_at, uniqueid", [agent, start, end])
        return [survey_of(row) for row in rows]

    def surveys_of_queue(self, queue: str, start: float, end: float) -> list[SurveyResult]:
        """A queue's surveys in the period, oldest first."""
        rows = self._db.rows(f"{SURVEY_SELECT} WHERE queue = ? AND finished_at >= ? AND finished_at < ?"
                          " ORDER BY finished_at, uniqueid", [queue, start, end])
        return [survey_of(row) for row in rows]

    def survey_stats(self, start: float, end: float, by: str) -> dict[str, SurveyStats]:
        """The period's survey statistics per queue or per agent (`by`, one
        of SURVEY_GROUPS)."""
        if by not in SURVEY_GROUPS:  # a column name goes into the SQL: only these
            raise StoreError(f"survey statistics cannot be grouped by {by!r}")
        rows = self._db.rows(f"SELECT {by}, {STATS_COLUMNS} FROM surveys WHERE finished_at >= ? AND finished_at < ?"
                          f" GROUP BY {by} ORDER BY {by}", [SURVEY_ANSWERED, start, end])
        return {str(row[0]): SurveyStats(*(int(value or 0) for value in row[1:])) for row in rows}


def check_survey(result: SurveyResult) -> None:
    """Refuse a record the table would hold wrongly (StoreError)."""
    if result.status not in SURVEY_STATUSES:
        raise StoreError(f"survey status {result.status!r} is not one of {', '.join(SURVEY_STATUSES)}")
    if result.score is not None and not 1 <= result.score <= 5:
        raise StoreError(f"survey score {result.score!r} is not 1-5")
    if not result.uniqueid:
        raise StoreError("a survey needs the caller channel's uniqueid")


def survey_of(row: tuple[Any, ...]) -> SurveyResult:
    values = dict(zip(SURVEY_FIELDS, row, strict=True))
    values["score"] = None if values["score"] is None else int(values["score"])
    values["resolved"] = None if values["resolved"] is None else bool(values["resolved"])
    for name in ("started_at", "finished_at"):
        values[name] = float(values[name])
    return SurveyResult(**values)
