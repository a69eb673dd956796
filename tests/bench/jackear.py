"""What the softphones play, recorded by a JACK client in a process of its
own (its callback must never wait for the measured process's interpreter):
the mix of every PortAudio client's outputs (AgentDesk's and baresip's;
only the phone in a call plays anything), on the JACK server named by
JACK_DEFAULT_SERVER.

`JackEar` drives it: start() begins a recording, stop() returns it. The
process takes "start" and "stop PATH" lines and answers each with a line
(stop: after writing the samples to PATH as .npy)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

PLAYED = r"PortAudio[^:]*:out"
REPO = Path(__file__).resolve().parents[2]


class _Recorder:
    def __init__(self) -> None:
        import jack

        self.client: Any = jack.Client("bench-ear", no_start_server=True)
        self.port = self.client.inports.register("in")
        self.chunks: list[np.ndarray] = []
        self.recording = False
        self.xruns = 0
        self.client.set_process_callback(self._process)
        self.client.set_xrun_callback(self._xrun)
        self.client.activate()
        threading.Thread(target=self._keep_wired, daemon=True).start()

    def _process(self, frames: int) -> None:
        if self.recording:
            self.chunks.append(self.port.get_array().copy())

    def _xrun(self, delay: float) -> None:
        self.xruns += 1

    def _keep_wired(self) -> None:
        # Streams (and their ports) come and go with calls; connecting is
        # not allowed inside a JACK callback.
        while True:
            with contextlib.suppress(Exception):  # a port vanished between listing and connecting
                for port in self.client.get_ports(PLAYED, is_audio=True, is_output=True):
                    if port not in self.client.get_all_connections(self.port):
                        self.client.connect(port, self.port)
            time.sleep(0.02)

    def serve(self) -> None:
        for line in sys.stdin:
            command, _, path = line.strip().partition(" ")
            if command == "start":
                self.chunks, self.recording = [], True
                print("started", flush=True)
            elif command == "stop":
                self.recording = False
                np.save(path, np.concatenate(self.chunks) if self.chunks else np.zeros(0, dtype=np.float32))
                print(f"stopped {self.client.samplerate} {self.xruns}", flush=True)
        self.client.deactivate()
        self.client.close()


class JackEar:
    """The recorder process. `xruns`: JACK cycles it missed so far."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / "heard.npy"
        self.xruns = 0
        self.process = subprocess.Popen([sys.executable, "-m", "tests.bench.jackear"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, cwd=REPO)

    def _ask(self, line: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def start(self) -> None:
        self._ask("start")

    def stop(self) -> tuple[np.ndarray, int]:
        """What was played since start(), and its sample rate."""
        _, rate, xruns = self._ask(f"stop {self.file}").split()
        self.xruns = int(xruns)
        return np.load(self.file).astype(np.float64), int(rate)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


if __name__ == "__main__":
    _Recorder().serve()
