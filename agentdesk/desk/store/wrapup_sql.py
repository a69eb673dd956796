"""Wrap-ups on SQL (issue 6): the part of SqlStore that keeps wrap-up
sessions and records (see wrapup_api.WrapUpStore for each method's meaning)."""

from __future__ import annotations


class WrapUpSql:
    """Mixed into SqlStore, whose statement helpers it uses."""
