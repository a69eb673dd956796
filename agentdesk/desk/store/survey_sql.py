"""Survey results on SQL (issue 6): the part of SqlStore that keeps
post-call surveys (see survey_api.SurveyStore for each method's meaning)."""

from __future__ import annotations


class SurveySql:
    """Mixed into SqlStore, whose statement helpers it uses."""
