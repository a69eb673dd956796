"""The monitor stream's coalescing, with a fake clock: changes only mark
rows; the feed sends at once when the floor was idle, holds a burst back to
one update every 100 ms with each changed row once, encodes one update per
distinct scope, sends a whole floor after a resync, and ticks."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from agentdesk.contract.events import FLOOR, FLOOR_UPDATE, TICK
from agentdesk.contract.monitor import (
    FLOOR_READY,
    AgentRow,
    FloorSnapshot,
    FloorUpdate,
    parse_floor,
    parse_floor_update,
)
from agentdesk.server.hub import EventHub, Subscriber
from agentdesk.server.monitor.changes import Dirty, FloorChanges
from agentdesk.server.monitor.feed import THROTTLE_SECONDS, FloorFeed
from agentdesk.server.monitor.floor import Scope

SUPPORT, SALES = frozenset({"support"}), frozenset({"sales"})
WORKS_IN = {"1001": "support", "1002": "sales"}


def row(agent: str) -> AgentRow:
    return AgentRow(agent=agent, name=f"Agent {agent}", phone=agent, queues={WORKS_IN[agent]: True}, penalties={},
                    state=FLOOR_READY, since=0.0)


class FakeFloor:
    """Leads 1901 and 1902 see support, 1903 sees sales; counts what it builds."""

    def __init__(self) -> None:
        self.builds: list[tuple[frozenset[str], Scope]] = []
        self.snapshots = 0
        self.due_counts = 0

    def scope(self, lead: str) -> Scope:
        return SALES if lead == "1903" else SUPPORT

    def snapshot(self, scope: Scope) -> FloorSnapshot:
        self.snapshots += 1
        agents = tuple(row(a) for a, q in WORKS_IN.items() if q in scope)
        return FloorSnapshot(server_time=1.0, pbx_connected=True, agents=agents, queues=(), calls=(), thresholds={},
                             pause_reasons=())

    def update(self, dirty: Dirty, scope: Scope) -> FloorUpdate | None:
        self.builds.append((frozenset(dirty.agents), scope))
        agents = tuple(row(a) for a in sorted(dirty.agents) if WORKS_IN[a] in scope)
        return FloorUpdate(server_time=2.0, happened=dirty.happened, agents=agents) if agents else None

    async def refresh_callbacks_due(self) -> None:
        self.due_counts += 1


class Pbx:
    connected = True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def feed_with(clock: Clock, floor: FakeFloor, changes: FloorChanges) -> FloorFeed:
    return FloorFeed(EventHub(), changes, floor, Pbx(), clock, monotonic=clock, sleep=clock.sleep)


def frames(subscriber: Subscriber) -> list[tuple[str, dict[str, Any]]]:
    """The (event, data) frames queued for a subscriber so far."""
    found = []
    while not subscriber.queue.empty():
        lines = dict(line.split(": ", 1) for line in subscriber.queue.get_nowait().decode().strip().split("\n"))
        found.append((lines["event"], json.loads(lines["data"])))
    return found


def test_the_stream_starts_with_the_floor_the_lead_sees() -> None:
    feed = feed_with(Clock(), FakeFloor(), FloorChanges())
    (name, data), = frames(feed.subscribe("1903", "teamlead", "t"))
    assert name == FLOOR and [a.agent for a in parse_floor(data).agents] == ["1002"]


def test_an_idle_floor_sends_a_change_at_once() -> None:
    clock, changes = Clock(), FloorChanges()
    feed = feed_with(clock, FakeFloor(), changes)
    lead = feed.subscribe("1901", "teamlead", "t")
    frames(lead)
    changes.touch_agent("1001", happened=999.5)
    asyncio.run(feed.step())
    assert clock.slept == []  # leading edge: no wait
    (name, data), = frames(lead)
    update = parse_floor_update(data)
    assert name == FLOOR_UPDATE and [a.agent for a in update.agents] == ["1001"] and update.happened == 999.5


def test_a_hundred_changes_of_one_agent_in_50_ms_are_one_update_with_that_row() -> None:
    clock, changes, floor = Clock(), FloorChanges(), FakeFloor()
    feed = feed_with(clock, floor, changes)
    lead = feed.subscribe("1901", "teamlead", "t")
    changes.touch_agent("1001")
    asyncio.run(feed.step())  # the first change went out at once
    frames(lead)
    floor.builds.clear()

    async def burst() -> None:
        for _ in range(100):
            changes.touch_agent("1001", happened=clock.now)
            clock.now += 0.0005
        await feed.step()
    asyncio.run(burst())
    assert len(clock.slept) == 1 and 0 < clock.slept[0] <= THROTTLE_SECONDS  # held back to the throttle
    assert floor.builds == [(frozenset({"1001"}), SUPPORT)]  # the row built once
    (name, data), = frames(lead)
    assert name == FLOOR_UPDATE and [a.agent for a in parse_floor_update(data).agents] == ["1001"]


def test_one_update_is_built_per_scope_and_each_lead_gets_only_theirs() -> None:
    clock, changes, floor = Clock(), FloorChanges(), FakeFloor()
    feed = feed_with(clock, floor, changes)
    first, second, other = (feed.subscribe(lead, "teamlead", lead) for lead in ("1901", "1902", "1903"))
    for lead in (first, second, other):
        frames(lead)
    changes.touch_agent("1001")
    changes.touch_agent("1002")
    asyncio.run(feed.step())
    assert len(floor.builds) == 2 and {scope for _, scope in floor.builds} == {SUPPORT, SALES}
    support_frames, support_too, sales_frames = frames(first), frames(second), frames(other)
    assert support_frames == support_too
    assert [a["agent"] for a in support_frames[0][1]["agents"]] == ["1001"]
    assert [a["agent"] for a in sales_frames[0][1]["agents"]] == ["1002"]


def test_after_a_resync_each_lead_gets_a_whole_floor() -> None:
    clock, changes, floor = Clock(), FloorChanges(), FakeFloor()
    feed = feed_with(clock, floor, changes)
    lead = feed.subscribe("1901", "teamlead", "t")
    frames(lead)
    changes.touch_agent("1001")
    changes.everything()
    asyncio.run(feed.step())
    assert [name for name, _ in frames(lead)] == [FLOOR] and floor.builds == []


def test_nothing_is_built_while_no_lead_watches() -> None:
    changes, floor = FloorChanges(), FakeFloor()
    feed = feed_with(Clock(), floor, changes)
    changes.touch_agent("1001")
    asyncio.run(feed.step())
    assert floor.builds == [] and not changes.take()


def test_a_lead_who_left_costs_nothing() -> None:
    changes, floor = FloorChanges(), FakeFloor()
    feed = feed_with(Clock(), floor, changes)
    staying, leaving = feed.subscribe("1901", "teamlead", "a"), feed.subscribe("1903", "teamlead", "b")
    feed.unsubscribe(leaving)
    changes.touch_agent("1002")
    asyncio.run(feed.step())
    assert floor.builds == [(frozenset({"1002"}), SUPPORT)]  # no sales update built for nobody
    assert [name for name, _ in frames(staying)] == [FLOOR]


def test_a_tick_says_the_time_and_the_pbx_link() -> None:
    clock = Clock()
    feed = feed_with(clock, FakeFloor(), FloorChanges())
    lead = feed.subscribe("1901", "teamlead", "t")
    frames(lead)
    feed.tick()
    assert frames(lead) == [(TICK, {"server_time": clock.now, "pbx_connected": True})]
