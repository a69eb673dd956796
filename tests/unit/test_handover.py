"""The hand-over logic of the phone (transfers, consultation, conference)
on a fake SIP stack: which SIP actions follow which reports. The real
thing is tested against Asterisk in tests/integration/test_conference.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from agentdesk.phone.core import PhoneCore
from agentdesk.phone.model import CallSnapshot, CallState, Direction, PhoneError, TransferState

ROOM = "sip:room1001@pbx"


@dataclass
class FakeStack:
    actions: list[tuple[object, ...]] = field(default_factory=list)
    refuse_transfer_of: set[int] = field(default_factory=set)
    hold_busy: int = 0  # set_hold raises this many times (a re-INVITE under way)
    next_id: int = 10

    def dial(self, uri: str) -> int:
        self.next_id += 1
        self.actions.append(("dial", uri))
        return self.next_id

    def transfer(self, call_id: int, uri: str, replacing: int | None = None) -> None:
        if call_id in self.refuse_transfer_of:
            raise PhoneError("transferring the call: Invalid operation")
        self.actions.append(("refer", call_id, uri, replacing))

    def hangup(self, call_id: int) -> None:
        self.actions.append(("hangup", call_id))

    def set_hold(self, call_id: int, on: bool) -> None:
        if self.hold_busy:
            self.hold_busy -= 1
            raise PhoneError("taking the call off hold: Invalid operation")
        self.actions.append(("hold", call_id, on))

    def route_audio(self, call_id: int, speaker: bool, microphone: bool) -> None:
        pass


class Events:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def registration(self, snapshot: object) -> None: ...
    def call(self, snapshot: object) -> None: ...
    def incoming(self, snapshot: object) -> None: ...

    def problem(self, text: str) -> None:
        self.problems.append(text)


def phone_with_consultation() -> tuple[PhoneCore, FakeStack, Events]:
    """Call 1 (the caller, answered) and call 2 dialled to consult: the
    caller went on hold."""
    events, stack = Events(), FakeStack()
    core = PhoneCore(events, None)
    core.stack = stack  # type: ignore[assignment]
    core.calls[1] = CallSnapshot(1, Direction.INCOMING, CallState.ACTIVE, "1002", "Dmitri", has_audio=True)
    stack.next_id = 1
    core.dial("sip:1003@pbx")
    core.on_call_state(2, CallState.ACTIVE, 200, "OK")
    return core, stack, events


def run_timers(core: PhoneCore) -> None:
    import time

    for _ in range(80):  # 0.8 s: past the retry delay (0.5 s) and the resume retries
        core.timers.run_due()
        time.sleep(0.01)


def test_the_consultation_call_knows_its_caller_and_the_caller_waits_on_hold() -> None:
    core, stack, _ = phone_with_consultation()
    assert core.calls[2].consult_for == 1 and core.calls[1].held
    assert ("hold", 1, True) in stack.actions


def test_a_cancelled_consultation_takes_the_caller_off_hold_even_while_a_reinvite_is_under_way() -> None:
    core, stack, _ = phone_with_consultation()
    stack.hold_busy = 2
    core.on_call_state(2, CallState.ENDED, 200, "")
    run_timers(core)
    assert stack.actions[-1] == ("hold", 1, False) and not core.calls[1].held


def test_a_caller_who_hangs_up_during_the_consultation_is_reported_once() -> None:
    core, _, events = phone_with_consultation()
    core.on_call_state(1, CallState.ENDED, 200, "")
    assert core.calls[2].consult_for == 0
    assert len([p for p in events.problems if "hung up while you were consulting" in p]) == 1


def test_a_conference_dials_the_room_once_both_legs_have_ended() -> None:
    core, stack, _ = phone_with_consultation()
    core.conference(1, 2, ROOM)
    assert ("refer", 1, ROOM, None) in stack.actions and ("refer", 2, ROOM, None) in stack.actions
    for leg in (1, 2):
        core.on_transfer_status(leg, 200, "OK", True)
        assert ("hangup", leg) in stack.actions
    core.on_call_state(1, CallState.ENDED, 200, "")
    run_timers(core)
    assert not any(a[0] == "dial" and a[1] == ROOM for a in stack.actions)  # call 2 is still on its way
    core.on_call_state(2, CallState.ENDED, 200, "")
    run_timers(core)
    assert [a for a in stack.actions if a[0] == "dial"][-1] == ("dial", ROOM)
    room = core.calls[max(core.calls)]
    assert room.conference and room.remote_name == "Dmitri + 1003"


def test_a_leg_the_stack_cannot_refer_stays_and_the_next_conference_can_still_start() -> None:
    core, stack, events = phone_with_consultation()
    stack.refuse_transfer_of = {1, 2}
    core.conference(1, 2, ROOM)
    assert sum("could not join the conference" in p for p in events.problems) == 2
    assert not any(a[0] == "dial" and a[1] == ROOM for a in stack.actions)
    stack.refuse_transfer_of = set()
    for leg in (1, 2):
        assert core.calls[leg].transfer_state is TransferState.NONE  # never sent: nothing to wait for
    core.conference(1, 2, ROOM)  # not "already being set up"
    assert ("refer", 2, ROOM, None) in stack.actions


def test_a_refer_refused_just_after_the_answer_is_sent_once_more() -> None:
    """Asterisk refuses a REFER that arrives before it has bridged a call it
    answered milliseconds ago: the conference leg is referred again."""
    core, stack, events = phone_with_consultation()
    core.conference(1, 2, ROOM)
    core.on_transfer_status(2, 400, "Bad Request", True)
    run_timers(core)
    assert [a for a in stack.actions if a[0] == "refer" and a[1] == 2] == [("refer", 2, ROOM, None)] * 2
    assert not events.problems
    core.on_transfer_status(2, 400, "Bad Request", True)  # refused again: given up, reported
    assert any("could not join the conference" in p for p in events.problems)


def test_a_transfer_to_no_such_number_is_not_retried() -> None:
    core, stack, events = phone_with_consultation()
    core.transfer(2, "sip:1099@pbx")
    core.on_transfer_status(2, 404, "Not Found", True)
    run_timers(core)
    assert len([a for a in stack.actions if a[0] == "refer"]) == 1
    assert core.calls[2].transfer_state is TransferState.FAILED and "1099" in events.problems[-1]
