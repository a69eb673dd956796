"""What the agent typed, turned into a SIP address to call.

Accepted: an extension or phone number (digits, optionally a leading +,
with spaces, dashes, dots and brackets as people write them), feature codes
with * and #, or a full sip:/sips: address. Anything else gets a clear
message instead of a call attempt.
"""

from __future__ import annotations

import re

from .model import PhoneError

_SEPARATORS = re.compile(r"[\s\-.()/]")
_DIALABLE = re.compile(r"^\+?[0-9*#]{1,32}$")
_SIP_URI = re.compile(r"^sips?:[^\s<>\"]+@?[^\s<>\"]*$", re.IGNORECASE)
KEYPAD = "0123456789*#"


def normalize_number(text: str) -> str:
    """Digits as the PBX wants them; raises PhoneError if it is no number."""
    compact = _SEPARATORS.sub("", text.strip())
    if not compact:
        raise PhoneError("Type a number, an extension or a SIP address to call.")
    if not _DIALABLE.match(compact):
        raise PhoneError(f"“{text.strip()[:40]}” is not a phone number, an extension or a SIP address.")
    return compact


def target_uri(text: str, server: str, transport: str = "udp") -> str:
    """The SIP URI to call for what the agent typed. Over TLS the URI says
    so: pjsua sends encrypted audio only where the next hop is secure."""
    stripped = text.strip()
    if stripped.lower().startswith(("sip:", "sips:")):
        if not _SIP_URI.match(stripped):
            raise PhoneError(f"“{stripped[:60]}” is not a valid SIP address.")
        return stripped
    number = normalize_number(stripped)
    if not server:
        raise PhoneError("Set up your account before calling.")
    return f"sip:{number}@{server}{uri_params(transport)}"


def uri_params(transport: str) -> str:
    return ";transport=tls" if transport == "tls" else ""


def dtmf_digits(text: str) -> str:
    """Keypad tones only (0-9, *, #, A-D)."""
    digits = "".join(ch for ch in text.upper() if ch in KEYPAD + "ABCD")
    if not digits:
        raise PhoneError("Keypad tones are 0-9, * and #.")
    return digits
