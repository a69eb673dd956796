"""The wrap-up outbox: submitted after-call records are sent to the desk
service (PUT /api/v1/wrapups/{uniqueid}) until it acknowledges each one.

A record is on disk (WrapUpFiles) before it is sent and leaves the disk
only once the service answered 2xx. No answer, a 5xx or the service being
down: it is sent again later, sooner when the link comes back. A 4xx means
the record itself is wrong: it goes back to the drafts with the service's
sentence for the agent to fix. Sending the same record twice is harmless
(the service keys it by call and agent), but this side never does so after
an acknowledgement, and never has two requests for one call in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from ..tasks import TaskRunner
from .api import DeskError
from .wrapups import WrapUpDraft, WrapUpFiles

log = logging.getLogger("agentdesk.desktop.link")

RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 20.0, 30.0)
Sender = Callable[[WrapUpDraft, Callable[[Any], None], Callable[[Exception], None]], None]


def worth_retrying(error: Exception) -> bool:
    """No answer, the service failing on its side or not signed in yet: the
    same record may go through later. Any other refusal is about the record."""
    if not isinstance(error, DeskError):
        return True
    return error.status in (0, 401, 408, 429) or error.status >= 500


class WrapUpOutbox(QObject):
    """Signals (GUI thread): `sending(str uniqueid)`, `sent(str uniqueid,
    dict reply)`, `waiting(str uniqueid, str why)` (will try again) and
    `refused(WrapUpDraft)` (back in the drafts, `problem` says why).

    `send(draft, done, failed)` does one request off the GUI thread; `disk`
    runs the file work in order (one worker)."""

    sending = Signal(str)
    sent = Signal(str, object)
    waiting = Signal(str, str)
    refused = Signal(object)

    def __init__(self, files: WrapUpFiles, send: Sender, disk: TaskRunner,
                 retry_delays: Sequence[float] = RETRY_DELAYS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.files = files
        self._send = send
        self._disk = disk
        self._delays = tuple(retry_delays)
        self._due: dict[str, WrapUpDraft] = {}  # the newest copy of each call's record still to send
        self._in_flight: dict[str, WrapUpDraft] = {}
        self._failures: dict[str, int] = {}
        self._timers: dict[str, QTimer] = {}

    @property
    def pending(self) -> int:
        return len(self._due.keys() | self._in_flight.keys())

    def finishing(self, uniqueid: str) -> bool:
        """Whether a record that ends the call's wrap-up is on its way."""
        return any(d.finish for d in (self._due.get(uniqueid), self._in_flight.get(uniqueid)) if d is not None)

    def submit(self, draft: WrapUpDraft, keep_draft: bool = False) -> None:
        """Put the record in the outbox on disk, then send it."""
        self._disk.run(lambda: self.files.submit(draft, keep_draft), lambda _none: self._enqueue(draft),
                       lambda error: self._disk_failed(draft, error))

    def resend_stored(self, agent: str) -> None:
        """After signing in: whatever the outbox still holds for `agent`."""
        self._disk.run(lambda: self.files.outbox(agent), self._enqueue_all,
                       lambda error: log.error("cannot read the wrap-up outbox: %s", error))

    def retry_now(self) -> None:
        """The link is back: records waiting for a retry go at once."""
        for uniqueid in list(self._timers):
            self._timers.pop(uniqueid).stop()
            self._attempt(uniqueid)

    def stop(self) -> None:
        for timer in self._timers.values():
            timer.stop()
        self._timers.clear()

    def _enqueue_all(self, drafts: list[WrapUpDraft]) -> None:
        for draft in drafts:
            self._enqueue(draft)

    def _enqueue(self, draft: WrapUpDraft) -> None:
        known = self._due.get(draft.uniqueid)
        if known is None or known.revision <= draft.revision:
            self._due[draft.uniqueid] = draft
        if draft.uniqueid not in self._timers:
            self._attempt(draft.uniqueid)

    def _attempt(self, uniqueid: str) -> None:
        if uniqueid in self._in_flight or uniqueid not in self._due:
            return
        draft = self._in_flight[uniqueid] = self._due.pop(uniqueid)
        log.info("sending wrap-up record %s (call %s, revision %d)", draft.record_id, uniqueid, draft.revision)
        self.sending.emit(uniqueid)
        self._send(draft, lambda reply: self._acknowledged(draft, reply), lambda error: self._failed(draft, error))

    def _acknowledged(self, draft: WrapUpDraft, reply: Any) -> None:
        log.info("the desk service has wrap-up record %s", draft.record_id)
        self._failures.pop(draft.uniqueid, None)
        self._disk.run(lambda: self.files.acknowledged(draft),
                       lambda _removed: self._settled(draft, reply if isinstance(reply, dict) else {}),
                       lambda error: self._disk_failed(draft, error))

    def _settled(self, draft: WrapUpDraft, reply: dict[str, Any]) -> None:
        self._in_flight.pop(draft.uniqueid, None)
        self.sent.emit(draft.uniqueid, reply)
        self._attempt(draft.uniqueid)  # a newer copy submitted meanwhile

    def _failed(self, draft: WrapUpDraft, error: Exception) -> None:
        self._in_flight.pop(draft.uniqueid, None)
        if worth_retrying(error):
            self._due.setdefault(draft.uniqueid, draft)  # unless a newer copy is due already
            self._retry_later(draft.uniqueid, str(error))
            return
        log.warning("the desk service refused wrap-up record %s: %s", draft.record_id, error)
        newer = self._due.get(draft.uniqueid)
        if newer is not None and newer.revision > draft.revision:
            self._attempt(draft.uniqueid)  # the agent changed it since; try that one
            return
        self._due.pop(draft.uniqueid, None)
        self._disk.run(lambda: self.files.refused(draft, str(error)), self.refused.emit,
                       lambda failure: self._disk_failed(draft, failure))

    def _retry_later(self, uniqueid: str, why: str) -> None:
        failures = self._failures[uniqueid] = self._failures.get(uniqueid, 0) + 1
        delay = self._delays[min(failures, len(self._delays)) - 1]
        log.info("wrap-up for call %s not sent (%s); again in %g s", uniqueid, why, delay)
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._timer_fired(uniqueid, timer))
        self._timers[uniqueid] = timer
        timer.start(int(delay * 1000))
        self.waiting.emit(uniqueid, why)

    def _timer_fired(self, uniqueid: str, timer: QTimer) -> None:
        if self._timers.get(uniqueid) is timer:
            del self._timers[uniqueid]
            self._attempt(uniqueid)
        timer.deleteLater()

    def _disk_failed(self, draft: WrapUpDraft, error: Exception) -> None:
        log.error("cannot store wrap-up record %s on disk: %s", draft.record_id, error)
        self._in_flight.pop(draft.uniqueid, None)
        self.waiting.emit(draft.uniqueid, str(error))
