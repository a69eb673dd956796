"""Shared pieces of the benchmarks: processes to measure, the peers, /proc
readings and percentiles. Benchmarks print figures; they assert nothing."""

from __future__ import annotations

import json
import os
import queue
import re
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[2]
# Every figure a benchmark records against its target, for the summary at
# the end of `installers/dev.sh bench` (tests/bench/summary.py).
FIGURES_FILE = Path(os.environ.get("BENCH_FIGURES", REPO / "tests" / "bench" / "results" / "figures.jsonl"))
RECORDING = "BENCH_FIGURES" in os.environ  # a benchmark run alone only prints

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def desktop_home(folder: Path) -> None:
    """Point this process's desktop at `folder` for its settings, data and
    keyring (a plain-file keyring: benchmark machines have no keyring service)."""
    for key, sub in (("AGENTDESK_CONFIG_DIR", "config"), ("AGENTDESK_DATA_DIR", "data"), ("XDG_DATA_HOME", "xdg")):
        os.environ[key] = str(folder / sub)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"


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


# Where resident memory goes, by what a mapping holds (first match wins).
MEMORY_PARTS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("JACK's shared memory", lambda path: path.startswith("/dev/shm/jack")),
    ("Qt and PySide (code, data)", lambda path: "Qt" in path or "PySide6" in path or "shiboken" in path
     or "/libicu" in path),
    ("pjsua2 (code, data)", lambda path: "pjsua2" in path),
    ("Python (interpreter, extension modules)", lambda path: "python3" in path or (path.endswith(".so")
     and "site-packages" in path)),
    ("other libraries and files", lambda path: path.startswith("/")),
    ("thread stacks", lambda path: path.startswith("[stack")),
    ("heap and anonymous (Python objects, Qt, pjsua2 pools)", lambda path: True),
)


def rss_parts(pid: int) -> dict[str, float]:
    """Resident MB of a process by MEMORY_PARTS, from /proc/PID/smaps."""
    parts = dict.fromkeys((name for name, _ in MEMORY_PARTS), 0.0)
    part = ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if fields and not fields[0].endswith(":"):  # a mapping header line
            path = fields[5] if len(fields) >= 6 else ""
            part = next(name for name, holds in MEMORY_PARTS if holds(path))
        elif fields and fields[0] == "Rss:":
            parts[part] += int(fields[1]) / 1024
    return parts


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


def record(bench: str, figure: str, value: float, unit: str, target: str, met: bool | None,
           peer: float | None = None) -> None:
    """Keep one figure for the summary: `target` in words ('< 50 ms',
    '<= 1.20x baresip'), `met` whether this value meets it (None: a figure
    without a target), `peer` the same figure for the peer in this run."""
    if not RECORDING:
        return
    FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
    row = {"bench": bench, "figure": figure, "value": value, "unit": unit, "target": target, "met": met,
           "peer": peer, "load": os.getloadavg()[0]}
    with FIGURES_FILE.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")
