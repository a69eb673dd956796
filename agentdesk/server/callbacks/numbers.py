"""Which numbers we call back, and in which form.

A callback dials out through the company's trunk at the company's cost,
so only a real number is accepted (libphonenumber's metadata: valid for its
country, not premium rate, shared cost, personal (a known fraud route),
UAN, voicemail access or pager). The stored form is what the trunk dials
from the service's region:

- a number of the region's own country: the national digits with the
  trunk prefix, as dialled in that country ("+98 912 111 0001" in IR ->
  "09121110001", "+7 916 123-45-67" in RU -> "89161234567", "(212)
  555-0100" in US -> "12125550100");
- a number of another country: refused unless `allow_international`; then
  the digits as dialled abroad from the region, international prefix
  included ("+44 20 7946 0000" from IR -> "00442079460000", from US ->
  "011442079460000"). Regions without one unique international prefix
  cannot express that in digits, so there it is refused anyway.

"Another country" means another country calling code: from the US a
Canadian number is domestic (dialled "1416..."), as Kazakhstan is from
Russia.
"""

from __future__ import annotations

import functools
import logging

import phonenumbers
from phonenumbers import PhoneNumberType

from agentdesk.contract.numbers import display_number

log = logging.getLogger("agentdesk.server.callbacks")

MAX_INPUT_CHARS = 40
_PUNCTUATION = frozenset(" -().+/\u00a0")
_ACCEPTED_TYPES = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.VOIP,
    }
)


def normalise(number: str, region: str, allow_international: bool = False) -> str | None:
    """The dialable digits of `number` (national or +international input,
    spaces, dashes, dots and parentheses allowed; letters not), or None
    when we would not call it back."""
    parsed = _parse(number, region)
    if parsed is None or not _callable(parsed):
        return None
    domestic = parsed.country_code == phonenumbers.country_code_for_region(region)
    if not (domestic or allow_international):
        return None
    dialled = str(phonenumbers.format_out_of_country_calling_number(parsed, region))
    if dialled.startswith("+"):  # no unique international prefix in this region
        return None
    return "".join(ch for ch in dialled if ch.isdigit())


@functools.lru_cache(maxsize=65536)  # a list of 10,000 tasks formats each number once
def display(number: str, region: str) -> str:
    """A stored number formatted for the agent, as the desktop formats every
    number (agentdesk.contract.numbers)."""
    return display_number(number, region)


def _parse(number: str, region: str) -> phonenumbers.PhoneNumber | None:
    text = number.strip()
    if not text or len(text) > MAX_INPUT_CHARS:
        return None
    if any(not (ch.isdecimal() or ch in _PUNCTUATION) for ch in text) or "+" in text[1:]:
        return None  # letters would be read as a keypad word ("1-800-FLOWERS")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        log.debug("not a phone number (%s)", error)
        return None
    return parsed


def _callable(parsed: phonenumbers.PhoneNumber) -> bool:
    if parsed.extension or not phonenumbers.is_valid_number(parsed):
        return False
    return phonenumbers.number_type(parsed) in _ACCEPTED_TYPES
