"""The phone's calls, on the engine thread: one frozen `CallSnapshot` per
call, and what every change of one entails.

`CallBook.update` is the one way a call changes: it keeps the snapshot,
routes the call's audio (only the focused, unmuted call reaches the agent's
speaker and microphone) and reports the change. Placing a call and holding
one live here too, because both the core and the hand-overs (handover.py)
do them: each is given this book, never each other.
"""

from __future__ import annotations

import time

from .coreapi import AudioControl, CoreEvents
from .model import CallSnapshot, CallState, Direction, PhoneError, parse_remote
from .stackapi import SipCommands


class CallBook:
    def __init__(self, stack: SipCommands, events: CoreEvents, audio: AudioControl | None) -> None:
        self._stack = stack
        self._events = events
        self._audio = audio
        self.calls: dict[int, CallSnapshot] = {}

    def live(self, call_id: int) -> CallSnapshot:
        call = self.calls.get(call_id)
        if call is None or not call.is_live:
            raise PhoneError("That call has already ended.")
        return call

    def live_calls(self) -> list[CallSnapshot]:
        return [c for c in self.calls.values() if c.is_live]

    def place_call(self, uri: str, hold_others: bool, **details: object) -> None:
        """Dial `uri`; `details` are CallSnapshot fields (name, consultation…)."""
        if hold_others:
            self.hold_others(None)
        call_id = self._stack.dial(uri)
        number, name, full = parse_remote(uri)
        snapshot = CallSnapshot(
            call_id, Direction.OUTGOING, CallState.DIALING, number, name, full, started_at=time.time()
        )
        self.update(snapshot.with_changes(**details))

    def hold(self, call_id: int, on: bool) -> None:
        call = self.live(call_id)
        if call.state is not CallState.ACTIVE or call.held == on:
            return
        if not on:
            self.hold_others(call_id)
        self._stack.set_hold(call_id, on)
        self.update(call.with_changes(held=on))

    def hold_others(self, keep: int | None) -> None:
        """Put every connected call but `keep` on hold."""
        for call in self.live_calls():
            if call.call_id != keep and call.state is CallState.ACTIVE and not call.held:
                self.hold(call.call_id, True)

    def update(self, call: CallSnapshot) -> None:
        previous = self.calls.get(call.call_id)
        self.calls[call.call_id] = call
        self._apply_audio(call, previous)
        if call != previous:
            self._events.call(call)

    def _apply_audio(self, call: CallSnapshot, previous: CallSnapshot | None) -> None:
        if call.is_live:
            # An ended call's media are gone with it: its old conference slot
            # may already belong to a newer call, so it is left alone.
            hear = call.has_audio and not call.held
            self._stack.route_audio(call.call_id, speaker=hear, microphone=hear and not call.muted)
        if self._audio is None:
            return
        live = self.live_calls()
        if any(c.has_audio for c in live):  # held calls too: their media clock must keep ticking
            self._audio.activate()
        ringing_back = any(c.state is CallState.RINGING_OUT and not c.has_audio for c in live)
        if ringing_back:
            self._audio.play_tone("ringback")
        elif previous is not None and previous.state is CallState.RINGING_OUT:
            self._audio.play_tone(None)
        if not live:
            self._audio.deactivate()
