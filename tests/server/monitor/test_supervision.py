"""Supervision sessions (listen, whisper, barge) from the desk service's
side: the state each session takes from AMI's events (a fake AMI that
answers as the bundled Asterisk did in the spike, docs/plans/monitor-mode.md
section 7), who is told, what is audited, and the routes' refusals on the
real desk service without Asterisk. The real calls: tests/pbx/test_supervise_dialplan.py
and tests/integration/test_supervision.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import pytest

from agentdesk.contract import events
from agentdesk.contract.leads import (
    AUDIT_SUPERVISE_END,
    AUDIT_SUPERVISE_FAILED,
    AUDIT_SUPERVISE_MODE,
    AUDIT_SUPERVISE_START,
    AuditEntry,
)
from agentdesk.contract.states import AGENT, TEAMLEAD
from agentdesk.server.ami.client import AmiActionError
from agentdesk.server.ami.protocol import AmiMessage
from agentdesk.server.directory import Person
from agentdesk.server.monitor import supervision as module
from agentdesk.server.monitor.agent_call import AgentCall, originate_fields
from agentdesk.server.monitor.changes import FloorChanges
from agentdesk.server.monitor.supervision import Supervisions
from agentdesk.server.queues.agents import CommandError
from tests.helpers.errorlog import ErrorLog
from tests.helpers.offline import OfflineDesk, run_offline

NOW = 1_800_000_000.0
AGENT_CHANNEL = "PJSIP/1001-0000002a"
AGENT_LEG = "1800000000.42"
SPYER = "Local/1901@supervise-ring-00000001;1"
PEOPLE = {p.agent: p for p in (Person("1001", "Sara Karimi", AGENT), Person("1002", "Dmitri Volkov", AGENT),
                               Person("1901", "Parisa Tehrani", TEAMLEAD), Person("1902", "Viktor Orlov", TEAMLEAD))}


def message(**fields: str) -> AmiMessage:
    return AmiMessage(tuple(fields.items()))


def channel(name: str, uniqueid: str, linkedid: str, state: str = "6", bridge: str = "b-1", app: str = "AppDial",
            data: str = "(Outgoing Line)") -> AmiMessage:
    return message(Event="CoreShowChannel", Channel=name, Uniqueid=uniqueid, Linkedid=linkedid, ChannelState=state,
                   BridgeId=bridge, Application=app, ApplicationData=data)


# A customer in queue support talking with agent 1001 (the caller runs Queue()).
QUEUE_CALL = [
    channel("PJSIP/09121110001-00000029", "1800000000.41", "1800000000.41", app="Queue", data="support,tT,,,300"),
    channel(AGENT_CHANNEL, AGENT_LEG, "1800000000.41", app="AppQueue"),
]


class FakeAmi:
    def __init__(self, channels: list[AmiMessage]) -> None:
        self.channels = channels
        self.actions: list[tuple[str, dict[str, Any]]] = []
        self.refuse: set[str] = set()

    async def action(self, name: str, timeout: float = 5.0, **fields: str | Sequence[str]) -> AmiMessage:
        self.actions.append((name, dict(fields)))
        if name in self.refuse:
            raise AmiActionError(name, message(Response="Error", Message="No such channel"))
        return message(Response="Success")

    async def action_list(self, name: str, timeout: float = 10.0,
                          **fields: str | Sequence[str]) -> list[AmiMessage]:
        assert name == "CoreShowChannels"
        return list(self.channels)

    def sent(self, name: str) -> list[dict[str, Any]]:
        return [fields for action, fields in self.actions if action == name]


class FakeHub:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, Any]]] = []  # (to, event, data)

    def publish(self, name: str, data: Any, agent: str | None = None) -> None:
        self.sent.append((agent or "everyone", name, data))

    def to(self, who: str) -> list[tuple[str, str]]:
        """(mode, state) of each SUPERVISION event `who` got."""
        return [(d["mode"], d["state"]) for to, name, d in self.sent if to == who and name == events.SUPERVISION]


class FakeAudit:
    def __init__(self) -> None:
        self.rows: list[AuditEntry] = []
        self.broken = False

    async def record(self, lead: str, action: str, *, agent: str = "", queue: str = "", call: str = "",
                     session: str = "", detail: dict[str, Any] | None = None, result: str = "ok") -> AuditEntry:
        if self.broken:
            raise OSError("disk full")
        entry = AuditEntry(str(len(self.rows)), NOW, lead, action, agent, queue, call, session, dict(detail or {}),
                           result)
        self.rows.append(entry)
        return entry


class Rig:
    """Supervisions with fakes around it, on a running loop."""

    def __init__(self, channels: list[AmiMessage] | None = None, listen_notice: bool = True) -> None:
        self.ami = FakeAmi(QUEUE_CALL if channels is None else channels)
        self.hub = FakeHub()  # the agents' desk streams
        self.lead_hub = FakeHub()  # the leads' monitor streams
        self.changes = FloorChanges()
        self.audit = FakeAudit()
        self.tasks: list[asyncio.Task[None]] = []
        self.notice_asked: list[str] = []

        def notice(queue: str) -> bool:
            self.notice_asked.append(queue)
            return listen_notice

        self.supervisions = Supervisions(self.ami, PEOPLE, lambda agent: None, self.hub, self.lead_hub,
                                         self.changes, self.audit, self.spawn, lambda: NOW, notice)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self.tasks.append(asyncio.get_running_loop().create_task(work))

    async def settle(self) -> None:
        await asyncio.gather(*self.tasks)

    def event(self, **fields: str) -> None:
        self.supervisions.handle(message(**fields))

    def spy_starts(self, session: str) -> None:
        self.event(Event="ChanSpyStart", SpyerChannel=SPYER,
                   SpyerUniqueid=f"{session}a", SpyeeChannel=AGENT_CHANNEL, SpyeeUniqueid=AGENT_LEG)

    def actions(self) -> list[str]:
        return [row.action for row in self.audit.rows]


def run(scenario: Callable[[Rig], Awaitable[None]], **options: Any) -> Rig:
    rig_made: list[Rig] = []

    async def main() -> None:
        rig = Rig(**options)
        rig_made.append(rig)
        await scenario(rig)
        await rig.settle()

    asyncio.run(main())
    return rig_made[0]


def test_a_listen_rings_the_lead_into_the_agents_exact_leg_and_goes_live_on_chanspystart() -> None:
    async def scenario(rig: Rig) -> None:
        view = await rig.supervisions.start("1901", "1001", "listen")
        assert (view.state, view.mode, view.call, view.agent_name) == ("ringing", "listen", AGENT_LEG, "Sara Karimi")
        originate = rig.ami.sent("Originate")[0]
        assert originate["Channel"] == "Local/1901@supervise-ring/n" and originate["Exten"] == "listen"
        assert (originate["ChannelId"], originate["OtherChannelId"]) == (f"{view.session}a", f"{view.session}b")
        assert originate["Variable"] == [f"SUPERVISE_TARGET={AGENT_CHANNEL}", f"__SUPERVISE_SESSION={view.session}",
                                         "__SUPERVISE_LABEL=Listen: Sara Karimi"]
        rig.event(Event="OriginateResponse", Response="Success", Uniqueid=f"{view.session}a")
        rig.spy_starts(view.session)
        assert rig.supervisions.session_of_agent("1001") == rig.supervisions.sessions()[0]
        assert rig.supervisions.sessions()[0].state == "live"
        dirty = rig.changes.take()
        assert dirty.agents == {"1001"} and dirty.calls == {AGENT_LEG}
        # The lead leaves: the spyer is hung up, the agent's call goes on.
        ended = await rig.supervisions.leave("1901", view.session)
        assert ended.state == "ended" and rig.ami.sent("Hangup") == [{"Channel": SPYER}]
        rig.event(Event="Hangup", Uniqueid=f"{view.session}a")  # its echo changes nothing
        assert rig.supervisions.sessions() == []

    rig = run(scenario)
    assert rig.lead_hub.to("1901") == [("listen", "ringing"), ("listen", "live"), ("listen", "ended")]
    assert rig.hub.to("1001") == rig.lead_hub.to("1901")  # the queue's listen notice is on
    assert rig.hub.to("1901") == [] and rig.lead_hub.to("1001") == []  # each on their own stream
    assert rig.notice_asked[0] == "support"
    assert rig.actions() == [AUDIT_SUPERVISE_START, AUDIT_SUPERVISE_END]
    start = rig.audit.rows[0]
    assert (start.lead, start.agent, start.queue, start.call, start.detail["mode"]) == (
        "1901", "1001", "support", AGENT_LEG, "listen")


def test_an_unannounced_listen_is_told_to_the_agent_only_while_the_lead_can_be_heard() -> None:
    async def scenario(rig: Rig) -> None:
        view = await rig.supervisions.start("1901", "1001", "listen")
        rig.spy_starts(view.session)
        for mode in ("whisper", "barge", "listen"):
            await rig.supervisions.switch("1901", view.session, mode)
        rig.event(Event="ChanSpyStop", SpyerUniqueid=f"{view.session}a")  # the customer hung up (option E)

    rig = run(scenario, listen_notice=False)
    assert [f["Digit"] for f in rig.ami.sent("PlayDTMF")] == ["5", "6", "4"]
    assert all(f["Receive"] == "true" and f["Channel"].endswith(";1") for f in rig.ami.sent("PlayDTMF"))
    assert rig.lead_hub.to("1901") == [("listen", "ringing"), ("listen", "live"), ("whisper", "live"),
                                       ("barge", "live"), ("listen", "live"), ("listen", "ended")]
    # For the agent, the lead came with whisper and left when it turned back to listening.
    assert rig.hub.to("1001") == [("whisper", "live"), ("barge", "live"), ("listen", "ended")]
    assert rig.actions() == [AUDIT_SUPERVISE_START] + [AUDIT_SUPERVISE_MODE] * 3 + [AUDIT_SUPERVISE_END]
    assert [r.detail for r in rig.audit.rows[1:4]] == [
        {"from": "listen", "to": "whisper"}, {"from": "whisper", "to": "barge"}, {"from": "barge", "to": "listen"}]


def test_a_lead_who_declines_fails_the_session_and_it_is_forgotten() -> None:
    async def scenario(rig: Rig) -> None:
        view = await rig.supervisions.start("1901", "1001", "whisper")
        rig.event(Event="OriginateResponse", Response="Failure", Reason="0", Uniqueid=f"{view.session}a")
        assert rig.supervisions.sessions() == []
        await rig.supervisions.start("1901", "1001", "whisper")  # free to try again

    rig = run(scenario)
    assert rig.lead_hub.to("1901")[:2] == [("whisper", "ringing"), ("whisper", "failed")]
    assert rig.actions()[:2] == [AUDIT_SUPERVISE_START, AUDIT_SUPERVISE_FAILED]
    assert rig.audit.rows[1].result == "the lead did not answer"


def test_a_session_nobody_answers_fails_after_the_ring_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "RING_SECONDS", 0.05)

    async def scenario(rig: Rig) -> None:
        view = await rig.supervisions.start("1901", "1001", "barge")
        await asyncio.sleep(0.2)
        assert rig.supervisions.sessions() == []
        assert rig.ami.sent("Hangup") == [{"Channel": f"{view.session}a"}]

    rig = run(scenario)
    assert rig.lead_hub.to("1901") == [("barge", "ringing"), ("barge", "failed")]


def test_the_lead_hanging_up_ends_a_live_session() -> None:
    async def scenario(rig: Rig) -> None:
        view = await rig.supervisions.start("1901", "1001", "listen")
        rig.spy_starts(view.session)
        rig.event(Event="Hangup", Uniqueid=f"{view.session}b", Channel="Local/1901@supervise-ring-00000001;2")
        assert rig.supervisions.sessions() == []

    rig = run(scenario)
    assert rig.lead_hub.to("1901")[-1] == ("listen", "ended")
    assert rig.audit.rows[-1].action == AUDIT_SUPERVISE_END


def test_losing_the_pbx_ends_every_session() -> None:
    async def scenario(rig: Rig) -> None:
        live = await rig.supervisions.start("1901", "1001", "listen")
        rig.spy_starts(live.session)
        rig.ami.channels = [channel("PJSIP/1002-0000002d", "1800000000.45", "1800000000.40")]
        await rig.supervisions.start("1902", "1002", "barge")
        rig.supervisions.pbx_lost()
        assert rig.supervisions.sessions() == []

    rig = run(scenario)
    assert rig.lead_hub.to("1901")[-1] == ("listen", "ended") and rig.lead_hub.to("1902")[-1] == ("barge", "failed")


def refusal(scenario: Callable[[Rig], Awaitable[Any]], **options: Any) -> tuple[int, str]:
    found: list[CommandError] = []

    async def attempt(rig: Rig) -> None:
        try:
            await scenario(rig)
        except CommandError as error:
            found.append(error)

    run(attempt, **options)
    assert found, "no refusal"
    return found[0].status, str(found[0])


def test_an_agent_without_a_talking_leg_is_not_on_a_call() -> None:
    ringing = [channel("PJSIP/1001-0000002b", "1800000000.43", "1800000000.41", state="5", bridge="")]
    held_by_name = [channel("PJSIP/10011-0000002c", "1800000000.44", "1800000000.44")]  # another phone
    for channels in ([], ringing, held_by_name):
        assert refusal(lambda rig: rig.supervisions.start("1901", "1001", "listen"), channels=channels) == (
            404, "Sara Karimi is not on a call")


def test_one_session_per_agent_and_per_lead() -> None:
    async def twice(rig: Rig) -> None:
        await rig.supervisions.start("1901", "1001", "listen")
        await rig.supervisions.start("1902", "1001", "listen")

    assert refusal(twice) == (409, "Sara Karimi is already supervised by Parisa Tehrani")

    async def two_agents(rig: Rig) -> None:
        await rig.supervisions.start("1901", "1001", "listen")
        await rig.supervisions.start("1901", "1002", "listen")

    assert refusal(two_agents) == (409, "you are already on a supervision call; leave it first")


def test_sessions_belong_to_their_lead_and_change_only_once_live() -> None:
    async def other_lead(rig: Rig) -> None:
        view = await rig.supervisions.start("1901", "1001", "listen")
        rig.spy_starts(view.session)
        await rig.supervisions.switch("1902", view.session, "barge")

    assert refusal(other_lead) == (404, "there is no such supervision of yours (it may have ended)")

    async def ringing(rig: Rig) -> None:
        view = await rig.supervisions.start("1901", "1001", "listen")
        await rig.supervisions.switch("1901", view.session, "barge")

    assert refusal(ringing)[0] == 409

    async def bad_mode(rig: Rig) -> None:
        await rig.supervisions.start("1901", "1001", "spy")

    assert refusal(bad_mode) == (400, "the mode must be one of listen, whisper, barge, not 'spy'")


def test_only_team_leads_supervise_and_only_agents_are_supervised() -> None:
    assert refusal(lambda rig: rig.supervisions.start("1002", "1001", "listen"))[0] == 403
    assert refusal(lambda rig: rig.supervisions.start("1901", "1902", "listen")) == (404, "there is no agent '1902'")
    assert refusal(lambda rig: rig.supervisions.start("1901", "1099", "listen")) == (404, "there is no agent '1099'")


def test_a_refused_originate_fails_the_session_with_a_sentence() -> None:
    async def scenario(rig: Rig) -> None:
        rig.ami.refuse.add("Originate")
        await rig.supervisions.start("1901", "1001", "listen")

    status, text = refusal(scenario)
    assert status == 503 and text.startswith("the PBX did not ring your phone")


def test_nothing_is_done_when_the_audit_log_cannot_be_written(error_log: ErrorLog) -> None:
    error_log.allowed = True

    async def scenario(rig: Rig) -> None:
        rig.audit.broken = True
        try:
            await rig.supervisions.start("1901", "1001", "listen")
        finally:
            assert rig.ami.sent("Originate") == [] and rig.supervisions.sessions() == []

    assert refusal(scenario) == (503, "the audit log cannot be written, so nothing was done; see the service's log")
    assert "was not written" in error_log.records[0].getMessage()


# -- the routes, on the real desk service without Asterisk ------------------------------

ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/v1/monitor/supervisions", {"agent": "1001", "mode": "listen"}),
    ("GET", "/api/v1/monitor/supervisions", None),
    ("PUT", "/api/v1/monitor/supervisions/0123456789abcdef", {"mode": "whisper"}),
    ("DELETE", "/api/v1/monitor/supervisions/0123456789abcdef", None),
]


async def call(desk: OfflineDesk, method: str, path: str, who: dict[str, str],
               body: dict[str, Any] | None = None) -> tuple[int, Any]:
    async with desk.desk.request(method, path, json=body, headers=who) as reply:
        return reply.status, await reply.json()


def test_an_agent_gets_403_on_every_supervision_route(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> None:
        sara = await desk.sign_in("1001")
        for method, path, body in ROUTES:
            status, answer = await call(desk, method, path, sara, body)
            assert (status, answer) == (403, {"error": "only team leads can listen to agents' calls"}), (method, path)

    run_offline(tmp_path, scenario)


def test_the_routes_answer_bad_requests_with_a_sentence(tmp_path: Path) -> None:
    post = "/api/v1/monitor/supervisions"
    cases: list[tuple[str, str, dict[str, Any] | None, int, str]] = [
        ("POST", post, {"agent": "1001", "mode": "spy"}, 400, "'mode' must be one of listen, whisper, barge"),
        ("POST", post, {"agent": "1001"}, 400, "'mode' must be one of listen, whisper, barge"),
        ("POST", post, {"agent": "Sara", "mode": "listen"}, 400, "'agent' must be an agent's extension, like \"1001\""),
        ("POST", post, {"agent": 1001, "mode": "listen"}, 400, "'agent' must be an agent's extension, like \"1001\""),
        ("POST", post, {"agent": "1099", "mode": "listen"}, 404, "there is no agent '1099'"),
        ("POST", post, {"agent": "1901", "mode": "listen"}, 400, "you cannot supervise your own call"),
        ("PUT", post + "/0123456789abcdef", {"mode": "barge"}, 404,
         "there is no such supervision of yours (it may have ended)"),
        ("PUT", post + "/0123456789abcdef", {"mode": 5}, 400, "'mode' must be one of listen, whisper, barge"),
        ("DELETE", post + "/0123456789abcdef", None, 404, "there is no such supervision of yours (it may have ended)"),
    ]

    async def scenario(desk: OfflineDesk) -> None:
        lead = await desk.sign_in("1901")
        for method, path, body, status, sentence in cases:
            assert await call(desk, method, path, lead, body) == (status, {"error": sentence}), (method, body)
        # Without Asterisk nobody can be found on a call.
        status, answer = await call(desk, "POST", post, lead, {"agent": "1001", "mode": "listen"})
        assert status == 503 and answer["error"].startswith("the PBX cannot say what Sara Karimi is doing")
        assert await call(desk, "GET", post, lead) == (200, [])

    run_offline(tmp_path, scenario)


def test_a_comma_in_the_agents_name_cannot_add_a_variable_to_the_originate() -> None:
    call = AgentCall("PJSIP/1001-0000002a", "77.2", "support")
    fields = originate_fields("s1", "1901", call, "listen", "Listen: Karimi,SUPERVISE_TARGET=PJSIP/1002", "1001")
    variables = [v for header in fields["Variable"] for v in header.split(",")]  # as Asterisk splits them
    assert [v.split("=", 1)[0] for v in variables] == ["SUPERVISE_TARGET", "__SUPERVISE_SESSION", "__SUPERVISE_LABEL"]
    assert variables[0] == "SUPERVISE_TARGET=PJSIP/1001-0000002a"
