"""Every date and time the desktop shows or lets the agent edit, in the
user's locale (QLocale's default, set from the language setting).

- Persian uses the Persian (Jalali) calendar, as Iranian agents and their
  customers read dates; Qt has it built in (QCalendar), and QLocale("fa")
  writes it with Persian digits ('۱۴۰۵/۹/۱۵ ۶:۴۵'). Every other language
  uses the Gregorian calendar.
- A moment of today reads as its time alone ('14:30'), of yesterday and
  tomorrow with the day's word ('tomorrow 09:00'), of other days with the
  locale's short date ('12/6/26 6:45 AM', '06.12.2026 06:45').
- A date and time editor shows the same calendar and the locale's short
  format with the whole year, so '26' is never read as a day.

Days are local days of the computer's clock: `now` is the desk service's
time corrected for the link's clock offset where the caller has it.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCalendar, QCoreApplication, QDateTime, QLocale
from PySide6.QtWidgets import QDateTimeEdit, QWidget

# Spelled out at each call (context, text) so that pyside6-lupdate finds every text.
translate = QCoreApplication.translate

_TWO_DIGIT_YEAR = re.compile(r"(?<!y)yy(?!y)")



def user_locale(language: str, system: QLocale) -> QLocale:
    """The locale for `language` (the setting), else the system's; a system
    without one (the C/POSIX locale of a bare server or container) gets
    English rather than C's '6 12 2026 06:45'."""
    if language:
        return QLocale(language)
    if system.language() in (QLocale.Language.C, QLocale.Language.AnyLanguage):
        return QLocale("en_US")
    return system


def calendar() -> QCalendar:
    """The calendar of the user's language: Jalali for Persian, else Gregorian."""
    persian = QLocale().language() == QLocale.Language.Persian
    return QCalendar(QCalendar.System.Jalali) if persian else QCalendar(QCalendar.System.Gregorian)


def _moment(stamp: float) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(stamp))


def time_text(stamp: float) -> str:
    """'14:30' ('2:30 PM' in American English, '۱۴:۳۰' in Persian)."""
    return QLocale().toString(_moment(stamp).time(), QLocale.FormatType.ShortFormat)


def full_text(stamp: float) -> str:
    """Date and time, whatever the day."""
    return QLocale().toString(_moment(stamp), QLocale.FormatType.ShortFormat, calendar())


def moment_text(stamp: float, now: float, today_word: bool = False) -> str:
    """'14:30' today ('today 14:30' with `today_word`, for a sentence that
    needs the day), 'yesterday 18:10', 'tomorrow 09:00', else the date and time."""
    days = _moment(now).date().daysTo(_moment(stamp).date())
    if days == 0:
        return translate("When", "today %1").replace("%1", time_text(stamp)) if today_word else time_text(stamp)
    if days == 1:
        return translate("When", "tomorrow %1").replace("%1", time_text(stamp))
    if days == -1:
        return translate("When", "yesterday %1").replace("%1", time_text(stamp))
    return full_text(stamp)


def edit_format() -> str:
    """The locale's short date and time format, with a four-digit year."""
    short = QLocale().dateTimeFormat(QLocale.FormatType.ShortFormat)
    return _TWO_DIGIT_YEAR.sub("yyyy", short)


def moment_edit(parent: QWidget) -> QDateTimeEdit:
    """A date and time editor in the user's locale and calendar, with a
    calendar to pick the day from."""
    edit = QDateTimeEdit(parent)
    edit.setLocale(QLocale())
    edit.setCalendar(calendar())
    edit.setDisplayFormat(edit_format())
    edit.setCalendarPopup(True)
    return edit
