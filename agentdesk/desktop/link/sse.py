"""A server-sent events parser (pure): bytes in, (event, data) out.

Follows the format's rules that matter here: lines end in LF, CRLF or CR;
`event:` names the event, `data:` lines are joined with LF, a blank line
dispatches, lines starting with ':' are comments (heartbeats), unknown
fields are ignored. An event larger than MAX_EVENT_BYTES is dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger("agentdesk.desktop.link")

MAX_EVENT_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class ServerEvent:
    name: str
    data: str
    event_id: str


class SseParser:
    def __init__(self) -> None:
        self._buffer = b""
        self._name = ""
        self._data: list[str] = []
        self._size = 0
        self.last_id = ""

    def feed(self, chunk: bytes) -> list[ServerEvent]:
        self._buffer += chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        events: list[ServerEvent] = []
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            event = self._line(line.decode("utf-8", errors="replace"))
            if event is not None:
                events.append(event)
        if len(self._buffer) > MAX_EVENT_BYTES:
            log.warning("dropping an over-long line from the desk service")
            self._buffer = b""
        return events

    def _line(self, line: str) -> ServerEvent | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            self._name = value
        elif field == "data":
            self._size += len(value)
            if self._size <= MAX_EVENT_BYTES:
                self._data.append(value)
        elif field == "id":
            self.last_id = value
        return None

    def _dispatch(self) -> ServerEvent | None:
        name, data, oversize = self._name or "message", "\n".join(self._data), self._size > MAX_EVENT_BYTES
        had_data = bool(self._data)
        self._name, self._data, self._size = "", [], 0
        if oversize:
            log.warning("dropping an over-long %s event from the desk service", name)
            return None
        return ServerEvent(name, data, self.last_id) if had_data else None
