"""The audio bridge: the phone's microphone and speaker.

pjsua2 is built without sound devices (installers/pjsua2): it runs in "no
sound device" mode and the sound device's own callback (PortAudio, through
sounddevice) ticks pjmedia's conference bridge every 20 ms: microphone
frame in, speaker frame out (phone/mediaclock.py). One clock, the sound
card's, so there is nothing to drift and no buffering between clocks beyond
PortAudio's own.

- Microphone and speaker on one device: one duplex stream, one callback -
  in C where the extension was built (audio/fastclock.py): then Python
  runs on the audio thread only while a local tone plays or the level
  meter shows.
- On two devices: the microphone stream queues its frames; the speaker
  stream's callback ticks the bridge with the oldest one (a short queue,
  trimmed so that delay cannot build up).
- Devices that cannot be opened: a plain 20 ms timer keeps ticking, so the
  call still carries RTP (the far end hears silence, not a dead line).

Callbacks only move bytes and tick; device work (open,
close) happens on the shared device worker, never on the SIP or GUI thread.
The ticking stops, synchronously, before pjsua2 is destroyed (detach_clock).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from ..threadname import name_this_thread
from .fastclock import ClockParts, FastClock
from .frames import (
    FRAME_BYTES,
    FRAME_SAMPLES,
    RATE,
    SILENCE,
    TONE_LOOPS,
    peak_level,
    tone_frames,
)
from .native import PA_INPUT_OVERFLOW, PA_OUTPUT_UNDERFLOW, NativeCallback, ffi

log = logging.getLogger("agentdesk.desktop.audio")

MAX_MIC_FRAMES = 4  # two-device case: more than this and the oldest go
TICK = FRAME_SAMPLES / RATE


class Clock(ClockParts, Protocol):
    def tick(self, microphone: Any, speaker: Any) -> None: ...


class Devices(Protocol):
    """Sound devices by name, and streams on them (native.PortAudioDevices)."""

    def index(self, name: str, want_input: bool) -> int: ...
    def open(self, microphone: int | None, speaker: int | None,
             on_block: Callable[[Any, Any, int], None] | NativeCallback) -> Any: ...


@dataclass
class BridgeStats:
    ticks: int = 0  # 20 ms steps of the media clock
    underruns: int = 0  # the speaker ran dry: our callback came too late
    overruns: int = 0  # the microphone overflowed: its frames were not taken in time
    mic_underruns: int = 0  # two devices: no microphone frame was ready for a tick
    mic_dropped: int = 0  # two devices: microphone frames dropped to keep delay down


@dataclass(frozen=True)
class DeviceChoice:
    microphone: str = ""  # empty: the system default
    speaker: str = ""
    zone: str = "us"  # tone zone for ringback


class AudioBridge:
    def __init__(self, devices: Devices, choice: DeviceChoice, worker: ThreadPoolExecutor,
                 on_problem: Callable[[str], None] = lambda text: None, fast_library: Any | None = None) -> None:
        """`on_problem(text)`, for the agent to read, is called on the device
        worker thread: pass something thread-safe, e.g. a Qt signal's emit.
        `fast_library`: the C media clock (fastclock.load_library), if built."""
        self._devices = devices
        self.choice = choice
        self._stats = BridgeStats()
        self._fast = None if fast_library is None else FastClock(fast_library, self._after_fast_tick)
        self.mic_level = 0.0
        self._on_problem = on_problem
        self._worker = worker  # shared with the ringer: see devices.device_worker
        self._clock: Clock | None = None
        self._clock_lock = threading.Lock()
        self._mic: collections.deque[bytes] = collections.deque()
        self._scratch = (ffi.new("char[]", FRAME_BYTES), ffi.new("char[]", FRAME_BYTES))
        self._tone: tuple[bytes, ...] = ()
        self._tone_at = 0
        self._tone_loop = False
        self._streams: list[Any] = []
        self._pacer: threading.Thread | None = None
        self._pacing = False
        self._wanted = False
        self._monitoring = False

    # -- the media clock (SIP thread) --------------------------------------------

    def attach_clock(self, clock: Clock) -> None:
        with self._clock_lock:
            self._clock = clock
        if self._fast is not None:
            self._fast.attach(clock)

    def detach_clock(self) -> None:
        """After this returns, no tick reaches pjmedia."""
        self._stop_pacer()
        if self._fast is not None:
            self._fast.detach()
        with self._clock_lock:
            self._clock = None

    @property
    def stats(self) -> BridgeStats:
        stats = BridgeStats(**vars(self._stats))
        if self._fast is not None:  # the C callback's own counts
            counts = self._fast.counts()
            stats.ticks += counts.ticks
            stats.underruns += counts.underruns
            stats.overruns += counts.overruns
        return stats

    def _tick(self, microphone: Any, speaker: Any) -> None:
        """Microphone frame to the calls, their mix to the speaker buffer."""
        if self._fast is not None:
            self._fast.tick(microphone, speaker)
        else:
            with self._clock_lock:
                clock = self._clock
                if clock is not None:
                    clock.tick(microphone, speaker)
                else:
                    ffi.memmove(speaker, SILENCE, FRAME_BYTES)
        self._stats.ticks += 1
        self._overlay_tone(speaker)

    def _after_fast_tick(self, microphone: Any, speaker: Any, flags: int) -> None:
        """The C callback's hook: the level meter, a local tone over the call."""
        self._measure(microphone)
        self._overlay_tone(speaker)
        self._update_hook()

    def _update_hook(self) -> None:
        """The C callback calls Python only while a tone plays or the meter
        shows. Any thread may call this: after switching the hook off it
        looks again, so a tone started meanwhile on another thread is not
        left without its hook."""
        if self._fast is None:
            return
        wanted = bool(self._tone) or self._monitoring
        self._fast.hook(wanted)
        if not wanted and (self._tone or self._monitoring):
            self._fast.hook(True)

    def _overlay_tone(self, speaker: Any) -> None:
        tone = self._tone  # one look: another thread may end the tone meanwhile
        if tone:
            ffi.memmove(speaker, self._next_tone_frame(tone), FRAME_BYTES)

    def _next_tone_frame(self, tone: tuple[bytes, ...]) -> bytes:
        frame = tone[self._tone_at % len(tone)]
        self._tone_at += 1
        if self._tone_at >= len(tone) and not self._tone_loop:
            self._tone = ()
        return frame

    # -- PortAudio callback threads (raw pointers, see native.py) ------------------

    def _count(self, flags: int) -> None:
        if flags & PA_OUTPUT_UNDERFLOW:
            self._stats.underruns += 1
        if flags & PA_INPUT_OVERFLOW:
            self._stats.overruns += 1

    def _measure(self, microphone: Any) -> None:
        if self._monitoring:  # the level meter is on screen
            self.mic_level = peak_level(ffi.buffer(microphone, FRAME_BYTES)[:])

    def _duplex(self, microphone: Any, speaker: Any, flags: int) -> None:
        self._measure(microphone)
        self._tick(microphone, speaker)
        self._count(flags)

    def _input_only(self, microphone: Any, speaker: Any, flags: int) -> None:
        self._measure(microphone)
        self._mic.append(ffi.buffer(microphone, FRAME_BYTES)[:])
        while len(self._mic) > MAX_MIC_FRAMES:
            self._mic.popleft()
            self._stats.mic_dropped += 1
        self._count(flags)

    def _output_only(self, microphone: Any, speaker: Any, flags: int) -> None:
        try:
            frame = self._mic.popleft()
        except IndexError:
            frame = SILENCE
            self._stats.mic_underruns += 1
        self._tick(ffi.from_buffer(frame), speaker)
        self._count(flags)

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
            self._update_hook()
            self._worker.submit(self._sync_streams)

    def monitor(self, on: bool) -> None:
        """Keep the microphone open for the level meter (settings dialog)."""
        self._monitoring = on
        self._update_hook()
        self._worker.submit(self._sync_streams)

    def play_tone(self, name: str | None) -> None:
        if name is None:
            self._tone = ()
            self._update_hook()
            return
        self._tone_at = 0
        self._tone_loop = TONE_LOOPS[name]
        self._tone = tone_frames(name, self.choice.zone)
        self._update_hook()
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
        return bool(self._streams) or self._pacing

    def _reopen(self) -> None:
        self._close_streams()
        self._sync_streams()

    def _sync_streams(self) -> None:
        wanted = self._wanted or self._monitoring
        if wanted and not self.is_open:
            self._open_streams()
        elif not wanted and self.is_open:
            self._close_streams()

    def _open_streams(self) -> None:
        devices, choice = self._devices, self.choice
        streams: list[Any] = []
        try:
            mic = devices.index(choice.microphone, want_input=True)
            speaker = devices.index(choice.speaker, want_input=False)
            self._mic.clear()
            if mic == speaker:
                streams.append(devices.open(mic, speaker, self._duplex if self._fast is None else self._fast.callback))
            else:
                streams.append(devices.open(mic, None, self._input_only))
                streams.append(devices.open(None, speaker, self._output_only))
            for stream in streams:
                stream.start()
        except Exception as error:
            log.error("cannot open audio devices (%s / %s): %s", choice.microphone, choice.speaker, error)
            self._on_problem(f"The microphone or speaker could not be opened: {error}")
            self._stop_streams(streams)
            self._start_pacer()
            return
        self._streams = streams
        log.info("audio devices open: microphone %s, speaker %s", mic, speaker)

    def _close_streams(self) -> None:
        self._stop_pacer()
        if self._streams:
            log.info("audio devices closed; %s", self.stats)
        streams, self._streams = self._streams, []
        self._stop_streams(streams)
        self.mic_level = 0.0

    @staticmethod
    def _stop_streams(streams: list[Any]) -> None:
        for stream in streams:
            try:
                stream.stop()
                stream.close()
            except Exception:
                log.exception("closing an audio stream")

    # -- without a device: a timer keeps the call's media going ---------------------

    def _start_pacer(self) -> None:
        self._pacing = True
        self._pacer = threading.Thread(target=self._pace, name="audio-timer", daemon=True)
        self._pacer.start()

    def _stop_pacer(self) -> None:
        self._pacing = False
        pacer, self._pacer = self._pacer, None
        if pacer is not None and pacer is not threading.current_thread():
            pacer.join()

    def _pace(self) -> None:
        name_this_thread("ad-audio-timer")
        deadline = time.monotonic()
        microphone, speaker = self._scratch  # the microphone stays silent
        while self._pacing:
            self._tick(microphone, speaker)
            deadline += TICK
            time.sleep(max(0.0, deadline - time.monotonic()))
