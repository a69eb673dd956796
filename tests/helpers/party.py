"""Drive the second SIP party (tests/peers/sipparty.py) from a test."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PEER = Path(__file__).resolve().parents[1] / "peers" / "sipparty.py"


class PartyError(AssertionError):
    pass


class SipParty:
    """A customer or colleague on the other end of the agent's calls."""

    def __init__(self, name: str = "party") -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, str(PEER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, bufsize=1,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.history: list[dict[str, Any]] = []
        self.state = ""
        threading.Thread(target=self._read, daemon=True).start()
        self.wait("ready", timeout=10)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "call_state":
                self.state = event["state"]
            self.history.append(event)
            self.events.put(event)

    def send(self, cmd: str, **fields: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"cmd": cmd, **fields}) + "\n")
        self.process.stdin.flush()

    def wait(self, event: str, timeout: float = 10.0, **match: Any) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PartyError(f"{self.name}: no {event} {match} within {timeout} s; saw {self.history[-8:]}")
            try:
                found = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if found.get("event") == "error":
                raise PartyError(f"{self.name}: {found}")
            if found.get("event") == event and all(found.get(k) == v for k, v in match.items()):
                return found

    def register(self, user: str, server: str, password: str | None = None, name: str = "") -> None:
        self.send("register", user=user, password=password or f"demo-{user}", server=server, name=name)
        self.wait("registered", code=200, active=True)

    def call(self, uri: str) -> None:
        self.send("call", uri=uri)

    def answer(self) -> None:
        self.send("answer")

    def reject(self, code: int = 486) -> None:
        """Decline the ringing incoming call (486 busy, 603 decline)."""
        self.send("reject", code=code)

    def transfer(self, uri: str) -> None:
        """Blind-transfer the current call (REFER); the party hangs up by
        itself once the transfer is accepted (final 2xx)."""
        self.send("xfer", uri=uri)

    def wait_transfer_done(self, timeout: float = 10.0) -> dict[str, Any]:
        """The final transfer status: {"code": 200 or the REFER's error, ...}."""
        return self.wait("xfer_status", timeout=timeout, final=True)

    def wait_state(self, state: str, timeout: float = 10.0) -> dict[str, Any]:
        if self.state == state:
            return {"state": state}
        return self.wait("call_state", timeout=timeout, state=state)

    def hear(self, frequencies: list[float], seconds: float = 1.0) -> dict[str, float]:
        """What the party hears over the next `seconds`: the share of energy
        at each frequency (keys are str(int(f))) and the level ('rms')."""
        self.send("listen", seconds=seconds, freqs=frequencies)
        return self.wait("heard", timeout=seconds + 5)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.send("quit")
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
