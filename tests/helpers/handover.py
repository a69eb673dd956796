"""Shared steps of the desktop transfer and conference tests: a customer
(a SIP party) calls the agent's desktop, targets answer; everyone plays
their own tone so the tests can tell who hears whom."""

from __future__ import annotations

from typing import Any

from agentdesk.desktop.phone.model import CallState
from tests.helpers.pbx import SERVER

CUSTOMER_TONE = 1100
TARGET_TONE = 700
HEARD = 0.4  # share of the energy at one tone: clearly that tone
MIXED = 0.15  # one of several voices heard at once (a conference)
ABSENT = 0.05


def customer_call(agent: Any, customer: Any) -> int:
    """The customer calls the agent, the agent answers; both play tones."""
    customer.call(f"sip:{agent.user}@{SERVER}")
    call = agent.wait_state(CallState.RINGING_IN)
    agent.engine.answer(call.call_id)
    agent.wait_call(lambda c: c.call_id == call.call_id and c.state is CallState.ACTIVE and c.has_audio)
    customer.wait_state("CONFIRMED")
    customer.send("tone", freq=CUSTOMER_TONE)
    return int(call.call_id)


def answer_as_target(target: Any) -> None:
    target.wait("incoming", timeout=15)
    target.answer()
    target.wait_state("CONFIRMED")
    target.send("tone", freq=TARGET_TONE)


def consult(agent: Any, customer_id: int, target: Any, number: str) -> int:
    """The agent calls `number` while the customer waits on hold."""
    agent.engine.dial(number)
    answer_as_target(target)
    call = agent.wait_call(lambda c: c.call_id != customer_id and c.state is CallState.ACTIVE and c.has_audio)
    assert call.consult_for == customer_id
    return int(call.call_id)
