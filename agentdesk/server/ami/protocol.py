"""The Asterisk Manager Interface wire format, without any I/O.

AMI is line based: after a one-line banner ("Asterisk Call Manager/x.y.z")
each message is a block of "Name: value" lines ending with a blank line.
`AmiParser` turns received bytes into `AmiMessage` blocks, incrementally and
defensively (Asterisk is trusted, but a broken line must cost one message,
not the connection); `encode_action` builds what we send, and refuses
anything that could smuggle a header or a second action into the stream.
Being pure, both are tested on recorded transcripts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

log = logging.getLogger("agentdesk.server.ami")

BANNER_PREFIX = "Asterisk Call Manager/"
MAX_MESSAGE_BYTES = 1024 * 1024
# Old Asterisk answers "Command" with "Response: Follows", raw output lines
# and this marker instead of "Name: value" headers.
END_COMMAND = "--END COMMAND--"
FOLLOWS_HEADERS = ("privilege", "actionid")


class AmiInjectionError(ValueError):
    """An action name, header name or value would break the AMI framing."""


@dataclass(frozen=True)
class AmiMessage:
    """One AMI block: an event, a response, or (rarely) neither.

    Headers keep their order and duplicates (ChanVariable, Output...);
    lookups ignore the case of the name, as Asterisk does.
    """

    headers: tuple[tuple[str, str], ...]

    def get(self, name: str, default: str = "") -> str:
        """The first value of header `name`, or `default`."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), default)

    def get_all(self, name: str) -> list[str]:
        """Every value of header `name`, in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def has(self, name: str) -> bool:
        wanted = name.lower()
        return any(key.lower() == wanted for key, _ in self.headers)

    @property
    def kind(self) -> str:
        """"event", "response" or "other"."""
        if self.has("Event"):
            return "event"
        if self.has("Response"):
            return "response"
        return "other"

    @property
    def name(self) -> str:
        """The event name, or the response status (Success, Error, Follows...)."""
        return self.get("Event") if self.has("Event") else self.get("Response")

    @property
    def action_id(self) -> str:
        return self.get("ActionID")

    @property
    def ends_list(self) -> bool:
        """The last event of an EventList action's answer (…Complete)."""
        return self.get("EventList").lower() == "complete"


class AmiParser:
    """Incremental AMI reader: `feed(bytes)` returns the complete messages.

    Accepts CRLF or bare LF, decodes UTF-8 with replacement characters,
    skips lines without a colon (logged), and drops a message larger than
    MAX_MESSAGE_BYTES (logged), resynchronising at the next blank line.
    `banner` holds the greeting line once seen.
    """

    def __init__(self, max_message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self.banner = ""
        self._limit = max_message_bytes
        self._buffer = bytearray()
        self._headers: list[tuple[str, str]] = []
        self._size = 0
        self._skipping = False  # inside an over-long message
        self._follows = False  # inside "Response: Follows" raw output

    def feed(self, data: bytes) -> list[AmiMessage]:
        self._buffer.extend(data)
        messages: list[AmiMessage] = []
        start = 0
        while (end := self._buffer.find(b"\n", start)) >= 0:
            raw = bytes(self._buffer[start:end]).removesuffix(b"\r")
            start = end + 1
            message = self._line(raw.decode("utf-8", errors="replace"))
            if message is not None:
                messages.append(message)
        del self._buffer[:start]
        if len(self._buffer) > self._limit:
            self._drop_oversized()
            self._buffer.clear()
        return messages

    def _line(self, line: str) -> AmiMessage | None:
        if self._skipping:
            self._skipping = line != ""
            return None
        if self._follows:
            self._follows_line(line)
        elif line == "":
            return self._finish()
        elif not self._headers and line.startswith(BANNER_PREFIX):
            self.banner = line
        elif ":" in line:
            self._header(line)
        else:
            log.warning("AMI line without a colon skipped: %r", line[:80])
        return None

    def _header(self, line: str) -> None:
        key, _, value = line.partition(":")
        self._add(key.strip(), value.removeprefix(" "))
        if key.strip().lower() == "response" and value.strip().lower() == "follows":
            self._follows = True

    def _follows_line(self, line: str) -> None:
        if line.endswith(END_COMMAND):
            self._follows = False
            output = line.removesuffix(END_COMMAND)
            if output:
                self._add("Output", output)
            return
        key, colon, value = line.partition(":")
        no_output_yet = all(name != "Output" for name, _ in self._headers)
        if colon and no_output_yet and key.strip().lower() in FOLLOWS_HEADERS:
            self._add(key.strip(), value.removeprefix(" "))
        else:
            self._add("Output", line)

    def _add(self, key: str, value: str) -> None:
        self._headers.append((key, value))
        self._size += len(key) + len(value) + 4
        if self._size > self._limit:
            self._drop_oversized()

    def _drop_oversized(self) -> None:
        if not self._skipping:
            log.warning("AMI message over %d bytes dropped", self._limit)
        self._reset()
        self._skipping = True

    def _finish(self) -> AmiMessage | None:
        message = AmiMessage(tuple(self._headers)) if self._headers else None
        self._reset()
        return message

    def _reset(self) -> None:
        self._headers = []
        self._size = 0
        self._follows = False


def encode_action(name: str, action_id: str, fields: Mapping[str, str | Sequence[str]]) -> bytes:
    """The bytes of one AMI action; a sequence value repeats the header
    (Variable: a=1, Variable: b=2). Raises AmiInjectionError rather than
    send a CR, LF or colon where it could start a new header or action."""
    lines = [_header_line("Action", name), _header_line("ActionID", action_id)]
    for key, value in fields.items():
        if key.lower() in ("action", "actionid"):
            raise AmiInjectionError(f"{key} is set by the client, not by the caller")
        values: Sequence[object] = value if _is_list(value) else [value]
        lines.extend(_header_line(key, item) for item in values)
    return ("".join(lines) + "\r\n").encode("utf-8")


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _header_line(key: str, value: object) -> str:
    if not key or any(c in key for c in ":\r\n") or key != key.strip():
        raise AmiInjectionError(f"invalid AMI header name {key!r}")
    if not isinstance(value, str):
        raise AmiInjectionError(f"AMI header {key} needs text, not {type(value).__name__}")
    if "\r" in value or "\n" in value:
        # The value is not shown: it may be a secret.
        raise AmiInjectionError(f"AMI header {key} contains a line break")
    return f"{key}: {value}\r\n"
