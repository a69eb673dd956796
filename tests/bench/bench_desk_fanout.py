"""Desk service fan-out: 200 connected desktops (simulated, in another
process) receive queue events while generated callers enter the queues at
20 calls/s. Prints event delivery latency (Asterisk's event timestamp to
the desktop reading it) and the desk service's CPU. Target: p95 < 100 ms.

BENCH_DESKTOPS, BENCH_CALLS_PER_SECOND and BENCH_LOAD_SECONDS change the load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import REPO, cpu_seconds, median, percentile
from tests.helpers.pbx import DESK_URL, Pbx

DESKTOPS = int(os.environ.get("BENCH_DESKTOPS", "200"))
CALLS_PER_SECOND = float(os.environ.get("BENCH_CALLS_PER_SECOND", "20"))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
PATIENCE = 2  # seconds each generated caller waits before giving up
QUEUES = ("support", "sales")


def sign_in_all(count: int) -> list[str]:
    agents = [f"{1001 + n % 20}" for n in range(count)]
    return [
        requests.post(f"{DESK_URL}/api/v1/session", json={"agent": a, "password": f"demo-{a}"}, timeout=10).json()[
            "token"]
        for a in agents
    ]


def start_clients(tokens: list[str]) -> subprocess.Popen[str]:
    clients = subprocess.Popen([sys.executable, str(Path(__file__).with_name("fanout_clients.py"))],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    assert clients.stdin is not None and clients.stdout is not None
    clients.stdin.write(json.dumps({"url": DESK_URL, "tokens": tokens}) + "\n")
    clients.stdin.flush()
    line = clients.stdout.readline()
    if not line.startswith("connected"):
        raise RuntimeError(f"the simulated desktops did not connect: {line!r}")
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


def main() -> int:
    pbx = Pbx()
    pbx.start()
    try:
        tokens = sign_in_all(DESKTOPS)
        clients = start_clients(tokens)
        pid = desk_pid(pbx)
        cpu_before, started = cpu_seconds(pid), time.monotonic()
        generators = generate_callers(pbx)
        for generator in generators:
            generator.wait()
        time.sleep(PATIENCE + 1)
        cpu, elapsed = cpu_seconds(pid) - cpu_before, time.monotonic() - started
        assert clients.stdin is not None and clients.stdout is not None
        clients.stdin.write("done\n")
        clients.stdin.flush()
        latencies = json.loads(clients.stdout.readline())["latencies_ms"]
        clients.wait(timeout=30)
    finally:
        pbx.stop()
    report(latencies, cpu, elapsed)
    return 0


def report(latencies: list[float], cpu: float, elapsed: float) -> None:
    print(f"\nDesk service fan-out: {DESKTOPS} desktops, {CALLS_PER_SECOND:g} calls/s for {LOAD_SECONDS:g} s "
          f"(callers give up after {PATIENCE} s)")
    print(f"  queue events delivered    {len(latencies)} ({len(latencies) / max(elapsed, 1e-9):.0f}/s)")
    print(f"  delivery latency p50      {median(latencies):.1f} ms")
    print(f"  delivery latency p95      {percentile(latencies, 0.95):.1f} ms   (target < 100 ms)")
    print(f"  delivery latency p99      {percentile(latencies, 0.99):.1f} ms")
    print(f"  desk service CPU          {cpu:.1f} s over {elapsed:.1f} s ({100 * cpu / elapsed:.0f} % of one core)")


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
