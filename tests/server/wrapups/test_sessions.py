"""The wrap-up state machine (agentdesk/server/wrapups/sessions.py) with a fake
clock, fake timers and a fake pauser, on a real in-memory store: pausing
after a call, the deadline by policy, finishing early, a required
disposition, replacing, an agent's own pause, leaving, and a restart."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

from agentdesk.contract.states import WRAPUP_ACTIVE, WRAPUP_ENDED, WRAPUP_REASON
from agentdesk.server.ami.protocol import AmiMessage
from agentdesk.server.queues.agents import CommandError
from agentdesk.server.store import PauseState, Store, open_store
from agentdesk.server.store.after_call_records import WrapUpRecord
from agentdesk.server.wrapups.ended import EndedCall
from agentdesk.server.wrapups.sessions import LOGGED_OUT, WrapUpSessions
from agentdesk.server.wrapups.settings import WrapUpPolicy
from tests.server.store.test_callbacks import requested, task

T = TypeVar("T")
T0 = 1_763_800_000.0
CALL = EndedCall("1763800000.1", "1763800000.0", "support", "1001", "09121110001", "Ann Caller")
NEXT_CALL = EndedCall("1763800100.2", "1763800100.2", "support", "1001", "09121110002", "Bob")


@dataclass
class FakeTimer:
    at: float
    work: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class FakeDesk:
    """What the wrap-ups are given: a clock that moves only when told, store
    access, a pauser that remembers (and can fail), where views go."""

    store: Store
    now: float = T0
    pauses: dict[str, PauseState] = field(default_factory=dict)
    pause_calls: list[tuple[str, bool, str]] = field(default_factory=list)
    pbx_down: bool = False
    published: list[dict[str, Any]] = field(default_factory=list)
    timers: list[FakeTimer] = field(default_factory=list)
    spawned: list[Coroutine[Any, Any, None]] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    async def db(self, work: Callable[[Store], T]) -> T:
        return work(self.store)

    def pause_of(self, agent: str) -> PauseState | None:
        return self.pauses.get(agent)

    async def apply(self, agent: str, paused: bool, reason: str) -> None:
        if self.pbx_down:
            raise CommandError(503, "the PBX did not accept QueuePause")
        self.pause_calls.append((agent, paused, reason))
        self.pauses[agent] = PauseState(agent, paused, reason if paused else "", self.now)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self.spawned.append(work)

    def publish_wrapup(self, view: dict[str, Any], agent: str) -> None:
        self.published.append(view)

    def queue_title(self, queue: str) -> str:
        return queue.capitalize()

    def later(self, seconds: float, work: Callable[[], None]) -> FakeTimer:
        self.timers.append(FakeTimer(self.now + seconds, work))
        return self.timers[-1]

    async def advance(self, seconds: float) -> None:
        """Move the clock and run the timers that are due (and what they spawn)."""
        self.now += seconds
        for timer in [t for t in self.timers if t.at <= self.now and not t.cancelled]:
            self.timers.remove(timer)
            timer.work()
        while self.spawned:
            await self.spawned.pop(0)

    @property
    def paused_reason(self) -> str | None:
        pause = self.pauses.get("1001")
        return pause.reason if pause is not None and pause.paused else None


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store("sqlite:///:memory:") as opened:
        yield opened


def sessions_for(desk: FakeDesk, **policy: Any) -> WrapUpSessions:
    chosen = WrapUpPolicy(**{"limit_seconds": 30, **policy})
    return WrapUpSessions(desk.db, desk.clock, desk.spawn, desk, desk, lambda queue: chosen, later=desk.later)


def save(desk: FakeDesk, uniqueid: str = CALL.uniqueid) -> Any:
    record = WrapUpRecord("Resolved", "", False, None, desk.now)
    known = desk.store.wrapups.get_wrapup(uniqueid, "1001")
    assert known is not None
    return desk.store.wrapups.save_wrapup_record(uniqueid, "1001", record, known)[1]


def run(work: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(work)


def test_a_call_end_pauses_the_agent_and_the_limit_makes_them_ready(store: Store) -> None:
    async def scenario(desk: FakeDesk) -> None:
        sessions = sessions_for(desk)
        await sessions.call_ended(CALL)
        assert desk.paused_reason == WRAPUP_REASON
        view = sessions.view_of("1001")
        assert view is not None and view["deadline_at"] == T0 + 30 and view["warning_at"] == T0 + 20
        assert view["name"] == "Ann Caller" and view["queue_title"] == "Support" and view["state"] == "active"
        await desk.advance(29.9)
        assert desk.paused_reason == WRAPUP_REASON
        await desk.advance(0.1)
        assert desk.paused_reason is None and sessions.view_of("1001") is None
        assert desk.published[-1]["state"] == "ended" and desk.published[-1]["end_reason"] == "limit"
        assert store.wrapups.active_wrapups() == []

    run(scenario(FakeDesk(store)))


def test_then_paused_ends_the_wrapup_but_keeps_the_agent_paused(store: Store) -> None:
    async def scenario(desk: FakeDesk) -> None:
        sessions = sessions_for(desk, then="paused")
        await sessions.call_ended(CALL)
        await desk.advance(30)
        assert desk.paused_reason == WRAPUP_REASON and sessions.view_of("1001") is None
        assert desk.published[-1]["end_reason"] == "limit"

    run(scenario(FakeDesk(store)))


def test_an_agent_who_chose_lunch_meanwhile_stays_on_lunch(store: Store) -> None:
    async def scenario(desk: FakeDesk) -> None:
        sessions = sessions_for(desk)
        await sessions.call_ended(CALL)
        await desk.apply("1001", True, "Lunch")
        await desk.advance(30)
        assert desk.paused_reason == "Lunch"
        assert store.wrapups.get_wrapup(CALL.uniqueid, "1001").state == WRAPUP_ENDED  # type: ignore[union-attr]

    run(scenario(FakeDesk(store)))


def test_finishing_early_ends_it_at_once_and_the_old_timer_does_nothing(store: Store) -> None:
    async def scenario(desk: FakeDesk) -> None:
        sessions = sessions_for(desk)
        await sessions.call_ended(CALL)
        await desk.advance(5)
        ended = await sessions.finish("1001", CALL.uniqueid)
        assert ended is not None and ended.end_reason == "finished" and ended.ended_at == T0 + 5
        assert desk.paused_reason is None
        calls = len(desk.pause_calls)
        await desk.advance(60)
        assert len(desk.pause_calls) == calls

    run(scenario(FakeDesk(store)))


def test_a_required_disposition_keeps_the_agent_paused_until_it_is_saved(store: Store) -> None:
    async def scenario(desk: FakeDesk) -> None:
        sessions = sessions_for(desk, disposition_required=True)
        await sessions.call_ended(CALL)
        with pytest.raises(CommandError) as refused:
            await sessions.finish("1001", CALL.uniqueid)
        assert refused.value.status == 409 and "Choose a disposition first" in str(refused.value)
        assert sessions.unpause_refusal("1001").startswith("Choose a disposition first")
        await desk.advance(31)
        assert desk.paused_reason == WRAPUP_REASON
        view = sessions.view_of("1001")
        assert view is not None and view["overtime"] and desk.published[-1]["overtime"]
        after = await sessions.record_saved(save(desk), finish=False)
        assert after.state == WRAPUP_ENDED and after.end_reason == "saved"
        assert desk.paused_reason is None

    run(scenario(FakeDesk(store)))


def test_a_record_saved_in_time_does_not_end_the_wrapup_unless_finished(store: Store) -> None:
    async def scenario(desk: FakeDesk) -> None:
        sessions = sessions_for(desk, disposition_required=True)
        await sessions.call_ended(CALL)
        kept = await sessions.record_saved(save(desk), finish=False)
        assert kept.state == WRAPUP_ACTIVE and desk.published[-1]["saved"]
        await desk.advance(30)
        assert desk.paused_reason is None and desk.published[-1]["end_reason"] == "limit"

    run(scenario(FakeDesk(store)))


def test_the_next_call_replaces_the_active_wrapup(store: Store) -> None:
    async def scenario(desk: FakeDesk) -> None:
        sessions = sessions_for(desk)
        await sessions.call_ended(CALL)
        await desk.advance(20)
        await sessions.call_ended(NEXT_CALL)
        assert [v["end_reason"] for v in desk.published[-2:]] == ["replaced", ""]
        await desk.advance(15)  # the first call's deadline has passed: nothing happens
        assert desk.paused_reason == WRAPUP_REASON
        await desk.advance(15)
        assert desk.paused_reason is None and desk.published[-1]["uniqueid"] == NEXT_CALL.uniqueid

    run(scenario(FakeDesk(store)))


def test_leaving_the_last_queue_ends_it_and_clears_the_pause(store: Store) -> None:
    async def scenario(desk: FakeDesk) -> None:
        sessions = sessions_for(desk, then="paused")
        await sessions.call_ended(CALL)
        await sessions.agent_gone("1001", LOGGED_OUT)
        assert desk.paused_reason is None and desk.published[-1]["end_reason"] == LOGGED_OUT

    run(scenario(FakeDesk(store)))


def test_no_wrapup_when_switched_off_or_without_a_limit(store: Store) -> None:
    async def scenario(desk: FakeDesk) -> None:
        sessions = sessions_for(desk, limit_seconds=0)
        assert await sessions.call_ended(CALL) is None
        sessions = sessions_for(desk)
        sessions.switch(False, {})
        assert await sessions.call_ended(CALL) is None
        assert desk.pause_calls == [] and store.wrapups.active_wrapups() == []

    run(scenario(FakeDesk(store)))


def test_a_restarted_service_ends_overdue_wrapups_and_rearms_the_others(store: Store) -> None:
    async def scenario() -> None:
        before = FakeDesk(store)
        await sessions_for(before).call_ended(CALL)
        before.now += 30
        await sessions_for(before).call_ended(dataclasses.replace(NEXT_CALL, agent="1002"))
        after = FakeDesk(store, now=T0 + 40, pauses=dict(before.pauses))
        sessions = sessions_for(after)
        await sessions.load()
        assert sessions.view_of("1001") is not None  # a restarted desktop resumes from the snapshot
        sessions.arm_all()
        await after.advance(0)
        assert after.pause_calls == [("1001", False, "")]  # 1002's call ended 30 s later: not due yet
        assert store.wrapups.get_wrapup(CALL.uniqueid, "1001").end_reason == "limit"  # type: ignore[union-attr]

    run(scenario())


def test_a_pbx_that_does_not_answer_is_asked_again(store: Store) -> None:
    async def scenario(desk: FakeDesk) -> None:
        sessions = sessions_for(desk)
        await sessions.call_ended(CALL)
        desk.pbx_down = True
        await desk.advance(30)
        assert desk.paused_reason == WRAPUP_REASON
        desk.pbx_down = False
        await desk.advance(5)
        assert desk.paused_reason is None

    run(scenario(FakeDesk(store)))



def ami(name: str, **fields: str) -> AmiMessage:
    return AmiMessage((("Event", name), *fields.items()))


def test_an_agent_complete_without_the_callers_fields_uses_the_connect(store: Store) -> None:
    """Asterisk 22 leaves the caller's fields out of AgentComplete when the
    caller's channel is already gone (seen when a caller hangs up)."""
    async def scenario(desk: FakeDesk) -> None:
        sessions = sessions_for(desk)
        sessions.agent_connect(ami("AgentConnect", Queue="support", MemberName="1001", Uniqueid=CALL.uniqueid,
                                   Linkedid=CALL.linkedid, CallerIDNum=CALL.number, CallerIDName=CALL.name))
        await sessions.agent_complete(ami("AgentComplete", Queue="support", MemberName="1001", TalkTime="3"))
        view = sessions.view_of("1001")
        assert view is not None and view["uniqueid"] == CALL.uniqueid and view["number"] == CALL.number
        await sessions.finish("1001", CALL.uniqueid)
        await sessions.agent_complete(ami("AgentComplete", Queue="support", MemberName="1001"))
        assert sessions.view_of("1001") is None  # no caller known: no wrap-up rather than one without an ID

    run(scenario(FakeDesk(store)))


