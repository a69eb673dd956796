"""Errors a test logged, collected by tests/conftest.py's error_log fixture."""

from __future__ import annotations

import logging


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.allowed = False

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
