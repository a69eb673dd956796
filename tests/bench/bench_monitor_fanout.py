"""Team leads' monitor streams on a busy desk service: bench_desk_fanout's
load (simulated desktops, generated callers entering the queues at
20 calls/s) run three times in one run: phase A with the desktops alone,
phase B with 50 team leads' monitor streams connected as well
(fanout_clients.py --monitor), and phase A' alone again. Prints the desk
service's CPU in each phase and what the lead streams add (in % of one
core and relative), against the mean of A and A': a service that grows
busier through the run (or a neighbour on the machine) shows as a
difference between A and A' rather than as the leads' cost. Then the
floor updates' latency (the latest Asterisk event time
behind an update to a lead's stream reading it), split into the time the
service held it (coalescing, at most every 100 ms) and the way to the
lead; updates/s and bytes/s per lead stream; and the rows per update (how
much coalescing gathers). Target: the lead streams add under 10 % to the
desk service's CPU.

BENCH_DESKTOPS, BENCH_CALLS_PER_SECOND and BENCH_LOAD_SECONDS change the
load as in bench_desk_fanout.py; BENCH_LEAD_STREAMS the lead streams.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_desk_fanout import (
    CALLS_PER_SECOND,
    DESKTOPS,
    LOAD_SECONDS,
    PATIENCE,
    asterisk_pid,
    desk_pid,
    load_average,
    run_load,
    sign_in_all,
    spread,
    start_clients,
    stop_clients,
)
from tests.bench.common import REPO, median, percentile, record
from tests.helpers.desk import sign_in
from tests.helpers.pbx import DESK_URL, Pbx

LEAD_STREAMS = int(os.environ.get("BENCH_LEAD_STREAMS", "50"))
LEADS = ("1901", "1902", "1903")  # the directory's team leads (pbx/directory.csv)
SETTLE_SECONDS = 2.0  # after the leads' floors are sent, before phase B's load
TARGET_ADDED_PERCENT = 10.0  # the lead streams add < 10 % to the desk service's CPU
DESK = "desk service"
SLOW_CONSUMER = "cannot keep up"  # the hub's warning when it drops a stream


@dataclass(frozen=True)
class Phase:
    name: str
    cpu: dict[str, float]  # process -> CPU seconds
    seconds: float
    load: str  # load average before and after

    def percent(self, process: str) -> float:
        """CPU of `process` in % of one core."""
        return 100 * self.cpu[process] / max(self.seconds, 1e-9)


def sign_in_leads(count: int) -> list[str]:
    """One session per stream, taking the leads in turn (a lead may sign in
    on several screens, as an agent may)."""
    leads = [LEADS[n % len(LEADS)] for n in range(count)]
    return [sign_in(DESK_URL, lead, f"demo-{lead}") for lead in leads]


def phase(name: str, pbx: Pbx, pids: dict[str, int]) -> Phase:
    before = load_average()
    cpu, seconds = run_load(pbx, pids)
    return Phase(name, cpu, seconds, f"{before} before, {load_average()} after")


def main() -> int:
    pbx = Pbx()
    pbx.start()
    try:
        log = pbx.desk_log()
        desktops = start_clients(sign_in_all(DESKTOPS))
        pids = {DESK: desk_pid(pbx), "simulated desktops": desktops.pid, "Asterisk": asterisk_pid(pbx)}
        before = phase("A: desktops only", pbx, pids)
        leads = start_clients(sign_in_leads(LEAD_STREAMS), monitor=True)
        connected = time.monotonic()
        time.sleep(SETTLE_SECONDS)
        watched = phase(f"B: with {LEAD_STREAMS} lead streams", pbx, {**pids, "lead streams": leads.pid})
        floor = stop_clients(leads)
        lead_seconds = time.monotonic() - connected
        time.sleep(SETTLE_SECONDS)
        after = phase("A': desktops only again", pbx, pids)
        desks = stop_clients(desktops)
        dropped = [line for line in log.read().splitlines() if SLOW_CONSUMER in line]
    finally:
        pbx.stop()
    report((before, watched, after), floor, lead_seconds, desks, dropped)
    return 0


def report(phases: tuple[Phase, Phase, Phase], floor: dict[str, Any], lead_seconds: float,
           desks: dict[str, Any], dropped: list[str]) -> None:
    print(f"\nMonitor fan-out: {DESKTOPS} desktops, {CALLS_PER_SECOND:g} calls/s for {LOAD_SECONDS:g} s per phase "
          f"(callers give up after {PATIENCE} s); phase B adds {LEAD_STREAMS} team-lead monitor streams "
          f"({len(LEADS)} leads' sessions in turn)")
    report_cpu(*phases)
    report_updates(floor, lead_seconds)
    leads_dropped = sum(1 for line in dropped if any(f" {lead} " in line for lead in LEADS))
    print(f"  streams ended by the service: desktops {desks['streams_ended']}, lead streams "
          f"{floor['streams_ended']}; dropped as too slow (desk log): {len(dropped) - leads_dropped} desktops, "
          f"{leads_dropped} lead streams")
    for line in dropped[:5]:
        print(f"    {line}")
    print(f"  lead streams' loop lag (ms) {spread(floor['loop_lag_ms'])}   (a busy client would pass for latency)")


def report_cpu(before: Phase, watched: Phase, after: Phase) -> None:
    for phase_ in (before, watched, after):
        print(f"  phase {phase_.name}: {phase_.seconds:.1f} s; load average {phase_.load}")
        for name, seconds in phase_.cpu.items():
            print(f"    CPU {name:20}{seconds:6.1f} s  ({phase_.percent(name):.0f} % of one core)")
    alone = (before.percent(DESK) + after.percent(DESK)) / 2
    added = watched.percent(DESK) - alone
    relative = 100 * added / max(alone, 1e-9)
    print(f"  desk service CPU: {before.percent(DESK):.1f} % of one core in A, {after.percent(DESK):.1f} % in A' "
          f"(A' - A {after.percent(DESK) - before.percent(DESK):+.1f}: the noise), "
          f"{watched.percent(DESK):.1f} % with the lead streams")
    print(f"  added by the lead streams: {added:+.1f} % of one core, {relative:+.1f} % relative to A and A' "
          f"(target < {TARGET_ADDED_PERCENT:.0f} %)")
    record("monitor_fanout", "desk CPU without lead streams", alone, "% core", "", None)
    record("monitor_fanout", "desk CPU with lead streams", watched.percent(DESK), "% core", "", None)
    record("monitor_fanout", f"desk CPU added by {LEAD_STREAMS} lead streams", relative, "%",
           f"< {TARGET_ADDED_PERCENT:.0f} %", relative < TARGET_ADDED_PERCENT)


def report_updates(floor: dict[str, Any], seconds: float) -> None:
    latencies, rows = floor["latencies_ms"], floor["rows"]
    per_stream = [count / seconds for count in floor["updates"]]
    print(f"  floor updates: {sum(floor['updates'])} delivered, {len(rows)} distinct, "
          f"{floor['without_event_time']} without an event time; whole floors resent {floor['floors_resent']}, "
          f"ticks {floor['ticks']} (over {seconds:.1f} s of lead streams)")
    print(f"  floor update latency p50  {median(latencies):.1f} ms   (happened -> read by the lead's stream)")
    print(f"  floor update latency p95  {percentile(latencies, 0.95):.1f} ms")
    print(f"  held by the service (ms)  {spread(floor['held_ms'])}   (happened -> sent; coalescing)")
    print(f"  updates/s per lead stream {spread(per_stream)}")
    print(f"  update bytes/s per stream {spread([b / seconds for b in floor['update_bytes']])}; "
          f"all bytes/s {spread([b / seconds for b in floor['stream_bytes']])}")
    for index, what in enumerate(("agents", "queues", "calls")):
        print(f"  {what} rows per update    {spread([float(r[index]) for r in rows])}; "
              f"mean {sum(r[index] for r in rows) / max(len(rows), 1):.1f}")
    record("monitor_fanout", "floor update latency p50", median(latencies), "ms", "", None)
    record("monitor_fanout", "floor update latency p95", percentile(latencies, 0.95), "ms", "", None)


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
