"""AmiClient: its logic against a tiny scripted AMI server (ping timeout,
reconnect and callback ordering, dropped actions), then the whole against
the real bundled Asterisk."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

from agentdesk.server.ami import (
    AmiActionError,
    AmiClient,
    AmiInjectionError,
    AmiMessage,
    AmiNotConnected,
    AmiParser,
    AmiTimeout,
)
from tests.helpers.errorlog import ErrorLog
from tests.helpers.pbx import Pbx

T = TypeVar("T")
SECRET = "fake-secret-7Qx"


def run(coroutine: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
    """Drive one test coroutine (pytest-asyncio is not a dependency)."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


class AmiLog(logging.Handler):
    """Everything logged under "agentdesk.server.ami", for the error and secret checks."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.errors_expected = False

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self, level: int = logging.DEBUG) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= level]


@pytest.fixture
def ami_log(error_log: ErrorLog) -> Iterator[AmiLog]:
    """Fails a test that logged an error it did not expect, or the secret;
    errors a test expects (`errors_expected`) are allowed by tests/conftest.py's check too."""
    handler = AmiLog()
    logger = logging.getLogger("agentdesk.server.ami")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)
    assert not [text for text in handler.texts() if SECRET in text or PbxAmi.secret_in(text)]
    if handler.errors_expected:
        error_log.allowed = True
    else:
        assert not handler.texts(logging.ERROR), "unexpected errors logged"


@dataclass
class Recorder:
    """The client's callbacks, recorded in the order they ran."""

    calls: list[str] = field(default_factory=list)
    events: list[AmiMessage] = field(default_factory=list)
    on_connected_body: Callable[[], Awaitable[None]] | None = None

    def on_event(self, event: AmiMessage) -> None:
        self.events.append(event)
        self.calls.append(f"event {event.name}")

    async def on_connected(self) -> None:
        self.calls.append("connected")
        if self.on_connected_body is not None:
            await self.on_connected_body()
            self.calls.append("resynced")

    def on_disconnected(self, reason: str) -> None:
        self.calls.append(f"disconnected: {reason}")


def block(**headers: str) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode() + b"\r\n"


class FakeSession:
    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.actions: list[AmiMessage] = []
        self.answer_pings = True

    def reply(self, action: AmiMessage, response: str = "Success", **headers: str) -> None:
        self.writer.write(block(Response=response, ActionID=action.action_id, **headers))

    def names(self) -> list[str]:
        return [action.get("Action") for action in self.actions]


class FakeAsterisk:
    """A scripted AMI server on a free loopback port. `script(action,
    session)` answers an action and returns True, or False for the default
    (Login checks SECRET, Ping answers unless told not to, Success else)."""

    def __init__(self, script: Callable[[AmiMessage, FakeSession], bool] | None = None) -> None:
        self.script = script or (lambda action, session: False)
        self.sessions: list[FakeSession] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> FakeAsterisk:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for session in self.sessions:
            session.writer.close()
        await self._server.wait_closed()

    def client(self, recorder: Recorder, secret: str = SECRET, **options: Any) -> AmiClient:
        return AmiClient("127.0.0.1", self.port, "desk", secret, on_event=recorder.on_event,
                         on_connected=recorder.on_connected, on_disconnected=recorder.on_disconnected,
                         **options)  # fmt: skip

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = FakeSession(writer)
        self.sessions.append(session)
        writer.write(b"Asterisk Call Manager/11.0.0\r\n")
        parser = AmiParser()
        try:
            while data := await reader.read(65536):
                for action in parser.feed(data):
                    session.actions.append(action)
                    if not self.script(action, session):
                        self._default(action, session)
        except ConnectionError:
            pass  # the client aborted: what some tests do on purpose
        writer.close()

    @staticmethod
    def _default(action: AmiMessage, session: FakeSession) -> None:
        name = action.get("Action")
        if name == "Login" and action.get("Secret") != SECRET:
            session.reply(action, "Error", Message="Authentication failed")
            session.writer.close()
        elif name == "Login":
            session.reply(action, Message="Authentication accepted")
        elif name != "Ping" or session.answer_pings:
            session.reply(action)


