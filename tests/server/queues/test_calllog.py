"""The call log and an AgentComplete without the caller's fields (Asterisk
22 leaves them out when the caller's channel is gone before the event is
built, seen in tests/integration/test_wrapup_desk.py): the call still ends
with its talk time, so the agent's call list and the wrap-up see it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from agentdesk.server.ami.protocol import AmiMessage
from agentdesk.server.queues.calllog import CallLog
from agentdesk.server.store import Store, open_store

NOW = 1_795_381_400.0
CALLER = {"Uniqueid": "1795381383.0", "Linkedid": "1795381383.0", "CallerIDNum": "09121110001",
          "Channel": "PJSIP/09121110001-00000001"}


def event(name: str, caller: bool = True, **fields: str) -> AmiMessage:
    base = {"Event": name, "Queue": "support", "MemberName": "1001", "Position": "1", "HoldTime": "2",
            **(CALLER if caller else {"Uniqueid": "", "Channel": ""}), **fields}
    return AmiMessage(tuple(base.items()))


async def replay(store: Store, events: list[AmiMessage]) -> None:
    async def db(work: Callable[[Store], Any]) -> Any:
        return work(store)

    calls = CallLog(db, lambda: NOW, lambda queue: None)
    for item in events:
        calls.handle(item)
    await calls.drain()
    await calls.stop()


def test_a_complete_without_the_caller_ends_the_call_the_agent_was_connected_to() -> None:
    with open_store("sqlite:///:memory:") as store:
        asyncio.run(replay(store, [event("QueueCallerJoin"), event("AgentConnect"),
                                   event("AgentComplete", caller=False, TalkTime="7")]))
        call = store.calls.get_call("1795381383.0")
        assert call is not None and call.outcome == "completed" and call.talk_seconds == 7
        assert store.calls.open_calls() == []


def test_a_complete_with_the_caller_is_used_as_it_is() -> None:
    with open_store("sqlite:///:memory:") as store:
        asyncio.run(replay(store, [event("QueueCallerJoin"), event("AgentConnect"),
                                   event("AgentComplete", TalkTime="9")]))
        call = store.calls.get_call("1795381383.0")
        assert call is not None and call.talk_seconds == 9
