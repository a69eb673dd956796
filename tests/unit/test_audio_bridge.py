"""The audio bridge's buffering between pjmedia's clock and the device's, with
a stand-in for PortAudio. (The real PortAudio path is exercised by every
integration test that checks tones.)"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

from agentdesk.audio.bridge import MAX_FRAMES, PRIME_FRAMES, AudioBridge, DeviceChoice
from agentdesk.audio.frames import FRAME_BYTES, SILENCE, peak_level, tone_frames

OK = SimpleNamespace(input_overflow=False, output_underflow=False)


class FakeStream:
    def __init__(self, callback: Any, **options: Any) -> None:
        self.callback = callback
        self.options = options
        self.started = self.closed = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        self.closed = True


class FakePortAudio:
    def __init__(self) -> None:
        self.streams: list[FakeStream] = []

    def query_devices(self) -> list[dict[str, Any]]:
        return [{"name": "Headset", "max_input_channels": 1, "max_output_channels": 1},
                {"name": "Speakers", "max_input_channels": 0, "max_output_channels": 2}]

    def _stream(self, **options: Any) -> FakeStream:
        stream = FakeStream(**options)
        self.streams.append(stream)
        return stream

    RawStream = RawInputStream = RawOutputStream = _stream


def frame(value: int) -> bytes:
    return value.to_bytes(2, "little", signed=True) * (FRAME_BYTES // 2)


HEADSET = DeviceChoice("Headset", "Headset")


def open_bridge(choice: DeviceChoice = HEADSET) -> tuple[AudioBridge, FakePortAudio]:
    sd = FakePortAudio()
    worker = ThreadPoolExecutor(1)
    bridge = AudioBridge(sd, choice, worker)
    bridge.activate()
    worker.shutdown(wait=True)  # runs the open
    return bridge, sd


def play(stream: FakeStream) -> bytes:
    out = bytearray(FRAME_BYTES)
    stream.callback(bytes(FRAME_BYTES), out, FRAME_BYTES // 2, None, OK)
    return bytes(out)


def test_one_duplex_stream_when_microphone_and_speaker_are_one_device() -> None:
    bridge, sd = open_bridge()
    assert len(sd.streams) == 1 and sd.streams[0].started
    assert sd.streams[0].options["device"] == (0, 0)
    assert bridge.is_open


def test_separate_streams_for_separate_devices() -> None:
    _bridge, sd = open_bridge(DeviceChoice("Headset", "Speakers"))
    assert [s.options["device"] for s in sd.streams] == [0, 1]


def test_speaker_is_primed_then_plays_in_order_and_counts_underruns() -> None:
    bridge, sd = open_bridge()
    stream = sd.streams[0]
    bridge.frame_to_speaker(frame(1))
    assert play(stream) == SILENCE  # not primed yet: no underrun either
    for value in range(2, PRIME_FRAMES + 1):
        bridge.frame_to_speaker(frame(value))
    assert [play(stream) for _ in range(PRIME_FRAMES)] == [frame(v) for v in range(1, PRIME_FRAMES + 1)]
    assert bridge.stats.underruns == 0
    assert play(stream) == SILENCE and bridge.stats.underruns == 1


def test_delay_never_builds_up() -> None:
    bridge, _sd = open_bridge()
    for value in range(MAX_FRAMES + 5):
        bridge.frame_to_speaker(frame(value))
    assert bridge.stats.overruns == 5


def test_microphone_frames_reach_pjsua2_and_the_level_meter() -> None:
    bridge, sd = open_bridge()
    loud = frame(16384)
    sd.streams[0].callback(loud, bytearray(FRAME_BYTES), FRAME_BYTES // 2, None, OK)
    assert bridge.frame_from_mic() == loud
    assert abs(bridge.mic_level - 0.5) < 0.01
    assert bridge.frame_from_mic() == SILENCE and bridge.stats.mic_underruns == 1


def test_a_local_tone_plays_instead_of_call_audio_then_stops() -> None:
    bridge, sd = open_bridge()
    bridge.play_tone("beep")
    beep = tone_frames("beep")
    bridge.frame_to_speaker(frame(5))
    played = [play(sd.streams[0]) for _ in beep]
    assert played == list(beep)
    assert peak_level(played[len(beep) // 2]) > 0.2


def test_closing_releases_the_device() -> None:
    sd = FakePortAudio()
    worker = ThreadPoolExecutor(1)
    bridge = AudioBridge(sd, DeviceChoice(), worker)
    bridge.activate()
    bridge.deactivate()
    worker.shutdown(wait=True)
    assert sd.streams[0].closed and not bridge.is_open
