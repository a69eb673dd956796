"""Where due callback tasks stand among a queue's live callers.

A task keeps the caller's place: the queue's line is live callers and
callback tasks together, ordered by priority (higher first), then arrival
(earlier first). A task is put into the Asterisk queue as a placeholder
call only once it is within the first `slots` places, at the position it
holds in that line, so it reaches an agent exactly when its caller would
have — never ahead of those who came before, never behind those after.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from ..store.records import CallbackTask

# One place in the line, sorted as a tuple: (-priority, arrival, kind, task id,
# index into the due tasks, -1 for those already placed). kind 0 = live caller, 1 = task: at the same instant
# the caller on the line goes first; task ids keep equal tasks in a stable order.
_Place = tuple[int, float, int, str, int]
_CALLER, _TASK = 0, 1


def placeholders_wanted(
    live_callers: Iterable[tuple[int, float]],
    due_tasks: Iterable[CallbackTask],
    in_asterisk: Iterable[tuple[str, tuple[int, float]]],
    slots: int,
) -> list[tuple[CallbackTask, int]]:
    """The due tasks to put into the Asterisk queue now, each with the
    1-based position to join at, in line order.

    `live_callers`: (priority, joined_at) of the callers waiting in the
    queue, placeholders excluded. `due_tasks`: the queue's due tasks.
    `in_asterisk`: (task id, (priority, arrival_at)) of the placeholders
    already in the queue; they hold their places and are not wanted again
    (a due task with such an id counts once). Within the first `slots`
    places every task gets a placeholder, so the position is simply its
    place: the live callers and placeholders ahead of it + 1.
    """
    if slots <= 0:
        return []
    places: list[_Place] = [(-priority, joined_at, _CALLER, "", -1) for priority, joined_at in live_callers]
    present = dict(in_asterisk)
    places += [(-priority, arrival, _TASK, task_id, -1) for task_id, (priority, arrival) in present.items()]
    tasks = [task for task in due_tasks if task.task_id not in present]
    places += [(-task.priority, task.arrival_at, _TASK, task.task_id, i) for i, task in enumerate(tasks)]
    wanted: list[tuple[CallbackTask, int]] = []
    for position, (_, _, kind, _, index) in enumerate(heapq.nsmallest(slots, places), start=1):
        if kind == _TASK and index >= 0:
            wanted.append((tasks[index], position))
    return wanted
