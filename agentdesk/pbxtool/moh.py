"""Hold music for the bundled PBX, synthesised (no third-party recordings to
license): a calm I-vi-IV-V progression in C major, arpeggiated with soft
bell-like notes over a bass note, as 16 kHz signed linear (Asterisk .sln16).

Its notes lie between 87 Hz and 530 Hz, which the tests use to tell hold
music apart from the test tones (1 kHz and up) that the parties send.
"""

from __future__ import annotations

import math
from array import array
from pathlib import Path

RATE = 16000
BEAT_SECONDS = 0.5

# MIDI note numbers: (bass, arpeggio notes) per bar; each bar is 4 beats.
PROGRESSION = [
    (48, (60, 64, 67, 64)),  # C
    (45, (57, 60, 64, 60)),  # Am
    (41, (57, 60, 65, 60)),  # F
    (43, (59, 62, 67, 62)),  # G
    (48, (64, 67, 72, 67)),  # C, higher voicing on the repeat
    (45, (60, 64, 69, 64)),  # Am
    (41, (60, 65, 69, 65)),  # F
    (43, (62, 67, 71, 67)),  # G
]


def note_frequency(midi: int) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _add_note(samples: list[float], start: float, midi: int, seconds: float, gain: float) -> None:
    frequency = note_frequency(midi)
    first = int(start * RATE)
    count = min(int(seconds * RATE), len(samples) - first)
    step = 2 * math.pi * frequency / RATE
    for n in range(count):
        t = n / RATE
        envelope = min(1.0, t / 0.012) * math.exp(-t / 0.7)
        phase = step * n
        tone = math.sin(phase) + 0.25 * math.sin(2 * phase) + 0.08 * math.sin(3 * phase)
        samples[first + n] += gain * envelope * tone


def render() -> array[int]:
    bar_seconds = 4 * BEAT_SECONDS
    total = int(len(PROGRESSION) * bar_seconds * RATE)
    samples = [0.0] * total
    for bar, (bass, arpeggio) in enumerate(PROGRESSION):
        bar_start = bar * bar_seconds
        _add_note(samples, bar_start, bass, bar_seconds, 0.18)
        for beat, midi in enumerate(arpeggio):
            _add_note(samples, bar_start + beat * BEAT_SECONDS, midi, 1.4, 0.22)
    peak = max(abs(s) for s in samples) or 1.0
    scale = 0.35 * 32767 / peak  # about -9 dBFS at the loudest point
    return array("h", (int(s * scale) for s in samples))


def ensure_hold_music(folder: Path) -> Path:
    """Write the hold music once; later starts reuse the file."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "agentdesk-hold.sln16"
    if not target.exists():
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(render().tobytes())
        temporary.replace(target)
    return target
