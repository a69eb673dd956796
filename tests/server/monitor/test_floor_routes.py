"""The floor over HTTP on the real desk service (no Asterisk; AMI events
handed to it as Asterisk would send them): a team lead gets the floor and
its stream, an agent gets a 403 with a sentence, a pause reaches the
lead's stream as one changed row, and an agent's desktop reports the
quality of the call in progress, which ends with the call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from agentdesk.contract.events import FLOOR, FLOOR_UPDATE
from agentdesk.contract.monitor import (
    FLOOR_LOGGED_OUT,
    FLOOR_ON_CALL,
    FLOOR_PAUSED,
    FLOOR_READY,
    FLOOR_RINGING,
    INBOUND,
    T_WAITING,
    Limit,
    parse_floor,
    parse_floor_update,
)
from agentdesk.server.ami.protocol import AmiMessage
from tests.helpers.offline import OfflineDesk, run_offline
from tests.server.test_queue_rights import sse

MEMBER = {"Queue": "support", "MemberName": "1001", "Interface": "PJSIP/1001", "Status": "1", "Paused": "0"}


def event(name: str, **fields: str) -> AmiMessage:
    return AmiMessage((("Event", name), *fields.items()))


def call_events() -> list[AmiMessage]:
    """Sara's phone rung by the support queue for 09121110001, answered."""
    leg = {"Channel": "PJSIP/1001-00000007", "Uniqueid": "50.2", "Linkedid": "50.0"}
    caller = {"Channel": "Local/7001@customers-00000003;2", "Uniqueid": "50.1", "Linkedid": "50.0",
              "CallerIDNum": "09121110001", "CallerIDName": "Ada Lovelace", "DestUniqueid": "50.2",
              "Queue": "support", "MemberName": "1001", "Interface": "PJSIP/1001"}
    return [event("Newchannel", **leg, ChannelStateDesc="Down"), event("AgentCalled", **caller),
            event("Newstate", **leg, ChannelStateDesc="Up", Timestamp="1000.5"),
            event("AgentConnect", **caller, HoldTime="3")]


async def floor_of(desk: OfflineDesk, who: dict[str, str]) -> dict[str, Any]:
    async with desk.desk.get("/api/v1/monitor/floor", headers=who) as reply:
        assert reply.status == 200, await reply.text()
        return dict(await reply.json())


def seated(desk: OfflineDesk) -> None:
    desk.load_queues("support", "sales")
    desk.service.board.apply(event("QueueMemberAdded", **MEMBER))


