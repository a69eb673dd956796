"""The one rule of how a phone number reads (agentdesk.contract.numbers),
shared by the desk service's callback views and every number on the
desktop: national format for the PBX's own country, international for
others, and anything that is not a known number as it came."""

from __future__ import annotations

import pytest

from agentdesk.contract.numbers import display_number


@pytest.mark.parametrize(("number", "region", "shown"), [
    ("09121234567", "IR", "0912 123 4567"),  # a callback's digits, as the trunk dials them
    ("+989121234567", "IR", "0912 123 4567"),  # the same customer calling in: reads the same
    ("+982155550101", "IR", "021 5555 0101"),
    ("+442071234567", "IR", "+44 20 7123 4567"),  # another country
    ("00442079460000", "IR", "+44 20 7946 0000"),  # dialled abroad from Iran
    ("89161234567", "RU", "8 (916) 123-45-67"),
    ("+79161234567", "RU", "8 (916) 123-45-67"),
    ("+989121234567", "RU", "+98 912 123 4567"),
])
def test_numbers_read_as_people_of_the_region_write_them(number: str, region: str, shown: str) -> None:
    assert display_number(number, region) == shown


@pytest.mark.parametrize(("number", "shown"), [
    ("+982155550101", "+98 21 5555 0101"),
    ("+442071234567", "+44 20 7123 4567"),
    ("09121234567", "09121234567"),  # national digits of which country? nothing says
])
def test_without_a_region_only_plus_numbers_are_grouped(number: str, shown: str) -> None:
    assert display_number(number) == shown


@pytest.mark.parametrize("number", [
    "1004",  # an extension is not a national number
    "110",  # a short code
    "anonymous",
    "+12",  # not a possible number
    "+not-a-number",
    "0912-FLOWERS",
    "",
    "0" * 41,
])
def test_anything_else_reads_as_it_came(number: str) -> None:
    assert display_number(number, "IR") == number
