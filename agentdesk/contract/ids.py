"""The identifiers both sides check, each defined once.

Asterisk names a channel by its uniqueid (and a whole call by the linkedid
of its first channel); the desk service names a callback task by 12 hex
digits, and the PBX dials a task's customer at extension cb<task>. Queue
names are what pbx/queues.ini may declare. Extensions are the directory's
(agents, team leads and the demo's customer phones).
"""

from __future__ import annotations

import re

UNIQUEID = re.compile(r"[0-9A-Za-z._-]{1,64}")
TASK_ID = re.compile(r"[0-9a-f]{12}")
CALLBACK_EXTENSION = re.compile(r"cb([0-9a-f]{12})")
CALLBACK_WRAPUP = re.compile(r"cb([0-9a-f]{12})-[0-9A-Za-z._]{1,40}")
QUEUE_NAME = re.compile(r"[a-z][a-z0-9]{1,30}")
EXTENSION = re.compile(r"[0-9]{2,20}")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_uniqueid(text: str) -> bool:
    return UNIQUEID.fullmatch(text) is not None


def is_task_id(text: str) -> bool:
    return TASK_ID.fullmatch(text) is not None


def callback_wrapup_id(task_id: str, channel_uniqueid: str) -> str:
    """The ID of the after-call work of a callback call: its task and the
    agent's channel (a wrap-up is keyed like a queue call's, by one ID)."""
    return f"cb{task_id}-{channel_uniqueid}"


def task_of_wrapup(wrapup_id: str) -> str:
    """The callback task whose call a wrap-up follows, else "" (a queue call's)."""
    found = CALLBACK_WRAPUP.fullmatch(wrapup_id)
    return found.group(1) if found else ""


def is_queue_name(text: str) -> bool:
    return QUEUE_NAME.fullmatch(text) is not None


def is_extension(text: str) -> bool:
    return EXTENSION.fullmatch(text) is not None


def callback_extension(task_id: str) -> str:
    """The extension an agent dials to call a task's customer."""
    return f"cb{task_id}"


def task_of_extension(extension: str) -> str:
    """The task a cb<task> extension calls ('' for any other number)."""
    found = CALLBACK_EXTENSION.fullmatch(extension)
    return found.group(1) if found else ""
