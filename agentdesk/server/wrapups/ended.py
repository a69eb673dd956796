"""The call a wrap-up is about: a queue call (or a sticky call) that just
ended for an agent, read from AMI's AgentComplete or from the call log."""

from __future__ import annotations

from dataclasses import dataclass

from ..ami.fields import caller_name
from ..ami.protocol import AmiMessage
from ..store import CallRecord


@dataclass(frozen=True)
class EndedCall:
    """A queue call that just ended for an agent (from AgentComplete)."""

    uniqueid: str
    linkedid: str
    queue: str
    agent: str
    number: str
    name: str


def ended_call_of(event: AmiMessage) -> EndedCall:
    """The queue call an AgentComplete event says ended for its agent."""
    uniqueid = event.get("Uniqueid")
    return EndedCall(uniqueid, event.get("Linkedid") or uniqueid, event.get("Queue"), event.get("MemberName"),
                     event.get("CallerIDNum"), caller_name(event.get("CallerIDName")))


def ended_call(record: CallRecord) -> EndedCall:
    """A sticky call (no AgentComplete) that its agent answered, now over."""
    return EndedCall(record.uniqueid, record.linkedid, record.queue, record.agent, record.number, record.name)
