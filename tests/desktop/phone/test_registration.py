"""The registration state machine, fed the SIP results pjsua2 reports."""

from __future__ import annotations

from agentdesk.desktop.phone.model import AccountConfig, RegState
from agentdesk.desktop.phone.registration import Registration

CONFIG = AccountConfig("pbx:5060", "1001", "secret")


def registered() -> Registration:
    registration = Registration()
    registration.configured(CONFIG)
    registration.registration_result(200, "OK", 120, True)
    return registration


def test_success_then_a_refusal_is_a_failure_in_words() -> None:
    registration = Registration()
    assert registration.configured(CONFIG).state is RegState.REGISTERING
    assert registration.registration_result(200, "OK", 120, True).state is RegState.REGISTERED
    failed = registration.registration_result(401, "Unauthorized", 0, False)
    assert failed.state is RegState.FAILED and "password for 1001" in failed.reason
    assert not registration.should_ping()  # no retries after a refusal


def test_no_answer_is_unreachable_and_a_ping_answer_reregisters() -> None:
    registration = registered()
    assert registration.should_ping()
    assert registration.ping_timed_out().state is RegState.UNREACHABLE
    snapshot, reregister = registration.ping_result(408)
    assert snapshot.state is RegState.UNREACHABLE and not reregister
    snapshot, reregister = registration.ping_result(200)
    assert snapshot.state is RegState.REGISTERING and reregister


def test_transport_errors_and_server_errors_are_unreachable() -> None:
    for code in (408, 503, 500, 0):
        assert registered().registration_result(code, "x", 0, False).state is RegState.UNREACHABLE


def test_any_answer_from_the_pbx_means_it_is_alive() -> None:
    registration = registered()
    registration.ping_timed_out()
    assert registration.ping_result(401)[1]  # challenged: alive


def test_no_account_is_offline_and_not_probed() -> None:
    registration = registered()
    assert registration.configured(None).state is RegState.OFFLINE
    assert registration.registration_result(200, "OK", 0, False).state is RegState.OFFLINE
    assert not registration.should_ping()
