"""The Store's survey methods (issue 6), declared apart from base.py so
the survey work stays in its own files (implemented by survey_sql.py)."""

from __future__ import annotations

import abc


class SurveyStore(abc.ABC):  # noqa: B024 - filled in by the survey methods
    """Post-call survey results (after_call_records.SurveyResult)."""
