"""The contact-center side of the window: the agent bar (queue login,
pause), the live queue panel and the screen-pop, wired to the desk service
link and the CRM look-up.

The screen-pop of a queue call is shown from the INVITE alone at once
(number, name, queue); the desk service's record (wait, position, VIP,
history) and the CRM record fill it in as they arrive, on worker threads,
so neither can delay ringing or answering.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from agentdesk.contract.queues import AgentState, DeskSnapshot, QueueCallInfo, QueueMember, QueueSummary
from agentdesk.contract.states import AgentActivity

from ...crm.lookup import CrmLookup
from ...link.connection import DeskConnection
from ...phone.model import CallSnapshot, CallState, Direction
from ..phone.transfer_picker import TransferTarget
from .agent_bar import AgentBar, activity_text
from .queue_panel import QueuePanel
from .screen_pop import ScreenPopCard

log = logging.getLogger("agentdesk.desktop.ui.queues")


class DeskView(QObject):
    """Owns the three contact-center widgets; see the module docstring.
    Invariant: the screen-pop shows the newest ringing queue call; answers
    for an older call are ignored."""

    def __init__(self, link: DeskConnection, crm: CrmLookup, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self.crm = crm
        self.agent_bar = AgentBar()
        self.queue_panel = QueuePanel()
        self.screen_pop = ScreenPopCard()
        self.screen_pop.hide()
        self._pop_call = ""  # the desk service's id of the call on the card
        self._crm_request = 0
        self._queues_shown: tuple[str, ...] = ()
        self._queues: dict[str, QueueSummary] = {}  # the latest of each, for the transfer picker
        self._me = ""  # the signed-in agent: not a transfer target of their own calls
        self._wire()

    def _wire(self) -> None:
        link = self.link
        link.snapshot_received.connect(self._snapshot)
        link.queue_changed.connect(self._queue)
        link.agent_changed.connect(self._agent)
        link.link_changed.connect(self._link_state)
        link.pbx_changed.connect(self._pbx_state)
        link.command_failed.connect(self._command_failed)
        link.call_info_ready.connect(self._call_info)
        link.call_info_failed.connect(self._call_info_failed)
        self.crm.found.connect(self._crm_found)
        self.crm.failed.connect(self._crm_failed)
        self.agent_bar.queue_login_requested.connect(self._queue_login)
        self.agent_bar.pause_requested.connect(self._pause)
        self.agent_bar.unpause_requested.connect(self._unpause)

    # -- the phone tells us about calls -------------------------------------------
    def call_ringing(self, call: CallSnapshot) -> None:
        if call.direction is not Direction.INCOMING or not call.queue:
            return
        self._pop_call = call.queue_call
        self.screen_pop.show_ringing(call.remote_number, call.remote_name, call.queue, bool(call.callback_task))
        self.screen_pop.show()
        if call.queue_call:
            self.link.fetch_call_info(call.queue_call, call.queue)
        if self.crm.configured:
            self.screen_pop.show_crm_loading()
            self._crm_request = self.crm.lookup(call.remote_number, name=call.remote_name, queue=call.queue,
                                                uniqueid=call.queue_call)

    def call_changed(self, call: CallSnapshot) -> None:
        """A queue call that stopped ringing unanswered (the caller hung up,
        or the queue offered it to another agent) takes its card away; an
        answered call's card stays for the after-call work."""
        ended_unanswered = call.state is CallState.ENDED and not call.was_answered
        if ended_unanswered and call.queue and call.queue_call == self._pop_call:
            self._pop_call = ""
            self._crm_request = 0
            self.screen_pop.clear()

    # -- the desk service ------------------------------------------------------
    def _snapshot(self, snapshot: DeskSnapshot) -> None:
        queues = tuple(q.name for q in snapshot.queues)
        if queues != self._queues_shown:
            self.agent_bar.set_queues([(q.name, q.title) for q in snapshot.queues])
            self._queues_shown = queues
        self.agent_bar.set_pause_reasons(snapshot.pause_reasons)
        self.agent_bar.set_pending(False)
        self.agent_bar.show_state(snapshot.me, self.link.clock_offset)
        self.queue_panel.show_agent(snapshot.me)
        self.queue_panel.show_queues(snapshot.queues, self.link.clock_offset)
        self._queues = {q.name: q for q in snapshot.queues}
        self._me = snapshot.me.agent
        self.queue_panel.set_connection_state("")

    def _queue(self, queue: QueueSummary) -> None:
        self.queue_panel.update_queue(queue)
        self._queues[queue.name] = queue

    def transfer_targets(self) -> list[TransferTarget]:
        """Agents logged into queues (with what they do now), the queues,
        and the agents' voicemail boxes; free agents first; not the agent
        themself (a transfer to oneself only rings one's own phone)."""
        agents: dict[str, QueueMember] = {}
        for queue in self._queues.values():
            for member in queue.members:
                if member.agent != self._me:
                    agents.setdefault(member.agent, member)
        targets = [
            TransferTarget(m.agent, m.name or m.agent, activity_text(m.activity, m.paused_reason),
                           m.activity is AgentActivity.READY)
            for m in sorted(agents.values(), key=lambda m: (m.activity is not AgentActivity.READY, m.name))
        ]
        for queue in self._queues.values():
            if queue.extension:
                detail = self.tr("%1 waiting · %2 free").replace("%1", str(len(queue.callers))).replace(
                    "%2", str(queue.count(AgentActivity.READY)))
                targets.append(TransferTarget(queue.extension, self.tr("%1 (queue)").replace("%1", queue.title),
                                              detail, queue.count(AgentActivity.READY) > 0))
        for member in agents.values():
            title = self.tr("Voicemail: %1").replace("%1", member.name or member.agent)
            targets.append(TransferTarget(f"*{member.agent}", title, self.tr("leave a message"), True))
        return targets

    def _agent(self, state: AgentState) -> None:
        self.agent_bar.set_pending(False)
        self.agent_bar.show_state(state, self.link.clock_offset)
        self.queue_panel.show_agent(state)

    def _link_state(self, problem: str) -> None:
        self.queue_panel.set_connection_state(problem)
        if problem:
            self.agent_bar.show_error(problem)

    def _pbx_state(self, connected: bool) -> None:
        if not connected:
            self.queue_panel.set_connection_state(self.tr("The desk service has lost the PBX; reconnecting…"))

    def _command_failed(self, message: str) -> None:
        self.agent_bar.set_pending(False)
        self.agent_bar.show_error(message)

    def _queue_login(self, queue: str, logged_in: bool) -> None:
        self.agent_bar.set_pending(True)
        self.link.set_queue(queue, logged_in)

    def _pause(self, reason: str) -> None:
        self.agent_bar.set_pending(True)
        self.link.pause(reason)

    def _unpause(self) -> None:
        self.agent_bar.set_pending(True)
        self.link.unpause()

    # -- screen-pop data ---------------------------------------------------------
    def _call_info(self, uniqueid: str, info: QueueCallInfo) -> None:
        if uniqueid == self._pop_call:
            self.screen_pop.show_call_info(info, self.link.clock_offset)

    def _call_info_failed(self, uniqueid: str, message: str) -> None:
        if uniqueid == self._pop_call:
            self.screen_pop.show_desk_problem(message)

    def _crm_found(self, request_id: int, record: object) -> None:
        if request_id == self._crm_request:
            self.screen_pop.show_crm_record(record)  # type: ignore[arg-type]

    def _crm_failed(self, request_id: int, message: str) -> None:
        if request_id == self._crm_request:
            self.screen_pop.show_crm_problem(message)
