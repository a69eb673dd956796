#!/usr/bin/env python3
"""What a remote agent hears over a bad network: PESQ of speech played by
the PBX to the agent through the tests' impaired wire, for AgentDesk and,
through the same wire in the same run, for baresip.

The agent sits behind a masquerading home router; between router and PBX
the wire (tests/helpers/netlab.py, netwire.py) loses 0, 1, 3 or 5 % of the
packets towards the agent at random, or jitters them by ±20 or ±40 ms
(around a 40 or 60 ms delay; packets may overtake each other, as with
netem). Only the speech's direction is impaired, from the call's answer on,
with the same random seed for both phones. Asterisk plays ~11 s of
espeak-ng speech (tests/helpers/speech.py) with a call file, in G.722 and
in G.711 µ-law; each phone plays it on PortAudio into the JACK test sound
server, where a JACK client in a process of its own (jackear.py) records
it. PESQ compares the recording with the file: wideband (P.862.2) for
G.722, narrowband (P.862) for G.711. AgentDesk is 1020 (marked tls: SIP
over TLS, SRTP); baresip is 1019 over SIP over TLS with plain RTP (the
PBX's plain SIP is not on the network), run as bench_softphone runs it
(its PortAudio player, default jitter buffer, no packet-loss concealment
module loaded).

Printed: the table of MOS-LQO, each the mean of BENCH_PESQ_RUNS calls
(default 2), and the load average. No targets: the figures show how each
phone copes. Run: installers/dev.sh bench, or .venv/bin/python
tests/bench/bench_impaired_audio.py (as root: it builds network namespaces).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtWidgets import QApplication

from tests.bench.bench_busy_ui import start_sound_server, wait
from tests.bench.common import desktop_home, record
from tests.bench.jackear import JackEar
from tests.helpers.baresip import BaresipAccount, write_config
from tests.helpers.impairment import Impairment
from tests.helpers.netlab import DESKTOP, RemoteNetwork
from tests.helpers.netpbx import TLS_SERVER, NetworkPbx
from tests.helpers.speech import make_speech, pesq_score, read_wav

RUNS = int(os.environ.get("BENCH_PESQ_RUNS", "2"))
CONDITIONS = (
    ("no loss", Impairment()),
    ("1 % loss", Impairment(loss=0.01)),
    ("3 % loss", Impairment(loss=0.03)),
    ("5 % loss", Impairment(loss=0.05)),
    ("±20 ms jitter", Impairment(delay_ms=40, jitter_ms=20)),
    ("±40 ms jitter", Impairment(delay_ms=60, jitter_ms=40)),
)
CODECS = (("G.722", "g722", 16000), ("G.711", "ulaw", 8000))  # PESQ wideband, narrowband
PACKAGES = ("espeak-ng", "sox", "nftables", "baresip", "jackd2")
SOUNDS = "/var/lib/agentdesk-pbx/lib/bench"  # the PBX state folder's lib/bench, as Asterisk sees it


@dataclass
class Phone:
    name: str
    user: str
    answer: Callable[[], None]  # answers a ringing call, if the phone does not by itself
    close: Callable[[], None]
    glitches: Callable[[], int] = lambda: 0  # the phone's own count of audio underruns so far
    estimates: list[tuple[float, str]] = field(default_factory=list)  # its own quality estimate of each call


def need_packages() -> None:
    """Installs what is missing, as installers/dev.sh would."""
    missing = [p for p in PACKAGES if subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True,
                                                      text=True).stdout.find("ok installed") < 0]
    if missing:
        prefix = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*prefix, "apt-get", "update", "-qq"], check=True)
        subprocess.run([*prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq",
                        "--no-install-recommends", *missing], check=True)


def install_speech(pbx: NetworkPbx, files: dict[int, Path]) -> None:
    """The speech where Asterisk finds it: `.wav16` at 16 kHz (chosen for
    G.722), `.wav` at 8 kHz (chosen for G.711)."""
    folder = pbx.home / "state" / "lib" / "bench"
    folder.mkdir(mode=0o755, exist_ok=True)
    shutil.copy(files[16000], folder / "speech.wav16")
    shutil.copy(files[8000], folder / "speech.wav")
    for path in folder.iterdir():
        path.chmod(0o644)


def play_speech(pbx: NetworkPbx, user: str, codec: str) -> None:
    """Asterisk calls `user` offering only `codec` and plays the speech once
    answered, then hangs up (a call file, moved into the spool whole)."""
    spool = pbx.home / "state" / "spool"
    text = (f"Channel: PJSIP/{user}\nCallerID: \"Speech\" <7777>\nMaxRetries: 0\nWaitTime: 20\nCodecs: {codec}\n"
            f"Application: Playback\nData: {SOUNDS}/speech\n")
    staging = spool / "tmp" / f"speech-{user}-{time.time_ns()}.call"
    staging.write_text(text, encoding="utf-8")
    owner = (spool / "outgoing").stat()
    os.chown(staging, owner.st_uid, owner.st_gid)
    staging.rename(spool / "outgoing" / staging.name)


def one_call(app: QApplication, pbx: NetworkPbx, network: RemoteNetwork, ear: JackEar, phone: Phone, codec: str,
             impairment: Impairment, seed: int) -> tuple[np.ndarray, int]:
    network.wire.clear()
    play_speech(pbx, phone.user, codec)
    deadline = time.monotonic() + 20
    while not pbx.channel_up(phone.user):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{phone.name} did not answer the speech call")
        phone.answer()
        wait(app, 0.05)
    network.wire.set(impairment, direction="down", seed=seed)
    ear.start()
    deadline = time.monotonic() + 30
    while pbx.channel_up(phone.user) and time.monotonic() < deadline:
        wait(app, 0.2)
    network.wire.clear()
    return ear.stop()


def start_agentdesk(app: QApplication, pbx: NetworkPbx) -> Phone:
    """1020, the agent working from home: SIP over TLS, encrypted audio."""
    from agentdesk.desktop import credentials
    from agentdesk.desktop.app import Desktop
    from agentdesk.desktop.phone.model import CallState
    from agentdesk.desktop.phonestart import start_phone
    from agentdesk.desktop.settings import Settings
    from tests.helpers.agent import DEFAULT_SETTINGS

    settings = Settings()
    for key, value in {"server": TLS_SERVER, "user": "1020", **pbx.desktop_settings("tls"), **DEFAULT_SETTINGS}.items():
        settings.set(key, value)
    settings.save()
    credentials.save_password("1020", TLS_SERVER, pbx.password("1020"))
    desktop = Desktop(app, settings, start_phone(settings))
    desktop.start()
    estimates: list[tuple[float, str]] = []
    desktop.engine.callQualitySummary.connect(lambda summary: estimates.append((summary.mos_avg, summary.level)))

    def answer() -> None:
        for call in desktop.engine.live_calls():
            if call.state is CallState.RINGING_IN:
                desktop.engine.answer(call.call_id)

    def close() -> None:
        import sounddevice

        desktop.quit()
        wait(app, 3)
        sounddevice._terminate()  # before JACK goes, or PortAudio asserts at exit

    def underruns() -> int:
        bridge = desktop.bridge
        return 0 if bridge is None else bridge.stats.underruns

    return Phone("AgentDesk", "1020", answer, close, underruns, estimates)


def start_baresip(folder: Path, pbx: NetworkPbx) -> Phone:
    """1019 over SIP over TLS too (the PBX's plain SIP is not on the network);
    not marked tls in pbx/directory.csv, so its audio is plain RTP."""
    account = BaresipAccount("1019", pbx.password("1019"), f"{TLS_SERVER};transport=tls",
                             codecs="G722/16000/1,PCMU/8000/1")
    audio = ["audio_player portaudio,", "audio_source portaudio,", "audio_alert portaudio,", "ausrc_srate 16000",
             "auplay_srate 16000", "audio_channels 1", f"sip_cafile {pbx.ca_file}"]
    write_config(folder, account, audio, ["g711.so", "g722.so", "portaudio.so"], listen=f"{DESKTOP}:0")
    with (folder / "baresip.log").open("wb") as log:
        process = subprocess.Popen(["baresip", "-f", str(folder)], stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT)

    def close() -> None:
        process.terminate()
        process.wait(timeout=10)

    return Phone("baresip", "1019", lambda: None, close)  # it answers by itself (answermode auto)


def measure(app: QApplication, pbx: NetworkPbx, network: RemoteNetwork, phones: list[Phone],
            references: dict[int, np.ndarray], folder: Path
            ) -> tuple[dict[tuple[str, str, str], float], dict[tuple[str, str], list[tuple[float, str]]]]:
    ear = JackEar(folder)
    scores: dict[tuple[str, str, str], float] = {}
    estimates: dict[tuple[str, str], list[tuple[float, str]]] = {}
    try:
        for codec_name, codec, rate in CODECS:
            reference = references[rate]
            for condition, impairment in CONDITIONS:
                for phone in phones:
                    runs, glitches, known = [], phone.glitches(), len(phone.estimates)
                    for run in range(RUNS):
                        heard, heard_rate = one_call(app, pbx, network, ear, phone, codec, impairment, seed=run)
                        runs.append(pesq_score(reference, rate, heard, heard_rate))
                    wait(app, 1)  # the ended call's summary arrives through the event loop
                    if phone.name == "AgentDesk":
                        estimates[codec_name, condition] = phone.estimates[known:]
                    scores[codec_name, condition, phone.name] = statistics.mean(runs)
                    print(f"  {codec_name:6} {condition:15} {phone.name:10} {' '.join(f'{s:.2f}' for s in runs)}"
                          f"   (underruns {phone.glitches() - glitches}, recorder xruns {ear.xruns})", flush=True)
    finally:
        ear.close()
    return scores, estimates


def print_table(scores: dict[tuple[str, str, str], float]) -> None:
    columns = [(codec, phone) for codec, _, _ in CODECS for phone in ("AgentDesk", "baresip")]
    print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"PESQ MOS-LQO of speech heard through the wire (mean of {RUNS} calls; G.722 wideband, G.711 narrowband)")
    print(f"{'':16}" + "".join(f"{f'{codec} {phone}':>18}" for codec, phone in columns))
    for condition, _ in CONDITIONS:
        print(f"{condition:16}" + "".join(f"{scores[codec, condition, phone]:>18.2f}" for codec, phone in columns))
    for (codec, condition, phone), score in scores.items():
        if phone == "AgentDesk":
            record("impaired_audio", f"PESQ {codec}, {condition}", score, "MOS", "", None,
                   peer=scores[codec, condition, "baresip"])


def print_estimates(scores: dict[tuple[str, str, str], float], estimates: dict[tuple[str, str], list[tuple[float, str]]]
                    ) -> None:
    """AgentDesk's own estimate (E-model from RTCP, shown on the call card)
    next to PESQ of the same calls: they must fall together."""
    print("\nAgentDesk's quality estimate (mean MOS, levels) next to PESQ of the same calls")
    for (codec, condition), seen in estimates.items():
        mos = statistics.mean(m for m, _ in seen) if seen else float("nan")
        levels = ",".join(level for _, level in seen)
        pesq = scores[codec, condition, "AgentDesk"]
        print(f"  {codec:6} {condition:15} estimate {mos:4.2f} ({levels:16}) PESQ {pesq:.2f}")
        record("impaired_audio", f"estimate {codec}, {condition}", mos, "MOS", "falls with PESQ", None)


def main() -> int:
    need_packages()
    sound = start_sound_server()
    network = RemoteNetwork(nat=True)
    pbx = NetworkPbx()
    phones: list[Phone] = []
    with tempfile.TemporaryDirectory() as folder:
        desktop_home(Path(folder))
        try:
            pbx.start()
            files = make_speech(Path(folder) / "speech")
            install_speech(pbx, files)
            app = QApplication([])
            phones.append(start_agentdesk(app, pbx))
            wait(app, 2)  # AgentDesk's PortAudio client first: it is the one named PortAudio
            phones.append(start_baresip(Path(folder) / "baresip", pbx))
            for phone in phones:
                pbx.wait_registered(phone.user, timeout=15)
            references = {rate: read_wav(path)[0] for rate, path in files.items()}
            scores, estimates = measure(app, pbx, network, phones, references, Path(folder))
        finally:
            for phone in reversed(phones):
                phone.close()
            pbx.stop()
            network.close()
            assert sound.stdin is not None
            sound.stdin.close()
            sound.wait(timeout=20)
    print_table(scores)
    print_estimates(scores, estimates)
    return 0


if __name__ == "__main__":
    sys.exit(main())
