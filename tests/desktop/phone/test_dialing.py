from __future__ import annotations

import pytest

from agentdesk.desktop.phone.dialing import dtmf_digits, normalize_number, target_uri
from agentdesk.desktop.phone.model import PhoneError


@pytest.mark.parametrize(
    ("typed", "number"),
    [("1002", "1002"), (" +98 (21) 5555-0101 ", "+982155550101"), ("*43", "*43"), ("600#", "600#"),
     ("8.800.555.35.35", "88005553535")],
)
def test_numbers_as_people_write_them(typed: str, number: str) -> None:
    assert normalize_number(typed) == number


@pytest.mark.parametrize("typed", ["", "   ", "call mom", "12ab", "+", "1" * 40, "1; drop"])
def test_what_is_not_a_number_gets_a_clear_message(typed: str) -> None:
    with pytest.raises(PhoneError) as raised:
        normalize_number(typed)
    assert "number" in str(raised.value)


def test_targets() -> None:
    assert target_uri("1002", "pbx.example.com:5060") == "sip:1002@pbx.example.com:5060"
    assert target_uri("sip:alice@example.com", "pbx") == "sip:alice@example.com"
    with pytest.raises(PhoneError, match="valid SIP address"):
        target_uri("sip:<script>", "pbx")
    with pytest.raises(PhoneError, match="Set up your account"):
        target_uri("1002", "")


def test_keypad_tones() -> None:
    assert dtmf_digits("12*#a") == "12*#A"
    with pytest.raises(PhoneError):
        dtmf_digits("xyz")


def test_the_phone_listens_on_loopback_only_for_a_local_pbx() -> None:
    from agentdesk.desktop.phone.engine import bind_address_for, binding_for
    from agentdesk.desktop.phone.model import Binding

    assert bind_address_for("127.0.0.1:5060") == "127.0.0.1"
    assert bind_address_for("localhost") == "127.0.0.1"
    assert bind_address_for("127.0.0.2") == "127.0.0.1"
    assert bind_address_for("pbx.example.com:5060") == "0.0.0.0"
    assert bind_address_for("10.0.0.5") == "0.0.0.0"
    assert binding_for("10.0.0.5", "udp") == Binding("0.0.0.0", "0.0.0.0")
    assert binding_for("10.0.0.5", "tcp") == Binding("0.0.0.0", "127.0.0.1")  # UDP only for its own wake-ups
