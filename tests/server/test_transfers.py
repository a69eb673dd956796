"""Agents' transfers as the desk service records them (agentdesk/server/transfers.py).

First the event -> record logic on AMI events recorded from the bundled
Asterisk 22 (trimmed to the fields that say who and where), with the call
log and the store behind it. (Against the real PBX and desk service:
tests/integration/test_transfer_records.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from agentdesk.server.ami import AmiMessage
from agentdesk.server.queues.calllog import CallLog, QueueVisit
from agentdesk.server.store import Store, TransferRecord, open_store
from agentdesk.server.transfers import (
    CONFERENCE_PAIR_SECONDS,
    Returned,
    TransferLog,
    TransferTracker,
    transfer_kpi,
)

# -- recorded events ---------------------------------------------------------------

# Agent 1001 (channel .5) blind-transfers customer 1010 (channel .4, a sticky
# sales call) to 1003.
BLIND = {
    "Event": "BlindTransfer", "Timestamp": "1795381387.342667", "Result": "Success",
    "TransfererChannel": "PJSIP/1001-00000005", "TransfererCallerIDNum": "1001",
    "TransfererConnectedLineNum": "1010", "TransfererContext": "agents", "TransfererUniqueid": "1795381386.5",
    "TransfererLinkedid": "1795381386.4", "TransfereeChannel": "PJSIP/1010-00000004",
    "TransfereeCallerIDNum": "1010", "TransfereeConnectedLineNum": "1001", "TransfereeContext": "sticky-agent",
    "TransfereeUniqueid": "1795381386.4", "TransfereeLinkedid": "1795381386.4",
    "BridgeUniqueid": "55b26185-96f8-4bfd-95b6-e484587ca714", "BridgeNumChannels": "2", "IsExternal": "Yes",
    "Context": "transfer", "Extension": "1003",
}
# [transfer-ring]: 1003 was busy, the call comes back to 1001.
RETURNED = {
    "Event": "UserEvent", "Timestamp": "1795381343.332085", "Channel": "PJSIP/1010-00000003",
    "Context": "transfer-ring", "Exten": "1003", "Uniqueid": "1795381342.3", "Linkedid": "1795381342.3",
    "UserEvent": "AgentDeskTransferReturned", "Call": "1795381342.3", "By": "1001", "To": "1003", "Status": "BUSY",
}
# Agent 1001 answered sales caller 1010 (.0) on .1, consulted 1003 (.3) on .2,
# then REFERred the customer's leg with Replaces.
ATTENDED = {
    "Event": "AttendedTransfer", "Timestamp": "1795381384.283442", "Result": "Success",
    "OrigTransfererChannel": "PJSIP/1001-00000001", "OrigTransfererCallerIDNum": "1001",
    "OrigTransfererConnectedLineNum": "1010", "OrigTransfererContext": "agents", "OrigTransfererExten": "sales",
    "OrigTransfererUniqueid": "1795381383.1", "OrigTransfererLinkedid": "1795381383.0",
    "SecondTransfererChannel": "PJSIP/1001-00000002", "SecondTransfererCallerIDNum": "1001",
    "SecondTransfererConnectedLineNum": "1003", "SecondTransfererContext": "user", "SecondTransfererExten": "1003",
    "SecondTransfererUniqueid": "1795381383.2", "SecondTransfererLinkedid": "1795381383.2",
    "TransfereeChannel": "PJSIP/1010-00000000", "TransfereeCallerIDNum": "1010",
    "TransfereeConnectedLineNum": "1001", "TransfereeContext": "queue-inbound", "TransfereeExten": "sales",
    "TransfereeUniqueid": "1795381383.0", "TransfereeLinkedid": "1795381383.0",
    "TransferTargetChannel": "PJSIP/1003-00000003", "TransferTargetCallerIDNum": "1003",
    "TransferTargetConnectedLineNum": "1001", "TransferTargetContext": "agents",
    "TransferTargetUniqueid": "1795381383.3", "TransferTargetLinkedid": "1795381383.2",
    "IsExternal": "No", "DestType": "Bridge", "DestBridgeUniqueid": "27c069ea-25d4-4984-a79f-f58f0269128b",
}
# A conference, in the shape the phone makes it: both of 1001's legs REFERred
# into room1001, the consulted party's (1003 on .8, agent leg .7) first.
CONSULTED_LEG = {
    **BLIND, "Timestamp": "1795381390.100000", "TransfererChannel": "PJSIP/1001-00000007",
    "TransfererUniqueid": "1795381388.7", "TransfererLinkedid": "1795381388.7", "TransfererConnectedLineNum": "1003",
    "TransfereeChannel": "PJSIP/1003-00000008", "TransfereeCallerIDNum": "1003", "TransfereeUniqueid": "1795381388.8",
    "TransfereeLinkedid": "1795381388.7", "Extension": "room1001",
}
CUSTOMER_LEG = {**BLIND, "Timestamp": "1795381390.120000", "Extension": "room1001"}
NOW = 1795381400.0


def ami(fields: dict[str, str], **changes: str) -> AmiMessage:
    return AmiMessage(tuple({**fields, **changes}.items()))


def swapped(fields: dict[str, str]) -> dict[str, str]:
    """The same attended transfer REFERred on the consultation's leg: the
    agent's legs and their far ends trade names."""
    names = {"OrigTransferer": "SecondTransferer", "SecondTransferer": "OrigTransferer",
             "Transferee": "TransferTarget", "TransferTarget": "Transferee"}

    def rename(key: str) -> str:
        old = next((prefix for prefix in names if key.startswith(prefix)), "")
        return names[old] + key[len(old):] if old else key

    return {rename(key): value for key, value in fields.items()}


