"""Shared pieces of the benchmarks: processes to measure, the peers, /proc
readings and percentiles. Benchmarks print figures; they assert nothing."""

from __future__ import annotations

import os
import queue
import re
import statistics
import subprocess
import threading
import time
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[2]

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_own_mb(pid: int) -> float:
    """Resident memory without the sound server's shared memory: JACK maps
    its whole engine into every client, which says nothing about the client."""
    total = 0
    shared = False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if fields and not fields[0].endswith(":"):  # a mapping header line
            shared = len(fields) >= 6 and fields[5].startswith("/dev/shm/jack")
        elif fields and fields[0] == "Rss:" and not shared:
            total += int(fields[1])
    return total / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


class LineWatcher:
    """Collects a process's output lines with their arrival times."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.seen: list[tuple[float, str]] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            item = (time.time(), line.rstrip("\n"))
            self.seen.append(item)
            self.lines.put(item)

    def wait_for(self, pattern: str, timeout: float = 30.0) -> tuple[float, re.Match[str]]:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                tail = "\n".join(line for _, line in self.seen[-20:])
                raise TimeoutError(f"no line matching {pattern!r} within {timeout} s; last lines:\n{tail}")
            try:
                stamp, line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            match = regex.search(line)
            if match:
                return stamp, match


class InviteCapture:
    """Arrival times of INVITEs sent to a UDP port (tshark on loopback)."""

    def __init__(self, port: int) -> None:
        self.process = subprocess.Popen(
            ["tshark", "-l", "-n", "-i", "lo", "-f", f"udp dst port {port}", "-Y", 'sip.Method == "INVITE"',
             "-T", "fields", "-e", "frame.time_epoch", "-e", "sip.Call-ID"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        self.watcher = LineWatcher(self.process.stdout)  # type: ignore[arg-type]
        time.sleep(2.0)  # tshark needs a moment before it captures

    def arrivals(self) -> list[float]:
        return [float(line.split()[0]) for _, line in self.watcher.seen if line.strip()]

    def close(self) -> None:
        self.process.terminate()
        self.process.wait()


def table(title: str, rows: list[tuple[str, str, str, str]]) -> str:
    header = ("figure", "AgentDesk", "baresip", "ratio")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)
