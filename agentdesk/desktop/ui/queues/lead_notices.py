"""What an agent reads when a team lead acts on them: who supervises their
call and how (on the call card), and what a lead changed (in the agent bar).
A lead's name and note are outside text: cleaned and direction-isolated."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from agentdesk.contract.leads import (
    AUDIT_PAUSE,
    AUDIT_PAUSE_AFTER_APPLIED,
    AUDIT_PAUSE_AFTER_CANCEL,
    AUDIT_PAUSE_AFTER_SET,
    AUDIT_PENALTY,
    AUDIT_QUEUE_LOGIN,
    AUDIT_QUEUE_LOGOUT,
    AUDIT_READY,
    BARGE,
    LISTEN,
    SESSION_ENDED,
    SESSION_FAILED,
    WHISPER,
    ControlNotice,
    Supervision,
)

from ..common.text import clean_text, isolate


def supervision_text(session: Supervision) -> str:
    """'Parisa is coaching you' and the like; '' once the session is over."""
    if session.state in (SESSION_ENDED, SESSION_FAILED):
        return ""
    translate = QCoreApplication.translate
    texts = {WHISPER: translate("LeadNotice", "%1 is coaching you"),
             BARGE: translate("LeadNotice", "%1 has joined the call"),
             LISTEN: translate("LeadNotice", "%1 is listening")}
    text = texts.get(session.mode, "")
    return text.replace("%1", isolate(session.lead_name or session.lead)) if text else ""


def control_text(notice: ControlNotice) -> str:
    """'Parisa paused you: Meeting — team huddle'."""
    translate = QCoreApplication.translate
    texts = {
        AUDIT_PAUSE: translate("LeadNotice", "%1 paused you: %2"),
        AUDIT_READY: translate("LeadNotice", "%1 made you ready"),
        AUDIT_QUEUE_LOGIN: translate("LeadNotice", "%1 logged you in to %2"),
        AUDIT_QUEUE_LOGOUT: translate("LeadNotice", "%1 logged you out of %2"),
        AUDIT_PENALTY: translate("LeadNotice", "%1 changed your queue priority: %2"),
        AUDIT_PAUSE_AFTER_SET: translate("LeadNotice", "%1 will pause you after this call: %2"),
        AUDIT_PAUSE_AFTER_CANCEL: translate("LeadNotice", "%1 cancelled your pause after this call"),
        AUDIT_PAUSE_AFTER_APPLIED: translate("LeadNotice", "%1 paused you after your call: %2"),
    }
    text = texts.get(notice.action, translate("LeadNotice", "%1: %2"))
    text = text.replace("%1", isolate(notice.by_name or notice.by)).replace("%2", clean_text(notice.detail))
    note = clean_text(notice.note)
    return f"{text} — {note}" if note else text