def tracker(visits: dict[str, QueueVisit] | None = None) -> TransferTracker:
    known = visits or {}
    return TransferTracker({"1001": "1001", "1020": "1014"}.get, known.get)


def only(outcomes: list[Any]) -> TransferRecord:
    assert len(outcomes) == 1 and isinstance(outcomes[0], TransferRecord), outcomes
    return outcomes[0]


# -- event -> record ---------------------------------------------------------------

def test_a_blind_transfer_of_a_queue_call_names_agent_call_queue_and_target() -> None:
    record = only(tracker({"1795381386.4": QueueVisit("1795381386.4@sales", "sales")}).handle(ami(BLIND), NOW))
    assert record == TransferRecord("1795381386.5@1795381387.342667", 1795381387.342667, "blind", "1001", "1001",
                                    "1795381386.4@sales", "1795381386.4", "sales", "1003", "accepted")


def test_a_direct_call_has_no_queue_and_is_keyed_by_the_customer_channel() -> None:
    record = only(tracker().handle(ami(BLIND, Extension="7001"), NOW))
    assert (record.call, record.uniqueid, record.queue, record.target) == ("1795381386.4", "1795381386.4", "", "7001")


def test_a_transfer_to_a_mailbox_is_a_voicemail_transfer() -> None:
    record = only(tracker().handle(ami(BLIND, Extension="*1003"), NOW))
    assert (record.kind, record.target) == ("voicemail", "1003")


def test_a_transfer_before_the_bridge_is_failed_and_still_names_the_customer() -> None:
    """Recorded: the agent REFERred while its answer gosub still ran (no
    bridge, so no Transferee fields); the call is the agent leg's linkedid."""
    unbridged = {key: value for key, value in BLIND.items() if not key.startswith(("Transferee", "Bridge"))}
    event = ami(unbridged, Result="Invalid", TransfererContext="sticky-answered", TransfererPriority="2")
    record = only(tracker({"1795381386.4": QueueVisit("1795381386.4", "sales")}).handle(event, NOW))
    assert (record.result, record.uniqueid, record.queue, record.target) == ("failed", "1795381386.4", "sales", "1003")


