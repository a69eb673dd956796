"""What the phone core (core.py and the parts it builds) talks to, besides
the SIP stack: the engine's events and the audio bridge. No pjsua2, no Qt."""

from __future__ import annotations

from typing import Protocol

from .model import AccountSnapshot, CallSnapshot


class CoreEvents(Protocol):
    """What the core reports, on the SIP thread (the engine turns each into
    a Qt signal)."""

    def registration(self, snapshot: AccountSnapshot) -> None: ...
    def call(self, snapshot: CallSnapshot) -> None: ...
    def incoming(self, snapshot: CallSnapshot) -> None: ...
    def problem(self, text: str) -> None: ...


class AudioControl(Protocol):
    """What the core asks of the audio bridge; none of it may block."""

    def activate(self) -> None: ...
    def deactivate(self) -> None: ...
    def play_tone(self, name: str | None) -> None: ...
