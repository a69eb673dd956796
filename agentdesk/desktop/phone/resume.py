"""Making sure a call the agent resumed really comes off hold (no pjsua2 here).

Workaround: pjsip drops our un-hold offer without an error when an offer of
ours is still pending (its log: "already have an offer, new offer is
ignored") and sends the pending sendonly one instead, so a call the agent
resumed comes back send-only (pjsua still calls that media active). The SIP
stack reports each media update of a resumed call here; one that is still
held is due an un-hold again, which the stack sends once the callback and
the poll around it are over (a re-INVITE cannot start inside them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container

from .model import PhoneError

log = logging.getLogger("agentdesk.desktop.phone")

UNHOLD_RESENDS = 5  # times an un-hold that pjsip dropped is sent again


class ResumeWatch:
    """Calls taken off hold, watched until their media flow both ways again.

    Invariant: a call is due an un-hold only while it is watched; each
    re-send uses up one of its `UNHOLD_RESENDS`, and a call out of them (or
    gone) is given up and no longer watched."""

    def __init__(self, resends: int = UNHOLD_RESENDS) -> None:
        self._resends = resends
        self._left: dict[int, int] = {}  # call taken off hold -> re-sends left, until its media flows
        self._due: set[int] = set()  # un-holds to send again once the current poll returns

    @property
    def due(self) -> bool:
        """Whether an un-hold is waiting to be sent again."""
        return bool(self._due)

    def cancel_due(self, call_id: int) -> None:
        """The agent holds or resumes the call anew: no re-send is pending."""
        self._due.discard(call_id)

    def watch(self, call_id: int) -> None:
        """The call's un-hold was just sent: watch its next media updates."""
        self._left[call_id] = self._resends

    def forget(self, call_id: int) -> None:
        """The call was put on hold again, or ended: nothing to watch."""
        self._left.pop(call_id, None)
        self._due.discard(call_id)

    def media_reported(self, call_id: int, still_held: bool) -> None:
        """A media update of the call: resumed, or due an un-hold again."""
        if call_id not in self._left:
            return
        if not still_held:
            del self._left[call_id]  # resumed: the media flow both ways again
            return
        log.warning("call %d is still held after being taken off hold; resuming it again", call_id)
        self._due.add(call_id)

    def resend(self, calls: Container[int], unhold: Callable[[int], None]) -> None:
        """Send each due un-hold again through `unhold`, for the `calls` that
        still exist; `unhold` raises PhoneError while a re-INVITE is still
        under way, and that un-hold stays due for the next poll."""
        for call_id in sorted(self._due):
            left = self._left.get(call_id, 0)
            if call_id not in calls or left <= 0:
                self.forget(call_id)
                if call_id in calls:
                    log.warning("call %d: gave up taking it off hold; Resume may work", call_id)
                continue
            self._left[call_id] = left - 1
            try:
                unhold(call_id)
            except PhoneError as error:  # a re-INVITE is still under way: after the next poll
                log.info("call %d: un-hold not sent yet (%s)", call_id, error)
            else:
                self._due.discard(call_id)
