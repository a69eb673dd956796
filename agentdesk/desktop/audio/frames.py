"""Audio frame format shared by the bridge, the ringer and the tones, and
the local tones the agent hears (ringback, beep, ring)."""

from __future__ import annotations

import math
from array import array
from functools import lru_cache

RATE = 16000
FRAME_MS = 20
FRAME_SAMPLES = RATE * FRAME_MS // 1000
FRAME_BYTES = FRAME_SAMPLES * 2
SILENCE = bytes(FRAME_BYTES)

# (frequencies, on ms, off ms) cadences of the ringback tone by tone zone.
RINGBACK = {
    "us": ((440.0, 480.0), 2000, 4000),
    "ir": ((425.0,), 1000, 4000),
    "ru": ((425.0,), 800, 3200),
    "eu": ((425.0,), 1000, 4000),
}


def peak_level(frame: bytes) -> float:
    """Peak of a frame of signed 16-bit samples, 0.0-1.0."""
    samples = array("h", frame)
    if not samples:
        return 0.0
    return max(max(samples), -min(samples)) / 32768.0


def _synth(parts: list[tuple[tuple[float, ...], int, float]]) -> bytes:
    """Concatenate (frequencies, milliseconds, amplitude) segments; amplitude
    0 is silence. Each tone segment fades in and out over 5 ms (no clicks)."""
    out = array("h")
    for frequencies, ms, amplitude in parts:
        count = RATE * ms // 1000
        fade = RATE * 5 // 1000
        for n in range(count):
            if not amplitude:
                out.append(0)
                continue
            envelope = min(1.0, n / fade, (count - n) / fade)
            value = sum(math.sin(2 * math.pi * f * n / RATE) for f in frequencies) / len(frequencies)
            out.append(int(32767 * amplitude * envelope * value))
    return out.tobytes()


def split_frames(pcm: bytes) -> list[bytes]:
    padded = pcm + bytes(-len(pcm) % FRAME_BYTES)
    return [padded[i : i + FRAME_BYTES] for i in range(0, len(padded), FRAME_BYTES)]


@lru_cache(maxsize=8)
def tone_frames(name: str, zone: str = "us") -> tuple[bytes, ...]:
    """Frames of a named local tone: 'ringback', 'beep' or 'ring'."""
    if name == "ringback":
        frequencies, on, off = RINGBACK.get(zone, RINGBACK["us"])
        pcm = _synth([(frequencies, on, 0.18), ((), off, 0.0)])
    elif name == "beep":
        pcm = _synth([((880.0,), 140, 0.3)])
    elif name == "ring":
        trill = [((660.0, 1320.0), 50, 0.45), ((880.0, 1760.0), 50, 0.45)] * 12
        pcm = _synth([*trill, ((), 400, 0.0), *trill, ((), 2000, 0.0)])
    else:
        raise ValueError(f"unknown tone {name!r}")
    return tuple(split_frames(pcm))


TONE_LOOPS = {"ringback": True, "ring": True, "beep": False}
