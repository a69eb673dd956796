"""What the SIP stack (pjstack.py) talks to, without pjsua2: the listener
it reports SIP events to and the audio bridge whose device ticks its media
clock. Modules that drive the stack import these from here."""

from __future__ import annotations

from typing import Protocol

from .mediaclock import MediaClock
from .model import CallState


class StackListener(Protocol):
    """Receives the stack's reports, on the SIP thread, one plain call per
    pjsua2 callback."""

    def on_registration(self, code: int, reason: str, expires: int, active: bool) -> None: ...
    def on_incoming(self, call_id: int, remote: str, source_ip: str, headers: dict[str, str], sip_id: str) -> int:
        """Return 180 to ring, or the SIP code to reject the call with."""
    def on_call_state(self, call_id: int, state: CallState, code: int, reason: str) -> None: ...
    def on_media_state(self, call_id: int, active: bool, local_hold: bool, remote_hold: bool) -> None: ...
    def on_transport_down(self) -> None: ...
    def on_transfer_status(self, call_id: int, code: int, reason: str, final: bool) -> None: ...


class ClockUser(Protocol):
    """The audio bridge, as the stack sees it: it gets the clock to tick and
    must stop ticking, synchronously, before the library is destroyed."""

    def attach_clock(self, clock: MediaClock) -> None: ...
    def detach_clock(self) -> None: ...
