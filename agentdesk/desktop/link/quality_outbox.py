"""Each call's quality on its way to the desk service, kept on disk until
the service has it (the record: agentdesk/contract/quality.py).

A record is written to the user's data folder (quality/<agent>/<call>.json,
durably, as wrap-up records are: wrapups.write_durably) before it is sent,
and removed once the service acknowledged it: a service that is down, a
link that drops or a desktop that quits loses nothing; what is left goes
after the next sign-in. A record the service refuses (not this agent's
call, malformed) would be refused again: it is logged and dropped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from PySide6.QtCore import QObject, QTimer, Signal

from agentdesk.contract.quality import CallQuality, dump_call_quality, parse_call_quality
from agentdesk.contract.queues import ModelError

from ..tasks import TaskRunner
from .api import DeskApi, segment
from .connection import DeskConnection
from .wrapup_outbox import RETRY_DELAYS, worth_retrying
from .wrapups import write_durably

log = logging.getLogger("agentdesk.desktop.link")


@dataclass(frozen=True)
class QualityRecord:
    """One call's quality, for `agent`'s leg `call_id` (its SIP Call-ID)."""

    agent: str
    call_id: str
    quality: CallQuality

    @property
    def key(self) -> str:
        return f"{self.agent}/{self.call_id}"

    @property
    def path(self) -> str:
        """Where it is PUT (api.py does the signing in)."""
        return f"/api/v1/agents/{segment(self.agent)}/call-quality/{segment(self.call_id)}"

    def json(self) -> dict[str, Any]:
        return {"agent": self.agent, "call_id": self.call_id, "quality": dump_call_quality(self.quality)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QualityRecord:
        return cls(str(data["agent"]), str(data["call_id"]), parse_call_quality(dict(data["quality"])))


Sender = Callable[[QualityRecord, Callable[[Any], None], Callable[[Exception], None]], None]


def desk_sender(link: DeskConnection) -> Sender:
    """Sends a record over the desk link (on its workers)."""

    def send(record: QualityRecord, done: Callable[[Any], None], failed: Callable[[Exception], None]) -> None:
        body = dump_call_quality(record.quality)
        link.run_request(lambda api: _put(api, record.path, body), done, failed)

    return send


def _put(api: DeskApi, path: str, body: dict[str, Any]) -> Any:
    return api.request("PUT", path, body)


class QualityFiles:
    """The records not yet acknowledged (blocking file work: call it off
    the GUI thread, one writer at a time)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, agent: str, call_id: str) -> Path:
        return self.folder / quote(agent, safe="") / f"{quote(call_id, safe='')}.json"

    def keep(self, record: QualityRecord) -> None:
        write_durably(self._path(record.agent, record.call_id), record.json())

    def drop(self, record: QualityRecord) -> None:
        self._path(record.agent, record.call_id).unlink(missing_ok=True)

    def stored(self, agent: str) -> list[QualityRecord]:
        folder = self.folder / quote(agent, safe="")
        found = []
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
            try:
                record = QualityRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
            except FileNotFoundError:
                continue  # acknowledged meanwhile
            except (OSError, ValueError, KeyError, TypeError, ModelError) as error:
                log.error("the call quality record %s is unreadable and is left alone: %s", path.name, error)
                continue
            if record.agent == agent and record.call_id == unquote(path.stem):
                found.append(record)
        return found


class QualityOutbox(QObject):
    """Signals (GUI thread): `sent(str call_id)` once the service has a record.

    `send(record, done, failed)` does one request off the GUI thread; `disk`
    runs the file work in order (one worker). Failures worth retrying (no
    answer, the service failing) are retried after RETRY_DELAYS, longer each
    time in a row, and at once when the agent signs in again."""

    sent = Signal(str)

    def __init__(self, files: QualityFiles, send: Sender, disk: TaskRunner,
                 retry_delays: Sequence[float] = RETRY_DELAYS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.files = files
        self._send = send
        self._disk = disk
        self._delays = tuple(retry_delays)
        self._due: dict[str, QualityRecord] = {}
        self._in_flight: set[str] = set()
        self._failures = 0
        self._agent = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._send_due)

    @property
    def pending(self) -> int:
        return len(self._due.keys() | self._in_flight)

    def submit(self, record: QualityRecord) -> None:
        """On disk first, then sent."""
        self._disk.run(lambda: self.files.keep(record), lambda _none: self._enqueue(record),
                       lambda error: log.error("cannot store the quality of call %s: %s", record.call_id, error))

    def signed_in(self, agent: str) -> None:
        """Signed in to the service (again): what the disk still holds for
        a new agent, else what waits for a retry, goes now."""
        if agent == self._agent:
            self.retry_now()
            return
        self._agent = agent
        self._disk.run(lambda: self.files.stored(agent), self._enqueue_all,
                       lambda error: log.error("cannot read the call quality outbox: %s", error))

    def retry_now(self) -> None:
        self._timer.stop()
        self._send_due()

    def stop(self) -> None:
        self._timer.stop()

    def _enqueue_all(self, records: list[QualityRecord]) -> None:
        for record in records:
            self._enqueue(record)

    def _enqueue(self, record: QualityRecord) -> None:
        self._due[record.key] = record
        if not self._timer.isActive():
            self._attempt(record.key)

    def _send_due(self) -> None:
        for key in list(self._due):
            self._attempt(key)

    def _attempt(self, key: str) -> None:
        if key in self._in_flight or key not in self._due:
            return
        record = self._due.pop(key)
        self._in_flight.add(key)
        self._send(record, lambda _reply: self._acknowledged(record), lambda error: self._failed(record, error))

    def _acknowledged(self, record: QualityRecord) -> None:
        log.info("the desk service has the quality of call %s", record.call_id)
        self._failures = 0
        self._disk.run(lambda: self.files.drop(record), lambda _none: self._settled(record),
                       lambda error: log.error("cannot drop a sent call quality record: %s", error))

    def _settled(self, record: QualityRecord) -> None:
        self._in_flight.discard(record.key)
        self.sent.emit(record.call_id)
        self._attempt(record.key)  # sent again meanwhile

    def _failed(self, record: QualityRecord, error: Exception) -> None:
        self._in_flight.discard(record.key)
        if worth_retrying(error):
            self._due.setdefault(record.key, record)
            self._retry_later(str(error))
            return
        log.warning("the desk service refused the quality of call %s: %s", record.call_id, error)
        self._disk.run(lambda: self.files.drop(record), None,
                       lambda failure: log.error("cannot drop a refused call quality record: %s", failure))

    def _retry_later(self, why: str) -> None:
        if self._timer.isActive():
            return
        self._failures += 1
        delay = self._delays[min(self._failures, len(self._delays)) - 1]
        log.info("call quality not sent (%s); again in %g s", why, delay)
        self._timer.start(int(delay * 1000))
