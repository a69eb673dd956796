"""Plain data the phone engine hands to the rest of the application.

Snapshots are frozen: a receiver can keep one, compare it with the next, and
never sees it change under its feet. Nothing here knows about pjsua2.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace


class PhoneError(Exception):
    """A phone operation failed; the message is fit for the user."""


class RegState(enum.Enum):
    """Registration of the agent's account, as the user should understand it."""

    OFFLINE = "offline"  # no account configured, or unregistered on purpose
    REGISTERING = "registering"
    REGISTERED = "registered"
    FAILED = "failed"  # the PBX refused (wrong password, unknown user); no retry
    UNREACHABLE = "unreachable"  # no answer from the PBX; retried automatically


class CallState(enum.Enum):
    DIALING = "dialing"  # outgoing, no answer from the far end yet
    RINGING_OUT = "ringing_out"  # outgoing, the far end is ringing
    RINGING_IN = "ringing_in"  # incoming, waiting for the agent
    CONNECTING = "connecting"  # answered, media being set up
    ACTIVE = "active"
    ENDED = "ended"


class TransferState(enum.Enum):
    NONE = "none"
    REQUESTED = "requested"  # REFER sent, the PBX has not said how it went yet
    DONE = "done"  # the PBX took the call over; our leg is hung up
    FAILED = "failed"  # refused (e.g. 404 no such number): the call stays with the agent


class Direction(enum.Enum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


@dataclass(frozen=True)
class AccountSnapshot:
    state: RegState
    user: str = ""
    server: str = ""
    status_code: int = 0
    reason: str = ""
    expires: int = 0
    retry_in: int = 0  # seconds until the next automatic attempt, 0 if none


@dataclass(frozen=True)
class CallSnapshot:
    """One call as the agent sees it. `call_id` is the engine's own id,
    stable for the life of the call and never reused in a session."""

    call_id: int
    direction: Direction
    state: CallState
    remote_number: str
    remote_name: str = ""
    remote_uri: str = ""
    queue: str = ""  # the PBX queue this call came from, if any
    queue_call: str = ""  # the desk service's id of that queue call (caller's uniqueid)
    callback_task: str = ""  # a callback task's id: the PBX offers it (header) or the agent dialled cb<task>
    autodial_seconds: int = 0  # an offered callback is called by itself after this long (0: never)
    supervision: str = ""  # a team lead's supervision session ringing their own phone ('' none)
    held: bool = False  # put on hold by the agent
    remote_held: bool = False  # the far end put us on hold
    muted: bool = False
    has_audio: bool = False
    started_at: float = 0.0  # wall clock, seconds
    connected_at: float = 0.0  # wall clock; 0 until answered
    status_code: int = 0
    reason: str = ""
    sip_call_id: str = ""
    transfer_target: str = ""  # the number the agent transferred this call to
    transfer_state: TransferState = TransferState.NONE
    consult_for: int = 0  # dialled while call `consult_for` (a caller) waits on hold: a consultation
    conference: bool = False  # the agent's own leg into a conference room on the PBX

    def with_changes(self, **changes: object) -> CallSnapshot:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def party_name(self) -> str:
        """Who the call is with, as far as the call itself says."""
        return self.remote_name or self.remote_number

    @property
    def is_live(self) -> bool:
        return self.state is not CallState.ENDED

    @property
    def was_answered(self) -> bool:
        return self.connected_at > 0


@dataclass(frozen=True)
class Binding:
    """Where the SIP stack listens: `address` for SIP over TCP (and UDP when
    the account uses UDP), `udp` for UDP. With a TCP account UDP stays on
    loopback, for the engine's own wake-ups only: no SIP request reaches
    the phone over UDP from the network."""

    address: str
    udp: str
    # SIP over TLS: the PEM file of authorities the PBX is verified against
    # (trust.py); None when the account does not use TLS.
    tls_ca: str | None = None


@dataclass(frozen=True)
class AccountConfig:
    """What the engine needs to register. The password never leaves memory."""

    server: str  # host or host:port
    user: str
    password: str = field(repr=False)
    transport: str = "udp"  # udp | tcp | tls (tls: encrypted audio, SRTP, is required too)
    display_name: str = ""
    register_seconds: int = 120
    tls_ca_file: str = ""  # the pinned authority; empty: the system's (trust.py)
    flow_token: str = field(default="", repr=False)  # the phone core's, put in the registered Contact

    @property
    def secure(self) -> bool:
        return self.transport == "tls"


_DISPLAY_URI = re.compile(r'^\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<plain>[^<]*?))\s*<(?P<uri>[^>]*)>')


def parse_remote(text: str) -> tuple[str, str, str]:
    """Split a SIP name-addr ('"Name" <sip:123@host>') into (number, name, uri)."""
    match = _DISPLAY_URI.match(text)
    if match:
        name = (match.group("quoted") or match.group("plain") or "").replace('\\"', '"').strip()
        uri = match.group("uri")
    else:
        name, uri = "", text.strip()
    user = uri.split(":", 1)[-1].split("@", 1)[0].split(";", 1)[0]
    return user, name, uri