def test_action_returns_the_response_or_raises_the_error(ami_log: AmiLog) -> None:
    def script(action: AmiMessage, session: FakeSession) -> bool:
        if action.get("Action") == "QueueAdd":
            session.reply(action, "Error", Message="Unable to add interface: Already there")
            return True
        return False

    async def scenario() -> None:
        async with FakeAsterisk(script) as pbx:
            client = pbx.client(Recorder())
            await client.start()
            await client.wait_connected(5)
            response = await client.action("QueuePause", Interface="PJSIP/1001", Paused="true")
            assert (response.kind, response.name) == ("response", "Success")
            with pytest.raises(AmiActionError, match="Already there") as error:
                await client.action("QueueAdd", Queue="support", Interface="PJSIP/1001")
            assert error.value.response.get("Message") == "Unable to add interface: Already there"
            sent = pbx.sessions[0].actions[-1]
            assert sent.headers[1:] == (("ActionID", sent.action_id), ("Queue", "support"), ("Interface", "PJSIP/1001"))
            await client.stop()

    run(scenario())


def test_action_ids_are_unique_and_injection_is_refused(ami_log: AmiLog) -> None:
    async def scenario() -> None:
        async with FakeAsterisk() as pbx:
            client = pbx.client(Recorder())
            await client.start()
            await client.wait_connected(5)
            await asyncio.gather(*(client.action("Ping") for _ in range(20)))
            with pytest.raises(AmiInjectionError):
                await client.action("QueueAdd", Queue="support\r\nAction: Originate")
            await client.action("Ping")
            ids = [action.action_id for action in pbx.sessions[0].actions]
            assert len(set(ids)) == len(ids) == 22  # Login, 20 + 1 Ping; nothing of the refused one
            await client.stop()
            assert pbx.sessions[0].names()[-1] == "Logoff"

    run(scenario())


def test_action_list_collects_its_events_and_passes_the_others_on(ami_log: AmiLog) -> None:
    def script(action: AmiMessage, session: FakeSession) -> bool:
        if action.get("Action") != "QueueStatus":
            return False
        own = action.action_id
        session.reply(action, EventList="start", Message="Queue status will follow")
        session.writer.write(block(Event="QueueParams", Queue="support", ActionID=own))
        session.writer.write(block(Event="QueueMemberPause", Queue="support", Interface="PJSIP/1001"))
        session.writer.write(block(Event="QueueEntry", Queue="support", Position="1", ActionID=own))
        session.writer.write(block(Event="OriginateResponse", ActionID="someone-else"))
        session.writer.write(block(Event="QueueStatusComplete", EventList="Complete", ListItems="2", ActionID=own))
        return True

    async def scenario() -> None:
        recorder = Recorder()
        async with FakeAsterisk(script) as pbx:
            client = pbx.client(recorder)
            await client.start()
            await client.wait_connected(5)
            events = await client.action_list("QueueStatus")
            assert [event.name for event in events] == ["QueueParams", "QueueEntry"]
            await wait_until(lambda: len(recorder.events) == 2)
            assert recorder.calls == ["connected", "event QueueMemberPause", "event OriginateResponse"]
            await client.stop()

    run(scenario())


def test_events_arriving_during_on_connected_follow_it_in_order(ami_log: AmiLog) -> None:
    """The service re-syncs in on_connected; what happens meanwhile must
    reach it afterwards, in order, even events sent with the login reply."""

    def script(action: AmiMessage, session: FakeSession) -> bool:
        if action.get("Action") == "Login":
            session.reply(action, Message="Authentication accepted")
            session.writer.write(block(Event="FullyBooted") + block(Event="QueueMemberAdded"))
            return True
        if action.get("Action") == "QueueStatus":
            session.writer.write(block(Event="QueueMemberPause"))
            session.reply(action)
            session.writer.write(block(Event="QueueCallerJoin"))
            return True
        return False

    async def scenario() -> None:
        recorder = Recorder()
        async with FakeAsterisk(script) as pbx:
            client = pbx.client(recorder)

            async def resync() -> None:
                await client.action("QueueStatus")
                await wait_until(lambda: len(pbx.sessions[0].actions) == 2)
                await asyncio.sleep(0.05)  # let QueueCallerJoin arrive while we are still here

            recorder.on_connected_body = resync
            await client.start()
            await wait_until(lambda: len(recorder.events) == 4)
            assert recorder.calls == ["connected", "resynced", "event FullyBooted", "event QueueMemberAdded",
                                      "event QueueMemberPause", "event QueueCallerJoin"]  # fmt: skip
            await client.stop()

    run(scenario())


