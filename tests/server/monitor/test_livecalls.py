"""Each agent's live call as a team lead sees it, from AMI events: a queue
call recorded on the bundled Asterisk (tests/data/ami/queue-call.ami:
answered, held, resumed, hung up; then an outbound call to a colleague),
and the marks (VIP caller, callback, transferred) from events as Asterisk
writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentdesk.contract.monitor import INBOUND, OUTBOUND
from agentdesk.server.ami.protocol import AmiMessage, AmiParser
from agentdesk.server.monitor.changes import FloorChanges
from agentdesk.server.monitor.livecalls import LiveCalls

TRANSCRIPT = Path(__file__).resolve().parents[2] / "data" / "ami" / "queue-call.ami"
CALLER, AGENT_LEG = "1796684436.1", "1796684436.2"  # the caller's queue channel, Sara's leg
OUT_LEG, COLLEAGUE_LEG = "1796684449.3", "1796684449.4"


class Seats:
    def __init__(self, seated: dict[str, str]) -> None:
        self.seated = seated

    def agent_of_phone(self, phone: str) -> str | None:
        return self.seated.get(phone)


class Marks:
    def __init__(self, vips: set[str] | None = None) -> None:
        self.vips = vips or set()

    def is_vip(self, uniqueid: str) -> bool:
        return uniqueid in self.vips


def recorded_events() -> list[AmiMessage]:
    return [m for m in AmiParser().feed(TRANSCRIPT.read_bytes()) if m.kind == "event"]


def event(name: str, **fields: str) -> AmiMessage:
    return AmiMessage((("Event", name), *fields.items()))


def replay_until(calls: LiveCalls, events: list[AmiMessage], name: str, **match: str) -> int:
    """Apply events up to and including the first `name` event whose fields match; its index."""
    for index, message in enumerate(events):
        calls.apply(message)
        if message.name == name and all(message.get(k) == v for k, v in match.items()):
            del events[: index + 1]
            return index
    raise AssertionError(f"no {name} {match} in the transcript")


@pytest.fixture
def floor() -> FloorChanges:
    return FloorChanges()


def test_a_recorded_queue_call_is_followed_from_ringing_to_hang_up(floor: FloorChanges) -> None:
    calls = LiveCalls(Seats({"1001": "1001", "1002": "1002"}), Marks(), floor)
    events = recorded_events()

    replay_until(calls, events, "Newstate", Uniqueid=AGENT_LEG, ChannelStateDesc="Ringing")
    leg = calls.call_of("1001")
    assert leg is not None and leg.ringing and leg.direction == INBOUND
    assert (leg.queue, leg.peer_number) == ("support", "09121110001")  # AgentCalled named the queue
    assert calls.calls() == []  # ringing in: not a call on the floor yet
    assert {"1001"} <= floor.take().agents

    replay_until(calls, events, "AgentConnect")
    leg = calls.call_of("1001")
    assert leg is not None and leg.answered and not leg.ringing
    assert (leg.channel, leg.uniqueid, leg.linkedid) == ("PJSIP/1001-00000000", AGENT_LEG, "1796684436.0")
    assert (leg.queue, leg.peer_number, leg.peer_name, leg.caller_uniqueid) == (
        "support", "09121110001", "Ada Lovelace", CALLER)
    assert leg.since == pytest.approx(1796684437.270414)  # answered, not rung
    assert not (leg.vip or leg.callback or leg.transferred or leg.on_hold)
    dirty = floor.take()
    assert AGENT_LEG in dirty.calls and dirty.happened == pytest.approx(1796684437.271834)

    replay_until(calls, events, "Hold")
    leg = calls.call_of("1001")
    assert leg is not None and leg.on_hold and leg.hold_since == pytest.approx(1796684438.278723)
    replay_until(calls, events, "Unhold")
    assert not calls.call_of("1001").on_hold  # type: ignore[union-attr]

    replay_until(calls, events, "Hangup", Uniqueid=AGENT_LEG)
    assert calls.call_of("1001") is None and calls.calls() == []
    assert AGENT_LEG in floor.take().calls  # the feed sends it as removed

    replay_until(calls, events, "Newstate", Uniqueid=OUT_LEG, ChannelStateDesc="Up")
    out, colleague = calls.call_of("1001"), calls.call_of("1002")
    assert out is not None and colleague is not None
    assert (out.direction, out.peer_number, out.peer_name, out.queue) == (OUTBOUND, "1002", "Dmitri Volkov", "")
    assert (colleague.direction, colleague.peer_number, colleague.peer_name) == (INBOUND, "1001", "Sara Karimi")
    assert {leg.uniqueid for leg in calls.calls()} == {OUT_LEG, COLLEAGUE_LEG}

    for message in events:
        calls.apply(message)
    assert calls.calls() == [] and calls.call_of("1001") is None


def test_a_phone_nobody_works_at_has_no_live_call(floor: FloorChanges) -> None:
    calls = LiveCalls(Seats({"1001": "1001"}), Marks(), floor)
    for message in recorded_events():
        calls.apply(message)
        assert calls.call_of("1002") is None
        assert all(leg.agent == "1001" for leg in calls.calls())


def _queue_call(calls: LiveCalls, caller_channel: str = "Local/7001@customers-00000001;2") -> None:
    calls.apply(event("Newchannel", Channel="PJSIP/1001-0000000a", Uniqueid="20.2", Linkedid="20.0",
                      ConnectedLineNum="<unknown>", Timestamp="100.0"))
    calls.apply(event("AgentCalled", Channel=caller_channel, Uniqueid="20.1", DestUniqueid="20.2", Queue="support",
                      CallerIDNum="0912", CallerIDName="Reza", MemberName="1001"))
    calls.apply(event("Newstate", Uniqueid="20.2", ChannelStateDesc="Up", Timestamp="101.0"))
    calls.apply(event("AgentConnect", Channel=caller_channel, Uniqueid="20.1", DestUniqueid="20.2",
                      Queue="support", CallerIDNum="0912", CallerIDName="Reza", MemberName="1001"))


def test_a_vip_caller_marked_while_waiting_stays_vip_on_the_call(floor: FloorChanges) -> None:
    calls = LiveCalls(Seats({"1001": "1001"}), Marks({"20.1"}), floor)
    _queue_call(calls)
    leg = calls.call_of("1001")
    assert leg is not None and leg.vip and not leg.callback


def test_a_callback_call_and_a_transfer_are_marked(floor: FloorChanges) -> None:
    calls = LiveCalls(Seats({"1001": "1001"}), Marks(), floor)
    _queue_call(calls, caller_channel="Local/cb-42@callback-line-00000003;1")
    leg = calls.call_of("1001")
    assert leg is not None and leg.callback and not leg.transferred
    floor.take()
    calls.apply(event("BlindTransfer", TransfererChannel="PJSIP/1001-0000000a", TransfererLinkedid="20.0",
                      TransfereeLinkedid="20.0", Extension="1002"))
    assert leg.transferred and "1001" in floor.take().agents


def test_the_customer_putting_the_agent_on_hold_shows_on_the_agent_call(floor: FloorChanges) -> None:
    calls = LiveCalls(Seats({"1001": "1001"}), Marks(), floor)
    _queue_call(calls)
    calls.apply(event("Hold", Channel="PJSIP/trunk-00000001", Uniqueid="20.9", Linkedid="20.0", Timestamp="105.0"))
    leg = calls.call_of("1001")
    assert leg is not None and leg.on_hold and leg.hold_since == 105.0


def test_after_a_reconnect_the_calls_asterisk_still_has_are_kept_and_new_ones_found(floor: FloorChanges) -> None:
    calls = LiveCalls(Seats({"1001": "1001", "1002": "1002"}), Marks(), floor)
    _queue_call(calls)  # 1001's queue call goes on; the service missed everything else
    floor.take()
    calls.load([
        event("CoreShowChannel", Channel="PJSIP/1001-0000000a", Uniqueid="20.2", Linkedid="20.0",
              ChannelStateDesc="Up", Duration="00:01:10"),
        event("CoreShowChannel", Channel="PJSIP/1002-0000000b", Uniqueid="30.1", Linkedid="30.1",
              ChannelStateDesc="Up", ConnectedLineNum="0935", ConnectedLineName="", Exten="0935",
              Duration="00:02:05"),
        event("CoreShowChannel", Channel="Local/7001@customers-00000001;2", Uniqueid="20.1", Linkedid="20.0",
              ChannelStateDesc="Up", Duration="00:01:20"),
    ], now=1000.0)
    kept, found = calls.call_of("1001"), calls.call_of("1002")
    assert kept is not None and (kept.queue, kept.peer_number, kept.since) == ("support", "0912", 101.0)
    assert found is not None and found.answered and found.since == 1000.0 - 125
    assert (found.direction, found.peer_number, found.queue) == (OUTBOUND, "0935", "")
    assert floor.take().calls == {"30.1"}
    calls.load([], now=1001.0)
    assert calls.calls() == [] and floor.take().calls == {"20.2", "30.1"}