def test_a_hot_desk_phone_names_the_agent_logged_in_there() -> None:
    record = only(tracker().handle(ami(BLIND, TransfererChannel="PJSIP/1020-0000000c"), NOW))
    assert (record.agent, record.phone) == ("1014", "1020")


def test_a_phone_of_nobody_and_other_events_make_no_record() -> None:
    assert tracker().handle(ami(BLIND, TransfererChannel="PJSIP/trunk-00000001"), NOW) == []
    assert tracker().handle(ami({"Event": "UserEvent", "UserEvent": "AgentDeskSticky", "Call": "1.2"}), NOW) == []
    assert tracker().handle(ami({"Event": "Hangup", "Uniqueid": "1795381386.4"}), NOW) == []


def test_a_returned_transfer_names_the_call_target_and_status() -> None:
    assert tracker().handle(ami(RETURNED), NOW) == [Returned("1795381342.3", "1003", "returned:BUSY")]


def test_an_attended_transfer_is_the_held_customer_to_the_consulted_party() -> None:
    record = only(tracker({"1795381383.0": QueueVisit("1795381383.0", "sales")}).handle(ami(ATTENDED), NOW))
    assert (record.kind, record.agent, record.call, record.queue, record.target, record.result) == (
        "attended", "1001", "1795381383.0", "sales", "1003", "accepted")


@pytest.mark.parametrize("queue_call", [True, False], ids=["queue-call", "direct-call"])
def test_an_attended_transfer_referred_on_the_consultation_finds_the_same_customer(queue_call: bool) -> None:
    visits = {"1795381383.0": QueueVisit("1795381383.0@sales", "sales")} if queue_call else {}
    record = only(tracker(visits).handle(ami(swapped(ATTENDED)), NOW))
    assert (record.uniqueid, record.target) == ("1795381383.0", "1003")
    assert record.queue == ("sales" if queue_call else "")


@pytest.mark.parametrize("order", ["consulted-first", "customer-first"])
@pytest.mark.parametrize("queue_call", [True, False], ids=["queue-call", "direct-call"])
def test_a_conference_is_one_record_whose_target_is_the_consulted_party(order: str, queue_call: bool) -> None:
    visits = {"1795381386.4": QueueVisit("1795381386.4", "sales")} if queue_call else {}
    legs = [CONSULTED_LEG, CUSTOMER_LEG] if order == "consulted-first" else [CUSTOMER_LEG, CONSULTED_LEG]
    track = tracker(visits)
    assert track.handle(ami(legs[0]), NOW) == [] and track.waiting
    record = only(track.handle(ami(legs[1]), NOW))
    assert (record.kind, record.agent, record.uniqueid, record.target) == ("conference", "1001", "1795381386.4", "1003")
    assert record.queue == ("sales" if queue_call else "") and not track.waiting


def test_a_conference_leg_without_its_pair_is_recorded_alone_in_time() -> None:
    track = tracker()
    track.handle(ami(CUSTOMER_LEG), NOW)
    assert track.expire(1795381390.12 + CONFERENCE_PAIR_SECONDS - 1) == []
    record = only(track.expire(1795381390.12 + CONFERENCE_PAIR_SECONDS))
    assert (record.kind, record.uniqueid, record.target) == ("conference", "1795381386.4", "")


def test_transfer_rates_count_queue_calls_and_leave_failed_and_direct_ones_out() -> None:
    def made(agent: str, queue: str, result: str = "accepted") -> TransferRecord:
        return TransferRecord(f"{agent}{queue}{result}", NOW, "blind", agent, agent, "1.1", "1.1", queue, "1003",
                              result)

    kpi = transfer_kpi(
        [made("1001", "sales"), made("1001", "support", "returned:BUSY"), made("1001", "sales", "failed"),
         made("1001", ""), made("1002", "sales")],
        {("sales", "1001"): 3, ("support", "1001"): 1, ("sales", "1002"): 2, ("support", "1003"): 5},
    )
    by_agent = {agent: (r.answered, r.transfers, r.returned, r.direct, r.rate) for agent, r in kpi.agents.items()}
    assert by_agent == {"1001": (4, 2, 1, 1, 0.5), "1002": (2, 1, 0, 0, 0.5), "1003": (5, 0, 0, 0, 0.0)}
    by_queue = {queue: (r.answered, r.transfers, r.returned, r.rate) for queue, r in kpi.queues.items()}
    assert by_queue == {"sales": (5, 2, 0, 0.4), "support": (6, 1, 1, 0.1667)}


