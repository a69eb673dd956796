#!/usr/bin/env python3
"""Where a softphone's time goes, thread by thread: AgentDesk (alone, and
signed in to the desk service with its queue panel live) and baresip, in
the same run against the same Asterisk and JACK server. For each: CPU
seconds per minute and wake-ups per second, per thread
(tests/bench/threads.py), registered and idle over BENCH_IDLE_SECONDS
(default 60), then in an answered call with audio both ways over
BENCH_CALL_SECONDS (default 30).

Targets: AgentDesk's idle CPU no more than baresip's; in a call, no more
than 1.2x baresip's.

Run: .venv/bin/python tests/bench/bench_idle.py   (alone on the machine)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_softphone import AgentDeskPhone, BaresipPhone, Phone, queue_call, start_display
from tests.bench.common import REPO, record
from tests.bench.threads import ThreadCost, cost_table, costs, sample
from tests.helpers.party import SipParty
from tests.helpers.pbx import DESK_CA_FILE, DESK_URL, SERVER, Pbx
from tests.helpers.soundserver import SoundServer

IDLE_SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "60"))
CALL_SECONDS = float(os.environ.get("BENCH_CALL_SECONDS", "30"))
SETTLE_SECONDS = 5.0  # after registering: start-up work (first snapshot, history) is not idle cost


class DeskAgentPhone(AgentDeskPhone):
    """AgentDesk as an agent runs it: signed in to the desk service too."""

    name = "AgentDesk + desk"

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        super().__init__(folder, env)
        for key, value in (("desk_url", DESK_URL), ("tls_ca_file", str(DESK_CA_FILE))):
            subprocess.run([sys.executable, "-m", "agentdesk.desktop", "config", "set", key, value],
                           env=self.env, check=True, capture_output=True)


def measured(pid: int, seconds: float) -> list[ThreadCost]:
    before, started = sample(pid), time.monotonic()
    time.sleep(seconds)
    return costs(before, sample(pid), time.monotonic() - started)


def in_call(phone: Phone, pbx: Pbx) -> list[ThreadCost]:
    """A caller through the phone's queue, answered by the phone, a tone both ways."""
    party = SipParty("caller")
    party.register("1002", SERVER)
    try:
        with queue_call(phone, pbx, party):
            time.sleep(SETTLE_SECONDS)
            return measured(phone.pid, CALL_SECONDS)
    finally:
        party.close()


def measure(phone: Phone, pbx: Pbx, call: bool) -> tuple[list[ThreadCost], list[ThreadCost]]:
    print(f"measuring {phone.name} ...", flush=True)
    phone.launch()
    try:
        time.sleep(SETTLE_SECONDS)
        return measured(phone.pid, IDLE_SECONDS), in_call(phone, pbx) if call else []
    finally:
        phone.stop()


def main() -> int:
    display = start_display()
    sound = SoundServer()
    pbx = Pbx()
    pbx.start()
    env = dict(os.environ)
    results: list[tuple[str, list[ThreadCost]]] = []
    calls: list[tuple[str, list[ThreadCost]]] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for kind in (AgentDeskPhone, DeskAgentPhone, BaresipPhone):
                phone = kind(Path(folder) / kind.__name__, env)
                idle, call = measure(phone, pbx, call=kind is not DeskAgentPhone)
                results.append((phone.name, idle))
                if call:
                    calls.append((phone.name, call))
    finally:
        pbx.stop()
        sound.close()
        if display is not None:
            display.terminate()
    print(f"\nload average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    for name, rows in results:
        print()
        print(cost_table(f"{name}: idle, registered ({IDLE_SECONDS:.0f} s)", rows))
    for name, rows in calls:
        print()
        print(cost_table(f"{name}: in a call ({CALL_SECONDS:.0f} s)", rows))
    compare("idle CPU s/min", 1.0, results)
    compare("CPU s per call-minute", 1.2, calls)
    return 0


def compare(title: str, limit: float, results: list[tuple[str, list[ThreadCost]]]) -> None:
    totals = {name: sum(r.cpu_per_minute for r in rows) for name, rows in results}
    theirs = totals["baresip"]
    print(f"\n{title} against baresip (target <= {limit:.2f}x):")
    for name, total in totals.items():
        print(f"  {name:<18} {total:.3f}  {total / theirs:.2f}x" if theirs else f"  {name:<18} {total:.3f}")
        if name != "baresip":
            record("idle", f"{title}, {name}", total, "s", f"<= {limit:.2f}x baresip", total <= limit * theirs, theirs)


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
