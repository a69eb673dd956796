"""The "callbacks" section of desk-service.json (written by agentdesk/pbxtool from
pbx/queues.ini and pbx/callbacks.ini, or by hand):

    "callbacks": {
      "region": "IR", "allow_international": false,
      "per_number_limit": 3, "per_number_hours": 24,
      "per_client_limit": 10, "per_client_minutes": 60,
      "hours": "08:00-20:00", "days_ahead": 7,
      "same_agent_wait_minutes": 30,
      "web_queues": ["support", "sales"], "web_origins": [],
      "queues": {"support": {"enabled": true, "offer_position": 3, ...}}}

Every knob has a default, so a missing section means "no queue offers
callbacks". A bad value raises ValueError naming the knob
("callbacks.queues.support.max_attempts: ..."), unknown knobs too (a typo
must not silently fall back to a default). Limits of 0 mean "no limit";
an offer threshold of 0 means "not used".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from agentdesk.contract.ids import is_queue_name

_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Za-z]{2,4})?")
_CALLER_ID = re.compile(r"\+?[0-9]{3,20}")
_ORIGIN = re.compile(r"https?://[^/\s]+")
_HOURS = re.compile(r"([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})")


@dataclass(frozen=True)
class QueueCallbackPolicy:
    """How one queue offers, delivers and retries callbacks.

    offer_position / offer_wait_seconds: a waiting caller is offered a
    callback once at this position or expected wait (0 = threshold unused),
    again every offer_every_seconds. A retry waits retry_minutes[n-1] after
    the n-th failed attempt (the last value repeats); a task fails after
    max_attempts attempts or give_up_hours after its first attempt (see
    policy.after_outcome).
    """

    enabled: bool = True
    offer_position: int = 3
    offer_wait_seconds: int = 120
    offer_every_seconds: int = 60
    caller_id: str = ""  # presented to the customer; "" = the trunk's default
    max_attempts: int = 3
    retry_minutes: tuple[float, ...] = (10, 30)
    give_up_hours: float = 48
    missed_min_wait_seconds: int = 20  # 0 = abandoned calls never become tasks
    autodial_seconds: int = 0  # 0 = the agent presses "call now"
    skip_delay_seconds: int = 120
    language: str = "en"

    @property
    def give_up_seconds(self) -> float:
        return self.give_up_hours * 3600


DISABLED = QueueCallbackPolicy(enabled=False)


@dataclass(frozen=True)
class CallbackSettings:
    """Service-wide callback knobs plus one policy per queue.

    `hours` ("08:00-20:00", validated) is when scheduled callbacks may be
    booked, local time, [start, end); `booking_minutes` gives it as minutes
    after midnight.
    """

    region: str = "IR"  # phonenumbers region for numbers given without +
    allow_international: bool = False  # call back numbers of other countries
    per_number_limit: int = 3
    per_number_hours: float = 24
    per_client_limit: int = 10
    per_client_minutes: float = 60
    hours: str = "08:00-20:00"
    days_ahead: int = 7
    same_agent_wait_minutes: float = 30
    web_queues: tuple[str, ...] = ()  # first = the form's default
    web_origins: tuple[str, ...] = ()
    queues: Mapping[str, QueueCallbackPolicy] = field(default_factory=dict)

    def policy(self, queue: str) -> QueueCallbackPolicy:
        """The queue's policy; DISABLED for a queue without callbacks."""
        return self.queues.get(queue, DISABLED)

    def enabled_queues(self) -> tuple[str, ...]:
        return tuple(name for name, policy in self.queues.items() if policy.enabled)

    @property
    def booking_minutes(self) -> tuple[int, int]:
        """`hours` as (start, end) minutes after local midnight."""
        return parse_hours(self.hours)

    @property
    def per_number_seconds(self) -> float:
        return self.per_number_hours * 3600

    @property
    def per_client_seconds(self) -> float:
        return self.per_client_minutes * 60

    @property
    def same_agent_wait_seconds(self) -> float:
        return self.same_agent_wait_minutes * 60


CALLBACK_KNOBS = frozenset(CallbackSettings.__dataclass_fields__)  # the JSON knobs are named as the fields
_QUEUE_KNOBS = frozenset(QueueCallbackPolicy.__dataclass_fields__)


def parse_callback_settings(data: Any) -> CallbackSettings:
    """CallbackSettings from the parsed JSON section (None = all defaults)."""
    if data is None:
        return CallbackSettings()
    section = _mapping(data, "callbacks", CALLBACK_KNOBS)
    queues = _queues(section.get("queues", {}))
    enabled = tuple(name for name, policy in queues.items() if policy.enabled)
    web_queues = _names(section, "web_queues", enabled)
    for name in web_queues:
        if name not in enabled:
            raise ValueError(f"callbacks.web_queues: {name!r} is not a queue with callbacks enabled")
    d = CallbackSettings()
    return CallbackSettings(
        region=_region(section.get("region", d.region)),
        allow_international=_bool(section, "callbacks", "allow_international", d.allow_international),
        per_number_limit=_count(section, "callbacks", "per_number_limit", d.per_number_limit),
        per_number_hours=_number(section, "callbacks", "per_number_hours", d.per_number_hours, positive=True),
        per_client_limit=_count(section, "callbacks", "per_client_limit", d.per_client_limit),
        per_client_minutes=_number(section, "callbacks", "per_client_minutes", d.per_client_minutes, positive=True),
        hours=_hours(section.get("hours", d.hours)),
        days_ahead=_count(section, "callbacks", "days_ahead", d.days_ahead),
        same_agent_wait_minutes=_number(section, "callbacks", "same_agent_wait_minutes", d.same_agent_wait_minutes),
        web_queues=web_queues,
        web_origins=_origins(section.get("web_origins", [])),
        queues=queues,
    )


