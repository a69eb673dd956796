"""Simulated customers for tests: `pbx/run callers` against the test PBX,
and what Asterisk shows of them (queue order, queue_log)."""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.helpers.pbx import RUN, Pbx, pbx_env
from tests.helpers.waiting import wait_until

CUSTOMERS_CONTEXT = "@customers-"


@dataclass(frozen=True)
class Customer:
    """One caller `pbx/run callers` placed (its JSON line)."""

    number: str
    name: str
    queue: str
    tone_hz: int
    patience: int
    talk: int


@dataclass(frozen=True)
class QueueLogLine:
    epoch: int
    call: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]


def place_callers(
    queue: str = "support",
    count: int = 1,
    interval: float = 0.5,
    patience: int = 30,
    talk: int = 10,
    number: str | None = None,
    name: str | None = None,
) -> list[Customer]:
    """Place callers and return them as printed (one JSON line each)."""
    args = ["callers", "--queue", queue, "--count", str(count), "--interval", str(interval),
            "--patience", str(patience), "--talk", str(talk)]
    args += ["--number", number] if number is not None else []
    args += ["--name", name] if name is not None else []
    result = run_pbx(*args, timeout=30 + count * interval)
    if result.returncode != 0:
        raise AssertionError(f"pbx/run callers failed:\n{result.stdout}\n{result.stderr}")
    return [Customer(**json.loads(line)) for line in result.stdout.splitlines() if line.startswith("{")]


def run_pbx(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RUN), *args], env=pbx_env(), capture_output=True, text=True, timeout=timeout)


def queue_sides(pbx: Pbx) -> dict[str, tuple[str, str, str]]:
    """Channel name -> (caller number, application, uniqueid) of each
    customer's queue side (the Local half that dialled the queue)."""
    sides = {}
    for line in pbx.cli("core show channels concise").splitlines():
        fields = line.split("!")
        if len(fields) >= 14 and CUSTOMERS_CONTEXT in fields[0] and fields[0].endswith(";2"):
            sides[fields[0]] = (fields[7], fields[5], fields[13])
    return sides


def waiting_numbers(pbx: Pbx, queue: str) -> list[tuple[str, int]]:
    """(caller number, priority) of the callers waiting in `queue`, in order."""
    sides = queue_sides(pbx)
    waiting = re.findall(r"^\s+\d+\. (\S+) \(wait: [^,]+, prio: (\d+)\)", pbx.cli(f"queue show {queue}"), re.M)
    return [(sides[channel][0] if channel in sides else channel, int(prio)) for channel, prio in waiting]



def wait_waiting(pbx: Pbx, queue: str, count: int, timeout: float = 10.0) -> list[tuple[str, int]]:
    wait_until(lambda: len(waiting_numbers(pbx, queue)) >= count, timeout, f"{count} callers in {queue}")
    return waiting_numbers(pbx, queue)


def place_in_order(pbx: Pbx, queue: str, count: int, patience: int = 30, talk: int = 10) -> list[Customer]:
    """Callers that join `queue` one after the other: each is placed once the
    one before waits. (Call files placed a fraction of a second apart can be
    picked up by Asterisk together, and then join in either order.)"""
    placed: list[Customer] = []
    for _ in range(count):
        placed += place_callers(queue, patience=patience, talk=talk)
        wait_waiting(pbx, queue, len(placed))
    return placed


def hang_up_customers(pbx: Pbx) -> None:
    """End every simulated customer still on the PBX."""
    for channel in queue_sides(pbx):
        pbx.cli(f"channel request hangup {channel}")
    wait_until(lambda: not queue_sides(pbx), 10, "the simulated customers to hang up")


@contextmanager
def customers_ended(pbx: Pbx) -> Iterator[None]:
    try:
        yield
    finally:
        hang_up_customers(pbx)


def queue_log(pbx: Pbx, since: float = 0.0) -> list[QueueLogLine]:
    path = pbx.log_dir() / "queue_log"
    lines = []
    for text in path.read_text(encoding="utf-8", errors="replace").splitlines():
        fields = text.split("|")
        if len(fields) >= 5 and fields[0].isdigit() and int(fields[0]) >= int(since):
            lines.append(QueueLogLine(int(fields[0]), fields[1], fields[2], fields[3], fields[4], tuple(fields[5:])))
    return lines


def wait_queue_log(
    pbx: Pbx, match: Callable[[QueueLogLine], bool], since: float, timeout: float = 15.0
) -> QueueLogLine:
    found: list[QueueLogLine] = []

    def seen() -> bool:
        found[:] = [line for line in queue_log(pbx, since) if match(line)]
        return bool(found)

    wait_until(seen, timeout, "a matching queue_log line")
    return found[0]


@contextmanager
def dialplan_global(pbx: Pbx, name: str, value: str) -> Iterator[None]:
    """Change a dialplan global for the duration (restored afterwards)."""
    before = re.search(rf"^\s*{re.escape(name)}=(.*)$", pbx.cli("dialplan show globals"), re.M)
    pbx.cli(f"dialplan set global {name} {value}")
    try:
        yield
    finally:
        pbx.cli(f"dialplan set global {name} {before.group(1) if before else ''}")


class RouteStub:
    """Stands in for the desk service's /pbx/v1/route: answers per caller
    number (default "0,") and records what the dialplan sent."""

    def __init__(self) -> None:
        self.replies: dict[str, bytes] = {}
        self.requests: list[tuple[dict[str, str], str]] = []  # (query, X-PBX-Token)
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                stub.requests.append((query, self.headers.get("X-PBX-Token", "")))
                body = stub.replies.get(query.get("number", ""), b"0,")
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
