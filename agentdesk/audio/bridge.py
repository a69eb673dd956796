"""The audio bridge: the phone's microphone and speaker.

pjsua2 runs on its null sound device; its conference bridge hands us 20 ms
frames on pjmedia's clock thread (`frame_to_speaker`, `frame_from_mic`).
PortAudio (sounddevice) moves frames to and from the real devices on its
own callback thread. Between the two clocks sit two small queues of whole
frames. Both callbacks only move bytes (STYLE.md item 4): no locks, no Qt,
no pjsua2; deque appends and pops are atomic in CPython.

The two clocks drift a little and either side can stall for a moment (the
GIL, a busy machine). The speaker queue is primed with PRIME_FRAMES before
playing; running dry counts an underrun and primes again; growing past
MAX_FRAMES drops the oldest frame (an overrun) so delay never builds up.

Opening and closing devices takes tens of milliseconds, so it happens on
the bridge's own worker thread, never on the SIP or GUI thread.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .devices import find_device
from .frames import FRAME_SAMPLES, RATE, SILENCE, TONE_LOOPS, peak_level, tone_frames

log = logging.getLogger("agentdesk.audio")

PRIME_FRAMES = 2
MAX_FRAMES = 6
DEVICE_LATENCY = 0.06  # seconds of buffering PortAudio keeps on the device side


@dataclass
class BridgeStats:
    frames_to_speaker: int = 0
    frames_from_mic: int = 0
    underruns: int = 0  # speaker ran dry while a call was playing
    mic_underruns: int = 0  # pjsua2 asked for a frame the microphone had not given
    overruns: int = 0  # frames dropped to keep the delay down
    device_xruns: int = 0  # PortAudio reported an under/overflow of the device


@dataclass(frozen=True)
class DeviceChoice:
    microphone: str = ""  # empty: the system default
    speaker: str = ""
    zone: str = "us"  # tone zone for ringback


class AudioBridge:
    def __init__(self, sd: Any, choice: DeviceChoice, worker: ThreadPoolExecutor) -> None:
        self._sd = sd
        self.choice = choice
        self.stats = BridgeStats()
        self.mic_level = 0.0
        self._speaker: collections.deque[bytes] = collections.deque(maxlen=MAX_FRAMES * 4)
        self._mic: collections.deque[bytes] = collections.deque(maxlen=MAX_FRAMES * 4)
        self._primed = False
        self._tone: tuple[bytes, ...] = ()
        self._tone_at = 0
        self._tone_loop = False
        self._streams: list[Any] = []
        self._wanted = False
        self._monitoring = False
        self._worker = worker  # shared with the ringer: see devices.device_worker
        self._lock = threading.Lock()  # guards stream open/close only
        self.on_problem: Callable[[str], None] = lambda text: None

    # -- pjmedia clock thread ---------------------------------------------------

    def frame_to_speaker(self, frame: bytes) -> None:
        self._speaker.append(frame)
        self.stats.frames_to_speaker += 1
        while len(self._speaker) > MAX_FRAMES:
            self._speaker.popleft()
            self.stats.overruns += 1

    def frame_from_mic(self) -> bytes:
        try:
            frame = self._mic.popleft()
        except IndexError:
            if self._streams:
                self.stats.mic_underruns += 1
            return SILENCE
        while len(self._mic) > MAX_FRAMES:
            self._mic.popleft()
            self.stats.overruns += 1
        self.stats.frames_from_mic += 1
        return frame

    # -- PortAudio callback thread ----------------------------------------------

    def _on_input(self, data: Any, status: Any) -> None:
        frame = bytes(data)
        self._mic.append(frame)
        self.mic_level = peak_level(frame)
        if status:
            self.stats.device_xruns += 1

    def _on_output(self, out: Any, status: Any) -> None:
        if status:
            self.stats.device_xruns += 1
        if self._tone:
            out[:] = self._next_tone_frame()
            self._speaker.clear()
            return
        if not self._primed:
            self._primed = len(self._speaker) >= PRIME_FRAMES
            if not self._primed:
                out[:] = SILENCE
                return
        try:
            out[:] = self._speaker.popleft()
        except IndexError:
            self.stats.underruns += 1
            self._primed = False
            out[:] = SILENCE

    def _next_tone_frame(self) -> bytes:
        tone = self._tone
        frame = tone[self._tone_at % len(tone)]
        self._tone_at += 1
        if self._tone_at >= len(tone) and not self._tone_loop:
            self._tone = ()
        return frame

    def _duplex(self, indata: Any, outdata: Any, frames: int, time: Any, status: Any) -> None:
        self._on_input(indata, status.input_overflow)
        self._on_output(outdata, status.output_underflow)

    def _input_only(self, indata: Any, frames: int, time: Any, status: Any) -> None:
        self._on_input(indata, status.input_overflow)

    def _output_only(self, outdata: Any, frames: int, time: Any, status: Any) -> None:
        self._on_output(outdata, status.output_underflow)

    # -- control (any thread; device work on the worker) -------------------------

    def activate(self) -> None:
        """A call needs audio: open the devices if they are not open."""
        if not self._wanted:
            self._wanted = True
            self._worker.submit(self._sync_streams)

    def deactivate(self) -> None:
        """No call needs audio any more: close the devices."""
        if self._wanted:
            self._wanted = False
            self._tone = ()
            self._worker.submit(self._sync_streams)

    def monitor(self, on: bool) -> None:
        """Keep the microphone open for the level meter (settings dialog)."""
        self._monitoring = on
        self._worker.submit(self._sync_streams)

    def play_tone(self, name: str | None) -> None:
        if name is None:
            self._tone = ()
            return
        self._tone_at = 0
        self._tone_loop = TONE_LOOPS[name]
        self._tone = tone_frames(name, self.choice.zone)
        self.activate()

    def set_devices(self, choice: DeviceChoice) -> None:
        self.choice = choice
        self._worker.submit(self._reopen)

    def close(self) -> None:
        """Close the devices (application exit); the owner stops the worker."""
        self._wanted = self._monitoring = False
        self._worker.submit(self._sync_streams)

    @property
    def is_open(self) -> bool:
        return bool(self._streams)

    def _reopen(self) -> None:
        with self._lock:
            self._close_streams()
        self._sync_streams()

    def _sync_streams(self) -> None:
        wanted = self._wanted or self._monitoring
        with self._lock:
            if wanted and not self._streams:
                self._open_streams()
            elif not wanted and self._streams:
                self._close_streams()

    def _open_streams(self) -> None:
        sd, choice = self._sd, self.choice
        mic = find_device(sd, choice.microphone, want_input=True)
        speaker = find_device(sd, choice.speaker, want_input=False)
        common = {"samplerate": RATE, "blocksize": FRAME_SAMPLES, "channels": 1, "dtype": "int16",
                  "latency": DEVICE_LATENCY}
        self._speaker.clear()
        self._mic.clear()
        self._primed = False
        try:
            if mic == speaker:
                streams = [sd.RawStream(device=(mic, speaker), callback=self._duplex, **common)]
            else:
                streams = [
                    sd.RawInputStream(device=mic, callback=self._input_only, **common),
                    sd.RawOutputStream(device=speaker, callback=self._output_only, **common),
                ]
            for stream in streams:
                stream.start()
        except Exception as error:
            log.error("cannot open audio devices (%s / %s): %s", choice.microphone, choice.speaker, error)
            self.on_problem(f"The microphone or speaker could not be opened: {error}")
            return
        self._streams = streams
        log.info("audio devices open: mic %s, speaker %s", mic, speaker)

    def _close_streams(self) -> None:
        if self._streams:
            log.info("audio devices closed; %s", self.stats)
        streams, self._streams = self._streams, []
        for stream in streams:
            try:
                stream.stop()
                stream.close()
            except Exception:
                log.exception("closing an audio stream")
        self.mic_level = 0.0

