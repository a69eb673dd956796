"""The hand-over logic of the phone (transfers, consultation, conference)
on a fake SIP stack: which SIP actions follow which reports; and the SIP
stack's guard that a caller taken off hold really comes back (on fake
pjsua2 calls). The real thing is tested against Asterisk in
tests/integration/test_conference.py."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pjsua2 as pj

from agentdesk.desktop.phone.core import PhoneCore
from agentdesk.desktop.phone.model import (
    AccountConfig,
    CallSnapshot,
    CallState,
    Direction,
    TransferState,
)
from agentdesk.desktop.phone.pjcalls import PjCalls
from agentdesk.desktop.phone.pjstack import SipStack
from agentdesk.desktop.phone.resume import UNHOLD_RESENDS
from tests.helpers.fakes import FakePhoneEvents, FakeStack

ROOM = "sip:room1001@pbx"


def phone_with_consultation() -> tuple[PhoneCore, FakeStack, FakePhoneEvents]:
    """Call 1 (the caller, answered) and call 2 dialled to consult: the
    caller went on hold."""
    events, stack = FakePhoneEvents(), FakeStack(next_id=1)
    core = PhoneCore(events, None, stack)
    core.book.update(CallSnapshot(1, Direction.INCOMING, CallState.ACTIVE, "1002", "Dmitri", has_audio=True))
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
    assert core.book.calls[2].consult_for == 1 and core.book.calls[1].held
    assert ("hold", 1, True) in stack.actions


def test_a_cancelled_consultation_takes_the_caller_off_hold_even_while_a_reinvite_is_under_way() -> None:
    core, stack, _ = phone_with_consultation()
    stack.hold_busy = 2
    core.on_call_state(2, CallState.ENDED, 200, "")
    run_timers(core)
    assert stack.actions[-1] == ("hold", 1, False) and not core.book.calls[1].held


def test_a_caller_who_hangs_up_during_the_consultation_is_reported_once() -> None:
    core, _, events = phone_with_consultation()
    core.on_call_state(1, CallState.ENDED, 200, "")
    assert core.book.calls[2].consult_for == 0
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
    room = core.book.calls[max(core.book.calls)]
    assert room.conference and room.remote_name == "Dmitri + 1003"


def test_a_leg_the_stack_cannot_refer_stays_and_the_next_conference_can_still_start() -> None:
    core, stack, events = phone_with_consultation()
    stack.refuse_transfer_of = {1, 2}
    core.conference(1, 2, ROOM)
    assert sum("could not join the conference" in p for p in events.problems) == 2
    assert not any(a[0] == "dial" and a[1] == ROOM for a in stack.actions)
    stack.refuse_transfer_of = set()
    for leg in (1, 2):
        assert core.book.calls[leg].transfer_state is TransferState.NONE  # never sent: nothing to wait for
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
    assert core.book.calls[2].transfer_state is TransferState.FAILED and "1099" in events.problems[-1]


# -- the SIP stack's un-hold guard, on fake pjsua2 objects ---------------------


class FakePjCall:
    """A pjsua2 call as SipStack uses it: counts un-hold re-INVITEs and
    refuses `busy` of them (a re-INVITE still under way)."""

    def __init__(self, call_id: int) -> None:
        self.call_id = call_id
        self.unholds = 0
        self.busy = 0
        self.direction = pj.PJMEDIA_DIR_ENCODING_DECODING

    def reinvite(self, param: Any) -> None:
        if self.busy:
            self.busy -= 1
            error = pj.Error()
            error.reason = "Invalid operation"
            raise error
        self.unholds += 1

    def setHold(self, param: Any) -> None:
        self.direction = pj.PJMEDIA_DIR_ENCODING

    def getInfo(self) -> Any:
        audio = SimpleNamespace(type=pj.PJMEDIA_TYPE_AUDIO, status=pj.PJSUA_CALL_MEDIA_ACTIVE, dir=self.direction)
        return SimpleNamespace(media=[audio])


class FakeEndpoint:
    """Each poll delivers the callbacks queued in `arriving`."""

    def __init__(self) -> None:
        self.arriving: list[Callable[[], None]] = []

    def libHandleEvents(self, timeout_ms: int) -> None:
        while self.arriving:
            self.arriving.pop(0)()


class MediaListener:
    def on_media_state(self, call_id: int, active: bool, local_hold: bool, remote_hold: bool) -> None: ...


def stack_with_held_call() -> tuple[SipStack, FakeEndpoint, FakePjCall]:
    """A started stack, as far as its calls go: fake pjsua2 endpoint and call."""
    endpoint, call = FakeEndpoint(), FakePjCall(1)
    calls = PjCalls(MediaListener(), endpoint)  # type: ignore[arg-type]
    calls._calls[1] = call  # type: ignore[assignment]
    stack = SipStack("test")
    stack._endpoint = endpoint  # type: ignore[assignment]
    stack._calls = calls
    return stack, endpoint, call


def media_arrives(stack: SipStack, endpoint: FakeEndpoint, call: FakePjCall, direction: int) -> None:
    def report() -> None:
        call.direction = direction
        assert stack._calls is not None
        stack._calls.media_changed(call)  # type: ignore[arg-type]

    endpoint.arriving.append(report)
    stack.poll(0)


def test_an_unhold_that_comes_back_send_only_is_sent_again_after_the_poll() -> None:
    """pjsip sent our un-hold with a still-pending sendonly offer instead."""
    stack, endpoint, call = stack_with_held_call()
    stack.set_hold(1, False)
    media_arrives(stack, endpoint, call, pj.PJMEDIA_DIR_ENCODING)
    assert call.unholds == 2
    media_arrives(stack, endpoint, call, pj.PJMEDIA_DIR_ENCODING_DECODING)
    media_arrives(stack, endpoint, call, pj.PJMEDIA_DIR_ENCODING)  # resumed already: not ours to undo
    assert call.unholds == 2


def test_the_resent_unhold_waits_for_a_reinvite_under_way_and_gives_up_in_the_end() -> None:
    stack, endpoint, call = stack_with_held_call()
    stack.set_hold(1, False)
    call.busy = 1
    media_arrives(stack, endpoint, call, pj.PJMEDIA_DIR_ENCODING)
    assert call.unholds == 1
    stack.poll(0)
    assert call.unholds == 2
    for _ in range(UNHOLD_RESENDS + 2):
        media_arrives(stack, endpoint, call, pj.PJMEDIA_DIR_ENCODING)
    assert call.unholds == UNHOLD_RESENDS
    stack.set_hold(1, True)  # the guard is off for a held call
    media_arrives(stack, endpoint, call, pj.PJMEDIA_DIR_ENCODING)
    assert call.unholds == UNHOLD_RESENDS


def test_the_account_sends_no_codec_locking_update_after_each_answer() -> None:
    stack = SipStack("test")
    stack._transports = SimpleNamespace(udp=0, tcp=1)  # type: ignore[assignment]
    config = stack._account_config(AccountConfig("127.0.0.1:5060", "1001", "secret"))
    assert config.mediaConfig.lockCodecEnabled is False
