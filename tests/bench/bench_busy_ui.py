#!/usr/bin/env python3
"""Audio bridge glitches while the UI thread is busy.

A real AgentDesk desktop (in this process, so the GUI thread can be loaded
on purpose) answers a queue call and talks for BENCH_CALL_SECONDS (default
60) to a second party, through the JACK test sound server. Meanwhile a timer
keeps the GUI thread busy by rebuilding a 400-entry call history list and
repainting the window, over and over; in two harder runs the GUI thread also
stalls once a second for 100 ms and for 200 ms while holding the Python
interpreter (one long C call: nothing else in this process runs Python
meanwhile). The same call is measured once with an idle UI for comparison.
Printed: underruns, overruns and device xruns per minute, and how busy the
GUI thread was. Target: zero underruns in every run.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from agentdesk.desktop.history import HistoryEntry, Outcome
from agentdesk.desktop.phone.model import Direction
from tests.bench.common import desktop_home, record
from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.soundserver import MIC_TONE

CALL_SECONDS = float(os.environ.get("BENCH_CALL_SECONDS", "60"))
ENTRIES = [HistoryEntry(Direction.INCOMING, f"+7916{n:07d}", f"Customer {n}", "support", time.time() - n * 60,
                        time.time() - n * 60 + 5, time.time() - n * 60 + 95, Outcome.ANSWERED, "") for n in range(400)]


class Stall:
    """One C call that holds the interpreter for about `seconds` (sorting a
    list of random numbers, sized by measuring)."""

    def __init__(self, seconds: float) -> None:
        sample = [random.random() for _ in range(200_000)]
        began = time.perf_counter()
        sorted(sample)
        per_item = (time.perf_counter() - began) / len(sample)
        self.numbers = [random.random() for _ in range(int(seconds / per_item))]

    def __call__(self) -> None:
        sorted(self.numbers)


class BusyUi:
    """Keeps the GUI thread busy, with a stall once a second if given one;
    measures the share of time it was busy and its longest busy stretch."""

    def __init__(self, window: object, stall: Stall | None = None) -> None:
        self.window = window
        self.stall = stall
        self.busy_seconds = 0.0
        self.longest = 0.0
        self.started = time.monotonic()
        self.last_stall = self.started
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._work)

    def _work(self) -> None:
        began = time.perf_counter()
        self.window.set_history(ENTRIES)  # type: ignore[attr-defined]
        self.window.repaint()  # type: ignore[attr-defined]
        if self.stall is not None and time.monotonic() - self.last_stall >= 1.0:
            self.last_stall = time.monotonic()
            self.stall()
        took = time.perf_counter() - began
        self.busy_seconds += took
        self.longest = max(self.longest, took)

    def share(self) -> float:
        return self.busy_seconds / max(1e-9, time.monotonic() - self.started)


def wait(app: QApplication, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)


def one_call(app: QApplication, desktop: object, pbx: Pbx, busy: bool, stall: Stall | None = None) -> dict[str, float]:
    party = SipParty("caller")
    party.register("1002", SERVER)
    load = BusyUi(desktop.window, stall)  # type: ignore[attr-defined]
    try:
        party.call(f"sip:7001@{SERVER}")
        party.wait_state("CONFIRMED")
        deadline = time.monotonic() + 15
        while not pbx.channel_up("1001") and time.monotonic() < deadline:
            wait(app, 0.2)
        party.send("tone", freq=1100)
        wait(app, 2)
        bridge = desktop.bridge  # type: ignore[attr-defined]
        start = vars(bridge.stats).copy()
        if busy:
            load.started = time.monotonic()
            load.timer.start()
        wait(app, CALL_SECONDS)
        load.timer.stop()
        end = vars(bridge.stats).copy()
        heard = party.hear([MIC_TONE])[str(int(MIC_TONE))]
        party.send("hangup")
        party.wait_state("DISCONNECTED")
    finally:
        party.close()
    per_minute = {key: (end[key] - start[key]) * 60 / CALL_SECONDS for key in start}
    per_minute["busy_share"] = load.share() if busy else 0.0
    per_minute["longest_ms"] = load.longest * 1000
    per_minute["party_hears_mic"] = heard
    return per_minute


def start_sound_server() -> subprocess.Popen[str]:
    """JACK and its test client in another process: their callbacks must not
    wait for this process's busy GIL (that would show up as our xruns)."""
    server = subprocess.Popen([sys.executable, "-m", "tests.helpers.soundserver"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    assert server.stdout is not None
    os.environ["JACK_DEFAULT_SERVER"] = server.stdout.readline().strip()
    os.environ["JACK_NO_START_SERVER"] = "1"
    return server


def main() -> int:
    sound = start_sound_server()
    pbx = Pbx()
    pbx.start()
    with tempfile.TemporaryDirectory() as folder:
        desktop_home(Path(folder))
        app = QApplication([])
        from agentdesk.desktop import credentials
        from agentdesk.desktop.app import Desktop
        from agentdesk.desktop.phonestart import start_phone
        from agentdesk.desktop.settings import Settings
        from tests.helpers.agent import DEFAULT_SETTINGS

        settings = Settings()
        for key, value in {"server": SERVER, "user": "1001", "auto_answer": True, **DEFAULT_SETTINGS}.items():
            settings.set(key, value)
        settings.save()
        credentials.save_password("1001", SERVER, "demo-1001")
        desktop = Desktop(app, settings, start_phone(settings))
        desktop.start()
        pbx.cli("queue add member PJSIP/1001 to support")
        try:
            wait(app, 2)
            runs = {"idle UI": one_call(app, desktop, pbx, busy=False),
                    "busy UI": one_call(app, desktop, pbx, busy=True),
                    "+100 ms stalls": one_call(app, desktop, pbx, busy=True, stall=Stall(0.1)),
                    "+200 ms stalls": one_call(app, desktop, pbx, busy=True, stall=Stall(0.2))}
        finally:
            pbx.cli("queue remove member PJSIP/1001 from support")
            desktop.quit()
            wait(app, 3)
            import sounddevice

            sounddevice._terminate()
            pbx.stop()
            assert sound.stdin is not None
            sound.stdin.close()
            sound.wait(timeout=20)
    print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"Audio bridge per call-minute ({CALL_SECONDS:.0f} s calls, JACK 20 ms periods)")
    print(f"{'':28}" + "".join(f"{name:>16}" for name in runs))
    for key in ("ticks", "underruns", "overruns", "mic_underruns", "mic_dropped"):
        print(f"{key:28}" + "".join(f"{run[key]:>16.1f}" for run in runs.values()))
    print(f"{'GUI thread busy (%)':28}" + "".join(f"{run['busy_share'] * 100:>16.0f}" for run in runs.values()))
    print(f"{'longest busy stretch (ms)':28}" + "".join(f"{run['longest_ms']:>16.0f}" for run in runs.values()))
    print(f"{'party hears the mic tone':28}" + "".join(f"{run['party_hears_mic']:>16.2f}" for run in runs.values()))
    for name, run in runs.items():
        record("busy_ui", f"underruns per call-minute, {name} (longest stall {run['longest_ms']:.0f} ms)",
               run["underruns"], "", "0", run["underruns"] == 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
