"""Agents who do not answer, on the real desk service without Asterisk
(tests/helpers/offline.py): missed offers in a row pause the agent with the
reason "missed call" after the queue's count (desk-service.json
"queue_pause_after_missed"), an answered call starts the count again, a
colleague's answer is told to the others the caller rang, and the day's
counts are an agent's own to read (a team lead reads everyone's)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from unittest.mock import call, patch

import pytest

from agentdesk.contract import events
from agentdesk.contract.states import MISSED_CALL_REASON
from agentdesk.server.ami.protocol import AmiMessage
from agentdesk.server.config import ConfigError, load_config
from tests.helpers.offline import OfflineDesk, run_offline, write_config


def event(name: str, agent: str, queue: str = "support", uniqueid: str = "1763800000.1") -> AmiMessage:
    return AmiMessage((("Event", name), ("Queue", queue), ("MemberName", agent), ("Uniqueid", uniqueid)))


async def settle(desk: OfflineDesk) -> None:
    """Let the background work of the events (store writes, pauses: one
    SQLite write each, without Asterisk) finish."""
    await asyncio.sleep(0.3)
    await desk.service.db(lambda s: None)  # the store's queue of work is done


def paused_for_missing(desk: OfflineDesk, agent: str) -> bool:
    pause = desk.service.pauses.pause_of(agent)
    return pause is not None and pause.paused and pause.reason == MISSED_CALL_REASON


def test_missed_offers_in_a_row_pause_the_agent_and_an_answer_starts_again(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        missed = desk.service.not_responding
        missed.handle(event("AgentRingNoAnswer", "1001", "sales"))
        await settle(desk)
        assert not paused_for_missing(desk, "1001")  # sales pauses after 2 in a row
        missed.handle(event("AgentConnect", "1001", "sales", "1763800000.2"))  # answered: counting starts again
        missed.handle(event("AgentRingNoAnswer", "1001", "sales", "1763800000.3"))
        await settle(desk)
        assert not paused_for_missing(desk, "1001")
        missed.handle(event("AgentRingNoAnswer", "1001", "sales", "1763800000.3"))
        await settle(desk)
        assert paused_for_missing(desk, "1001")

        missed.handle(event("AgentRingNoAnswer", "1002", "support"))  # support: after 1
        missed.handle(event("AgentRingNoAnswer", "1003", "billing"))  # billing: never
        await settle(desk)
        assert paused_for_missing(desk, "1002")
        assert not paused_for_missing(desk, "1003")

    run_offline(tmp_path, scenario, queue_pause_after_missed={"support": 1, "sales": 2, "billing": 0})


def test_the_days_missed_offers_are_an_agents_own_to_read(tmp_path: Path) -> None:
    async def counts(desk: OfflineDesk, who: dict[str, str], query: str = "") -> tuple[int, object]:
        async with desk.desk.get(f"/api/v1/stats/missed-offers{query}", headers=who) as reply:
            return reply.status, await reply.json()

    async def scenario(desk: OfflineDesk) -> None:
        for agent in ("1001", "1001", "1002"):
            desk.service.not_responding.handle(event("AgentRingNoAnswer", agent))
        await settle(desk)
        sara, dmitri, lead_headers = [await desk.sign_in(a) for a in ("1001", "1002", "1901")]
        day = desk.service.today().isoformat()

        assert await counts(desk, sara) == (200, {"day": day, "agents": {"1001": 2}})
        status, body = await counts(desk, dmitri, "?agent=1001")
        assert status == 403 and "only see their own missed offers" in str(body)
        assert await counts(desk, lead_headers) == (200, {"day": day, "agents": {"1001": 2, "1002": 1}})
        assert await counts(desk, lead_headers, "?agent=1002") == (200, {"day": day, "agents": {"1002": 1}})
        assert (await counts(desk, lead_headers, "?day=yesterday"))[0] == 400

    run_offline(tmp_path, scenario)


def test_those_a_caller_rang_hear_that_a_colleague_answered(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        missed = desk.service.not_responding
        missed.handle(event("AgentCalled", "1001"))
        missed.handle(event("AgentRingNoAnswer", "1001"))
        for agent in ("1002", "1003"):  # rung together (ringall): 1002 answers first
            missed.handle(event("AgentCalled", agent))
        missed.handle(event("AgentCalled", "1001", uniqueid="1763800000.9"))
        with patch.object(desk.service.hub, "publish") as publish:
            missed.handle(event("AgentConnect", "1002"))
            missed.handle(event("AgentConnect", "1001", uniqueid="1763800000.9"))  # it rang nobody else
        await settle(desk)
        taken = {"uniqueid": "1763800000.1", "queue": "support", "agent": "1002", "agent_name": "Dmitri Volkov"}
        assert publish.call_args_list == [call(events.OFFER_TAKEN, taken, agent="1001"),
                                          call(events.OFFER_TAKEN, taken, agent="1003")]

    run_offline(tmp_path, scenario, queue_pause_after_missed={"support": 0})


def test_a_wrong_count_in_the_settings_is_named(tmp_path: Path) -> None:
    for wrong in (-1, "2", True, 101):
        with pytest.raises(ConfigError, match=r"queue_pause_after_missed\.support \(a whole number from 0 to 100\)"):
            load_config(write_config(tmp_path, queue_pause_after_missed={"support": wrong}))
    config = load_config(write_config(tmp_path, queue_pause_after_missed={"support": 0}))
    assert (config.pause_after_missed("support"), config.pause_after_missed("sales")) == (0, 1)


def test_nobody_chooses_the_missed_call_pause_themselves(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        sara = await desk.sign_in("1001")
        body = {"paused": True, "reason": MISSED_CALL_REASON}
        async with desk.desk.put("/api/v1/agents/1001/pause", json=body, headers=sara) as reply:
            assert reply.status == 400 and "is not a pause reason here" in (await reply.json())["error"]
        assert desk.service.pauses.pause_of("1001") is None

    # Even when listed by mistake among the reasons agents pick from.
    run_offline(tmp_path, scenario, pause_reasons=["Lunch", MISSED_CALL_REASON])
