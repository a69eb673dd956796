"""The SIP stack (pjstack.py) as the rest of the phone sees it, without
pjsua2: the commands it takes, the listener it reports SIP events to, and
the audio bridge whose device ticks its media clock. Modules that drive the
stack import these from here."""

from __future__ import annotations

from typing import Protocol

from .mediaclock import MediaClock
from .model import AccountConfig, CallState
from .qualitytrack import StreamSample


class SipCommands(Protocol):
    """What the call logic asks of the stack, on the SIP thread. Call
    commands raise PhoneError when pjsua2 refuses them (a re-INVITE under
    way, a call that has ended)."""

    def register(self, config: AccountConfig) -> None: ...
    def unregister(self) -> None: ...
    def reregister(self) -> None: ...
    def handle_ip_change(self) -> None: ...
    def dial(self, uri: str) -> int:
        """Call `uri`; returns the new call's id."""
    def answer(self, call_id: int) -> None: ...
    def reject(self, call_id: int, code: int) -> None: ...
    def hangup(self, call_id: int) -> None: ...
    def transfer(self, call_id: int, uri: str, replacing: int | None = None) -> None: ...
    def set_hold(self, call_id: int, hold: bool) -> None: ...
    def send_dtmf(self, call_id: int, digits: str) -> None: ...
    def route_audio(self, call_id: int, speaker: bool, microphone: bool) -> None: ...
    def stream_stats(self, call_id: int) -> StreamSample | None:
        """A reading of the call's audio stream (qualitytrack.py); None when it has none."""
    def release(self, call_id: int) -> None:
        """Drop the pjsua2 wrapper of an ended call."""


class StackListener(Protocol):
    """Receives the stack's reports, on the SIP thread, one plain call per
    pjsua2 callback."""

    def on_registration(self, code: int, reason: str, expires: int, active: bool) -> None: ...
    def on_incoming(self, call_id: int, remote: str, source: tuple[str, int], headers: dict[str, str],
                    sip_id: str, target: str = "") -> int:
        """Return 180 to ring, or the SIP code to reject the call with."""
    def on_incoming_refused(self, remote: str, source: tuple[str, int], target: str, code: int) -> None:
        """pjsua2 itself refused an INVITE with `code` before offering it (488:
        its audio offer was unacceptable, e.g. plain RTP to a phone requiring
        SRTP); no call exists for it."""
    def on_call_state(self, call_id: int, state: CallState, code: int, reason: str) -> None: ...
    def on_media_state(self, call_id: int, active: bool, local_hold: bool, remote_hold: bool) -> None: ...
    def on_transport_down(self) -> None: ...
    def on_transfer_status(self, call_id: int, code: int, reason: str, final: bool) -> None: ...


class ClockUser(Protocol):
    """The audio bridge, as the stack sees it: it gets the clock to tick and
    must stop ticking, synchronously, before the library is destroyed."""

    def attach_clock(self, clock: MediaClock) -> None: ...
    def detach_clock(self) -> None: ...
