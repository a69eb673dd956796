"""Days as the desk service counts them: local calendar days of the
machine it runs on (a day with a clock change is 23 or 25 hours long)."""

from __future__ import annotations

from datetime import date, datetime, timedelta


def day_bounds(day: date) -> tuple[float, float]:
    """[local midnight of `day`, local midnight of the next day) in epoch seconds."""
    start = datetime.combine(day, datetime.min.time())
    return start.timestamp(), (start + timedelta(days=1)).timestamp()


def midnight(now: float) -> float:
    """The local midnight that began the day of `now` (epoch seconds)."""
    local = datetime.fromtimestamp(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
