"""The queue board follows AMI events the way Asterisk orders callers."""

from __future__ import annotations

from agentdesk.server.ami.protocol import AmiMessage
from agentdesk.server.queues.board import QueueBoard
from agentdesk.server.views import combined_activity


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def event(name: str, **fields: str) -> AmiMessage:
    return AmiMessage((("Event", name), *fields.items()))


def join(board: QueueBoard, uid: str, position: int, number: str = "+100") -> None:
    board.apply(event("QueueCallerJoin", Queue="support", Uniqueid=uid, Position=str(position),
                      CallerIDNum=number, CallerIDName="<unknown>"))


def positions(board: QueueBoard) -> list[tuple[str, int]]:
    return [(c.uniqueid, c.position) for c in board.queues["support"].ordered_callers()]


def test_callers_move_up_when_the_one_ahead_leaves() -> None:
    board = QueueBoard(Clock())
    for n in (1, 2, 3):
        join(board, f"c{n}", n)
    change = board.apply(event("QueueCallerLeave", Queue="support", Uniqueid="c1", Position="1"))
    assert change.queues == {"support"}
    assert positions(board) == [("c2", 1), ("c3", 2)]


def test_a_priority_caller_joining_ahead_pushes_the_others_back() -> None:
    board = QueueBoard(Clock())
    join(board, "a", 1)
    join(board, "b", 2)
    join(board, "vip", 1)
    assert positions(board) == [("vip", 1), ("a", 2), ("b", 3)]


def test_unknown_caller_name_is_empty_and_unrelated_events_change_nothing() -> None:
    board = QueueBoard(Clock())
    join(board, "a", 1)
    assert board.queues["support"].callers["a"].name == ""
    assert not board.apply(event("Newchannel", Channel="PJSIP/1001-1")).queues
    assert not board.apply(event("QueueCallerLeave", Queue="support", Uniqueid="nobody")).queues


def test_member_activity_and_time_in_state() -> None:
    clock = Clock()
    board = QueueBoard(clock)
    added = board.apply(event("QueueMemberAdded", Queue="support", MemberName="1001", Interface="PJSIP/1001",
                              Status="1", Paused="0"))
    assert added.agents == {"1001"}
    member = board.queues["support"].members["1001"]
    assert member.activity == "ready" and member.since == 1000.0
    clock.now = 1010.0
    board.apply(event("QueueMemberStatus", Queue="support", MemberName="1001", Interface="PJSIP/1001",
                      Status="1", Paused="0"))
    assert board.queues["support"].members["1001"].since == 1000.0  # same activity: time keeps running
    clock.now = 1020.0
    board.apply(event("QueueMemberPause", Queue="support", MemberName="1001", Interface="PJSIP/1001",
                      Status="1", Paused="1", PausedReason="Lunch"))
    member = board.queues["support"].members["1001"]
    assert (member.activity, member.reason, member.since) == ("paused", "Lunch", 1020.0)
    assert not board.is_free("1001")
    board.apply(event("QueueMemberRemoved", Queue="support", MemberName="1001", Interface="PJSIP/1001"))
    assert board.memberships_of("1001") == {}


def test_queue_status_rebuilds_everything_and_keeps_known_join_times() -> None:
    clock = Clock()
    board = QueueBoard(clock)
    join(board, "old", 1)
    clock.now = 1100.0
    board.load_status([
        event("QueueParams", Queue="support", Strategy="leastrecent", ServiceLevel="20"),
        event("QueueMember", Queue="support", Name="1002", Location="PJSIP/1002", Status="2", Paused="0"),
        event("QueueEntry", Queue="support", Position="1", Uniqueid="old", CallerIDNum="+100", Wait="100"),
        event("QueueEntry", Queue="support", Position="2", Uniqueid="new", CallerIDNum="+200", Wait="30"),
        event("QueueParams", Queue="sales", Strategy="rrmemory", ServiceLevel="30"),
    ])
    support = board.queues["support"]
    assert (support.strategy, support.service_level_seconds) == ("leastrecent", 20)
    assert support.callers["old"].joined_at == 1000.0
    assert support.callers["new"].joined_at == 1070.0
    assert support.members["1002"].activity == "on_call"
    assert board.phone_of("1002") == "1002"
    assert set(board.queues) == {"support", "sales"}


def test_an_agent_in_several_queues_has_one_activity() -> None:
    assert combined_activity([], False) == "logged_out"
    assert combined_activity(["ready", "ringing"], False) == "ringing"
    assert combined_activity(["ready", "on_call"], False) == "on_call"
    assert combined_activity(["ready", "ready"], True) == "paused"
    assert combined_activity(["unavailable"], False) == "unavailable"


def test_a_join_replayed_after_a_resync_changes_nothing() -> None:
    board = QueueBoard(Clock())
    join(board, "a", 1)
    join(board, "b", 2)
    again = board.apply(event("QueueCallerJoin", Queue="support", Uniqueid="a", Position="1", CallerIDNum="+100",
                              Timestamp="1500.0"))
    assert not again.queues
    assert positions(board) == [("a", 1), ("b", 2)]
    assert board.queues["support"].callers["a"].joined_at == 1000.0


def test_a_caller_moved_to_another_queue_keeps_the_time_they_first_joined() -> None:
    clock = Clock()
    board = QueueBoard(clock)
    join(board, "a", 1)
    clock.now += 40
    board.carry_join("a", board.queues["support"].callers["a"].joined_at)
    board.apply(event("QueueCallerLeave", Queue="support", Uniqueid="a"))
    board.apply(event("QueueCallerJoin", Queue="sales", Uniqueid="a", Position="1", CallerIDNum="+100"))
    assert board.queues["sales"].callers["a"].joined_at == 1000.0
    board.apply(event("QueueCallerLeave", Queue="sales", Uniqueid="a"))
    board.apply(event("QueueCallerJoin", Queue="support", Uniqueid="a", Position="1", CallerIDNum="+100"))
    assert board.queues["support"].callers["a"].joined_at == 1040.0  # carried once, not forever


def test_a_members_penalty_follows_asterisk() -> None:
    board = QueueBoard(Clock())
    board.apply(event("QueueMemberAdded", Queue="support", MemberName="1001", Interface="PJSIP/1001", Status="1",
                      Paused="0", Penalty="0"))
    change = board.apply(event("QueueMemberPenalty", Queue="support", MemberName="1001", Interface="PJSIP/1001",
                               Status="1", Paused="0", Penalty="3"))
    assert change.agents == {"1001"} and board.queues["support"].members["1001"].penalty == 3
