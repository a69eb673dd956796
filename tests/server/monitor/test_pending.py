"""A pause a team lead asked for after the agent's call, applied by the
wrap-up's end instead of making the agent ready (the wrap-up state machine
with its fakes from tests/server/wrapups/test_sessions.py, a real audit log
on an in-memory store): audited, told to the agent, kept over a restart,
and applied once."""

from __future__ import annotations

from typing import Any

from agentdesk.contract import events
from agentdesk.contract.leads import AUDIT_PAUSE_AFTER_APPLIED, AUDIT_PAUSE_AFTER_SET
from agentdesk.contract.states import WRAPUP_REASON
from agentdesk.server.monitor.audit import AuditLog
from agentdesk.server.monitor.changes import FloorChanges
from agentdesk.server.monitor.pending import PendingPauses
from agentdesk.server.monitor.report import LeadActions
from agentdesk.server.store import Store
from agentdesk.server.wrapups.sessions import WrapUpSessions
from agentdesk.server.wrapups.settings import WrapUpPolicy
from tests.server.wrapups.test_sessions import CALL, NEXT_CALL, FakeDesk, run, store  # noqa: F401 (the store fixture)


class Hub:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any, str | None]] = []

    def publish(self, name: str, data: Any, agent: str | None = None) -> None:
        self.sent.append((name, data, agent))


def pending_for(desk: FakeDesk, hub: Hub) -> PendingPauses:
    audit = AuditLog(desk.db, desk.clock)
    return PendingPauses(desk.db, desk.clock, desk, LeadActions(audit, hub, FloorChanges(), lambda a: "Parisa"))


def sessions_with(desk: FakeDesk, pending: PendingPauses) -> WrapUpSessions:
    policy = WrapUpPolicy(limit_seconds=30)
    return WrapUpSessions(desk.db, desk.clock, desk.spawn, desk, desk, lambda queue: policy, later=desk.later,
                          after_release=pending)


def test_the_wrapups_end_pauses_the_agent_as_the_lead_asked_instead_of_ready(store: Store) -> None:  # noqa: F811
    async def scenario(desk: FakeDesk) -> None:
        hub = Hub()
        pending = pending_for(desk, hub)
        sessions = sessions_with(desk, pending)
        await sessions.call_ended(CALL)
        await pending.ask("1901", "1001", "Meeting", "team huddle")
        again = pending_for(desk, hub)  # a restarted service finds the ask in the store
        await again.load()
        assert again.pending_reason("1001") == "Meeting"

        await desk.advance(30)

        assert desk.paused_reason == "Meeting" and pending.pending_reason("1001") == ""
        assert ("1001", False, "") not in desk.pause_calls  # never made ready in between
        rows = store.audit.entries(0, 2e9)
        assert [(r.action, r.lead, r.detail) for r in rows] == [
            (AUDIT_PAUSE_AFTER_SET, "1901", {"reason": "Meeting", "note": "team huddle"}),
            (AUDIT_PAUSE_AFTER_APPLIED, "1901", {"reason": "Meeting", "note": "team huddle"}),
        ]
        name, notice, agent = hub.sent[-1]
        assert (name, agent, notice["by_name"], notice["action"], notice["detail"]) == (
            events.CONTROL, "1001", "Parisa", AUDIT_PAUSE_AFTER_APPLIED, "Meeting")
        assert store.audit.pending_pauses() == {}
        await desk.apply("1001", False, "")  # back from the meeting
        await sessions.call_ended(NEXT_CALL)  # the next call's wrap-up: nothing asked, ready as usual
        assert desk.paused_reason == WRAPUP_REASON
        await desk.advance(30)
        assert desk.paused_reason is None

    run(scenario(FakeDesk(store)))
