#!/usr/bin/env python3
"""Softphone figures for AgentDesk and, in the same run against the same
Asterisk and the same PortAudio/JACK sound server, for baresip:

- launch to registered (median of 4 launches, warm: byte code compiled and
  the libraries in the page cache), and for AgentDesk to its window first
  painted (the phone registers before the window is built);
- INVITE arriving at the phone to the ringing UI visible, p50/p95 of 20 calls
  (AgentDesk: the incoming-call window painted; baresip: its "incoming call"
  line; INVITE arrival from tshark on loopback);
- CPU seconds per minute of an answered call with audio both ways and of
  idle time, resident memory idle and in a call (with where AgentDesk's
  goes: Qt, pjsua2, Python, the heap);
- audio bridge underruns per minute while the UI thread is kept busy
  (AgentDesk in this process, see bench_busy_ui()).

Targets: launch to registered < 0.4 s; ringing UI < 50 ms p95; CPU per
call-minute <= 1.2x baresip; idle CPU <= baresip's; idle RSS without JACK's
shared memory <= 100 MB. (Underruns with a busy UI: bench_busy_ui.py.)

Run: installers/dev.sh bench   (or .venv/bin/python tests/bench/bench_softphone.py)
BENCH_CALL_SECONDS shortens the measured call (default 60).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import (
    REPO,
    InviteCapture,
    LineWatcher,
    cpu_seconds,
    median,
    percentile,
    record,
    rss_mb,
    rss_own_mb,
    rss_parts,
    table,
)
from tests.helpers.baresip import BaresipAccount, write_config
from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.soundserver import DEVICE, MIC_TONE, SoundServer

CALL_SECONDS = float(os.environ.get("BENCH_CALL_SECONDS", "60"))
RINGS = 20
BARESIP_PORT = 5070


class Phone:
    """A softphone process under measurement."""

    name = ""
    user = ""
    queue_extension = ""
    queue = ""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.process: subprocess.Popen[str] | None = None
        self.output: LineWatcher | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    registered_pattern = ""
    painted_pattern = ""  # the window first painted, where there is one
    ringing_pattern = ""

    def launch(self) -> tuple[float, float | None]:
        """Start; returns seconds until the PBX accepted the registration and
        until the window was first painted (None: no window)."""
        started = time.time()
        self.process = subprocess.Popen(self.command(), env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, stdin=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.output = LineWatcher(self.process.stdout)
        registered, _ = self.output.wait_for(self.registered_pattern)
        if not self.painted_pattern:
            return registered - started, None
        painted, _ = self.output.wait_for(self.painted_pattern)
        return registered - started, painted - started

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()
            self.process = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


class AgentDeskPhone(Phone):
    name, user, queue_extension, queue = "AgentDesk", "1001", "7001", "support"
    registered_pattern = r"registration: 200 OK"
    painted_pattern = r"window painted"
    ringing_pattern = r"incoming call \d+ visible at ([0-9.]+)"

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        env = {**env, "AGENTDESK_CONFIG_DIR": str(folder / "config"), "AGENTDESK_DATA_DIR": str(folder / "data"),
               "XDG_DATA_HOME": str(folder / "xdg"), "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
        super().__init__(folder, env)
        agentdesk = [sys.executable, "-m", "agentdesk.desktop"]
        subprocess.run([*agentdesk, "account", "add", "--server", SERVER, "--user", self.user, "--password-stdin"],
                       input=f"demo-{self.user}\n", env=self.env, check=True, capture_output=True, text=True)
        for key, value in (("auto_answer", "true"), ("microphone", DEVICE), ("speaker", DEVICE),
                           ("ring_device", DEVICE)):
            subprocess.run([*agentdesk, "config", "set", key, value], env=self.env, check=True, capture_output=True)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "agentdesk.desktop", "--log-level", "DEBUG"]


class BaresipPhone(Phone):
    name, user, queue_extension, queue = "baresip", "1003", "7002", "sales"
    registered_pattern = r"200 OK"
    ringing_pattern = r"answering call|[Ii]ncoming call"

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        super().__init__(folder, env)
        account = BaresipAccount(self.user, f"demo-{self.user}", SERVER, codecs="G722/16000/1,PCMU/8000/1")
        audio = ["audio_player portaudio,", "audio_source portaudio,", "audio_alert portaudio,", "ausrc_srate 16000",
                 "auplay_srate 16000", "audio_channels 1"]
        write_config(folder, account, audio, ["stdio.so", "g711.so", "g722.so", "portaudio.so"],
                     listen=f"127.0.0.1:{BARESIP_PORT}")

    def command(self) -> list[str]:
        return ["baresip", "-f", str(self.folder)]


def agent_port(pbx: Pbx, user: str) -> int:
    import re

    match = re.search(rf"Contact:\s+{user}/sip:{user}@127\.0\.0\.1:(\d+)", pbx.contacts())
    assert match, pbx.contacts()
    return int(match.group(1))


def measure_launch(phone: Phone, pbx: Pbx) -> dict[str, Any]:
    """Launch figures, and memory once the last launch has settled."""
    registered, painted = [], []
    for launch in range(4):
        if launch:
            phone.stop()
            pbx.wait_registered(phone.user, present=False, timeout=15)
        seconds, window = phone.launch()
        registered.append(seconds)
        if window is not None:
            painted.append(window)
    time.sleep(5)
    return {"launch": median(registered), "painted": median(painted) if painted else float("nan"),
            "rss_idle": rss_mb(phone.pid), "own_idle": rss_own_mb(phone.pid), "parts_idle": rss_parts(phone.pid)}


def measure_ringing(phone: Phone, pbx: Pbx, party: SipParty) -> list[float]:
    port = BARESIP_PORT if isinstance(phone, BaresipPhone) else agent_port(pbx, phone.user)
    capture = InviteCapture(port)
    assert phone.output is not None
    shown: list[float] = []
    for _ in range(RINGS):
        party.call(f"sip:{phone.user}@{SERVER}")
        stamp, match = phone.output.wait_for(phone.ringing_pattern, timeout=10)
        shown.append(float(match.group(1)) if match.groups() else stamp)
        time.sleep(0.3)
        party.send("hangup")
        party.wait_state("DISCONNECTED")
        time.sleep(0.3)
    time.sleep(0.5)
    arrivals = capture.arrivals()
    capture.close()
    if len(arrivals) != RINGS:
        print(f"  ({phone.name}: {len(arrivals)} INVITEs captured for {RINGS} calls)")
    return [(seen - arrived) * 1000 for seen, arrived in zip(shown, arrivals, strict=False)]


@contextmanager
def queue_call(phone: Phone, pbx: Pbx, party: SipParty) -> Iterator[None]:
    """While the block runs: `party` calls through the phone's queue, the
    phone has answered (auto answer) and the party sends a tone; then the
    party hangs up and the phone leaves the queue."""
    pbx.cli(f"queue add member PJSIP/{phone.user} to {phone.queue}")
    try:
        party.call(f"sip:{phone.queue_extension}@{SERVER}")
        party.wait_state("CONFIRMED")
        pbx.wait_channel_up(phone.user, timeout=15)
        party.send("tone", freq=1100)
        yield
        party.send("hangup")
        party.wait_state("DISCONNECTED")
    finally:
        pbx.cli(f"queue remove member PJSIP/{phone.user} from {phone.queue}")


def measure_call(phone: Phone, pbx: Pbx, party: SipParty, sound: SoundServer) -> tuple[float, float, float, str]:
    with queue_call(phone, pbx, party):
        time.sleep(2)
        audio = f"party hears mic {party.hear([MIC_TONE])[str(int(MIC_TONE))]:.2f}, " \
                f"phone plays party {sound.hear([1100])['1100']:.2f}"
        before = cpu_seconds(phone.pid)
        time.sleep(CALL_SECONDS)
        used = (cpu_seconds(phone.pid) - before) * 60 / CALL_SECONDS
        rss, own = rss_mb(phone.pid), rss_own_mb(phone.pid)
    return used, rss, own, audio


def run_phone(phone: Phone, pbx: Pbx, sound: SoundServer) -> dict[str, Any]:
    print(f"measuring {phone.name} ...", flush=True)
    party: SipParty | None = None
    try:
        result: dict[str, Any] = measure_launch(phone, pbx)  # before the second party's process starts
        party = SipParty("caller")
        party.register("1002", SERVER)
        idle_before = cpu_seconds(phone.pid)
        time.sleep(10)
        result["cpu_idle"] = (cpu_seconds(phone.pid) - idle_before) * 6
        result["ring"] = measure_ringing(phone, pbx, party)
        result["cpu_call"], result["rss_call"], result["own_call"], result["audio"] = measure_call(
            phone, pbx, party, sound
        )
    finally:
        phone.stop()
        if party is not None:
            party.close()
    return result


def start_display() -> subprocess.Popen[bytes] | None:
    """A real X server (Xvfb) when there is one: the UI is then painted for real."""
    if not shutil.which("Xvfb"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return None
    display = ":93"
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x900x24"], stderr=subprocess.DEVNULL)
    time.sleep(1)
    os.environ["DISPLAY"] = display
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    return server


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs else "-"


FIGURES: list[tuple[str, Any, str]] = [
    # (label, how to get the figure from a result, format)
    ("launch to registered (s)", lambda r: r["launch"], ".3f"),
    ("launch to window painted (s)", lambda r: r["painted"], ".3f"),
    ("INVITE to ringing UI p50 (ms)", lambda r: median(r["ring"]), ".1f"),
    ("INVITE to ringing UI p95 (ms)", lambda r: percentile(r["ring"], 0.95), ".1f"),
    ("CPU s per call-minute", lambda r: r["cpu_call"], ".2f"),
    ("CPU s per idle minute", lambda r: r["cpu_idle"], ".3f"),
    ("RSS idle (MB)", lambda r: r["rss_idle"], ".0f"),
    ("RSS in a call (MB)", lambda r: r["rss_call"], ".0f"),
    ("RSS idle without JACK's shm (MB)", lambda r: r["own_idle"], ".0f"),
    ("RSS in a call without JACK's shm (MB)", lambda r: r["own_call"], ".0f"),
]


def report(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    rows = []
    for label, figure, style in FIGURES:
        mine, other = figure(ours), figure(theirs)
        rows.append((label, format(mine, style), format(other, style), ratio(mine, other)))
    print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(table(f"Softphone figures ({CALL_SECONDS:.0f} s call, {RINGS} rings, same Asterisk and JACK)", rows))
    print(f"audio during the measured call: AgentDesk {ours['audio']}; baresip {theirs['audio']}")
    print("\nAgentDesk's resident memory, idle (MB):")
    for part, megabytes in ours["parts_idle"].items():
        print(f"  {megabytes:7.1f}  {part}")
    keep(ours, theirs)


def keep(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    """The figures with targets, for the summary of all benchmarks."""
    ring = percentile(ours["ring"], 0.95)
    record("softphone", "launch to registered", ours["launch"], "s", "< 0.4 s", ours["launch"] < 0.4,
           theirs["launch"])
    record("softphone", "launch to window painted", ours["painted"], "s", "", None)
    record("softphone", "INVITE to ringing UI p95", ring, "ms", "< 50 ms", ring < 50,
           percentile(theirs["ring"], 0.95))
    record("softphone", "CPU per call-minute", ours["cpu_call"], "s", "<= 1.2x baresip",
           ours["cpu_call"] <= 1.2 * theirs["cpu_call"], theirs["cpu_call"])
    record("softphone", "CPU per idle minute", ours["cpu_idle"], "s", "<= baresip",
           ours["cpu_idle"] <= theirs["cpu_idle"], theirs["cpu_idle"])
    record("softphone", "RSS idle without JACK's shm", ours["own_idle"], "MB", "<= 100 MB",
           ours["own_idle"] <= 100, theirs["own_idle"])


def compile_byte_code() -> None:
    """A warm launch, as from an installed package: byte code compiled."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "agentdesk")], check=True,
                   stdout=subprocess.DEVNULL)


def main() -> int:
    compile_byte_code()
    display = start_display()
    sound = SoundServer()
    pbx = Pbx()
    pbx.start()
    env = dict(os.environ)
    try:
        with tempfile.TemporaryDirectory() as folder:
            ours = run_phone(AgentDeskPhone(Path(folder) / "agentdesk", env), pbx, sound)
            theirs = run_phone(BaresipPhone(Path(folder) / "baresip", env), pbx, sound)
        report(ours, theirs)
    finally:
        pbx.stop()
        sound.close()
        if display is not None:
            display.terminate()
    return 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
