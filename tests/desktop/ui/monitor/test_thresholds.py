"""Amber and red as monitor.ini's (amber, red) pairs mean them: at or above
for most figures, below for the service level, 0 turning a colour off."""

from __future__ import annotations

import pytest

from agentdesk.contract.monitor import T_LONGEST_WAIT, T_SERVICE_LEVEL, Limit
from agentdesk.desktop.ui.monitor.thresholds import AMBER, OK, RED, level, queue_level
from tests.helpers.floor import THRESHOLDS


@pytest.mark.parametrize(("value", "shade"), [(59.9, OK), (60, AMBER), (119, AMBER), (120, RED), (None, OK)])
def test_a_wait_turns_amber_then_red_as_it_grows(value: float | None, shade: str) -> None:
    assert level(T_LONGEST_WAIT, value, Limit(60, 120)) == shade


@pytest.mark.parametrize(("value", "shade"), [(95, OK), (80, OK), (79.9, AMBER), (70, AMBER), (69, RED)])
def test_the_service_level_is_worse_the_lower_it_is(value: float, shade: str) -> None:
    assert level(T_SERVICE_LEVEL, value, Limit(80, 70)) == shade


def test_zero_turns_a_colour_off() -> None:
    assert level(T_LONGEST_WAIT, 500, Limit(0, 0)) == OK
    assert level(T_LONGEST_WAIT, 500, Limit(0, 120)) == RED
    assert level(T_LONGEST_WAIT, 100, Limit(0, 120)) == OK
    assert level(T_SERVICE_LEVEL, 10, Limit(80, 0)) == AMBER


def test_a_queue_without_its_own_thresholds_uses_the_defaults() -> None:
    assert queue_level(THRESHOLDS, "sales", T_LONGEST_WAIT, 130) == RED
    assert queue_level({}, "sales", T_LONGEST_WAIT, 130) == OK
