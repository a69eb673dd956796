"""Sign-in by challenge and answer (agentdesk/contract/signin.py): the
agent's secret never travels, an answer opens one session only, a nonce
is good for its agent ID, its client and its 30 seconds, a malformed or
outdated request gets a 400 with a sentence, failures are rate limited,
and what a session may do still depends on the role. The real service
without Asterisk (tests/helpers/offline.py), and its sessions on a clock
the test moves."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from agentdesk.contract.signin import signin_key, signin_proof
from agentdesk.server.attempts import MAX_FAILURES
from agentdesk.server.auth import Sessions
from agentdesk.server.challenges import MAX_OPEN_PER_CLIENT, SignInChallenges
from agentdesk.server.people import People
from agentdesk.server.queues.agents import CommandError
from agentdesk.server.store import TokenRecord
from tests.helpers.offline import REPO, OfflineDesk, run_offline, write_config


async def post(desk: OfflineDesk, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    async with desk.desk.post(path, json=body) as reply:
        return reply.status, await reply.json()


def sentence(reply: dict[str, Any]) -> str:
    text = reply.get("error", "")
    assert isinstance(text, str) and len(text.split()) >= 5, reply
    return text


def test_an_answered_challenge_signs_in_and_the_secret_is_never_sent(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        status, challenge = await post(desk, "/api/v1/session/challenge", {"agent": "1001"})
        assert status == 200 and challenge["expires_in"] == 30 and len(challenge["nonce"]) >= 32
        body = await desk.answer("1001", nonce=challenge["nonce"])
        assert "demo-1001" not in json.dumps(body)
        status, session = await post(desk, "/api/v1/session", body)
        assert status == 200 and session["agent"] == "1001" and session["role"] == "agent"
        async with desk.desk.get("/api/v1/snapshot", headers={"Authorization": f"Bearer {session['token']}"}) as r:
            assert r.status == 200 and (await r.json())["me"]["agent"] == "1001"

    run_offline(tmp_path, scenario)


def test_a_captured_answer_cannot_be_replayed(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        captured = await desk.answer("1001")
        assert (await post(desk, "/api/v1/session", captured))[0] == 200
        status, reply = await post(desk, "/api/v1/session", captured)
        assert status == 401 and "answered already" in sentence(reply)
        # Nor does the old answer fit a fresh nonce: it was made for the old one.
        fresh = await desk.answer("1001")
        status, reply = await post(desk, "/api/v1/session", {**fresh, "proof": captured["proof"]})
        assert status == 401 and "wrong agent ID or secret" in sentence(reply)

    run_offline(tmp_path, scenario)


def test_wrong_secret_wrong_agent_and_made_up_nonces_are_refused(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        status, reply = await post(desk, "/api/v1/session", await desk.answer("1001", secret="guess"))
        assert status == 401 and "wrong agent ID or secret" in sentence(reply)
        # 1002's own answer, to a nonce issued for 1001.
        issued_for_1001 = (await desk.answer("1001"))["nonce"]
        status, reply = await post(desk, "/api/v1/session", await desk.answer("1002", nonce=issued_for_1001))
        assert status == 401 and "another agent ID" in sentence(reply)
        status, reply = await post(desk, "/api/v1/session", await desk.answer("1001", nonce="x" * 32))
        assert status == 401 and "unknown" in sentence(reply)
        # An agent ID nobody has gets a challenge like anyone (it tells nothing) and fails like a wrong secret.
        status, reply = await post(desk, "/api/v1/session", await desk.answer("4444", secret="demo-4444"))
        assert status == 401 and "wrong agent ID or secret" in sentence(reply)

    run_offline(tmp_path, scenario)


@pytest.mark.parametrize(("body", "named"), [
    ({"agent": "1001", "password": "demo-1001"}, "no longer takes a password"),
    ({"agent": "1001", "nonce": "n" * 32}, "'proof'"),
    ({"agent": "1001", "proof": "0" * 64}, "'nonce'"),
    ({"agent": "1001", "nonce": "n" * 32, "proof": "0" * 63}, "64 lower-case hexadecimal"),
    ({"agent": "1001", "nonce": "n" * 32, "proof": "A" * 64}, "64 lower-case hexadecimal"),
    ({"agent": "1001", "nonce": "not a nonce!", "proof": "0" * 64}, "'nonce' must be"),
    ({"nonce": "n" * 32, "proof": "0" * 64}, "'agent'"),
])
def test_a_malformed_sign_in_gets_a_400_that_says_what_is_wrong(
    tmp_path: Path, body: dict[str, str], named: str
) -> None:
    async def scenario(desk: OfflineDesk) -> tuple[int, dict[str, Any]]:
        return await post(desk, "/api/v1/session", body)

    status, reply = run_offline(tmp_path, scenario)
    assert status == 400 and named in sentence(reply)


def test_failed_sign_ins_are_limited_per_agent_and_address(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        for _ in range(MAX_FAILURES):
            assert (await post(desk, "/api/v1/session", await desk.answer("1001", secret="guess")))[0] == 401
        status, reply = await post(desk, "/api/v1/session/challenge", {"agent": "1001"})
        assert status == 429 and "wait a minute" in sentence(reply)
        # Another agent from the same address is not locked out.
        assert (await post(desk, "/api/v1/session", await desk.answer("1002")))[0] == 200

    run_offline(tmp_path, scenario)


def test_an_agent_still_may_not_act_as_a_team_lead(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        agent = await desk.sign_in("1001")
        async with desk.desk.put("/api/v1/vips/09121234567", json={"note": "n"}, headers=agent) as reply:
            assert reply.status == 403 and "team leads" in sentence(await reply.json())
        body = {"paused": True, "reason": "Lunch"}
        async with desk.desk.put("/api/v1/agents/1002/pause", json=body, headers=agent) as reply:
            assert reply.status == 403 and "their own state" in sentence(await reply.json())
        lead = await desk.sign_in("1901")
        async with desk.desk.put("/api/v1/vips/09121234567", json={"note": "n"}, headers=lead) as reply:
            assert reply.status == 200

    run_offline(tmp_path, scenario)


# -- the sessions themselves, on a clock the test moves ------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class TokenShelf:
    """What Sessions stores through `db`: the tokens."""

    def __init__(self) -> None:
        self.saved: list[TokenRecord] = []

    def save_token(self, record: TokenRecord) -> None:
        self.saved.append(record)


class FakeStore:
    def __init__(self) -> None:
        self.agents = TokenShelf()


def sessions_at(folder: Path, clock: Clock) -> Sessions:
    write_config(folder)  # writes the demo secrets beside it
    people = People(REPO / "pbx" / "directory.csv", folder / "secrets.json")
    store = FakeStore()

    async def db(work: Any) -> Any:
        return work(store)

    return Sessions(people, SignInChallenges(clock), db, clock, 3600)


def answer(nonce: str, agent: str = "1001", secret: str = "demo-1001") -> str:
    return signin_proof(signin_key(secret), nonce, agent)


def refusal(sessions: Sessions, agent: str, nonce: str, proof: str, client: str) -> CommandError:
    with pytest.raises(CommandError) as refused:
        asyncio.run(sessions.login(agent, nonce, proof, client))
    return refused.value


def test_an_old_nonce_is_refused_and_forgotten(tmp_path: Path) -> None:
    clock = Clock()
    challenges = SignInChallenges(clock)
    sessions = sessions_at(tmp_path, clock)
    nonce = sessions.challenge("1001", "10.0.0.5").nonce
    clock.now += 31
    error = refusal(sessions, "1001", nonce, answer(nonce), "10.0.0.5")
    assert error.status == 401 and "expired" in str(error)
    # Unanswered nonces do not pile up: the next one issued sweeps them out.
    for _ in range(3):
        challenges.issue("1001", "10.0.0.6")
    clock.now += 31
    challenges.issue("1001", "10.0.0.6")
    assert challenges.open_count == 1


def test_a_nonce_answers_only_from_the_address_it_was_issued_to(tmp_path: Path) -> None:
    sessions = sessions_at(tmp_path, Clock())
    nonce = sessions.challenge("1001", "10.0.0.5").nonce
    error = refusal(sessions, "1001", nonce, answer(nonce), "10.0.0.99")
    assert error.status == 401 and "another address" in str(error)
    # ...and it was used up by that attempt: its own client cannot answer it now.
    assert "answered already" in str(refusal(sessions, "1001", nonce, answer(nonce), "10.0.0.5"))
    fresh = sessions.challenge("1001", "10.0.0.5").nonce
    token, session = asyncio.run(sessions.login("1001", fresh, answer(fresh), "10.0.0.5"))
    assert token and session.person.agent == "1001"


def test_asking_without_answering_cannot_fill_the_memory(tmp_path: Path) -> None:
    clock = Clock()
    challenges = SignInChallenges(clock)
    for _ in range(MAX_OPEN_PER_CLIENT):
        challenges.issue("1001", "10.0.0.5")
    with pytest.raises(CommandError) as refused:
        challenges.issue("1001", "10.0.0.5")
    assert refused.value.status == 429
    challenges.issue("1001", "10.0.0.6")  # another address is not held up
    clock.now += 31
    challenges.issue("1001", "10.0.0.5")  # the old ones expired