# -- with the call log and a real store ------------------------------------------------

def call_event(name: str, **fields: str) -> AmiMessage:
    base = {"Event": name, "Uniqueid": "1795381383.0", "Linkedid": "1795381383.0", "Queue": "sales",
            "CallerIDNum": "1010", "MemberName": "1001", "Position": "1", "HoldTime": "0"}
    return ami(base, **fields)


async def replay(store: Store, events: list[AmiMessage]) -> None:
    async def db(work: Callable[[Store], Any]) -> Any:
        return work(store)

    calls = CallLog(db, lambda: NOW, lambda queue: None)
    transfers = TransferLog(db, calls, {"1001": "1001"}.get, lambda: NOW)
    for event in events:
        calls.handle(event)
        transfers.handle(event)
    await calls.drain()
    transfers.stop()
    await calls.stop()


def test_the_call_log_ties_a_transfer_to_the_queue_visit_even_as_the_call_ends() -> None:
    """The caller was in support before (so this visit is "<uniqueid>@sales");
    AgentComplete (reason transfer) comes right after the transfer."""
    with open_store("sqlite:///:memory:") as store:
        asyncio.run(replay(store, [
            call_event("QueueCallerJoin", Queue="support"), call_event("QueueCallerLeave", Queue="support"),
            call_event("QueueCallerJoin"), call_event("AgentConnect"), ami(ATTENDED),
            call_event("AgentComplete", Reason="transfer", TalkTime="1"), call_event("Hangup"), ami(ATTENDED),
        ]))
        [record] = store.calls.transfers(NOW - 86400, NOW)
        assert (record.call, record.queue, record.target) == ("1795381383.0@sales", "sales", "1003")
        assert store.calls.get_call("1795381383.0@sales").outcome == "transferred"  # type: ignore[union-attr]


def test_a_returned_event_changes_the_result_of_the_blind_transfer_it_belongs_to() -> None:
    with open_store("sqlite:///:memory:") as store:
        uniqueid = RETURNED["Call"]
        asyncio.run(replay(store, [ami(BLIND, TransfereeUniqueid=uniqueid, TransfererUniqueid="1795381342.4"),
                                   ami(RETURNED), ami(RETURNED, To="1004")]))
        [record] = store.calls.transfers(NOW - 86400, NOW)
        assert (record.uniqueid, record.result) == (uniqueid, "returned:BUSY")


def test_a_caller_back_in_the_same_queue_gets_a_record_for_each_visit() -> None:
    """Requeued (a transfer nobody took, a lost agent): the second and third
    visits are answered by other agents, and each visit keeps its own record."""
    with open_store("sqlite:///:memory:") as store:
        visit = [call_event("QueueCallerJoin"), call_event("QueueCallerLeave"), call_event("AgentConnect")]
        asyncio.run(replay(store, [
            *visit, call_event("AgentComplete", TalkTime="5"),
            *visit[:2], call_event("AgentConnect", MemberName="1003"), call_event("AgentComplete", TalkTime="7"),
            *visit[:2], call_event("AgentConnect", MemberName="1004"),
        ]))
        uniqueid = "1795381383.0"
        visits = [store.calls.get_call(key) for key in (uniqueid, f"{uniqueid}@sales", f"{uniqueid}@sales#2")]
        assert [(v.agent, v.outcome) for v in visits if v is not None] == [
            ("1001", "completed"), ("1003", "completed"), ("1004", "answered")
        ]
