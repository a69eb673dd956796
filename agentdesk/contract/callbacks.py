"""Callback tasks on the wire, as frozen plain data: the desk service writes
them with dump_task_view/dump_event_view, the desktop reads them with the
parse_* functions.

Parsing is lenient both ways: extra keys are ignored and missing ones take
a harmless default, so a service a version ahead or behind does not break
the list; only a task without an id (nothing can be done with it) or a
value of an impossible type is refused with ModelError. Times are the
service's epoch seconds (correct local time by the link's clock_offset).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .ids import is_task_id
from .queues import ModelError
from .states import CB_WAITING, OPEN_CALLBACK_STATES

OVERDUE_AFTER_SECONDS = 15 * 60  # a task not called within this of its due time is overdue


@dataclass(frozen=True)
class CallbackTaskView:
    """One callback task. `agent` holds it while offered/claimed ('' otherwise)."""

    task_id: str
    queue: str = ""
    number: str = ""  # dialable digits, national form
    display_number: str = ""  # the number grouped for reading ('' when the service sent none)
    name: str = ""
    topic: str = ""
    notes: str = ""
    origin: str = ""  # states.ORIGIN_*
    state: str = CB_WAITING  # states.CB_*
    priority: int = 0
    vip: bool = False
    arrival_at: float = 0.0
    due_at: float = 0.0
    window_end: float | None = None
    attempts: int = 0
    max_attempts: int = 0
    last_outcome: str = ""
    agent: str = ""
    agent_name: str = ""
    preferred_agent: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0
    closed_at: float | None = None
    autodial_seconds: int = 0

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CALLBACK_STATES

    def is_due(self, now: float) -> bool:
        return self.due_at <= now

    def is_overdue(self, now: float) -> bool:
        """Past its window's end when it has one, else 15 minutes past due."""
        if self.window_end is not None:
            return now > self.window_end
        return now > self.due_at + OVERDUE_AFTER_SECONDS


@dataclass(frozen=True)
class CallbackEventView:
    """One thing that happened to a task (requested, offered, dialled, outcome...)."""

    at: float
    kind: str  # states.EVENT_*
    agent: str = ""
    detail: str = ""
    agent_name: str = ""


@dataclass(frozen=True)
class CallbackTaskDetail:
    task: CallbackTaskView
    events: tuple[CallbackEventView, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CallbackRequest:
    """What an agent fills in to schedule a callback (POST /api/v1/callbacks)."""

    queue: str
    number: str
    name: str = ""
    topic: str = ""
    notes: str = ""
    due_at: float | None = None  # None: as soon as possible
    same_agent: bool = True
    call: str = ""  # the desk's id of the call it was asked for during ('' none)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"queue": self.queue, "number": self.number, "same_agent": self.same_agent}
        for key in ("name", "topic", "notes", "call"):
            if getattr(self, key):
                body[key] = getattr(self, key)
        if self.due_at is not None:
            body["due_at"] = self.due_at
        return body


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _number(data: dict[str, Any], key: str, convert: Callable[[Any], Any], default: Any) -> Any:
    value = data.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ModelError(f"callback task field {key!r} is not a number: {value!r}")
    try:
        return convert(value)
    except ValueError as error:
        raise ModelError(f"callback task field {key!r} is not a number: {value!r}") from error


def _stamp(data: dict[str, Any], key: str) -> float | None:
    value: float | None = _number(data, key, float, None)
    return value


def parse_task_view(data: Any) -> CallbackTaskView:
    """A task_view dict as sent by the service; ModelError if it is unusable."""
    if not isinstance(data, dict):
        raise ModelError(f"a callback task is not an object: {type(data).__name__}")
    task_id = _text(data, "id")
    if not is_task_id(task_id):
        raise ModelError(f"a callback task has no valid id: {task_id[:40]!r}")
    return CallbackTaskView(
        task_id=task_id,
        **{key: _text(data, key) for key in ("queue", "number", "display_number", "name", "topic", "notes",
                                            "origin", "last_outcome", "agent", "agent_name", "preferred_agent")},
        state=_text(data, "state") or CB_WAITING,
        priority=_number(data, "priority", lambda v: int(float(v)), 0),
        vip=bool(data.get("vip", False)),
        arrival_at=_number(data, "arrival_at", float, 0.0),
        due_at=_number(data, "due_at", float, 0.0),
        window_end=_stamp(data, "window_end"),
        attempts=_number(data, "attempts", lambda v: int(float(v)), 0),
        max_attempts=_number(data, "max_attempts", lambda v: int(float(v)), 0),
        created_at=_number(data, "created_at", float, 0.0),
        updated_at=_number(data, "updated_at", float, 0.0),
        closed_at=_stamp(data, "closed_at"),
        autodial_seconds=max(0, _number(data, "autodial_seconds", lambda v: int(float(v)), 0)),
    )


def parse_task_list(data: Any, skipped: Callable[[str], None] | None = None) -> tuple[list[CallbackTaskView], float]:
    """GET /api/v1/callbacks: the tasks and the service's time. A malformed
    task is left out (reported through `skipped`) rather than losing the list."""
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
        raise ModelError("the callback list has no 'tasks'")
    server_time = _number(data, "server_time", float, 0.0)
    tasks = []
    for item in data["tasks"]:
        try:
            tasks.append(parse_task_view(item))
        except ModelError as error:
            if skipped is not None:
                skipped(str(error))
    return tasks, server_time


def parse_task_detail(data: Any) -> CallbackTaskDetail:
    """GET /api/v1/callbacks/{id}: the task and what happened to it."""
    task = parse_task_view(data)
    events: Iterable[Any] = data.get("events") or ()
    if not isinstance(events, list):
        raise ModelError("a callback task's events are not a list")
    return CallbackTaskDetail(task, tuple(_event(event) for event in events if isinstance(event, dict)))


def _event(data: dict[str, Any]) -> CallbackEventView:
    return CallbackEventView(at=_number(data, "at", float, 0.0), kind=_text(data, "kind"),
                             agent=_text(data, "agent"), detail=_text(data, "detail"),
                             agent_name=_text(data, "agent_name"))


# -- writing (the desk service) ------------------------------------------------------------


def dump_task_view(task: CallbackTaskView) -> dict[str, Any]:
    data = {key: getattr(task, key) for key in _TASK_FIELDS}
    data["id"] = task.task_id
    return data


def dump_event_view(event: CallbackEventView) -> dict[str, Any]:
    return {"at": event.at, "kind": event.kind, "agent": event.agent, "agent_name": event.agent_name,
            "detail": event.detail}


_TASK_FIELDS = tuple(name for name in CallbackTaskView.__dataclass_fields__ if name != "task_id")
