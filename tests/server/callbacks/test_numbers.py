"""Which numbers we call back, in the form the trunk dials."""

from __future__ import annotations

import pytest

from agentdesk.server.callbacks.numbers import display, normalise


@pytest.mark.parametrize(
    ("number", "region", "dialled"),
    [
        ("09121110001", "IR", "09121110001"),
        ("0912 111 0001", "IR", "09121110001"),
        ("0912-111-0001", "IR", "09121110001"),
        ("9121110001", "IR", "09121110001"),
        ("+98 912 111 0001", "IR", "09121110001"),
        ("0098 912 111 0001", "IR", "09121110001"),
        ("(021) 9100 0000", "IR", "02191000000"),
        ("  02191000000 ", "IR", "02191000000"),
        ("۰۹۱۲۱۱۱۰۰۰۱", "IR", "09121110001"),  # Persian digits, as a phone keyboard may type them
        ("+7 916 123-45-67", "RU", "89161234567"),
        ("8 (916) 123-45-67", "RU", "89161234567"),
        ("(212) 555-0100", "US", "12125550100"),  # 1 is the North American trunk prefix
        ("+1 212.555.0100", "US", "12125550100"),
        ("+1 800 555 0199", "US", "18005550199"),  # toll free costs us nothing extra
        ("+49 1511 2345678", "DE", "015112345678"),
    ],
)
def test_a_callable_number_becomes_national_digits(number: str, region: str, dialled: str) -> None:
    assert normalise(number, region) == dialled


@pytest.mark.parametrize(
    ("number", "region"),
    [
        ("", "IR"),
        ("   ", "IR"),
        ("anonymous", "IR"),
        ("0912 CALL ME", "IR"),
        ("1-800-FLOWERS", "US"),  # a keypad word, not digits
        ("12", "IR"),
        ("0912111", "IR"),  # too short
        ("091211100011", "IR"),  # too long
        ("0912111000123456789012345678901234567890123", "IR"),
        ("0912+1110001", "IR"),
        ("09121110001;ext=5", "IR"),
        ("+1 212 555 0100 ext. 12", "US"),
        ("00000000000", "IR"),
        ("+1 900 555 0100", "US"),  # premium rate
        ("0900 1234567", "DE"),  # premium rate
        ("0180 5123456", "DE"),  # shared cost
        ("0843 123 4567", "GB"),  # shared cost
        ("070 1234 5678", "GB"),  # personal number, a fraud route
        ("076 0012 3456", "GB"),  # pager
        ("0 800 123456", "DE"),  # not a valid number at all
    ],
)
def test_what_is_not_a_callable_number_is_refused(number: str, region: str) -> None:
    assert normalise(number, region) is None


def test_foreign_numbers_are_refused_unless_allowed() -> None:
    assert normalise("+44 20 7946 0000", "IR") is None
    assert normalise("+44 20 7946 0000", "IR", allow_international=True) == "00442079460000"
    assert normalise("+44 20 7946 0000", "US", allow_international=True) == "011442079460000"
    assert normalise("0098 912 111 0001", "RU") is None


def test_the_same_calling_code_is_domestic() -> None:
    """From the US a Canadian number is a (long-distance) domestic call."""
    assert normalise("+1 416 555 0100", "US") == "14165550100"


def test_a_region_without_one_international_prefix_cannot_call_abroad() -> None:
    """Brazil picks the carrier in the prefix: no digits express "abroad"."""
    assert normalise("+44 20 7946 0000", "BR", allow_international=True) is None


def test_the_agent_sees_the_number_formatted() -> None:
    assert display("09121110001", "IR") == "0912 111 0001"
    assert display("89161234567", "RU") == "8 (916) 123-45-67"
    assert display("00442079460000", "IR") == "+44 20 7946 0000"
    assert display("anonymous", "IR") == "anonymous"
    assert display("", "IR") == ""


def test_the_stored_form_normalises_to_itself() -> None:
    for number, region in (("09121110001", "IR"), ("89161234567", "RU"), ("12125550100", "US")):
        assert normalise(number, region) == number
    assert normalise("00442079460000", "IR", allow_international=True) == "00442079460000"