def _queues(data: Any) -> dict[str, QueueCallbackPolicy]:
    if not isinstance(data, dict):
        raise ValueError("callbacks.queues: must be an object of queue name -> policy")
    queues: dict[str, QueueCallbackPolicy] = {}
    for name, value in data.items():
        if not isinstance(name, str) or not is_queue_name(name):
            raise ValueError(f"callbacks.queues: {name!r} is not a queue name")
        queues[name] = _queue_policy(value, f"callbacks.queues.{name}")
    return queues


def _queue_policy(data: Any, where: str) -> QueueCallbackPolicy:
    knobs = _mapping(data, where, _QUEUE_KNOBS)
    d = DISABLED
    return QueueCallbackPolicy(
        enabled=_bool(knobs, where, "enabled", True),
        offer_position=_count(knobs, where, "offer_position", d.offer_position),
        offer_wait_seconds=_count(knobs, where, "offer_wait_seconds", d.offer_wait_seconds),
        offer_every_seconds=_count(knobs, where, "offer_every_seconds", d.offer_every_seconds, least=1),
        caller_id=_caller_id(knobs.get("caller_id", d.caller_id), where),
        max_attempts=_count(knobs, where, "max_attempts", d.max_attempts, least=1),
        retry_minutes=_retry_minutes(knobs.get("retry_minutes", list(d.retry_minutes)), where),
        give_up_hours=_number(knobs, where, "give_up_hours", d.give_up_hours, positive=True),
        missed_min_wait_seconds=_count(knobs, where, "missed_min_wait_seconds", d.missed_min_wait_seconds),
        autodial_seconds=_count(knobs, where, "autodial_seconds", d.autodial_seconds),
        skip_delay_seconds=_count(knobs, where, "skip_delay_seconds", d.skip_delay_seconds),
        language=_language(knobs.get("language", d.language), where),
    )


def _mapping(data: Any, where: str, known: frozenset[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: must be an object")
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        raise ValueError(f"{where}.{unknown[0]}: unknown setting")
    return data


def _count(data: Mapping[str, Any], where: str, knob: str, default: int, least: int = 0) -> int:
    """A whole number >= least (bool is not a number here, although Python says so)."""
    value = data.get(knob, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{where}.{knob}: must be a whole number >= {least}, not {value!r}")
    return value


def _number(data: Mapping[str, Any], where: str, knob: str, default: float, positive: bool = False) -> float:
    value = data.get(knob, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (positive and value == 0):
        raise ValueError(f"{where}.{knob}: must be a number {'> 0' if positive else '>= 0'}, not {value!r}")
    return float(value)


def _bool(data: Mapping[str, Any], where: str, knob: str, default: bool) -> bool:
    value = data.get(knob, default)
    if not isinstance(value, bool):
        raise ValueError(f"{where}.{knob}: must be true or false, not {value!r}")
    return value


def _region(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f'callbacks.region: {value!r} is not a known phone number region (like "IR")')
    return value.upper()


def parse_hours(hours: str) -> tuple[int, int]:
    """ "HH:MM-HH:MM" -> (start, end) minutes after midnight, start < end;
    the end may be 24:00. ValueError for anything else."""
    match = _HOURS.fullmatch(hours)
    if match is None:
        raise ValueError(f'{hours!r} does not look like "08:00-20:00"')
    start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if start_h > 23 or start_m > 59 or end_m > 59 or end > 24 * 60 or start >= end:
        raise ValueError(f"{hours!r} is not a time range within one day")
    return start, end


def _hours(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f'callbacks.hours: must be text like "08:00-20:00", not {value!r}')
    try:
        parse_hours(value)
    except ValueError as error:
        raise ValueError(f"callbacks.hours: {error}") from None
    return value


def _retry_minutes(value: Any, where: str) -> tuple[float, ...]:
    if (
        not isinstance(value, list)
        or not value
        or any(isinstance(item, bool) or not isinstance(item, int | float) or item < 0 for item in value)
    ):
        raise ValueError(f"{where}.retry_minutes: must be a non-empty list of minutes >= 0, not {value!r}")
    return tuple(float(item) for item in value)


def _caller_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or (value and not _CALLER_ID.fullmatch(value)):
        raise ValueError(f"{where}.caller_id: must be a phone number in digits, not {value!r}")
    return value


def _language(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _LANGUAGE.fullmatch(value):
        raise ValueError(f'{where}.language: must be an Asterisk language code like "en", not {value!r}')
    return value


def _names(data: Mapping[str, Any], knob: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = data.get(knob, list(default))
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"callbacks.{knob}: must be a list of queue names, not {value!r}")
    return tuple(value)


def _origins(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f'callbacks.web_origins: must be a list like ["https://www.example.com"], not {value!r}')
    for item in value:
        if not isinstance(item, str) or not _ORIGIN.fullmatch(item):
            raise ValueError(f"callbacks.web_origins: {item!r} is not an origin like https://www.example.com")
    return tuple(item.lower() for item in value)
