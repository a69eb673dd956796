"""The ring tone, on its own device (often the PC speakers, so an agent
wearing a headset still hears a call coming in)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .devices import find_device
from .frames import FRAME_SAMPLES, RATE, tone_frames

log = logging.getLogger("agentdesk.desktop.audio")


class Ringer:
    def __init__(self, sd: Any, worker: ThreadPoolExecutor, device: str = "") -> None:
        self._sd = sd
        self.device = device
        self._stream: Any = None
        self._position = 0
        self._worker = worker  # shared with the audio bridge: see devices.device_worker

    @property
    def ringing(self) -> bool:
        return self._stream is not None

    def start(self) -> None:
        self._worker.submit(self._start)

    def stop(self) -> None:
        self._worker.submit(self._stop)

    def close(self) -> None:
        self._worker.submit(self._stop)

    def _start(self) -> None:
        if self._stream is not None:
            return
        frames = tone_frames("ring")
        self._position = 0

        def callback(out: Any, count: int, time: Any, status: Any) -> None:
            out[:] = frames[self._position % len(frames)]
            self._position += 1

        try:
            stream = self._sd.RawOutputStream(
                samplerate=RATE, blocksize=FRAME_SAMPLES, channels=1, dtype="int16",
                device=find_device(self._sd, self.device, want_input=False), callback=callback, latency="high",
            )
            stream.start()
        except Exception as error:
            log.error("cannot ring on %r: %s", self.device or "default device", error)
            return
        self._stream = stream

    def _stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:
                log.exception("stopping the ring tone")
