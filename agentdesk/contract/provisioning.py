"""Zero-touch provisioning between the desk service and the desktop.

An administrator (a team lead) makes a one-time enrollment for an agent on
the desk service and hands the agent a link:

    https://desk.example.com:8480/enroll/<code>#ca-sha256=<64 hex digits>

The fragment never leaves the desktop: it is the SHA-256 of the DER form of
the certificate authority the desk service's certificate chains to, so the
desktop can trust a private authority it has never seen. The desktop first
fetches that authority without the code (GET ENROLL_CA_PATH, plain data),
checks its fingerprint against the link, and only then sends the code over
a connection verified against it (POST /enroll/<code>). A link without the
fragment means the desk service has a publicly trusted certificate.

The answer (ENROLLMENT_VERSION) is the desktop's whole configuration:

    {"version": 1, "agent": "1001", "name": "Alice",
     "sip": {"server": "host:port", "transport": "tls", "user": "1001", "secret": "..."},
     "desk_url": "https://desk.example.com:8480", "tls_ca_pem": "-----BEGIN...",
     "settings": {key: value}, "locked": [key, ...]}

`secret` goes straight into the OS keyring and nowhere else. `tls_ca_pem`
is null when there is no private authority (a publicly trusted
certificate). `sip.transport` is one of SIP_TRANSPORTS; when `settings`
holds "transport" it says the same. A code is single use and expires
(DEFAULT_ENROLLMENT_HOURS); the service keeps only its hash. A code that
cannot be redeemed is {"error": "<a sentence>"} with 404 (unknown), 410
(used already, or expired) or 429 (too many unknown codes from this
address). Afterwards the desktop re-reads `settings`/`locked` at start
from GET PROVISIONING_PATH (signed in; the same answer without `secret`),
and again when the desk service sends the PROVISIONING event (an
administrator changed something).

Settings an administrator may provision are PROVISIONABLE, with their kind:
the desk service checks names and kinds, the desktop its own finer checks
(agentdesk/desktop/settings.py declares each setting once; a test keeps
the two in step).
"""

from __future__ import annotations

import re
from typing import Final

ENROLLMENT_VERSION: Final = 1
DEFAULT_ENROLLMENT_HOURS: Final = 24
MAX_ENROLLMENT_HOURS: Final = 24 * 14

ENROLL_PATH: Final = "/enroll/{code}"
ENROLL_CA_PATH: Final = "/enroll/ca.pem"
PROVISIONING_PATH: Final = "/api/v1/provisioning"
# A team lead's: POST {"agents": [...], "hours": 24} or text/csv (a column "agent") ->
# {"enrollments": [{"agent", "name", "link", "expires_at"}]}
ENROLLMENTS_PATH: Final = "/api/v1/enrollments"
# A team lead's: GET/PUT {"settings": {...}, "locked": [...]} for the whole site or one agent.
SITE_SETTINGS_PATH: Final = "/api/v1/provisioning/site"
AGENT_SETTINGS_PATH: Final = "/api/v1/provisioning/agents/{agent}"

# 32 random bytes, URL-safe base64 without padding: 43 characters.
CODE: Final = re.compile(r"[A-Za-z0-9_-]{43}")
FINGERPRINT_FRAGMENT: Final = re.compile(r"ca-sha256=([0-9a-f]{64})")

# The SIP transports a desktop may be given (the "sip" block's "transport").
SIP_TRANSPORTS: Final = ("udp", "tcp", "tls")

PROVISIONABLE: Final[dict[str, type]] = {
    "transport": str,
    "display_name": str,
    "register_seconds": int,
    "auto_answer": bool,
    "tone_zone": str,
    "language": str,
    "layout_direction": str,
    "crm_lookup_url": str,
    "crm_open_url": str,
    "crm_timeout_ms": int,
    "crm_auth_header": str,
    "autostart": bool,
}


def enrollment_link(desk_url: str, code: str, ca_sha256: str | None) -> str:
    """The link an agent opens (or an installer passes to `agentdesk provision`)."""
    link = desk_url.rstrip("/") + ENROLL_PATH.format(code=code)
    return f"{link}#ca-sha256={ca_sha256}" if ca_sha256 else link


def provisioning_problem(settings: object, locked: object) -> str | None:
    """Why a {"settings", "locked"} pair cannot be stored (None when it can)."""
    if not isinstance(settings, dict):
        return "'settings' must be an object of setting names and values"
    if not isinstance(locked, list) or not all(isinstance(k, str) for k in locked):
        return "'locked' must be a list of setting names"
    for key, value in settings.items():
        kind = PROVISIONABLE.get(key)
        if kind is None:
            return f"{key!r} cannot be provisioned; these can: {', '.join(PROVISIONABLE)}"
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"{key} must be {_KIND_WORDS[kind]}"
    for key in locked:
        if key not in PROVISIONABLE:
            return f"{key!r} cannot be locked; these can: {', '.join(PROVISIONABLE)}"
    return None


_KIND_WORDS: Final = {bool: "true or false", int: "a whole number", str: "text"}
