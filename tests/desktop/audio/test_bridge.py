"""The audio bridge with stand-ins for PortAudio and for pjmedia's clock,
each test twice: the duplex callback in Python and in C (_fastclock.c,
called here as PortAudio would call it). (The real PortAudio path and the
real media clock are exercised by every integration test that checks tones.)"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from agentdesk.desktop.audio.bridge import MAX_MIC_FRAMES, AudioBridge, DeviceChoice
from agentdesk.desktop.audio.fastclock import load_library
from agentdesk.desktop.audio.frames import FRAME_BYTES, FRAME_SAMPLES, SILENCE, tone_frames
from agentdesk.desktop.audio.native import PA_OUTPUT_UNDERFLOW, NativeCallback, ffi

HEADSET = DeviceChoice("Headset", "Headset")


def frame(value: int) -> bytes:
    return value.to_bytes(2, "little", signed=True) * (FRAME_BYTES // 2)


class EchoClock:
    """Gives back each microphone frame, like a call to an echo test; to the
    C clock as a master port with pjmedia's and pjlib's functions."""

    def __init__(self) -> None:
        self.heard: list[bytes] = []
        self.registered: set[int] = set()
        self._functions = (
            ffi.callback("ad_frame_fn", self._put_frame),
            ffi.callback("ad_frame_fn", self._get_frame),
            ffi.callback("ad_is_registered_fn", lambda: threading.get_ident() in self.registered),
            ffi.callback("ad_register_fn", self._register),
        )

    def tick(self, microphone: Any, speaker: Any) -> None:
        self.heard.append(ffi.buffer(microphone, FRAME_BYTES)[:])
        ffi.memmove(speaker, microphone, FRAME_BYTES)

    def native_parts(self) -> tuple[Any, Any, Any, Any, Any]:
        return (ffi.cast("void *", 1), *self._functions)

    def _put_frame(self, port: Any, frame: Any) -> int:
        self.heard.append(ffi.buffer(frame.buf, frame.size)[:])
        return 0

    def _get_frame(self, port: Any, frame: Any) -> int:
        ffi.memmove(frame.buf, self.heard[-1], FRAME_BYTES)
        return 0

    def _register(self, name: Any, desc: Any, thread: Any) -> int:
        self.registered.add(threading.get_ident())
        return 0


class FakeStream:
    def __init__(self, microphone: int | None, speaker: int | None, on_block: Any) -> None:
        self.microphone, self.speaker, self.on_block = microphone, speaker, on_block
        self.started = self.closed = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        self.closed = True

    def block(self, microphone: bytes = SILENCE, flags: int = 0) -> bytes:
        """PortAudio asking for one block: returns what was played."""
        out = ffi.new("char[]", FRAME_BYTES)
        if isinstance(self.on_block, NativeCallback):
            self.on_block.function(ffi.from_buffer(microphone), out, FRAME_SAMPLES, ffi.NULL, flags, self.on_block.user)
        else:
            self.on_block(ffi.from_buffer(microphone), out, flags)
        return bytes(ffi.buffer(out, FRAME_BYTES))


NAMES = {"Headset": 0, "Speakers": 1, "": 0}


class FakeDevices:
    def __init__(self, fail: bool = False) -> None:
        self.streams: list[FakeStream] = []
        self.fail = fail

    def index(self, name: str, want_input: bool) -> int:
        return NAMES[name]

    def open(self, microphone: int | None, speaker: int | None, on_block: Any) -> FakeStream:
        if self.fail:
            raise OSError("device busy")
        stream = FakeStream(microphone, speaker, on_block)
        self.streams.append(stream)
        return stream


@pytest.fixture(params=["python", "c"])
def fast_library(request: pytest.FixtureRequest) -> Any:
    if request.param == "python":
        return None
    library = load_library()
    assert library is not None, "the C media clock was not built (installers/dev.sh setup installs a C compiler)"
    return library


def open_bridge(fast_library: Any, choice: DeviceChoice = HEADSET, fail: bool = False,
                problems: list[str] | None = None) -> tuple[AudioBridge, FakeDevices, EchoClock]:
    devices = FakeDevices(fail)
    worker = ThreadPoolExecutor(1)
    bridge = AudioBridge(devices, choice, worker, on_problem=(problems if problems is not None else []).append,
                         fast_library=fast_library)
    clock = EchoClock()
    bridge.attach_clock(clock)
    bridge.activate()
    worker.submit(lambda: None).result()  # the open has run
    return bridge, devices, clock


def test_one_device_is_one_duplex_stream_that_ticks_the_media_clock(fast_library: Any) -> None:
    bridge, devices, clock = open_bridge(fast_library)
    (stream,) = devices.streams
    assert (stream.microphone, stream.speaker, stream.started) == (0, 0, True)
    assert stream.block(frame(7)) == frame(7)  # heard what the calls gave back
    assert clock.heard == [frame(7)] and bridge.stats.ticks == 1
    assert bridge.mic_level == 0.0  # measured only while a level meter shows it
    bridge.monitor(True)  # the streams are open already: nothing else changes
    stream.block(frame(7))
    assert abs(bridge.mic_level - 7 / 32768) < 1e-6


def test_a_late_callback_is_counted_as_an_underrun(fast_library: Any) -> None:
    bridge, devices, _clock = open_bridge(fast_library)
    devices.streams[0].block(frame(1), PA_OUTPUT_UNDERFLOW)
    assert bridge.stats.underruns == 1


def test_two_devices_queue_the_microphone_for_the_speaker_s_tick(fast_library: Any) -> None:
    bridge, devices, clock = open_bridge(fast_library, DeviceChoice("Headset", "Speakers"))
    microphone, speaker = devices.streams
    assert (microphone.microphone, microphone.speaker, speaker.microphone, speaker.speaker) == (0, None, None, 1)
    for value in range(MAX_MIC_FRAMES + 2):
        microphone.block(frame(value))
    assert bridge.stats.mic_dropped == 2  # delay cannot build up
    assert speaker.block() == frame(2) and clock.heard == [frame(2)]


def test_a_local_tone_replaces_what_the_agent_hears_but_the_clock_keeps_ticking(fast_library: Any) -> None:
    bridge, devices, clock = open_bridge(fast_library)
    bridge.play_tone("beep")
    beep = tone_frames("beep")
    played = [devices.streams[0].block(frame(3)) for _ in beep]
    assert played == list(beep) and len(clock.heard) == len(beep)
    assert devices.streams[0].block(frame(3)) == frame(3)  # the beep is over


def test_without_a_usable_device_a_timer_keeps_the_media_going(error_log: Any, fast_library: Any) -> None:
    error_log.allowed = True  # the failed open is logged as an error
    problems: list[str] = []
    bridge, _devices, clock = open_bridge(fast_library, fail=True, problems=problems)
    assert len(problems) == 1 and problems[0].startswith("The microphone or speaker could not be opened")
    time.sleep(0.2)
    assert 5 <= len(clock.heard) <= 15 and set(clock.heard) == {SILENCE}
    bridge.detach_clock()
    ticks = len(clock.heard)
    time.sleep(0.1)
    assert len(clock.heard) == ticks  # nothing reaches pjmedia after detach


def test_closing_releases_the_device(fast_library: Any) -> None:
    bridge, devices, _clock = open_bridge(fast_library)
    bridge.deactivate()
    bridge._worker.submit(lambda: None).result()
    assert devices.streams[0].closed and not bridge.is_open


def test_the_c_clock_registers_its_thread_with_pjlib_once_and_stops_at_detach() -> None:
    bridge, devices, clock = open_bridge(load_library())
    stream = devices.streams[0]
    for value in range(3):
        assert stream.block(frame(value)) == frame(value)
    assert clock.registered == {threading.get_ident()} and bridge.stats.ticks == 3
    bridge.detach_clock()
    assert stream.block(frame(9)) == SILENCE and len(clock.heard) == 3  # nothing reached "pjmedia"


def test_the_c_clock_calls_python_only_while_a_tone_plays_or_the_meter_shows(monkeypatch: Any) -> None:
    bridge, devices, _clock = open_bridge(load_library())
    stream = devices.streams[0]
    calls: list[int] = []
    measure = bridge._measure

    def counted(microphone: Any) -> None:
        calls.append(1)
        measure(microphone)

    monkeypatch.setattr(bridge, "_measure", counted)
    stream.block(frame(5))
    assert calls == []  # a plain call: no Python on the audio thread
    bridge.play_tone("beep")
    for _ in range(len(tone_frames("beep")) + 3):
        stream.block(frame(5))
    assert len(calls) == len(tone_frames("beep"))  # the hook turned itself off when the beep ended
    bridge.monitor(True)
    stream.block(frame(5))
    assert len(calls) == len(tone_frames("beep")) + 1 and abs(bridge.mic_level - 5 / 32768) < 1e-6
