"""Which agents are talking to a callback's customer, and when that call ends.

The end of a callback call starts the agent's after-call work, like the end
of a queue call does. Its signal is the agent's own channel hanging up:
- the placeholder's AgentComplete comes only when app_queue connected the
  agent; a placeholder that rang a free agent directly (the same-agent
  and fast paths, a plain Dial) and a task dialled from the list (cb<task>)
  have none;
- the dialplan's "dialled" report says that the customer answered (or why
  not), not when the conversation is over.
So the "dialled" report with status ANSWER names the call (its linkedid,
which every channel of it shares: the placeholder's, the agent's, the
customer's) and the agent's phone; the Hangup of that phone's channel in
that call ends it, whoever hangs up first. A consultation call the agent
makes meanwhile is another call (another linkedid) and ends nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..ami.protocol import AmiMessage
from ..seats import Seats

log = logging.getLogger("agentdesk.server.callbacks")


@dataclass(frozen=True)
class CallbackTalk:
    """An answered callback call: the task, its agent and their phone, and
    the call's linkedid."""

    task_id: str
    agent: str
    phone: str
    linkedid: str


@dataclass(frozen=True)
class EndedTalk:
    """A callback call that just ended for its agent; `uniqueid` is the
    agent's channel's."""

    talk: CallbackTalk
    uniqueid: str


class CallbackTalks:
    def __init__(self, seats: Seats) -> None:
        self._seats = seats
        self._talks: dict[str, CallbackTalk] = {}  # the agent's phone -> their callback call

    def answered(self, task_id: str, phone: str, linkedid: str) -> None:
        """The dialplan: the customer of `task_id` answered the agent on `phone`."""
        agent = self._seats.agent_of_phone(phone)
        if agent is None or not linkedid:
            log.info("callback %s answered on phone %s: no agent or call to follow", task_id, phone)
            return
        self._talks[phone] = CallbackTalk(task_id, agent, phone, linkedid)

    def hangup(self, event: AmiMessage) -> EndedTalk | None:
        """AMI Hangup: the callback call it ends for its agent, else None."""
        channel = event.get("Channel")
        if not channel.startswith("PJSIP/"):
            return None
        phone = channel[len("PJSIP/"):].rpartition("-")[0]
        talk = self._talks.get(phone)
        if talk is None or event.get("Linkedid") != talk.linkedid:
            return None
        del self._talks[phone]
        return EndedTalk(talk, event.get("Uniqueid"))
