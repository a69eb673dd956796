"""The shared stand-ins of the desktop's widget and controller tests (one of
each; a test file does not write its own):

- FakeEngine: the phone engine (agentdesk.desktop.phone.protocol.Phone),
  checking commands as the real one does and recording them; the test plays
  the PBX with `show(call)`.
- FakeDesk: the callback commands of the desk service; every command waits
  for the test to answer (or refuse) it.
- FakeWrapUpDesk: the desk service's side of sending wrap-up records.
- FakeQualityDesk: the desk service's side of sending call quality records.
- FakeStack and FakePhoneEvents: what the phone's call logic (phone/core.py)
  is built with, the SIP stack's commands and the engine's events, for
  testing that logic without pjsua2 or Qt.
- task(), many_tasks(), later(): callback tasks."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from agentdesk.contract.callbacks import CallbackRequest, CallbackTaskDetail, CallbackTaskView
from agentdesk.desktop.link.api import DeskError
from agentdesk.desktop.link.quality_outbox import QualityRecord
from agentdesk.desktop.link.wrapups import WrapUpDraft
from agentdesk.desktop.phone.dialing import dtmf_digits, target_uri
from agentdesk.desktop.phone.model import AccountConfig, AccountSnapshot, CallSnapshot, CallState, PhoneError
from agentdesk.desktop.phone.qualitytrack import QualityReport, QualitySummary, StreamSample

NOW = 1_800_000_000.0  # 2027-01-15 08:00 UTC


def task(task_id: str = "0a1b2c3d4e5f", **fields: Any) -> CallbackTaskView:
    values: dict[str, Any] = {"queue": "support", "number": "09121110001", "name": "Reza Hosseini",
                              "topic": "Invoice question", "origin": "inqueue", "due_at": NOW - 120,
                              "arrival_at": NOW - 900, "created_at": NOW - 900, "attempts": 0, "max_attempts": 3,
                              "updated_at": NOW - 100}
    return CallbackTaskView(task_id, **{**values, **fields})


def many_tasks(count: int, seed: int = 5) -> list[CallbackTaskView]:
    """`count` open tasks over three queues, due from 2 h ago to a day ahead."""
    pick = random.Random(seed)
    names = ["", "Reza Hosseini", "Sara Ahmadi", "Dmitri Volkov", "Olga Smirnova", "Omid Rezaei"]
    topics = ["", "Invoice question", "Refund", "Cannot log in", "Delivery late", "New contract"]
    return [
        CallbackTaskView(
            f"{index:012x}", queue=pick.choice(["support", "sales", "billing"]), number=f"0912{index:07d}",
            name=pick.choice(names), topic=pick.choice(topics), notes=pick.choice(["", "after 10", "prefers email"]),
            origin=pick.choice(["inqueue", "scheduled", "web", "missed"]), priority=pick.choice([0, 0, 0, 10]),
            vip=False, due_at=NOW + pick.uniform(-7200, 86400), arrival_at=NOW - 3600, attempts=pick.randint(0, 2),
            max_attempts=3, created_at=NOW - 3600, updated_at=NOW - 3600)
        for index in range(count)
    ]


@dataclass
class Pending:
    """One command the fake desk received; the test answers it."""

    name: str
    args: tuple[Any, ...]
    done: Callable[..., None]
    failed: Callable[[DeskError], None]

    def succeed(self, *result: Any) -> None:
        self.done(*result)

    def fail(self, message: str, status: int = 0) -> None:
        self.failed(DeskError(message, status))


@dataclass
class FakeDesk:
    """Implements CallbackCommands; every command waits in `sent` for the test."""

    sent: list[Pending] = field(default_factory=list)
    refreshed: int = 0

    def refresh(self) -> None:
        self.refreshed += 1

    def _record(self, name: str, done: Callable[..., None], failed: Callable[[DeskError], None],
                *args: Any) -> None:
        self.sent.append(Pending(name, args, done, failed))

    def claim(self, task_id: str, done: Callable[[CallbackTaskView], None], failed: Any) -> None:
        self._record("claim", done, failed, task_id)

    def release(self, task_id: str, done: Callable[[], None], failed: Any) -> None:
        self._record("release", done, failed, task_id)

    def skip(self, task_id: str, reason: str, done: Callable[[], None], failed: Any) -> None:
        self._record("skip", done, failed, task_id, reason)

    def record_outcome(self, task_id: str, outcome: str, note: str, done: Any, failed: Any) -> None:
        self._record("outcome", done, failed, task_id, outcome, note)

    def reschedule(self, task_id: str, due_at: float, note: str, done: Any, failed: Any) -> None:
        self._record("reschedule", done, failed, task_id, due_at, note)

    def schedule(self, request: CallbackRequest, done: Any, failed: Any) -> None:
        self._record("schedule", done, failed, request)

    def details(self, task_id: str, done: Callable[[CallbackTaskDetail], None], failed: Any) -> None:
        self._record("details", done, failed, task_id)

    def last(self, name: str) -> Pending:
        found = [p for p in self.sent if p.name == name]
        assert found, f"no {name} was sent; sent: {[p.name for p in self.sent]}"
        return found[-1]

    def names(self) -> list[str]:
        return [p.name for p in self.sent]


class FakeEngine(QObject):
    """Implements Phone. Commands are checked like the real engine checks
    them (PhoneError for what cannot be dialled) and recorded in `commands`;
    `refuse_dial` makes dialling fail as an engine without an account does."""

    registrationChanged = Signal(object)
    callChanged = Signal(object)
    incomingCall = Signal(object)
    problem = Signal(str)
    callQuality = Signal(object)
    callQualitySummary = Signal(object)

    def __init__(self, server: str = "pbx.example") -> None:
        super().__init__()
        self.server = server
        self.calls: dict[int, CallSnapshot] = {}
        self.commands: list[tuple[Any, ...]] = []
        self.refuse_dial = ""

    # -- the test plays the PBX ----------------------------------------------------
    def put(self, call: CallSnapshot) -> CallSnapshot:
        """The engine knows `call` now (no signal)."""
        self.calls[call.call_id] = call
        return call

    def show(self, call: CallSnapshot) -> CallSnapshot:
        """`call` changed, as the engine reports it: incomingCall the first
        time it rings in, then callChanged."""
        new = call.call_id not in self.calls
        self.put(call)
        if new and call.state is CallState.RINGING_IN:
            self.incomingCall.emit(call)
        self.callChanged.emit(call)
        return call

    def sent(self, name: str) -> list[tuple[Any, ...]]:
        return [command[1:] for command in self.commands if command[0] == name]

    @property
    def dialled(self) -> list[str]:
        return [str(args[0]) for args in self.sent("dial")]

    @property
    def answered(self) -> list[int]:
        return [int(args[0]) for args in self.sent("answer")]

    # -- Phone -------------------------------------------------------------------------
    def live_calls(self) -> list[CallSnapshot]:
        return [c for c in self.calls.values() if c.is_live]

    def dial(self, text: str) -> None:
        if self.refuse_dial:
            raise PhoneError(self.refuse_dial)
        target_uri(text, self.server)
        self.commands.append(("dial", text))

    def answer(self, call_id: int) -> None:
        self.commands.append(("answer", call_id))

    def reject(self, call_id: int) -> None:
        self.commands.append(("reject", call_id))

    def hangup(self, call_id: int) -> None:
        self.commands.append(("hangup", call_id))

    def hold(self, call_id: int, on: bool) -> None:
        self.commands.append(("hold", call_id, on))

    def mute(self, call_id: int, on: bool) -> None:
        self.commands.append(("mute", call_id, on))

    def switch_to(self, call_id: int) -> None:
        self.commands.append(("switch_to", call_id))

    def transfer(self, call_id: int, text: str) -> None:
        target_uri(text, self.server)
        self.commands.append(("transfer", call_id, text))

    def complete_transfer(self, call_id: int, consult_id: int) -> None:
        self.commands.append(("complete_transfer", call_id, consult_id))

    def conference(self, call_id: int, consult_id: int) -> None:
        self.commands.append(("conference", call_id, consult_id))

    def send_dtmf(self, call_id: int, text: str) -> None:
        self.commands.append(("send_dtmf", call_id, dtmf_digits(text)))


class FakeWrapUpDesk:
    """The desk service receiving wrap-up records: `send` answers each with
    the next scripted reply (an exception or a dict; by default saved), or,
    with `hold`, keeps the answer back in `held` for the test."""

    def __init__(self) -> None:
        self.script: list[Exception | dict[str, Any]] = []
        self.sent: list[WrapUpDraft] = []
        self.held: list[tuple[Callable[[Any], None], Callable[[Exception], None]]] = []
        self.hold = False

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [draft.body() for draft in self.sent]

    def send(self, draft: WrapUpDraft, done: Callable[[Any], None], failed: Callable[[Exception], None]) -> None:
        self.sent.append(draft)
        if self.hold:
            self.held.append((done, failed))
            return
        reply = self.script.pop(0) if self.script else {"saved": True, "first": len(self.sent) == 1,
                                                         "callback_task": "", "wrapup": None}
        if isinstance(reply, Exception):
            failed(reply)
        else:
            done(reply)


class FakeQualityDesk:
    """The desk service receiving call quality records: `send` answers each
    with the next scripted reply (an exception or a dict; by default saved)."""

    def __init__(self) -> None:
        self.script: list[Exception | dict[str, Any]] = []
        self.sent: list[QualityRecord] = []

    def send(self, record: QualityRecord, done: Callable[[Any], None], failed: Callable[[Exception], None]) -> None:
        self.sent.append(record)
        reply = self.script.pop(0) if self.script else {"saved": True, "new": len(self.sent) == 1}
        if isinstance(reply, Exception):
            failed(reply)
        else:
            done(reply)


def later(view: CallbackTaskView, seconds: float = 1.0, **changes: Any) -> CallbackTaskView:
    """The same task as the service would send it after a change."""
    return replace(view, updated_at=view.updated_at + seconds, **changes)


@dataclass
class FakeStack:
    """The SIP stack's commands (phone.stackapi.SipCommands), recorded in
    `actions`; `dial` numbers calls from `next_id` + 1."""

    actions: list[tuple[object, ...]] = field(default_factory=list)
    refuse_transfer_of: set[int] = field(default_factory=set)
    hold_busy: int = 0  # set_hold raises this many times (a re-INVITE under way)
    next_id: int = 0
    readings: dict[int, list[StreamSample]] = field(default_factory=dict)  # stream_stats answers, by call

    @property
    def dialled(self) -> list[object]:
        return [action[1] for action in self.actions if action[0] == "dial"]

    def register(self, config: AccountConfig) -> None:
        self.actions.append(("register", config.user))

    def unregister(self) -> None:
        self.actions.append(("unregister",))

    def reregister(self) -> None:
        self.actions.append(("reregister",))

    def handle_ip_change(self) -> None:
        self.actions.append(("ip_change",))

    def dial(self, uri: str) -> int:
        self.next_id += 1
        self.actions.append(("dial", uri))
        return self.next_id

    def answer(self, call_id: int) -> None:
        self.actions.append(("answer", call_id))

    def reject(self, call_id: int, code: int) -> None:
        self.actions.append(("reject", call_id, code))

    def hangup(self, call_id: int) -> None:
        self.actions.append(("hangup", call_id))

    def transfer(self, call_id: int, uri: str, replacing: int | None = None) -> None:
        if call_id in self.refuse_transfer_of:
            raise PhoneError("transferring the call: Invalid operation")
        self.actions.append(("refer", call_id, uri, replacing))

    def set_hold(self, call_id: int, hold: bool) -> None:
        if self.hold_busy:
            self.hold_busy -= 1
            raise PhoneError("taking the call off hold: Invalid operation")
        self.actions.append(("hold", call_id, hold))

    def send_dtmf(self, call_id: int, digits: str) -> None:
        self.actions.append(("dtmf", call_id, digits))

    def route_audio(self, call_id: int, speaker: bool, microphone: bool) -> None:
        pass  # audio routing is the real stack's, tested with real calls

    def stream_stats(self, call_id: int) -> StreamSample | None:
        """The next of the test's readings of this call, if any."""
        readings = self.readings.get(call_id)
        return readings.pop(0) if readings else None

    def release(self, call_id: int) -> None:
        self.actions.append(("release", call_id))


@dataclass
class FakePhoneEvents:
    """The engine's side of the phone core (phone.coreapi.CoreEvents): what
    the core reported, in order."""

    registrations: list[AccountSnapshot] = field(default_factory=list)
    calls: list[CallSnapshot] = field(default_factory=list)
    incoming_calls: list[CallSnapshot] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    quality_reports: list[QualityReport] = field(default_factory=list)
    quality_summaries: list[QualitySummary] = field(default_factory=list)

    def registration(self, snapshot: AccountSnapshot) -> None:
        self.registrations.append(snapshot)

    def call(self, snapshot: CallSnapshot) -> None:
        self.calls.append(snapshot)

    def incoming(self, snapshot: CallSnapshot) -> None:
        self.incoming_calls.append(snapshot)

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def quality(self, report: QualityReport) -> None:
        self.quality_reports.append(report)

    def quality_summary(self, summary: QualitySummary) -> None:
        self.quality_summaries.append(summary)
