"""A computer that changes its address (Wi-Fi to cable, a VPN coming up)
moves its SIP transports, registration and calls to the new one."""

from __future__ import annotations

import pytest

from agentdesk.desktop.phone import core as core_module
from agentdesk.desktop.phone.core import PhoneCore, route_address
from agentdesk.desktop.phone.model import AccountConfig
from tests.helpers.fakes import FakePhoneEvents, FakeStack


def test_the_route_to_the_pbx_names_the_local_address() -> None:
    assert route_address("127.0.0.1:5060") == "127.0.0.1"
    assert route_address("[::1]:5060") in ("::1", "")  # '' where IPv6 is off
    assert route_address("name.invalid") == ""  # unresolvable: unknown, not an error


def test_a_new_local_address_moves_the_phone_once(monkeypatch: pytest.MonkeyPatch) -> None:
    addresses = iter(["192.168.1.20", "192.168.1.20", "10.0.0.7", "10.0.0.7", "", "10.0.0.7"])
    monkeypatch.setattr(core_module, "route_address", lambda server: next(addresses))
    stack = FakeStack()
    core = PhoneCore(FakePhoneEvents(), None, stack)
    core.configure(AccountConfig("pbx.example.com", "1020", "secret", "tls"))
    for _ in range(5):
        core._check_local_address()
    assert stack.actions.count(("ip_change",)) == 1  # Wi-Fi to cable; a moment offline is not a move
