"""The "callbacks" section of desk-service.json: defaults for every knob,
and a bad value is refused with the knob's name."""

from __future__ import annotations

from typing import Any

import pytest

from agentdesk.server.callbacks.settings import (
    DISABLED,
    CallbackSettings,
    QueueCallbackPolicy,
    parse_callback_settings,
    parse_hours,
)

FULL: dict[str, Any] = {
    "region": "RU",
    "allow_international": True,
    "per_number_limit": 5,
    "per_number_hours": 12,
    "per_client_limit": 0,
    "per_client_minutes": 0.5,
    "hours": "09:30-24:00",
    "days_ahead": 0,
    "same_agent_wait_minutes": 15,
    "web_queues": ["sales", "support"],
    "web_origins": ["https://www.Example.com", "http://localhost:8080"],
    "queues": {
        "support": {
            "enabled": True,
            "offer_position": 0,
            "offer_wait_seconds": 300,
            "offer_every_seconds": 90,
            "caller_id": "02191000000",
            "max_attempts": 5,
            "retry_minutes": [5, 15.5, 60],
            "give_up_hours": 72,
            "missed_min_wait_seconds": 0,
            "autodial_seconds": 10,
            "skip_delay_seconds": 30,
            "language": "en_GB",
        },
        "sales": {},
        "billing": {"enabled": False},
    },
}


def with_knob(path: str, value: Any) -> dict[str, Any]:
    """FULL with one knob ("queues.support.max_attempts") replaced."""
    data: dict[str, Any] = {**FULL, "queues": {name: dict(policy) for name, policy in FULL["queues"].items()}}
    *parents, knob = path.split(".")
    target = data
    for parent in parents:
        target = target[parent]
    target[knob] = value
    return data


def test_no_section_means_defaults_and_no_queue_offers_callbacks() -> None:
    empty: dict[str, Any] = {}
    for data in (None, empty):
        settings = parse_callback_settings(data)
        assert settings == CallbackSettings()
        assert settings.region == "IR"
        assert settings.allow_international is False
        assert settings.booking_minutes == (8 * 60, 20 * 60)
        assert settings.enabled_queues() == ()
        assert settings.policy("support") is DISABLED
        assert not settings.policy("support").enabled


def test_every_knob_is_read() -> None:
    settings = parse_callback_settings(FULL)
    assert settings.region == "RU"
    assert settings.allow_international is True
    assert (settings.per_number_limit, settings.per_number_seconds) == (5, 12 * 3600)
    assert (settings.per_client_limit, settings.per_client_seconds) == (0, 30)
    assert settings.hours == "09:30-24:00"
    assert settings.booking_minutes == (9 * 60 + 30, 24 * 60)
    assert settings.days_ahead == 0
    assert settings.same_agent_wait_seconds == 15 * 60
    assert settings.web_queues == ("sales", "support")
    assert settings.web_origins == ("https://www.example.com", "http://localhost:8080")
    assert settings.enabled_queues() == ("support", "sales")
    assert settings.policy("support") == QueueCallbackPolicy(
        enabled=True,
        offer_position=0,
        offer_wait_seconds=300,
        offer_every_seconds=90,
        caller_id="02191000000",
        max_attempts=5,
        retry_minutes=(5, 15.5, 60),
        give_up_hours=72,
        missed_min_wait_seconds=0,
        autodial_seconds=10,
        skip_delay_seconds=30,
        language="en_GB",
    )
    assert settings.policy("support").give_up_seconds == 72 * 3600


def test_a_listed_queue_without_knobs_gets_the_default_policy() -> None:
    settings = parse_callback_settings(FULL)
    assert settings.policy("sales") == QueueCallbackPolicy()
    assert settings.policy("sales").enabled
    assert not settings.policy("billing").enabled
    assert settings.policy("billing").max_attempts == 3


def test_the_web_form_offers_the_enabled_queues_unless_told() -> None:
    data = {"queues": {"support": {}, "billing": {"enabled": False}, "sales": {}}}
    assert parse_callback_settings(data).web_queues == ("support", "sales")


def test_the_region_is_case_insensitive() -> None:
    assert parse_callback_settings({"region": "ir"}).region == "IR"


