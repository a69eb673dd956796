"""How a phone number reads to a person, the same on both sides: the desk
service's callback views and every number on the desktop.

`region` is the desk service's callback region (callbacks.ini): the
country whose national digits the PBX's trunk dials, so "09121110001"
means an Iranian mobile when it is "IR". Then:

- a number of the region's own country reads in national format, as
  people of that country write it ("0912 111 0001", "8 (916) 123-45-67");
- a number of another country, in international format ("+44 20 7946 0000");
- without a region, a +number reads in international format and national
  digits as they came (nothing says which country they belong to);
- anything else (an extension, 'anonymous', a short code, a number
  libphonenumber does not know) reads exactly as it came.

This is for reading only: the digits dialled, copied and stored stay the
raw ones.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberFormat

MAX_NUMBER_CHARS = 40
_PUNCTUATION = frozenset(" -().+/\u00a0")


def display_number(number: str, region: str = "") -> str:
    """`number` grouped for reading, by the rules above."""
    parsed = _parse(number, region)
    if parsed is None:
        return number
    if region and parsed.country_code == phonenumbers.country_code_for_region(region):
        return str(phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL))
    return str(phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL))


def _parse(number: str, region: str) -> phonenumbers.PhoneNumber | None:
    text = number.strip()
    if not text or len(text) > MAX_NUMBER_CHARS or "+" in text[1:]:
        return None
    if any(not (ch.isdecimal() or ch in _PUNCTUATION) for ch in text):
        return None  # letters would be read as a keypad word ("1-800-FLOWERS")
    international = text.startswith("+")
    if not (international or region):
        return None
    try:
        parsed = phonenumbers.parse(text, None if international else region)
    except phonenumbers.NumberParseException:
        return None
    # A +number only has to be possible (callers' numbers from abroad may be
    # newer than the metadata); national digits must be a real number, so an
    # extension like 1004 is never taken for one.
    known = phonenumbers.is_possible_number(parsed) if international else phonenumbers.is_valid_number(parsed)
    return parsed if known else None
