"""Every phone number the desktop shows goes through `display_number`: the
one rule of agentdesk.contract.numbers ('0912 111 0001' for a number of
the PBX's own country, '+44 20 7946 0000' for another), with the desk
service's region, so a callback's national digits and a queue caller's
+number read alike. Only for reading: what is dialled and copied stays the
raw number.

The region is one for the whole desktop, like the locale dates follow
(QLocale's default): the desk service names it in every snapshot, and
`use_region` is called with it; until then a +number reads in
international format and national digits as they came.
"""

from __future__ import annotations

from agentdesk.contract import numbers


class _Region:
    code = ""


def use_region(region: str) -> bool:
    """The desk service's region ('IR'); True when it changed (what was
    formatted before may read differently now)."""
    region = region.strip().upper()
    changed = region != _Region.code
    _Region.code = region
    return changed


def display_number(number: str) -> str:
    """`number` grouped for reading ('+98 912 111 0001' -> '0912 111 0001' in IR)."""
    return numbers.display_number(number, _Region.code)