def test_a_callback_calls_wrapup_ends_with_its_outcome_and_survives_a_restart(store: Store) -> None:
    """The record of a callback call's wrap-up is the task's outcome; the agent
    is held (offered nothing) from the call's end until the wrap-up is over."""
    cb_task = task("0123456789ab", name="Ann Caller", number="09121110009")
    store.callbacks.add_callback(cb_task, requested(cb_task))

    async def scenario() -> None:
        desk = FakeDesk(store)
        sessions = sessions_for(desk)
        sessions.expect("1001")
        assert sessions.held("1001")  # from the hangup on, before the store has it
        await sessions.callback_ended(cb_task.task_id, "1001", "1763800000.5", "cb-linked")
        view = sessions.view_of("1001")
        assert view is not None and view["uniqueid"] == "cb0123456789ab-1763800000.5"
        assert view["name"] == "Ann Caller" and view["number"] == "09121110009" and view["queue"] == "support"
        assert desk.paused_reason == WRAPUP_REASON and sessions.held("1001")
        restarted = sessions_for(desk)
        await restarted.load()
        assert restarted.view_of("1001")["name"] == "Ann Caller"  # type: ignore[index]
        await restarted.outcome_saved("1001", "ffffffffffff")  # another task's outcome: not this record
        assert restarted.held("1001")
        await restarted.outcome_saved("1001", cb_task.task_id)
        assert not restarted.held("1001") and desk.paused_reason is None
        ended = store.wrapups.get_wrapup("cb0123456789ab-1763800000.5", "1001")
        assert ended is not None and ended.state == WRAPUP_ENDED and ended.end_reason == "finished"

    run(scenario())
