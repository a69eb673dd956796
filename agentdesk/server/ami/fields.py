"""Reading AMI event fields the same way everywhere: numbers that may be
missing or garbled, Asterisk's "<unknown>" caller names, event times."""

from __future__ import annotations

from .protocol import AmiMessage


def as_int(text: str, default: int = 0) -> int:
    try:
        return int(text)
    except ValueError:
        return default


def caller_name(text: str) -> str:
    """Asterisk reports a missing caller name as "<unknown>"."""
    return "" if text in ("<unknown>", "unknown") else text


def event_time(event: AmiMessage, default: float) -> float:
    """When Asterisk saw it (manager.conf timestampevents=yes), else `default`."""
    try:
        return float(event.get("Timestamp"))
    except ValueError:
        return default
