"""A one-time set-up link, as an agent pastes it or an installer passes it:

    https://desk.example.com:8480/enroll/<code>#ca-sha256=<64 hex digits>

checked before anything is sent, so a mistyped or truncated link is said
in a sentence instead of spending a round trip (pure: no I/O). The code is
a secret until it is used: it is never part of a message or a repr.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from agentdesk.contract.provisioning import CODE, ENROLL_CA_PATH, ENROLL_PATH, FINGERPRINT_FRAGMENT
from agentdesk.contract.signin import is_loopback_host

EXAMPLE = "https://desk.example.com:8480/enroll/…#ca-sha256=…"
_ENROLL_TAIL = re.compile(r"(?P<prefix>.*)" + re.escape(ENROLL_PATH.format(code="")) + r"(?P<code>[^/]*)/?")


class ProvisioningError(Exception):
    """Setting up from a link, or re-reading the provisioned settings,
    failed; the message is for the agent or IT to read."""


@dataclass(frozen=True)
class EnrollmentLink:
    """The desk service's address, the one-time code and the fingerprint
    (SHA-256 of the DER form, lower-case hex) of the authority the service's
    certificate chains to; None: its certificate is publicly trusted."""

    base_url: str  # scheme://host[:port][/prefix], without a trailing /
    address: str  # host:port as the link names it, for messages
    code: str = field(repr=False)
    ca_sha256: str | None

    @property
    def enroll_url(self) -> str:
        return self.base_url + ENROLL_PATH.format(code=self.code)

    @property
    def authority_url(self) -> str:
        return self.base_url + ENROLL_CA_PATH


def parse_link(text: str) -> EnrollmentLink:
    """The link in `text`, or ProvisioningError saying what is wrong with it."""
    text = text.strip()
    if not text:
        raise ProvisioningError(f"Paste the whole set-up link, e.g. {EXAMPLE}")
    parts = urlsplit(text)
    _check_scheme(parts)
    address = _address(parts)
    match = _ENROLL_TAIL.fullmatch(parts.path)
    if match is None:
        raise ProvisioningError(f"This is not a set-up link: its address must end in /enroll/ and a code, "
                                f"e.g. {EXAMPLE}")
    code = match.group("code")
    if not CODE.fullmatch(code):
        raise ProvisioningError("The set-up link's code is incomplete or damaged: copy the whole link again.")
    base = f"{parts.scheme}://{parts.netloc}{match.group('prefix')}".rstrip("/")
    return EnrollmentLink(base, address, code, _fingerprint(parts.fragment))


def _check_scheme(parts: SplitResult) -> None:
    if parts.scheme == "https":
        return
    if parts.scheme == "http":
        if is_loopback_host(parts.hostname or ""):
            return  # a desk service on this very computer (tests, a one-machine demo)
        raise ProvisioningError("A set-up link must start with https:// (plain http only reaches a desk "
                                "service on this computer): ask for the link again.")
    raise ProvisioningError(f"This is not a set-up link: it must start with https://, e.g. {EXAMPLE}")


def _address(parts: SplitResult) -> str:
    if parts.username is not None or parts.password is not None:
        raise ProvisioningError("A set-up link holds no user name or password: ask for the link again.")
    try:
        port = parts.port
    except ValueError:
        raise ProvisioningError("The set-up link's port is not a number: copy the whole link again.") from None
    host = parts.hostname
    if not host:
        raise ProvisioningError(f"The set-up link names no desk service, e.g. {EXAMPLE}")
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port else shown


def _fingerprint(fragment: str) -> str | None:
    if not fragment:
        return None
    match = FINGERPRINT_FRAGMENT.fullmatch(fragment.lower())
    if match is None:
        raise ProvisioningError("The set-up link's ca-sha256 part is incomplete or damaged: copy the whole link "
                                "again.")
    return match.group(1)
