"""The one formatter of dates and times (ui/common/when.py) in English,
Persian and Russian: what QLocale gives each language, the Persian
(Jalali) calendar with Persian digits, the day words of yesterday, today
and tomorrow, the editor's format with the whole year, and English instead
of the C locale's '6 12 2026 06:45' on a machine without a locale."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QDate, QDateTime, QLocale, QTime
from PySide6.QtWidgets import QWidget

from agentdesk.desktop.ui.common import when

NNBSP = "\u202f"  # CLDR's narrow space before AM/PM


def local(year: int, month: int, day: int, hour: int, minute: int) -> float:
    return float(QDateTime(QDate(year, month, day), QTime(hour, minute)).toSecsSinceEpoch())


AT = local(2026, 12, 6, 6, 45)  # 15 Azar 1405 in the Persian calendar
DAY = 86400.0


def test_english(language: Any) -> None:
    language("en_US")
    assert when.moment_text(AT, AT) == f"6:45{NNBSP}AM"
    assert when.moment_text(AT, AT, today_word=True) == f"today 6:45{NNBSP}AM"
    assert when.moment_text(AT, AT - DAY) == f"tomorrow 6:45{NNBSP}AM"
    assert when.moment_text(AT, AT + DAY) == f"yesterday 6:45{NNBSP}AM"
    assert when.moment_text(AT, AT + 3 * DAY) == f"12/6/26 6:45{NNBSP}AM"
    assert when.edit_format() == f"M/d/yyyy h:mm{NNBSP}Ap"  # the whole year where it is typed


def test_persian_uses_the_jalali_calendar_and_persian_digits(language: Any) -> None:
    language("fa")
    assert when.moment_text(AT, AT) == "۶:۴۵"
    assert when.moment_text(AT, AT - 5 * DAY) == "۱۴۰۵/۹/۱۵ ۶:۴۵"
    assert when.full_text(local(2025, 3, 21, 0, 0)) == "۱۴۰۴/۱/۱ ۰:۰۰"  # Nowruz: the first day of the year
    assert when.moment_text(AT, AT - DAY).endswith("۶:۴۵") and "tomorrow" in when.moment_text(AT, AT - DAY)
    assert when.edit_format() == "yyyy/M/d H:mm"


def test_russian(language: Any) -> None:
    language("ru")
    assert when.moment_text(AT, AT) == "06:45"
    assert when.moment_text(AT, AT + 2 * DAY) == "06.12.2026 06:45"
    assert when.edit_format() == "dd.MM.yyyy HH:mm"


@pytest.mark.parametrize(("name", "shown"), [
    ("en_US", f"12/6/2026 6:45{NNBSP}AM"),
    ("fa", "۱۴۰۵/۹/۱۵ ۶:۴۵"),
    ("ru", "06.12.2026 06:45"),
])
def test_the_editor_reads_and_writes_the_same_calendar(qtbot: Any, language: Any, name: str, shown: str) -> None:
    language(name)
    parent = QWidget()
    qtbot.addWidget(parent)
    edit = when.moment_edit(parent)
    edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(AT)))
    assert edit.text() == shown
    assert edit.dateTime().toSecsSinceEpoch() == AT  # what is sent back is the same moment


def test_the_locale_is_the_setting_else_the_systems_else_english() -> None:
    assert when.user_locale("fa", QLocale("ru")).language() == QLocale.Language.Persian
    assert when.user_locale("", QLocale("ru")).language() == QLocale.Language.Russian
    plain = when.user_locale("", QLocale.c())  # a container or server without a locale
    assert plain.language() == QLocale.Language.English
    assert plain.toString(QDateTime.fromSecsSinceEpoch(int(AT)), QLocale.FormatType.ShortFormat) != "6 12 2026 06:45"
