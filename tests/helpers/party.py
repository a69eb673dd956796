"""Drive the second SIP party (tests/peers/sipparty.py) from a test."""

from __future__ import annotations

import json
import queue
import socket
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

    def __init__(self, name: str = "party", netns: str = "") -> None:
        """`netns`: run inside this network namespace (tests/helpers/netlab.py)."""
        self.name = name
        inside = ["ip", "netns", "exec", netns] if netns else []
        self.process = subprocess.Popen(
            [*inside, sys.executable, str(PEER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, bufsize=1,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.history: list[dict[str, Any]] = []
        self.state = ""
        self.dead_ports: list[socket.socket] = []  # kill(): its ports, held silent
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

    def seen(self, event: str) -> list[dict[str, Any]]:
        """Every `event` the party reported so far (waited for or not)."""
        return [found for found in list(self.history) if found.get("event") == event]

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

    def detect(self, frequency: float, threshold: float = 0.8, windows: int = 3) -> None:
        """Start watching what the party hears for a tone: `windows` 20 ms
        frames in a row with at least `threshold` of their energy at
        `frequency` (re-arming replaces an earlier watch of that tone)."""
        self.send("detect", freq=frequency, threshold=threshold, windows=windows)

    def wait_detected(self, frequency: float, timeout: float = 10.0) -> float:
        """Wall-clock time (time.time()) of the first frame of the run that
        carried the tone watched for with detect()."""
        return float(self.wait("detected", timeout=timeout, freq=frequency)["at"])

    def kill(self) -> None:
        """The party's computer dies or its network drops: SIGKILL, so it
        sends no BYE and no more RTP, and answers no OPTIONS. Its UDP ports
        (SIP, RTP) stay taken and silent until close(), like a dead host's:
        on a shared test machine another SIP client would otherwise bind the
        freed RTP port, get the PBX's RTP and send its own back to it."""
        addresses = _udp_addresses(self.process.pid)
        self.process.kill()
        self.process.wait()
        for address in addresses:
            held = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                held.bind(address)
            except OSError:  # taken in the meantime: nothing left to hold
                held.close()
                continue
            self.dead_ports.append(held)

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
        for held in self.dead_ports:
            held.close()


def _udp_addresses(pid: int) -> list[tuple[str, int]]:
    """The IPv4 UDP addresses a process has bound (Linux /proc)."""
    proc = Path(f"/proc/{pid}")
    inodes = set()
    for fd in (proc / "fd").iterdir():
        try:
            link = str(fd.readlink())
        except FileNotFoundError:  # closed while we looked
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:[") : -1])
    addresses = []
    for line in (proc / "net" / "udp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[9] in inodes:
            host, port = fields[1].split(":")
            addresses.append((socket.inet_ntoa(bytes.fromhex(host)[::-1]), int(port, 16)))
    return addresses
