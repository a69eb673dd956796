"""Per-thread CPU time and wake-ups of a running process, from
/proc/<pid>/task: the breakdown behind a process's idle cost. The desktop
names its own threads (agentdesk/desktop/threadname.py); the libraries'
threads carry their own names (Qt's, PortAudio's, JACK's)."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ThreadSample:
    name: str
    cpu: float  # seconds, user + system
    wakeups: int  # context switches: each one is the thread going to sleep and being woken, or preempted


def sample(pid: int) -> dict[int, ThreadSample]:
    """Every thread of `pid` now, by thread id (threads that end meanwhile
    are skipped). The main thread is marked: threads started after it was
    named inherit its name."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            status = dict(line.split(":", 1) for line in (task / "status").read_text().splitlines() if ":" in line)
        except (FileNotFoundError, ProcessLookupError):
            continue
        switches = int(status["voluntary_ctxt_switches"]) + int(status["nonvoluntary_ctxt_switches"])
        name = f"{name} (main)" if int(task.name) == pid else name
        found[int(task.name)] = ThreadSample(name, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS, switches)
    return found


@dataclass(frozen=True)
class ThreadCost:
    name: str
    threads: int
    cpu_per_minute: float
    wakeups_per_second: float


def costs(before: dict[int, ThreadSample], after: dict[int, ThreadSample], seconds: float) -> list[ThreadCost]:
    """What each thread name cost between two samples, most CPU first
    (threads started meanwhile count from zero)."""
    cpu: dict[str, float] = defaultdict(float)
    wakeups: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for tid, now in after.items():
        then = before.get(tid, ThreadSample(now.name, 0.0, 0))
        cpu[now.name] += now.cpu - then.cpu
        wakeups[now.name] += now.wakeups - then.wakeups
        count[now.name] += 1
    rows = [ThreadCost(name, count[name], cpu[name] * 60 / seconds, wakeups[name] / seconds) for name in cpu]
    return sorted(rows, key=lambda r: (-r.cpu_per_minute, -r.wakeups_per_second, r.name))


def cost_table(title: str, rows: list[ThreadCost]) -> str:
    lines = [title, f"  {'thread':<22} {'n':>2} {'CPU s/min':>10} {'wake-ups/s':>11}"]
    lines += [f"  {r.name:<22} {r.threads:>2} {r.cpu_per_minute:>10.3f} {r.wakeups_per_second:>11.1f}" for r in rows]
    total_cpu = sum(r.cpu_per_minute for r in rows)
    total_wakeups = sum(r.wakeups_per_second for r in rows)
    lines.append(f"  {'total':<22} {sum(r.threads for r in rows):>2} {total_cpu:>10.3f} {total_wakeups:>11.1f}")
    return "\n".join(lines)
