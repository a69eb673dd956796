"""A real, correctly clocked sound server for the audio tests: JACK with its
dummy driver at 16 kHz, 20 ms periods. AgentDesk's audio goes through real
PortAudio (its JACK host API) exactly as it would to a sound card, while a
test client plays a tone into the microphone side and records what the
speaker side plays.

Why JACK and not PulseAudio null sinks: on these (virtual) machines
PulseAudio's null sink, fed through the ALSA pulse plugin with the short
buffers a softphone asks for, consumed audio at only 0.65-0.8x real time;
JACK's dummy driver keeps exact time (16000 samples/s measured).

PortAudio opens one JACK client ("PortAudio") whose ports are in_N/out_N;
the test client connects its tone to every PortAudio input and records the
mix of every PortAudio output.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from typing import Any

import numpy as np

from tests.helpers.dsp import analyse

RATE = 16000
PERIOD = 320
MIC_TONE = 1400.0
DEVICE = "system"  # PortAudio's name for the JACK device
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Run in the child before exec: a JACK server must not outlive the tests
    even when they are killed (JACK allows only a few servers at a time)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class SoundServer:
    def __init__(self) -> None:
        if not shutil.which("jackd"):
            raise RuntimeError("the audio tests need jackd (package jackd2, installed by .ci/run)")
        for attempt in range(3):  # a JACK server that just quit can hold its slot a moment
            try:
                self._start_server()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                time.sleep(1)
        self.mic_frequency = MIC_TONE
        self._phase = 0
        self._heard: collections.deque[tuple[float, np.ndarray]] = collections.deque()
        self._lock = threading.Lock()
        self._tone = self.client.outports.register("tone")
        self._ear = self.client.inports.register("ear")
        self.client.set_process_callback(self._process)
        self.client.activate()
        self._running = True
        threading.Thread(target=self._keep_wired, daemon=True).start()

    def _keep_wired(self) -> None:
        # Connecting from inside a JACK callback is not allowed: poll instead.
        while self._running:
            with contextlib.suppress(Exception):  # a port vanished between listing and connecting
                self.wire()
            time.sleep(0.05)

    def _start_server(self) -> None:
        self.name = f"agentdesk-test-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "JACK_NO_AUDIO_RESERVATION": "1", "JACK_NO_START_SERVER": "1"}
        self.process = subprocess.Popen(
            ["jackd", "--no-realtime", "-n", self.name, "-d", "dummy", "-r", str(RATE), "-p", str(PERIOD),
             "-C", "1", "-P", "1"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent,
        )
        os.environ["JACK_DEFAULT_SERVER"] = self.name
        os.environ["JACK_NO_START_SERVER"] = "1"
        try:
            self.client = self._connect()
        except BaseException:
            self.process.terminate()
            self.process.wait()
            raise

    def _connect(self) -> Any:
        import jack

        deadline = time.monotonic() + 10
        while True:
            try:
                return jack.Client("agentdesk-test", servername=self.name, no_start_server=True)
            except jack.JackOpenError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the JACK test server did not start") from None
                time.sleep(0.1)

    def _process(self, frames: int) -> None:
        n = np.arange(self._phase, self._phase + frames)
        self._phase += frames
        tone = 0.3 * np.sin(2 * np.pi * self.mic_frequency * n / RATE) if self.mic_frequency else np.zeros(frames)
        self._tone.get_array()[:] = tone
        heard = (self._ear.get_array() * 32767).clip(-32768, 32767).astype("<i2")
        now = time.monotonic()
        with self._lock:
            self._heard.append((now, heard))
            while self._heard and self._heard[0][0] < now - 15:
                self._heard.popleft()

    def wire(self) -> None:
        """Connect the tone to every PortAudio input and every PortAudio
        output to the ear (streams come and go with calls)."""
        for port in self.client.get_ports("PortAudio:.*", is_audio=True):
            if port.is_input and self._tone not in self.client.get_all_connections(port):
                self.client.connect(self._tone, port)
            elif port.is_output and port not in self.client.get_all_connections(self._ear):
                self.client.connect(port, self._ear)

    def speaker(self, seconds: float) -> bytes:
        """What AgentDesk played during the last `seconds` (16-bit PCM)."""
        since = time.monotonic() - seconds
        with self._lock:
            chunks = [chunk for stamp, chunk in self._heard if stamp >= since]
        return b"".join(chunk.tobytes() for chunk in chunks)

    def hear(self, frequencies: list[float], seconds: float = 1.0) -> dict[str, float]:
        """Listen for `seconds`, then analyse what the speaker played."""
        time.sleep(seconds)
        return analyse(self.speaker(seconds), frequencies)

    def close(self) -> None:
        self._running = False
        time.sleep(0.1)
        self.client.deactivate()
        self.client.close()
        self.process.terminate()
        self.process.wait(timeout=10)


def serve() -> None:
    """Run a sound server in its own process (benchmarks: so that the test
    client's callbacks do not share a GIL with the process measured). Prints
    the server name; stops when standard input closes."""
    import sys

    server = SoundServer()
    print(server.name, flush=True)
    sys.stdin.read()
    server.close()


if __name__ == "__main__":
    serve()
