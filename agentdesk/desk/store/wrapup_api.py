"""The Store's wrap-up methods (issue 6), declared apart from base.py so
the wrap-up work stays in its own files (implemented by wrapup_sql.py)."""

from __future__ import annotations

import abc


class WrapUpStore(abc.ABC):  # noqa: B024 - filled in by the wrap-up methods
    """Wrap-up sessions and records (after_call_records.WrapUp)."""
