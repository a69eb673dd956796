"""The floor in words: agent states, a live call on one line, colours of
the threshold levels. Shared by the board, the wallboard and the live calls."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from agentdesk.contract.leads import BARGE, LISTEN, WHISPER
from agentdesk.contract.monitor import (
    FLOOR_LOGGED_OUT,
    FLOOR_ON_CALL,
    FLOOR_ON_HOLD,
    FLOOR_PAUSED,
    FLOOR_READY,
    FLOOR_RINGING,
    FLOOR_UNAVAILABLE,
    FLOOR_WRAP_UP,
    INBOUND,
    LiveCallRow,
)

from ..common.numbers import display_number
from ..common.text import clean_text, format_duration, isolate
from .thresholds import AMBER, RED

# Cell backgrounds and texts of the levels; light enough to read black text on.
LEVEL_BACKGROUNDS = {AMBER: QColor("#fdd663"), RED: QColor("#f28b82")}
STALE_TEXT = QColor("#9aa0a6")


def state_word(state: str) -> str:
    translate = QCoreApplication.translate
    words = {
        FLOOR_READY: translate("MonitorBoard", "Ready"),
        FLOOR_RINGING: translate("MonitorBoard", "Ringing"),
        FLOOR_ON_CALL: translate("MonitorBoard", "On call"),
        FLOOR_ON_HOLD: translate("MonitorBoard", "On hold"),
        FLOOR_WRAP_UP: translate("MonitorBoard", "Wrap-up"),
        FLOOR_PAUSED: translate("MonitorBoard", "Paused"),
        FLOOR_LOGGED_OUT: translate("MonitorBoard", "Logged out"),
        FLOOR_UNAVAILABLE: translate("MonitorBoard", "Phone unavailable"),
    }
    return words.get(state, state)


def mode_word(mode: str) -> str:
    translate = QCoreApplication.translate
    words = {LISTEN: translate("MonitorBoard", "Listen"), WHISPER: translate("MonitorBoard", "Whisper"),
             BARGE: translate("MonitorBoard", "Barge")}
    return words.get(mode, mode)


def party(number: str, name: str) -> str:
    """Who is on the other end: the name, else the number as the desktop formats numbers."""
    shown = clean_text(name) or display_number(number)
    return isolate(shown) if shown else QCoreApplication.translate("MonitorBoard", "Unknown caller")


def call_marks(call: LiveCallRow) -> list[str]:
    translate = QCoreApplication.translate
    marks = []
    if call.vip:
        marks.append(translate("MonitorBoard", "VIP"))
    if call.callback:
        marks.append(translate("MonitorBoard", "callback"))
    if call.transferred:
        marks.append(translate("MonitorBoard", "transferred"))
    if call.on_hold:
        marks.append(translate("MonitorBoard", "on hold"))
    return marks


def call_line(call: LiveCallRow, now: float) -> str:
    """'↙ support · Reza Hosseini · 03:12 · VIP' (↙ in, ↗ out; no queue for a call of the agent's own)."""
    arrow = "↙" if call.direction == INBOUND else "↗"
    who = party(call.peer_number, call.peer_name)
    parts = [f"{arrow} {isolate(call.queue)}", who] if call.queue else [f"{arrow} {who}"]
    return " · ".join([*parts, format_duration(now - call.since), *call_marks(call)])
