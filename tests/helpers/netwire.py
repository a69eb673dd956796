"""The tests' impaired network link, in user space: it stands in for
`tc netem`, which this kernel lacks.

Two TUN devices, each in a network namespace of its own (the home router's
and the PBX's, tests/helpers/netlab.py), joined by one process that reads
every IP packet from one and writes it into the other after the packet's
Impairment (tests/helpers/impairment.py) had its say: lost, delayed,
jittered, reordered, or dropped in an outage. Each direction ("up": from
the agent towards the PBX; "down": back) is shaped on its own.

`Wire` starts the process and changes its settings while it runs; the
process takes one JSON command a line on standard input and answers each
with one JSON line. It runs apart from the tests' process so that the
desktop's threads and the wire never wait for each other's interpreter.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import heapq
import json
import os
import select
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers.impairment import Impairment, Shaper
from tests.helpers.soundserver import die_with_parent

REPO = Path(__file__).resolve().parents[2]
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
DIRECTIONS = ("up", "down")


class WireError(RuntimeError):
    pass


def _setns(fd: int) -> None:
    if ctypes.CDLL(None, use_errno=True).setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns into a network namespace failed")


def open_tun(name: str, netns: str) -> int:
    """A TUN device `name` made in the named network namespace; it lives as
    long as the returned descriptor. A device belongs to the namespace its
    /dev/net/tun was opened in, so the process steps in there for that."""
    home, there = os.open("/proc/self/ns/net", os.O_RDONLY), os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        _setns(there)
        try:
            fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TUN | IFF_NO_PI))
        finally:
            _setns(home)
    finally:
        os.close(home)
        os.close(there)
    return fd


@dataclass(order=True)
class _Held:
    departure: float
    number: int
    packet: bytes = field(compare=False)
    out: int = field(compare=False)


class Relay:
    """The process's loop: packets in, shaped, packets out, commands."""

    def __init__(self, near: int, far: int) -> None:
        self.ends = {near: ("up", far), far: ("down", near)}
        self.shapers = {direction: Shaper() for direction in DIRECTIONS}
        self.held: list[_Held] = []
        self.count = 0
        self.write_errors = 0
        self.commands = b""

    def run(self) -> None:
        os.set_blocking(0, False)
        while True:
            timeout = max(0.0, self.held[0].departure - time.monotonic()) if self.held else 1.0
            readable, _, _ = select.select([*self.ends, 0], [], [], timeout)
            for fd in readable:
                if fd == 0 and not self._read_commands():
                    return
                if fd != 0:
                    self._take(fd)
            self._send_due()

    def _take(self, fd: int) -> None:
        direction, out = self.ends[fd]
        shaper = self.shapers[direction]
        for _ in range(64):
            try:
                packet = os.read(fd, 65536)
            except BlockingIOError:
                return
            departure = shaper.departure(time.monotonic())
            if departure is not None:
                self.count += 1
                heapq.heappush(self.held, _Held(departure, self.count, packet, out))

    def _send_due(self) -> None:
        now = time.monotonic()
        while self.held and self.held[0].departure <= now:
            held = heapq.heappop(self.held)
            try:
                os.write(held.out, held.packet)
            except OSError:  # e.g. the device is down for a moment: a lost packet, as on a wire
                self.write_errors += 1

    def _read_commands(self) -> bool:
        chunk = os.read(0, 65536)
        if not chunk:
            return False
        self.commands += chunk
        while b"\n" in self.commands:
            line, self.commands = self.commands.split(b"\n", 1)
            if line.strip():
                _reply(self._command(json.loads(line)))
        return True

    def _command(self, command: dict[str, Any]) -> dict[str, Any]:
        try:
            directions = DIRECTIONS if command.get("direction", "both") == "both" else (command["direction"],)
            shapers = [self.shapers[d] for d in directions]
            if command["cmd"] == "set":
                for shaper in shapers:
                    shaper.set(Impairment.from_json(command["impairment"]), command.get("seed"))
            elif command["cmd"] == "outage":
                for shaper in shapers:
                    shaper.outage(time.monotonic(), float(command["seconds"]))
            elif command["cmd"] != "stats":
                raise ValueError(f"unknown command {command['cmd']!r}")
        except (KeyError, ValueError, TypeError) as error:
            return {"ok": False, "error": str(error)}
        return {"ok": True, "write_errors": self.write_errors,
                **{d: vars(s.counters) for d, s in self.shapers.items()}}


def _reply(answer: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def main() -> None:
    """python -m tests.helpers.netwire NEAR_NS NEAR_DEV FAR_NS FAR_DEV"""
    near_ns, near_dev, far_ns, far_dev = sys.argv[1:5]
    near, far = open_tun(near_dev, near_ns), open_tun(far_dev, far_ns)
    _reply({"ok": True, "ready": True})
    Relay(near, far).run()


class Wire:
    """The running wire between the TUN device `near_dev` in namespace
    `near_ns` (the agent's side) and `far_dev` in `far_ns` (the PBX's).
    Its devices exist while it runs; close() ends it."""

    def __init__(self, near_ns: str, near_dev: str, far_ns: str, far_dev: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.netwire", near_ns, near_dev, far_ns, far_dev],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
            preexec_fn=die_with_parent,
        )
        self._answer(10.0)

    def _answer(self, timeout: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.process.kill()
            _, errors = self.process.communicate()
            raise WireError(f"the network wire did not answer: {errors}")
        answer: dict[str, Any] = json.loads(line)
        if not answer.get("ok"):
            raise WireError(f"the network wire refused a command: {answer.get('error')}")
        return answer

    def _send(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self._answer(5.0)

    def set(self, impairment: Impairment, direction: str = "both", seed: int | None = None) -> None:
        """From now on, packets going `direction` (up, down, both) suffer
        this; with a seed, the same packets of a stream suffer it each time
        (two phones compared under the same losses)."""
        self._send({"cmd": "set", "direction": direction, "impairment": impairment.to_json(), "seed": seed})

    def clear(self) -> None:
        self.set(Impairment())

    def outage(self, seconds: float, direction: str = "both") -> None:
        """Lose every packet going `direction` for the next `seconds`."""
        self._send({"cmd": "outage", "direction": direction, "seconds": seconds})

    def stats(self) -> dict[str, Any]:
        """Per direction: packets seen, lost, lost in outages."""
        return self._send({"cmd": "stats"})

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            with contextlib.suppress(OSError):
                self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


if __name__ == "__main__":
    main()