def test_a_failing_callback_is_logged_and_reading_goes_on(ami_log: AmiLog) -> None:
    def script(action: AmiMessage, session: FakeSession) -> bool:
        if action.get("Action") == "UserEvent":
            session.reply(action)
            session.writer.write(block(Event="UserEvent", UserEvent="boom") + block(Event="UserEvent", UserEvent="ok"))
            return True
        return False

    async def scenario() -> None:
        delivered: list[str] = []

        def on_event(event: AmiMessage) -> None:
            delivered.append(event.get("UserEvent"))
            if event.get("UserEvent") == "boom":
                raise RuntimeError("bug in the service")

        async with FakeAsterisk(script) as pbx:
            client = AmiClient("127.0.0.1", pbx.port, "desk", SECRET, on_event=on_event)
            await client.start()
            await client.wait_connected(5)
            await client.action("UserEvent", UserEvent="boom")
            await wait_until(lambda: delivered == ["boom", "ok"])
            assert client.connected
            await client.stop()

    run(scenario())
    errors = [r for r in ami_log.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["AMI callback for event UserEvent failed"]
    assert errors[0].exc_info is not None
    ami_log.errors_expected = True


def test_an_unanswered_ping_drops_the_connection_and_reconnects(ami_log: AmiLog) -> None:
    async def scenario() -> None:
        recorder = Recorder()
        async with FakeAsterisk() as pbx:
            client = pbx.client(recorder, ping_interval=0.1, ping_timeout=0.3, reconnect_delays=(0.05,))
            await client.start()
            await wait_until(lambda: len(pbx.sessions) == 1)
            pbx.sessions[0].answer_pings = False  # a hung Asterisk: connected, silent
            await wait_until(lambda: len(recorder.calls) == 3)
            assert recorder.calls == ["connected", "disconnected: no answer to Ping within 0.3 s", "connected"]
            assert len(pbx.sessions) == 2
            await client.action("Ping")
            await client.stop()

    run(scenario())
    assert [text for text in ami_log.texts(logging.WARNING) if "lost (no answer to Ping within 0.3 s)" in text]


def test_a_dropped_connection_fails_pending_actions_and_refuses_new_ones(ami_log: AmiLog) -> None:
    def script(action: AmiMessage, session: FakeSession) -> bool:
        if action.get("Action") in ("QueueStatus", "CoreShowChannels"):
            session.writer.transport.abort()  # Asterisk goes away mid-action
            return True
        return False

    async def scenario() -> None:
        recorder = Recorder()
        async with FakeAsterisk(script) as pbx:
            client = pbx.client(recorder, reconnect_delays=(0.3,))
            await client.start()
            await client.wait_connected(5)
            with pytest.raises(AmiNotConnected):
                await client.action("QueueStatus")
            assert not client.connected
            with pytest.raises(AmiNotConnected):
                await client.action("Ping")
            await client.wait_connected(5)
            with pytest.raises(AmiNotConnected):
                await client.action_list("CoreShowChannels")
            await wait_until(lambda: recorder.calls.count("connected") == 3)
            assert recorder.calls[1].startswith("disconnected: ")
            await client.stop()

    run(scenario())


def test_an_action_times_out_and_the_connection_stays(ami_log: AmiLog) -> None:
    async def scenario() -> None:
        async with FakeAsterisk(lambda action, session: action.get("Action") == "Originate") as pbx:
            client = pbx.client(Recorder())
            await client.start()
            await client.wait_connected(5)
            with pytest.raises(AmiTimeout):
                await client.action("Originate", timeout=0.2, Channel="PJSIP/1001")
            with pytest.raises(AmiTimeout):
                await client.action_list("Originate", timeout=0.2)
            assert client.connected
            await client.action("Ping")
            await client.stop()

    run(scenario())


def test_a_rejected_login_logs_one_error_and_retries_slowly(ami_log: AmiLog) -> None:
    async def scenario() -> list[FakeSession]:
        async with FakeAsterisk() as pbx:
            client = pbx.client(Recorder(), secret="wrong-secret", reconnect_delays=(0.01, 0.25))
            await client.start()
            with pytest.raises(AmiTimeout):
                await client.wait_connected(1.0)
            await client.stop()
            return pbx.sessions

    sessions = run(scenario())
    assert 3 <= len(sessions) <= 5  # every 0.25 s, not every 0.01 s
    errors = ami_log.texts(logging.ERROR)
    assert len(errors) == 1
    assert "login as 'desk' on 127.0.0.1" in errors[0] and "rejected (Authentication failed)" in errors[0]
    assert not [text for text in ami_log.texts() if "wrong-secret" in text]
    ami_log.errors_expected = True


def test_wait_connected_times_out_when_nothing_listens(ami_log: AmiLog) -> None:
    async def scenario() -> None:
        async with FakeAsterisk() as pbx:
            port = pbx.port
        client = AmiClient("127.0.0.1", port, "desk", SECRET, on_event=Recorder().on_event)
        await client.start()
        with pytest.raises(AmiTimeout):
            await client.wait_connected(0.5)
        with pytest.raises(AmiNotConnected):
            await client.action("Ping")
        await client.stop()

    run(scenario())
    assert len(ami_log.texts(logging.WARNING)) == 1  # one warning, however many attempts


# The real bundled Asterisk


class PbxAmi:
    """The test PBX's AMI account (desk-service.json), remembered so that
    the log check can look for the real secret too."""

    secrets: set[str] = set()  # noqa: RUF012 - shared on purpose

    def __init__(self, pbx: Pbx) -> None:
        config = json.loads((pbx.home / "state" / "desk-service.json").read_text(encoding="utf-8"))["ami"]
        self.host, self.port = config["host"], int(config["port"])
        self.username, self.secret = config["username"], config["secret"]
        PbxAmi.secrets.add(self.secret)

    @classmethod
    def secret_in(cls, text: str) -> bool:
        return any(secret in text for secret in cls.secrets)

    def client(self, recorder: Recorder, secret: str = "", **options: Any) -> AmiClient:
        return AmiClient(self.host, self.port, self.username, secret or self.secret, on_event=recorder.on_event,
                         on_connected=recorder.on_connected, on_disconnected=recorder.on_disconnected,
                         **options)  # fmt: skip


@pytest.mark.pbx
def test_real_login_and_queue_status(pbx: Pbx, ami_log: AmiLog) -> None:
    async def scenario() -> None:
        client = PbxAmi(pbx).client(Recorder())
        await client.start()
        await client.wait_connected(10)
        params = [e for e in await client.action_list("QueueStatus") if e.name == "QueueParams"]
        assert {event.get("Queue") for event in params} >= {"support", "sales"}
        assert all(event.get("Strategy") for event in params)
        await client.stop()

    run(scenario())


@pytest.mark.pbx
def test_real_queue_add_is_seen_as_an_event(pbx: Pbx, ami_log: AmiLog) -> None:
    async def scenario() -> None:
        recorder = Recorder()
        client = PbxAmi(pbx).client(recorder)
        await client.start()
        await client.wait_connected(10)

        def seen(name: str) -> bool:
            return any(e.name == name and e.get("Interface") == "PJSIP/1019" for e in recorder.events)

        try:
            await client.action("QueueAdd", Queue="support", Interface="PJSIP/1019", MemberName="1019")
            await wait_until(lambda: seen("QueueMemberAdded"))
            added = next(e for e in recorder.events if e.name == "QueueMemberAdded")
            assert (added.get("Queue"), added.get("MemberName"), added.get("Paused")) == ("support", "1019", "0")
            with pytest.raises(AmiActionError, match="Already there"):
                await client.action("QueueAdd", Queue="support", Interface="PJSIP/1019")
        finally:
            await client.action("QueueRemove", Queue="support", Interface="PJSIP/1019")
        await wait_until(lambda: seen("QueueMemberRemoved"))
        await client.stop()

    run(scenario())


@pytest.mark.pbx
def test_real_bad_secret_gives_one_clear_error_and_few_attempts(pbx: Pbx, ami_log: AmiLog) -> None:
    async def scenario() -> None:
        client = PbxAmi(pbx).client(Recorder(), secret="not-the-secret", reconnect_delays=(0.01, 0.5))
        await client.start()
        with pytest.raises(AmiTimeout):
            await client.wait_connected(2.0)
        await client.stop()

    run(scenario())
    errors = ami_log.texts(logging.ERROR)
    assert len(errors) == 1 and "rejected (Authentication failed)" in errors[0], errors
    attempts = [text for text in ami_log.texts() if text.startswith("connecting to AMI")]
    assert 1 <= len(attempts) <= 5  # one per 0.5 s at most (Asterisk also delays its answer)
    ami_log.errors_expected = True


@pytest.mark.pbx
def test_real_restart_reconnects_and_resyncs(pbx: Pbx, ami_log: AmiLog) -> None:
    async def scenario() -> None:
        recorder = Recorder()
        client = PbxAmi(pbx).client(recorder, reconnect_delays=(0.2, 0.5, 1))
        await client.start()
        await client.wait_connected(10)
        try:
            await asyncio.to_thread(pbx.stop)
            await wait_until(lambda: any(call.startswith("disconnected: ") for call in recorder.calls), timeout=10)
            with pytest.raises(AmiNotConnected):
                await client.action("Ping")
            assert recorder.calls[0] == "connected" and recorder.calls[-1].startswith("disconnected: ")
        finally:
            await asyncio.to_thread(pbx.start)
        await client.wait_connected(30)
        await wait_until(lambda: recorder.calls.count("connected") == 2)
        assert (await client.action("Ping")).get("Ping") == "Pong"
        await client.stop()

    run(scenario(), timeout=120)
    assert "AMI connection to" in " ".join(ami_log.texts(logging.WARNING))
