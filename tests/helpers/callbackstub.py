"""What the callback dialplan (pbx/asterisk/extensions_callback.conf) talks
to, stood in for in tests: the desk service's /pbx/v1/callbacks/* (an HTTP
stub that records each question and answers as told) and its AMI actions
(a minimal synchronous AMI client logging in as the desk service does);
and a customer phone of pbx/directory.csv waiting in a queue."""

from __future__ import annotations

import contextlib
import http.server
import itertools
import json
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.waiting import wait_until

Answer = Callable[[dict[str, str]], str]
MakeParty = Callable[..., SipParty]
CUSTOMER = "09121110001"  # a customer phone of pbx/directory.csv


@dataclass(frozen=True)
class DeskQuestion:
    """One GET the dialplan sent: /pbx/v1/callbacks/<kind>?<query>."""

    kind: str  # check, request, dial, dialled
    query: dict[str, str]
    token: str
    at: float


class CallbacksStub:
    """Stands in for the desk service's /pbx/v1/callbacks/*. `answers[kind]`
    makes the reply from the query (defaults: the number is fine, the
    request is accepted with a 5-minute wait, the dial goes to 09121110002,
    dialled is acknowledged)."""

    def __init__(self) -> None:
        self.questions: list[DeskQuestion] = []
        self.answers: dict[str, Answer] = {
            "check": lambda q: f"ok,{q.get('number', '').lstrip('+')}",
            "request": lambda q: "ok,a1b2c3d4e5f6,5",
            "dial": lambda q: "ok,09121110002,02191000000",
            "dialled": lambda q: "ok",
        }
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                kind = url.path.rsplit("/", 1)[-1]
                query = dict(urllib.parse.parse_qsl(url.query))
                stub.questions.append(DeskQuestion(kind, query, self.headers.get("X-PBX-Token", ""), time.time()))
                answer = stub.answers.get(kind)
                body = (answer(query) if answer and url.path.startswith("/pbx/v1/callbacks/") else "").encode()
                self.send_response(200 if answer else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def asked(self, kind: str) -> list[dict[str, str]]:
        return [q.query for q in self.questions if q.kind == kind]

    def wait_asked(self, kind: str, count: int = 1, timeout: float = 15.0) -> dict[str, str]:
        """The count-th question of that kind (waiting for it)."""
        deadline = time.monotonic() + timeout
        while len(self.asked(kind)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {count}. {kind} question within {timeout} s; got {self.questions}")
            time.sleep(0.05)
        return self.asked(kind)[count - 1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Ami:
    """A minimal AMI client: logs in (events off) with the desk service's
    user and sends actions, returning the response's fields."""

    def __init__(self, pbx: Pbx) -> None:
        config = json.loads((pbx.home / "state" / "desk-service.json").read_text(encoding="utf-8"))["ami"]
        self.socket = socket.create_connection((config["host"], int(config["port"])), timeout=10)
        self.buffer = b""
        self.ids = itertools.count(1)
        self._read_message()  # the banner line ends with CRLF, not a blank line
        reply = self.action("Login", Username=config["username"], Secret=config["secret"], Events="off")
        if reply.get("Response") != "Success":
            raise AssertionError(f"AMI login refused: {reply}")

    def action(self, name: str, **fields: str | list[str]) -> dict[str, str]:
        action_id = f"test-{next(self.ids)}"
        lines = [f"Action: {name}", f"ActionID: {action_id}"]
        for key, value in fields.items():
            lines += [f"{key}: {item}" for item in (value if isinstance(value, list) else [value])]
        self.socket.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        while True:
            message = self._read_message()
            if message.get("ActionID") == action_id and "Response" in message:
                return message

    def events_of(self, name: str, **fields: str) -> list[dict[str, str]]:
        """The events of an EventList action (e.g. DBGetTree), until its Complete."""
        action_id = f"test-{next(self.ids)}"
        lines = [f"Action: {name}", f"ActionID: {action_id}", *(f"{k}: {v}" for k, v in fields.items())]
        self.socket.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        events: list[dict[str, str]] = []
        while True:
            message = self._read_message()
            if message.get("ActionID") != action_id:
                continue
            if message.get("Response") == "Error":
                raise AssertionError(f"AMI {name} failed: {message}")
            if message.get("EventList") == "Complete":
                return events
            if "Event" in message:
                events.append(message)

    def _read_message(self) -> dict[str, str]:
        while b"\r\n\r\n" not in self.buffer and not self.buffer.startswith(b"Asterisk Call Manager"):
            chunk = self.socket.recv(65536)
            if not chunk:
                raise AssertionError("AMI connection closed")
            self.buffer += chunk
        if self.buffer.startswith(b"Asterisk Call Manager"):
            line, _, self.buffer = self.buffer.partition(b"\r\n")
            return {"Banner": line.decode()}
        block, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        fields: dict[str, str] = {}
        for text in block.decode(errors="replace").split("\r\n"):
            key, _, value = text.partition(": ")
            fields.setdefault(key, value)
        return fields

    def close(self) -> None:
        with contextlib.suppress(OSError, AssertionError):  # already gone: nothing to log off
            self.action("Logoff")
        self.socket.close()


def prompt_seconds(pbx: Pbx, name: str, language: str = "en") -> float:
    """How long a callback prompt plays (16 kHz, 16-bit samples)."""
    path: Path = pbx.home / "state" / "prompts" / language / f"{name}.sln16"
    return path.stat().st_size / 32000


def waiting_channels(pbx: Pbx, queue: str = "support") -> list[str]:
    """The channels waiting in the queue, first in line first."""
    return re.findall(r"^\s+\d+\. (\S+) \(wait:", pbx.cli(f"queue show {queue}"), re.M)


def uniqueid(pbx: Pbx, channel_prefix: str) -> str:
    for line in pbx.cli("core show channels concise").splitlines():
        fields = line.split("!")
        if fields[0].startswith(channel_prefix) and len(fields) >= 14:
            return fields[13]
    raise AssertionError(f"no channel {channel_prefix}")


def customer_waits(make_party: MakeParty, pbx: Pbx, number: str = CUSTOMER) -> tuple[SipParty, str]:
    """A customer phone calls the support queue and waits there; the party
    and its call's UNIQUEID."""
    customer = make_party(number)
    customer.call(f"sip:7001@{SERVER}")
    customer.wait_state("CONFIRMED")
    wait_until(lambda: any(c.startswith(f"PJSIP/{number}-") for c in waiting_channels(pbx)), 10, "the caller waits")
    return customer, uniqueid(pbx, f"PJSIP/{number}-")


def leaves_queue_with_1(pbx: Pbx, party: SipParty, number: str = CUSTOMER) -> None:
    """The waiting caller presses 1 until they have left the queue for the
    callback menu: a key pressed while app_queue announces the position
    only cuts the announcement short (Asterisk 22), so a caller presses
    again, as these do."""
    def waiting() -> bool:
        return any(c.startswith(f"PJSIP/{number}-") for c in waiting_channels(pbx))

    for _ in range(4):
        party.send("dtmf", digits="1")
        deadline = time.monotonic() + 1.5
        while waiting() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not waiting():
            return
    raise AssertionError(f"{number} still waits in the queue after pressing 1")


def press(party: SipParty, keys: str, after: float = 0.0) -> None:
    """Keys pressed `after` seconds from now (a prompt that takes no keys
    must be over first)."""
    time.sleep(after)
    party.send("dtmf", digits=keys)


def menu_answered(party: SipParty, desk: CallbacksStub, key: str, checks: int = 1) -> None:
    """The menu that reads the number back starts once the desk service was
    asked about the number (the checks-th time); the customer presses key."""
    desk.wait_asked("check", checks)
    press(party, key, after=0.5)
