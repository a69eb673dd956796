"""Handing a caller over: blind and attended transfer, consultation and
three-way conference, on the engine thread.

How each works with the bundled Asterisk:
- blind: REFER the caller's leg to the target; the PBX rings the target
  (and rings the agent back if nobody answers);
- attended: the caller waits on hold while the agent consults on a second
  call; completing REFERs the caller's leg with Replaces for the
  consultation, and the agent drops out of both;
- consultation cancelled (the agent or the target hangs up): the caller is
  taken off hold at once, so the agent is talking to them again;
- conference: both legs are REFERred into the agent's own ConfBridge room
  (`room<extension>`) and the agent dials in. The room lives on the PBX, so
  the agent can leave and the other two stay connected, and nothing depends
  on the agent's PC or network once the room exists.

The PBX reports a REFER's outcome with NOTIFYs; it sends the final 200 at
the first voice frame and keeps our leg until we hang it up, so a final 2xx
ends our leg here.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from .callbook import CallBook
from .coreapi import CoreEvents
from .model import (
    CallSnapshot,
    CallState,
    PhoneError,
    TransferState,
    parse_remote,
)
from .stackapi import SipCommands
from .timers import Timers

log = logging.getLogger("agentdesk.desktop.phone")

CONFERENCE_TARGET = "conference"
RESUME_ATTEMPTS = 20
RETRY_REFER_WINDOW = 3.0  # seconds after connecting in which a refused REFER is sent once more
RETRY_REFER_SECONDS = 0.5
FINAL_REFUSALS = {403, 404, 484, 486, 603}  # forbidden, no such number, busy, declined: no retry
RESUME_RETRY_SECONDS = 0.1


@dataclass
class PendingConference:
    """A conference being set up: legs still being moved into the room (a
    leg counts until it has ended here), and whether any of them made it."""

    room_uri: str
    title: str
    legs: set[int] = field(default_factory=set)
    moved: int = 0


class Handovers:
    """Built by the core with the parts it shares: the calls, the stack,
    the loop's timers and the events (for the problems the agent reads)."""

    def __init__(self, book: CallBook, stack: SipCommands, timers: Timers, events: CoreEvents) -> None:
        self._book = book
        self._stack = stack
        self._timers = timers
        self._events = events
        self._conference: PendingConference | None = None
        self._referred: dict[int, tuple[str, int | None]] = {}  # call -> (Refer-To, the call it replaces)
        self._retried: set[int] = set()

    # -- what the agent asks -----------------------------------------------------

    def transfer(self, call_id: int, uri: str) -> None:
        """Blind transfer: the PBX rings `uri` and the agent's leg ends."""
        call = self._book.live(call_id)
        if call.state is not CallState.ACTIVE:
            raise PhoneError("Only a connected call can be transferred.")
        self._refer(call, uri, parse_remote(uri)[0])

    def complete(self, call_id: int, consult_id: int) -> None:
        """Attended transfer: join call `call_id` (the held customer) with the
        party of `consult_id`; the agent drops out of both."""
        call, consult = self._both_connected(call_id, consult_id, "complete the transfer")
        self._refer(call, consult.remote_uri, consult.remote_number, replacing=consult_id)

    def conference(self, call_id: int, consult_id: int, room_uri: str) -> None:
        """Three-way call: move both parties into the agent's room, then join."""
        call, consult = self._both_connected(call_id, consult_id, "start a conference")
        if self._conference is not None:
            raise PhoneError("A conference is already being set up.")
        title = f"{call.party_name} + {consult.party_name}"
        self._conference = PendingConference(room_uri, title, {call_id, consult_id})
        for leg in (call, consult):
            try:
                self._refer(leg, room_uri, CONFERENCE_TARGET)
            except PhoneError as error:
                log.warning("call %d not moved into the conference: %s", leg.call_id, error)
                self._refused(leg, str(error))

    def _both_connected(self, call_id: int, consult_id: int, doing: str) -> tuple[CallSnapshot, CallSnapshot]:
        call, consult = self._book.live(call_id), self._book.live(consult_id)
        if call_id == consult_id or call.state is not CallState.ACTIVE or consult.state is not CallState.ACTIVE:
            raise PhoneError(f"Both calls must be connected to {doing}.")
        return call, consult

    def _refer(self, call: CallSnapshot, uri: str, target: str, replacing: int | None = None) -> None:
        self._stack.transfer(call.call_id, uri, replacing=replacing)
        self._referred[call.call_id] = (uri, replacing)
        self._book.update(call.with_changes(transfer_target=target, transfer_state=TransferState.REQUESTED))

    # -- what the PBX reports -----------------------------------------------------

    def on_transfer_status(self, call_id: int, code: int, final: bool, reason: str) -> None:
        log.info("transfer of call %d: %d %s%s", call_id, code, reason, " (final)" if final else "")
        call = self._book.calls.get(call_id)
        if call is None or not call.is_live or not final or call.transfer_state is not TransferState.REQUESTED:
            return
        if 200 <= code < 300:
            self._book.update(call.with_changes(transfer_state=TransferState.DONE))
            if self._conference is not None and call_id in self._conference.legs:
                self._conference.moved += 1
            self._stack.hangup(call_id)
            return
        if self._worth_retrying(call, code):
            # Asterisk refuses a REFER that arrives before the call is bridged
            # (answered a few milliseconds ago): once more, a moment later.
            log.info("call %d: transfer refused (%d %s) just after connecting; trying again", call_id, code, reason)
            self._retried.add(call_id)
            uri, replacing = self._referred[call_id]
            self._timers.after(RETRY_REFER_SECONDS, lambda: self._retry(call_id, uri, replacing))
            return
        self._book.update(call.with_changes(transfer_state=TransferState.FAILED))
        self._refused(call, f"{code} {reason}")

    def _worth_retrying(self, call: CallSnapshot, code: int) -> bool:
        fresh = time.time() - call.connected_at < RETRY_REFER_WINDOW
        return fresh and code not in FINAL_REFUSALS and call.call_id not in self._retried

    def _retry(self, call_id: int, uri: str, replacing: int | None) -> None:
        call = self._book.calls.get(call_id)
        if call is None or not call.is_live or call.transfer_state is not TransferState.REQUESTED:
            return
        try:
            self._stack.transfer(call_id, uri, replacing=replacing)
        except PhoneError as error:
            self._book.update(call.with_changes(transfer_state=TransferState.FAILED))
            self._refused(call, str(error))

    def _refused(self, call: CallSnapshot, why: str) -> None:
        pending = self._conference
        if pending is not None and call.call_id in pending.legs:
            pending.legs.discard(call.call_id)
            self._events.problem(
                f"{call.party_name} could not join the conference ({why}); they are still on your line."
            )
            self._join_when_moved()
            return
        self._events.problem(
            f"The transfer to {call.transfer_target} failed ({why}); the caller is still with you."
        )

    def _join_when_moved(self) -> None:
        """Once no leg is still on its way (each has ended here or stayed
        with the agent), the agent dials into the room, on the next loop
        turn: the ended legs' media are gone by then, so no audio of a
        finished call can leak into the room."""
        pending = self._conference
        if pending is None or pending.legs:
            return
        self._conference = None
        if pending.moved:
            self._timers.after(0.0, lambda: self._book.place_call(
                pending.room_uri, hold_others=True, remote_name=pending.title, conference=True
            ))

    def call_ended(self, ended: CallSnapshot) -> None:
        """Consultations: cancelled → the caller is back with the agent; the
        caller hung up → the agent is told, and stays with the target."""
        self._referred.pop(ended.call_id, None)
        self._retried.discard(ended.call_id)
        if self._conference is not None and ended.call_id in self._conference.legs:
            self._conference.legs.discard(ended.call_id)
            self._join_when_moved()
        if ended.consult_for:
            self._consultation_over(ended)
        for consult in self._book.live_calls():
            if consult.consult_for == ended.call_id:
                self._caller_left_during_consultation(ended, consult)

    def _consultation_over(self, consult: CallSnapshot) -> None:
        caller = self._book.calls.get(consult.consult_for)
        if caller is None or not caller.is_live or not caller.held:
            return
        if caller.transfer_state in (TransferState.REQUESTED, TransferState.DONE):
            return  # being handed over: it is not coming back to the agent
        if consult.transfer_state in (TransferState.REQUESTED, TransferState.DONE):
            return
        if any(c.state is CallState.ACTIVE and not c.held for c in self._book.live_calls()):
            return  # the agent is talking on another call; they choose
        self._resume(caller.call_id, RESUME_ATTEMPTS)

    def _resume(self, call_id: int, attempts: int) -> None:
        """Take the caller off hold; while the hold re-INVITE itself is still
        under way (a consultation that failed at once), try again shortly."""
        caller = self._book.calls.get(call_id)
        if caller is None or not caller.is_live or not caller.held:
            return
        try:
            self._book.hold(call_id, False)
        except PhoneError as error:
            if attempts <= 1:
                log.warning("could not take call %d off hold: %s", call_id, error)
                self._events.problem(f"{caller.party_name} is still on hold: press Resume (F8).")
                return
            log.info("call %d: hold still under way, resuming in a moment (%s)", call_id, error)
            self._timers.after(RESUME_RETRY_SECONDS, lambda: self._resume(call_id, attempts - 1))

    def _caller_left_during_consultation(self, caller: CallSnapshot, consult: CallSnapshot) -> None:
        self._book.update(consult.with_changes(consult_for=0))
        if caller.transfer_state is TransferState.NONE or caller.transfer_state is TransferState.FAILED:
            self._events.problem(
                f"{caller.party_name} hung up while you were consulting; you are still talking to "
                f"{consult.party_name}."
            )
