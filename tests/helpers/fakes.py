"""Stand-ins for the callback UI tests: a desk that records each command
and lets the test answer it (or refuse it) when it chooses, a phone that
records what it was asked, and a generator of tasks."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from agentdesk.contract.callbacks import CallbackRequest, CallbackTaskDetail, CallbackTaskView
from agentdesk.desktop.link.api import DeskError
from agentdesk.desktop.phone.model import CallSnapshot, CallState, PhoneError

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


@dataclass
class FakePhone:
    calls: list[CallSnapshot] = field(default_factory=list)
    dialled: list[str] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)
    refuse_dial: str = ""

    def dial(self, text: str) -> None:
        if self.refuse_dial:
            raise PhoneError(self.refuse_dial)
        self.dialled.append(text)

    def answer(self, call_id: int) -> None:
        self.answered.append(call_id)

    def live_calls(self) -> list[CallSnapshot]:
        return [c for c in self.calls if c.state is not CallState.ENDED]


def later(view: CallbackTaskView, seconds: float = 1.0, **changes: Any) -> CallbackTaskView:
    """The same task as the service would send it after a change."""
    return replace(view, updated_at=view.updated_at + seconds, **changes)
