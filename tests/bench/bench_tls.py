"""What SIP over TLS with encrypted audio costs a remote agent, against the
same AgentDesk over plain UDP, in the same run on the same Asterisk:

- launch to registered (median of 4 launches; TLS adds its handshake);
- a call offered to the phone until it rings (median of 10; the INVITE
  travels over the TLS connection the phone opened);
- CPU per call-minute during a queue call with a tone both ways (SRTP must
  add at most 10 %).

Prints figures and the load average; asserts nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_softphone import (
    AgentDeskPhone,
    compile_byte_code,
    measure_call,
    measure_launch,
    start_display,
)
from tests.bench.common import REPO, median, record
from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, TLS_PORT, Pbx
from tests.helpers.soundserver import DEVICE, SoundServer

RINGS = 10


class TlsPhone(AgentDeskPhone):
    """AgentDesk as 1020, the demo's remote agent: SIP over TLS, SRTP required."""

    name, user = "AgentDesk over TLS + SRTP", "1020"

    def __init__(self, folder: Path, env: dict[str, str], authority: Path) -> None:
        self.folder = folder
        self.env = {**env, "AGENTDESK_CONFIG_DIR": str(folder / "config"), "AGENTDESK_DATA_DIR": str(folder / "data"),
                    "XDG_DATA_HOME": str(folder / "xdg"),
                    "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
        self.process = None
        self.output = None
        agentdesk = [sys.executable, "-m", "agentdesk.desktop"]
        subprocess.run([*agentdesk, "account", "add", "--server", f"127.0.0.1:{TLS_PORT}", "--user", self.user,
                        "--transport", "tls", "--ca-file", str(authority), "--password-stdin"],
                       input=f"demo-{self.user}\n", env=self.env, check=True, capture_output=True, text=True)
        for key, value in (("auto_answer", "true"), ("microphone", DEVICE), ("speaker", DEVICE),
                           ("ring_device", DEVICE)):
            subprocess.run([*agentdesk, "config", "set", key, value], env=self.env, check=True, capture_output=True)


def measure_offer(phone: AgentDeskPhone, party: SipParty) -> float:
    """Milliseconds from the caller's INVITE leaving to the phone showing it."""
    assert phone.output is not None
    delays = []
    for _ in range(RINGS):
        sent = time.time()
        party.call(f"sip:{phone.user}@{SERVER}")
        stamp, match = phone.output.wait_for(phone.ringing_pattern, timeout=10)
        delays.append(((float(match.group(1)) if match.groups() else stamp) - sent) * 1000)
        time.sleep(0.3)
        party.send("hangup")
        party.wait_state("DISCONNECTED")
        time.sleep(0.3)
    return median(delays)


def run(phone: AgentDeskPhone, pbx: Pbx, sound: SoundServer) -> dict[str, Any]:
    print(f"measuring {phone.name} ...", flush=True)
    party: SipParty | None = None
    try:
        result = measure_launch(phone, pbx)
        party = SipParty("caller")
        party.register("1002", SERVER)
        result["offer"] = measure_offer(phone, party)
        result["cpu_call"], _, _, result["audio"] = measure_call(phone, pbx, party, sound)
    finally:
        phone.stop()
        if party is not None:
            party.close()
    return result


def main() -> int:
    compile_byte_code()
    display = start_display()
    sound = SoundServer()
    pbx = Pbx()
    pbx.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            plain = run(AgentDeskPhone(Path(folder) / "udp", dict(os.environ)), pbx, sound)
            authority = pbx.home / "state" / "tls" / "ca.pem"
            secure = run(TlsPhone(Path(folder) / "tls", dict(os.environ), authority), pbx, sound)
    finally:
        pbx.stop()
        sound.close()
        if display is not None:
            display.terminate()
    print(f"\nload average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"{'':34}{'UDP, RTP':>14}{'TLS, SRTP':>14}")
    print(f"{'launch to registered (s)':34}{plain['launch']:>14.2f}{secure['launch']:>14.2f}")
    print(f"{'INVITE sent to ringing shown (ms)':34}{plain['offer']:>14.1f}{secure['offer']:>14.1f}")
    print(f"{'CPU per call-minute (s)':34}{plain['cpu_call']:>14.2f}{secure['cpu_call']:>14.2f}")
    added = (secure["cpu_call"] / plain["cpu_call"] - 1) * 100 if plain["cpu_call"] else float("nan")
    print(f"SRTP adds {added:+.1f} % CPU per call-minute (target <= +10 %)")
    print(f"audio: UDP {plain['audio']}; TLS {secure['audio']}")
    record("tls", "SRTP CPU added per call-minute", added, "%", "<= 10 %", added <= 10)
    record("tls", "launch to registered over TLS", secure["launch"], "s", f"UDP {plain['launch']:.2f} s", None)
    record("tls", "call offered to ringing over TLS", secure["offer"], "ms", f"UDP {plain['offer']:.1f} ms", None)
    return 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