def test_an_agent_is_refused_every_floor_route_with_a_sentence(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        desk.load_queues("support")
        sara = await desk.sign_in("1001")
        for path in ("/api/v1/monitor/floor", "/api/v1/monitor/events"):
            async with desk.desk.get(path, headers=sara) as reply:
                assert reply.status == 403 and (await reply.json())["error"] == "only a team lead may watch the floor"
        body = {"call_id": "abc@host", "level": "poor"}
        async with desk.desk.put("/api/v1/agents/1002/live-quality", json=body, headers=sara) as reply:
            assert reply.status == 403 and "own desktop" in (await reply.json())["error"]

    run_offline(tmp_path, scenario)


def test_a_lead_gets_the_whole_floor_with_the_thresholds(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        seated(desk)
        floor = parse_floor(await floor_of(desk, await desk.sign_in("1901")))
        agents = {a.agent: a for a in floor.agents}
        assert agents["1001"].state == FLOOR_READY and agents["1001"].queues == {"sales": False, "support": True}
        assert agents["1002"].state == FLOOR_LOGGED_OUT and "1901" not in agents  # a lead not seated
        assert [q.name for q in floor.queues] == ["sales", "support"]
        support = next(q for q in floor.queues if q.name == "support")
        assert (support.ready, support.logged_in, support.callbacks_due, support.expected_wait) == (1, 1, 0, None)
        assert floor.thresholds[""].limits[T_WAITING] == Limit(3, 6)
        assert set(floor.thresholds) == {"", "support", "sales"} and not floor.pbx_connected
        assert floor.calls == () and "Lunch" in floor.pause_reasons

    run_offline(tmp_path, scenario)


def test_a_pause_reaches_the_leads_stream_as_that_agents_row(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        seated(desk)
        service = desk.service
        service.spawn(service.floor_feed.run())
        lead = await desk.sign_in("1901")
        async with desk.desk.get("/api/v1/monitor/events", headers=lead) as reply:
            assert reply.status == 200
            stream = sse(reply)
            name, first = await anext(stream)
            assert name == FLOOR and parse_floor(first).agents
            service._on_event(event("QueueMemberPause", **{**MEMBER, "Paused": "1", "PausedReason": "Lunch"}))
            name, data = await asyncio.wait_for(next_floor_update(stream), 2)
        update = parse_floor_update(data)
        (row,) = update.agents
        assert (row.agent, row.state, row.paused_reason) == ("1001", FLOOR_PAUSED, "Lunch")
        assert [(q.name, q.paused, q.ready) for q in update.queues] == [("support", 1, 0)]

    run_offline(tmp_path, scenario)


def test_signing_out_ends_the_leads_monitor_stream(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        seated(desk)
        lead = await desk.sign_in("1901")
        async with desk.desk.get("/api/v1/monitor/events", headers=lead) as reply:
            stream = sse(reply)
            name, _ = await anext(stream)
            assert name == FLOOR
            async with desk.desk.delete("/api/v1/session", headers=lead) as out:
                assert out.status == 200
            rest = [name async for name, _ in stream]  # ends instead of waiting for more
        assert FLOOR not in rest
        async with desk.desk.get("/api/v1/monitor/floor", headers=lead) as reply:
            assert reply.status == 401

    run_offline(tmp_path, scenario)


async def next_floor_update(stream: AsyncIterator[tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, Any]]:
    async for name, data in stream:
        if name == FLOOR_UPDATE:
            return name, data
    raise AssertionError("the stream ended")


def test_live_quality_is_the_agents_own_and_ends_with_the_call(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        seated(desk)
        sara, lead = await desk.sign_in("1001"), await desk.sign_in("1901")
        body = {"call_id": "5b1d-77@10.0.0.5", "level": "poor", "mos": 2.9, "reason": "packet loss 6 %"}
        async with desk.desk.put("/api/v1/agents/1001/live-quality", json=body, headers=sara) as reply:
            assert reply.status == 409 and "not on a call" in (await reply.json())["error"]
        for message in call_events():
            desk.service.live_calls.apply(message)
        for bad in ({**body, "level": "awful"}, {**body, "mos": 9}, {**body, "call_id": "bad id"}):
            async with desk.desk.put("/api/v1/agents/1001/live-quality", json=bad, headers=sara) as reply:
                assert reply.status == 400, bad
        async with desk.desk.put("/api/v1/agents/1001/live-quality", json=body, headers=sara) as reply:
            assert reply.status == 200, await reply.text()
        floor = parse_floor(await floor_of(desk, lead))
        row = next(a for a in floor.agents if a.agent == "1001")
        assert (row.state, row.quality) == (FLOOR_ON_CALL, "poor") and row.call is not None
        (call,) = floor.calls
        assert (call.call, call.queue, call.peer_number, call.peer_name, call.direction, call.since) == (
            "50.2", "support", "09121110001", "Ada Lovelace", INBOUND, 1000.5)
        desk.service.live_calls.apply(event("Hangup", Channel="PJSIP/1001-00000007", Uniqueid="50.2"))
        floor = parse_floor(await floor_of(desk, lead))
        row = next(a for a in floor.agents if a.agent == "1001")
        assert (row.state, row.quality, row.call, floor.calls) == (FLOOR_READY, "", None, ())

    run_offline(tmp_path, scenario)


def test_a_call_ringing_in_is_not_sent_until_answered_and_is_removed_when_it_ends(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        seated(desk)
        service = desk.service
        scope = service.floor.scope("1901")
        ringing, answered = call_events()[:2], call_events()[2:]
        for message in ringing:
            service.live_calls.apply(message)
        update = service.floor.update(service.changes.take(), scope)
        assert update is not None and update.calls == () and update.removed_calls == ()
        assert [a.state for a in update.agents] == [FLOOR_RINGING]
        for message in answered:
            service.live_calls.apply(message)
        update = service.floor.update(service.changes.take(), scope)
        assert update is not None and [c.call for c in update.calls] == ["50.2"]
        service.live_calls.apply(event("Hangup", Channel="PJSIP/1001-00000007", Uniqueid="50.2"))
        update = service.floor.update(service.changes.take(), scope)
        assert update is not None and update.removed_calls == ("50.2",) and update.agents[0].state == FLOOR_READY

    run_offline(tmp_path, scenario)