@pytest.mark.parametrize(
    ("path", "value", "knob"),
    [
        ("region", "XX", "callbacks.region"),
        ("region", 98, "callbacks.region"),
        ("allow_international", "yes", "callbacks.allow_international"),
        ("per_number_limit", -1, "callbacks.per_number_limit"),
        ("per_number_limit", 2.5, "callbacks.per_number_limit"),
        ("per_number_limit", "3", "callbacks.per_number_limit"),
        ("per_number_limit", True, "callbacks.per_number_limit"),
        ("per_number_hours", 0, "callbacks.per_number_hours"),
        ("per_client_minutes", -5, "callbacks.per_client_minutes"),
        ("days_ahead", -1, "callbacks.days_ahead"),
        ("same_agent_wait_minutes", None, "callbacks.same_agent_wait_minutes"),
        ("hours", "8:00-20:00", "callbacks.hours"),
        ("hours", "20:00-08:00", "callbacks.hours"),
        ("hours", "08:00-08:00", "callbacks.hours"),
        ("hours", "08:00-24:01", "callbacks.hours"),
        ("hours", "24:00-24:00", "callbacks.hours"),
        ("hours", "08:60-20:00", "callbacks.hours"),
        ("hours", ["08:00", "20:00"], "callbacks.hours"),
        ("web_queues", ["billing"], "callbacks.web_queues"),
        ("web_queues", ["nowhere"], "callbacks.web_queues"),
        ("web_queues", "support", "callbacks.web_queues"),
        ("web_origins", ["https://example.com/path"], "callbacks.web_origins"),
        ("web_origins", ["example.com"], "callbacks.web_origins"),
        ("queues", [], "callbacks.queues"),
        ("queues.bad name", {}, "callbacks.queues"),
        ("queues.support.enabled", 1, "callbacks.queues.support.enabled"),
        ("queues.support.offer_position", -1, "callbacks.queues.support.offer_position"),
        ("queues.support.offer_every_seconds", 0, "callbacks.queues.support.offer_every_seconds"),
        ("queues.support.caller_id", "021-9100", "callbacks.queues.support.caller_id"),
        ("queues.support.caller_id", 2191000000, "callbacks.queues.support.caller_id"),
        ("queues.support.max_attempts", 0, "callbacks.queues.support.max_attempts"),
        ("queues.support.retry_minutes", [], "callbacks.queues.support.retry_minutes"),
        ("queues.support.retry_minutes", [10, -1], "callbacks.queues.support.retry_minutes"),
        ("queues.support.retry_minutes", 10, "callbacks.queues.support.retry_minutes"),
        ("queues.support.give_up_hours", 0, "callbacks.queues.support.give_up_hours"),
        ("queues.support.missed_min_wait_seconds", -20, "callbacks.queues.support.missed_min_wait_seconds"),
        ("queues.support.autodial_seconds", -1, "callbacks.queues.support.autodial_seconds"),
        ("queues.support.skip_delay_seconds", "120", "callbacks.queues.support.skip_delay_seconds"),
        ("queues.support.language", "en;Dial", "callbacks.queues.support.language"),
        ("queues.sales", "on", "callbacks.queues.sales"),
        ("queues.support.offer_minutes", 3, "callbacks.queues.support.offer_minutes"),
        ("per_numer_limit", 3, "callbacks.per_numer_limit"),
    ],
)
def test_a_bad_value_names_its_knob(path: str, value: Any, knob: str) -> None:
    with pytest.raises(ValueError, match=rf"^{knob.replace('.', '[.]')}\b"):
        parse_callback_settings(with_knob(path, value))


def test_a_section_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^callbacks: must be an object"):
        parse_callback_settings(["support"])


def test_zero_limits_and_thresholds_are_allowed() -> None:
    settings = parse_callback_settings(
        with_knob("queues.support", {"offer_position": 0, "offer_wait_seconds": 0, "retry_minutes": [0]})
    )
    policy = settings.policy("support")
    assert (policy.offer_position, policy.offer_wait_seconds, policy.retry_minutes) == (0, 0, (0.0,))


def test_booking_hours_parse_to_minutes() -> None:
    assert parse_hours("00:00-24:00") == (0, 1440)
    assert parse_hours("07:45-19:15") == (465, 1155)
    with pytest.raises(ValueError, match="does not look like"):
        parse_hours("7:45-19:15")
