"""Desk service fan-out: 200 connected desktops (simulated, in another
process) receive queue events while generated callers enter the queues at
20 calls/s. Prints event delivery latency (Asterisk's event timestamp to
the desktop reading it), split into the way to the first desktop and the
spread from the first to the last; how late the simulated desktops' own
event loop ran (a busy client would pass for a slow service); the size of
the events; and the CPU of the desk service, the simulated desktops and
Asterisk. Target: p95 < 100 ms.

BENCH_DESKTOPS, BENCH_CALLS_PER_SECOND and BENCH_LOAD_SECONDS change the load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import (
    REPO,
    cpu_seconds,
    median,
    percentile,
    record,
)
from tests.helpers.desk import sign_in
from tests.helpers.pbx import DESK_CA_FILE, DESK_URL, Pbx

DESKTOPS = int(os.environ.get("BENCH_DESKTOPS", "200"))
CALLS_PER_SECOND = float(os.environ.get("BENCH_CALLS_PER_SECOND", "20"))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
PATIENCE = 2  # seconds each generated caller waits before giving up
QUEUES = ("support", "sales")
TARGET_P95_MS = 100.0  # delivery latency p95 < 100 ms


def sign_in_all(count: int) -> list[str]:
    agents = [f"{1001 + n % 20}" for n in range(count)]
    return [sign_in(DESK_URL, a, f"demo-{a}") for a in agents]


def start_clients(tokens: list[str], monitor: bool = False) -> subprocess.Popen[str]:
    """The simulated desktops' process, or with `monitor` team leads' monitor streams."""
    command = [sys.executable, str(Path(__file__).with_name("fanout_clients.py")), *(["--monitor"] if monitor else [])]
    clients = subprocess.Popen(command,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    assert clients.stdin is not None and clients.stdout is not None
    clients.stdin.write(json.dumps({"url": DESK_URL, "ca": str(DESK_CA_FILE), "tokens": tokens}) + "\n")
    clients.stdin.flush()
    line = clients.stdout.readline()
    if not line.startswith("connected"):
        raise RuntimeError(f"the simulated {'lead streams' if monitor else 'desktops'} did not connect: {line!r}")
    return clients


def generate_callers(pbx: Pbx) -> list[subprocess.Popen[str]]:
    per_queue = CALLS_PER_SECOND / len(QUEUES)
    count = int(per_queue * LOAD_SECONDS)
    return [
        subprocess.Popen(
            [str(REPO / "pbx" / "run"), "callers", "--queue", queue, "--count", str(count),
             "--interval", f"{1 / per_queue:.4f}", "--patience", str(PATIENCE)],
            env=pbx.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        for queue in QUEUES
    ]


def desk_pid(pbx: Pbx) -> int:
    return int((pbx.home / "state" / "desk.pid").read_text().strip())


def asterisk_pid(pbx: Pbx) -> int:
    return int((pbx.home / "state" / "asterisk.pid").read_text().strip())


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    pbx = Pbx()
    pbx.start()
    try:
        tokens = sign_in_all(DESKTOPS)
        clients = start_clients(tokens)
        pids = {"desk service": desk_pid(pbx), "simulated desktops": clients.pid, "Asterisk": asterisk_pid(pbx)}
        load_before = load_average()
        cpu, elapsed = run_load(pbx, pids)
        seen = stop_clients(clients)
    finally:
        pbx.stop()
    report(seen, cpu, elapsed, f"{load_before} before, {load_average()} after")
    return 0


def run_load(pbx: Pbx, pids: dict[str, int]) -> tuple[dict[str, float], float]:
    """The generated callers until the last has given up: each process's
    CPU seconds (by name) and the seconds it took."""
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    started = time.monotonic()
    for generator in generate_callers(pbx):
        generator.wait()
    time.sleep(PATIENCE + 1)
    cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
    return cpu, time.monotonic() - started


def stop_clients(clients: subprocess.Popen[str]) -> dict[str, Any]:
    """End the streams; what they saw (fanout_clients.py's report)."""
    assert clients.stdin is not None and clients.stdout is not None
    clients.stdin.write("done\n")
    clients.stdin.flush()
    seen: dict[str, Any] = json.loads(clients.stdout.readline())
    clients.wait(timeout=30)
    return seen


def spread(values: list[float]) -> str:
    return f"p50 {median(values):.1f}  p95 {percentile(values, 0.95):.1f}  max {max(values, default=float('nan')):.1f}"


def report(seen: dict[str, Any], cpu: dict[str, float], elapsed: float, load: str) -> None:
    latencies, sizes = seen["latencies_ms"], seen["sizes"]
    print(f"\nDesk service fan-out: {DESKTOPS} desktops, {CALLS_PER_SECOND:g} calls/s for {LOAD_SECONDS:g} s "
          f"(callers give up after {PATIENCE} s); load average {load}")
    print(f"  queue events delivered    {len(latencies)} ({len(latencies) / max(elapsed, 1e-9):.0f}/s), "
          f"{len(sizes)} distinct ({len(sizes) / max(elapsed, 1e-9):.1f}/s); streams ended by the service: "
          f"{seen['streams_ended']}")
    print(f"  delivery latency p50      {median(latencies):.1f} ms")
    print(f"  delivery latency p95      {percentile(latencies, 0.95):.1f} ms   (target < 100 ms)")
    print(f"  delivery latency p99      {percentile(latencies, 0.99):.1f} ms")
    record("desk_fanout", "delivery latency p50", median(latencies), "ms", "", None)
    p95 = percentile(latencies, 0.95)
    record("desk_fanout", "delivery latency p95", p95, "ms", f"< {TARGET_P95_MS:.0f} ms", p95 < TARGET_P95_MS)
    print(f"  to the first desktop (ms) {spread(seen['first_ms'])}")
    print(f"  first to last (ms)        {spread(seen['spread_ms'])}")
    print(f"  client loop lag (ms)      {spread(seen['loop_lag_ms'])}")
    print(f"  event JSON (bytes)        {spread([float(s) for s in sizes])}; "
          f"{sum(sizes) * DESKTOPS / max(elapsed, 1e-9) / 1e6:.1f} MB/s to all desktops")
    for name, seconds in cpu.items():
        print(f"  CPU {name:22}{seconds:.1f} s over {elapsed:.1f} s ({100 * seconds / elapsed:.0f} % of one core)")


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
