"""How callback tasks read to an agent: due times (relative, and the
moment as ui/common/when.py writes every date and time), origins, outcomes,
attempts, the customer and who holds a task. All texts go through Qt
translation; caller-supplied parts are isolated for right-to-left lines."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from agentdesk.contract.callbacks import CallbackTaskView

from ..common.numbers import display_number
from ..common.text import clean_text, isolate
from ..common.when import moment_text

DAY_SECONDS = 86400


def _tr(text: str) -> str:
    return QCoreApplication.translate("Callbacks", text)


def origin_text(origin: str) -> str:
    texts = {"inqueue": _tr("In queue"), "scheduled": _tr("Scheduled"), "web": _tr("Web"), "missed": _tr("Missed")}
    return texts.get(origin) or clean_text(origin)  # an origin this version does not know, as sent


def outcome_texts() -> dict[str, str]:
    """The outcomes of an attempt, in the order the outcome picker numbers them."""
    return {
        "reached": _tr("Reached"),
        "no_answer": _tr("No answer"),
        "busy": _tr("Busy"),
        "voicemail": _tr("Voicemail"),
        "wrong_number": _tr("Wrong number"),
        "declined": _tr("Declined"),
    }


def state_text(task: CallbackTaskView, now: float) -> str:
    if task.state == "claimed":
        return _tr("Being called")
    if task.state == "offered":
        return _tr("Offered")
    if not task.is_open:
        return {"done": _tr("Done"), "failed": _tr("Failed"), "cancelled": _tr("Cancelled")}.get(task.state,
                                                                                                clean_text(task.state))
    if task.is_overdue(now):
        return _tr("Overdue")
    return _tr("Due") if task.is_due(now) else _tr("Scheduled")


def span_text(seconds: float) -> str:
    """A rough length of time: '4 min', '2 h 10 min', '3 d'."""
    minutes = int(abs(seconds)) // 60
    if minutes < 60:
        return _tr("%1 min").replace("%1", QLocale().toString(max(minutes, 1)))
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        text = _tr("%1 h").replace("%1", QLocale().toString(hours))
        return text + " " + _tr("%1 min").replace("%1", QLocale().toString(rest)) if rest else text
    return _tr("%1 d").replace("%1", QLocale().toString(hours // 24))


def relative_due(task: CallbackTaskView, now: float) -> str:
    late = now - task.due_at
    if -60 < late < 60:
        return _tr("due now")
    if late < 0:
        return _tr("in %1").replace("%1", span_text(late))
    return (_tr("%1 overdue") if task.is_overdue(now) else _tr("due %1 ago")).replace("%1", span_text(late))


def due_text(task: CallbackTaskView, now: float) -> str:
    """'in 25 min · 14:30', '40 min overdue · 13:10', 'in 23 h · tomorrow 09:00'."""
    return f"{relative_due(task, now)} · {moment_text(task.due_at, now)}"


def number_text(task: CallbackTaskView) -> str:
    return task.display_number or display_number(task.number)


def customer_text(task: CallbackTaskView) -> str:
    """'Name · 0912 111 0001', or the number alone."""
    number = isolate(number_text(task))
    return f"{isolate(task.name)} · {number}" if task.name else number


def attempts_text(task: CallbackTaskView) -> str:
    if task.max_attempts <= 0:
        return str(task.attempts)
    return f"{task.attempts}/{task.max_attempts}"


def topic_text(task: CallbackTaskView) -> str:
    """Topic and notes on one line (a table cell shows one line)."""
    parts = [clean_text(part).strip() for part in (task.topic, task.notes) if clean_text(part).strip()]
    return " — ".join(parts)


def holder_text(task: CallbackTaskView, me: str) -> str:
    if not task.agent or task.state not in ("offered", "claimed"):
        return ""
    if task.agent == me:
        return _tr("You")
    return isolate(task.agent_name or task.agent)


def priority_text(task: CallbackTaskView) -> str:
    if task.vip:
        return _tr("VIP")
    return _tr("Normal") if task.priority <= 0 else _tr("High (%1)").replace("%1", str(task.priority))
