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

# Spelled out at each call (context, text) so that pyside6-lupdate finds every text.
translate = QCoreApplication.translate

DAY_SECONDS = 86400



def origin_text(origin: str) -> str:
    texts = {"inqueue": translate("Callbacks", "In queue"), "scheduled": translate("Callbacks", "Scheduled"),
             "web": translate("Callbacks", "Web"), "missed": translate("Callbacks", "Missed")}
    return texts.get(origin) or clean_text(origin)  # an origin this version does not know, as sent


def outcome_texts() -> dict[str, str]:
    """The outcomes of an attempt, in the order the outcome picker numbers them."""
    return {
        "reached": translate("Callbacks", "Reached"),
        "no_answer": translate("Callbacks", "No answer"),
        "busy": translate("Callbacks", "Busy"),
        "voicemail": translate("Callbacks", "Voicemail"),
        "wrong_number": translate("Callbacks", "Wrong number"),
        "declined": translate("Callbacks", "Declined"),
    }


def state_text(task: CallbackTaskView, now: float) -> str:
    if task.state == "claimed":
        return translate("Callbacks", "Being called")
    if task.state == "offered":
        return translate("Callbacks", "Offered")
    if not task.is_open:
        closed = {"done": translate("Callbacks", "Done"), "failed": translate("Callbacks", "Failed"),
                  "cancelled": translate("Callbacks", "Cancelled")}
        return closed.get(task.state, clean_text(task.state))
    if task.is_overdue(now):
        return translate("Callbacks", "Overdue")
    return translate("Callbacks", "Due") if task.is_due(now) else translate("Callbacks", "Scheduled")


def span_text(seconds: float) -> str:
    """A rough length of time: '4 min', '2 h 10 min', '3 d'."""
    minutes = int(abs(seconds)) // 60
    if minutes < 60:
        return translate("Callbacks", "%1 min").replace("%1", QLocale().toString(max(minutes, 1)))
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        text = translate("Callbacks", "%1 h").replace("%1", QLocale().toString(hours))
        return text + " " + translate("Callbacks", "%1 min").replace("%1", QLocale().toString(rest)) if rest else text
    return translate("Callbacks", "%1 d").replace("%1", QLocale().toString(hours // 24))


def relative_due(task: CallbackTaskView, now: float) -> str:
    late = now - task.due_at
    if -60 < late < 60:
        return translate("Callbacks", "due now")
    if late < 0:
        return translate("Callbacks", "in %1").replace("%1", span_text(late))
    text = translate("Callbacks", "%1 overdue") if task.is_overdue(now) else translate("Callbacks", "due %1 ago")
    return text.replace("%1", span_text(late))


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
        return translate("Callbacks", "You")
    return isolate(task.agent_name or task.agent)


def priority_text(task: CallbackTaskView) -> str:
    if task.vip:
        return translate("Callbacks", "VIP")
    if task.priority <= 0:
        return translate("Callbacks", "Normal")
    return translate("Callbacks", "High (%1)").replace("%1", str(task.priority))
