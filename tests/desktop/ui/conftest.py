"""Fixtures shared by the desktop's widget tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QLocale


@pytest.fixture
def language() -> Iterator[Callable[[str], None]]:
    """language("fa_IR") makes that the locale for the test; the one before comes back afterwards."""
    before = QLocale()

    def use(name: str) -> None:
        QLocale.setDefault(QLocale(name))

    yield use
    QLocale.setDefault(before)
