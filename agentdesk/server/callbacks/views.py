"""The JSON of callback tasks: the task and its events as the contract's
views (agentdesk/contract/callbacks.py), and the statistics (read over the
REST API only):

stats: {"day", "requested", "attempted", "reached", "failed", "open", "success_rate",
        "avg_seconds_to_first_attempt", "avg_seconds_to_reached"}
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from agentdesk.contract.callbacks import CallbackEventView, CallbackTaskView, dump_event_view, dump_task_view
from agentdesk.contract.states import TEAMLEAD

from ..store.records import CallbackEvent, CallbackStats, CallbackTask
from .numbers import display

VIP_PRIORITY = 10


def may_see_task(task: CallbackTask, agent: str, role: str, queues: Container[str]) -> bool:
    """Who may read a task (its number, topic, notes), wherever it goes: the
    REST API, the event stream, the dialplan's cb<task>. Team leads all; an
    agent the tasks of the queues they are logged into (`queues`), and the
    tasks they hold or that prefer them."""
    if role == TEAMLEAD or agent in (task.agent, task.preferred_agent):
        return True
    return task.queue in queues


def task_view(task: CallbackTask, names: dict[str, str], region: str, autodial_seconds: int = 0) -> dict[str, Any]:
    return dump_task_view(CallbackTaskView(
        task_id=task.task_id, queue=task.queue, number=task.number, display_number=display(task.number, region),
        name=task.name, topic=task.topic, notes=task.notes, origin=task.origin, state=task.state,
        priority=task.priority, vip=task.priority >= VIP_PRIORITY, arrival_at=task.arrival_at, due_at=task.due_at,
        window_end=task.window_end, attempts=task.attempts, max_attempts=task.max_attempts,
        last_outcome=task.last_outcome, agent=task.agent, agent_name=names.get(task.agent, ""),
        preferred_agent=task.preferred_agent, created_at=task.created_at, updated_at=task.updated_at,
        closed_at=task.closed_at, autodial_seconds=autodial_seconds,
    ))


def event_view(event: CallbackEvent, names: dict[str, str]) -> dict[str, Any]:
    return dump_event_view(CallbackEventView(event.at, event.kind, event.agent, event.detail,
                                             names.get(event.agent, "")))


def stats_view(day: str, stats: CallbackStats) -> dict[str, Any]:
    return {
        "day": day,
        "requested": stats.requested,
        "attempted": stats.attempted,
        "reached": stats.reached,
        "failed": stats.failed,
        "open": stats.open,
        "success_rate": stats.success_rate,
        "avg_seconds_to_first_attempt": stats.avg_seconds_to_first_attempt,
        "avg_seconds_to_reached": stats.avg_seconds_to_reached,
    }
